/* UTF-8 <-> UTF-16 for the Windows platform files (malloc'd, NULL on failure). */
#ifndef ECM_WINDOWS_INT_H
#define ECM_WINDOWS_INT_H

#include <wchar.h>

wchar_t *ecm_win_wide(const char *utf8);
char *ecm_win_utf8(const wchar_t *wide);

#endif
