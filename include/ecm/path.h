/* What a path means, the same way everywhere (host/core/path.c): whether it is absolute, its folder, and where a
 * path the user typed lands. Windows forms ("C:\x", "\\server\share\x") follow the Windows rules in the Windows
 * build; the *_in forms take the rules as an argument so that both can be tested anywhere. */
#ifndef ECM_PATH_H
#define ECM_PATH_H

typedef enum { ECM_PATH_POSIX, ECM_PATH_WINDOWS } ecm_path_rules;

#ifdef _WIN32
#define ECM_PATH_NATIVE ECM_PATH_WINDOWS
#else
#define ECM_PATH_NATIVE ECM_PATH_POSIX
#endif

/* "/x"; Windows also "C:\x", "C:/x", "\\server\x", "\x". */
int ecm_path_absolute_in(ecm_path_rules r, const char *path);
int ecm_path_is_absolute(const char *path);
/* The folder a path names a file in (malloc'd): everything before its last separator, the root kept ("/x" ->
 * "/", "C:\x" -> "C:\"); NULL when it has no separator (or out of memory). */
char *ecm_path_dir_in(ecm_path_rules r, const char *path);
char *ecm_dir_of(const char *path);
/* The part after the last separator (inside path). */
const char *ecm_base_name(const char *path);

/* A path the user typed (a request, a dialog's default), as they meant it (malloc'd): absolute as is; "~", "~/x"
 * and relative paths against the home folder, never the process's working folder (a browser starts the host
 * anywhere). The one rule of every command that takes a path. NULL: no memory or no home. */
char *ecm_user_path(const char *path);

#endif
