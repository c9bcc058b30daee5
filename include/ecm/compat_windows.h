/* POSIX functions the shared code uses that mingw-w64 lacks: forced in front of every file of the Windows build
 * (mk/windows.mk: -include ecm/compat_windows.h); implemented in host/core/compat_windows.c. What really
 * differs between systems is not here but in include/ecm/platform.h. */
#ifndef ECM_COMPAT_WINDOWS_H
#define ECM_COMPAT_WINDOWS_H

/* Before any system header: gmtime_r from time.h, rand_s from stdlib.h. */
#define _POSIX_THREAD_SAFE_FUNCTIONS 200112L
#define _CRT_RAND_S
/* __USE_MINGW_ANSI_STDIO gives C99 printf: check formats against it, not msvcrt's. */
#define ECM_PRINTF_ARCHETYPE gnu_printf

#include <stdio.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include <fcntl.h>
/* Every descriptor the shared code opens asks for O_CLOEXEC: on Windows that is "not inherited" AND binary (in
 * the default text mode read() drops 0x0D before 0x0A and stops at 0x1A: a .pfx came back as PFX_INVALID). */
#ifndef O_CLOEXEC
#define O_CLOEXEC (_O_NOINHERIT | _O_BINARY)
#endif

char *strndup(const char *s, size_t n);
void *memmem(const void *haystack, size_t haystack_len, const void *needle, size_t needle_len);
char *strptime(const char *s, const char *format, struct tm *tm);
time_t timegm(struct tm *tm);
ssize_t getline(char **line, size_t *cap, FILE *f);

#endif
