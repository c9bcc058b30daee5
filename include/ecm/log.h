/* Logging: off unless ECM_LOG=debug|info|warn; to a per-user file; never a secret (callers pass no args). */
#ifndef ECM_LOG_H
#define ECM_LOG_H

/* printf-style checking; the Windows build checks C99 formats (include/ecm/compat_windows.h). */
#ifndef ECM_PRINTF_ARCHETYPE
#define ECM_PRINTF_ARCHETYPE printf
#endif

typedef enum { ECM_LOG_DEBUG, ECM_LOG_INFO, ECM_LOG_WARN, ECM_LOG_OFF } ecm_log_level;

void ecm_log_init(void);
void ecm_log(ecm_log_level level, const char *fmt, ...) __attribute__((format(ECM_PRINTF_ARCHETYPE, 2, 3)));
void ecm_log_close(void);
/* The log file path (malloc'd): $XDG_STATE_HOME/ecert-manager/ecm.log or ~/.local/state/... */
char *ecm_log_path(void);

#endif
