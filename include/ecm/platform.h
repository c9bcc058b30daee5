/* The one place for what differs between operating systems. host/core/platform_posix.c (Linux and macOS),
 * platform_macos.c (the little macOS does differently), platform_windows.c. Everything else in the host calls
 * these instead of testing the OS itself. Paths are UTF-8 with '/' or '\\' separators; Windows converts them to
 * UTF-16 at the system call. */
#ifndef ECM_PLATFORM_H
#define ECM_PLATFORM_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

/* The characters that separate folders in a path. */
#ifdef _WIN32
#define ECM_PATH_SEPS "/\\"
#else
#define ECM_PATH_SEPS "/"
#endif

/* "linux", "macos", "windows" or "unknown". */
const char *ecm_platform_name(void);

/* The user's home folder (malloc'd) or NULL: $HOME, else the account's (Windows: %USERPROFILE%). */
char *ecm_platform_home_dir(void);
/* Per-user and system-wide configuration files (malloc'd) or NULL. */
char *ecm_platform_user_config(void);
char *ecm_platform_system_config(void);
/* The log file (malloc'd): $XDG_STATE_HOME/ecert-manager/ecm.log or ~/.local/state/...; Windows
 * %LOCALAPPDATA%\ecert-manager\ecm.log. */
char *ecm_platform_log_path(void);
/* The running program's full path (malloc'd) or NULL. */
char *ecm_platform_exe_path(void);
/* Whether path is absolute here ("/x"; Windows also "C:\x", "\\server\x"). */
int ecm_platform_path_is_absolute(const char *path);
/* The canonical absolute form of an existing path (malloc'd) or NULL. */
char *ecm_platform_realpath(const char *path);
/* mkdir with mode (ignored on Windows); 0 or -1 with errno. */
int ecm_platform_mkdir(const char *path, int mode);

/* Opens an existing file to read (binary, not inherited) without waiting: a FIFO or device never blocks the
 * open (POSIX O_NONBLOCK). The caller fstat()s the descriptor. fd or -1 with errno. */
int ecm_platform_open_read(const char *path);
/* 1 when path exists and is not a regular file (a folder, FIFO, device; a symlink is not followed), else 0. */
int ecm_platform_is_special(const char *path);
/* 1 when another process holds a lock on bytes [start, start+len) of the file (how SQLite marks a database in
 * use), else 0. POSIX only asks (F_GETLK); Windows tries the lock for an instant and gives it back at once. */
int ecm_platform_range_locked(const char *path, long long start, long long len);
/* 0 when other users may read the file, else 1 (also when it cannot be checked: the open that follows fails).
 * POSIX: any group/other bit. Windows: the file's DACL grants read access to someone other than its owner,
 * SYSTEM and Administrators (a NULL DACL grants everyone). */
int ecm_platform_private_to_user(const char *path);
/* Reserves size bytes for fd so that a full disk shows now, not after the work. 0, or an errno value; a file
 * system that cannot reserve ahead answers 0. */
int ecm_platform_reserve(int fd, size_t size);
/* Creates and opens (read-write, binary, owner-only) a new file from a template ending in "XXXXXX". fd or -1. */
int ecm_platform_mkstemp(char *tmpl);
/* Flushes fd's data to the disk. 0 or -1. */
int ecm_platform_fsync(int fd);
/* Moves the finished temporary file tmp to path. overwrite: replaces path atomically; otherwise fails with
 * errno EEXIST when path exists (no window in which another writer's file is replaced). 0 or -1 with errno. */
int ecm_platform_publish(const char *tmp, const char *path, int overwrite);

/* Pages of their own for secrets: zeroed, locked against swapping (best effort) and left out of core images
 * where the OS allows. len is rounded up to whole pages, the rounded size stored in *total. NULL when refused. */
void *ecm_platform_secret_pages(size_t len, size_t *total);
/* Unlocks and unmaps what ecm_platform_secret_pages gave (the caller wiped it). */
void ecm_platform_secret_pages_free(void *p, size_t total);
/* Wipes memory the compiler cannot skip. */
void ecm_platform_wipe(void *p, size_t len);
/* No core dumps of this process and no debugger attach from other processes of the same user, where the OS
 * allows (Linux: RLIMIT_CORE 0, PR_SET_DUMPABLE 0; macOS: RLIMIT_CORE 0; Windows: no error-report dumps). */
void ecm_platform_no_dumps(void);

/* Front ends call this first: stdin/stdout carry raw bytes (no CRLF or ^Z translation on Windows), and a
 * reader that went away (SIGPIPE) or a full disk (SIGXFSZ) is an error code, not a killed process. */
void ecm_platform_stdio_init(void);

/* Asks on the terminal with echo off. Reads at most cap-1 bytes into buf (the line end removed). 0 on a line,
 * -1 when there is no terminal, -2 when echo cannot be turned off (a secret is never read with echo on). */
int ecm_platform_read_hidden(const char *prompt, char *buf, size_t cap);

/* Front ends call this first on Windows: argv again, as UTF-8, from the UTF-16 command line (main's argv is in
 * the ANSI code page, which turns 王小明 into ???). Elsewhere argv is left as it is. 0, or -1 (argv unchanged). */
int ecm_platform_utf8_args(int *argc, char ***argv);

/* The browser window that file dialogs belong to (Chrome and Edge on Windows pass --parent-window=HWND as a
 * decimal), so a dialog opens in front of the browser, not behind it. NULL or "0": none. Ignored elsewhere. */
void ecm_platform_set_parent_window(const char *handle);

/* The system's file dialog. save: a save dialog; start: the suggested file or NULL. Returns 0 with *path
 * (malloc'd), 1 when cancelled, -1 when there is no dialog here (*why says which). */
int ecm_platform_pick_file(int save, const char *start, char **path, const char **why);

#endif
