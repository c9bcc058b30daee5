/* Small helpers shared by the core: paths and files written safely. */
#ifndef ECM_UTIL_H
#define ECM_UTIL_H

#include <stddef.h>
#include "ecm/error.h"
#include "ecm/path.h" /* ecm_user_path, ecm_dir_of, ecm_path_is_absolute */

/* The user's home folder (malloc'd), from $HOME or the password database. */
char *ecm_home_dir(void);
/* dir + "/" + name (malloc'd). */
char *ecm_path_join(const char *dir, const char *name);
/* Creates every missing folder of path with mode (like mkdir -p). 0 or -1. */
int ecm_mkdirs(const char *path, int mode);
/* Writes data to path atomically: temp file (0600) in the same folder, fsync, rename. Refuses to replace an
 * existing file unless overwrite; never leaves a partial file behind. */
ecm_code ecm_write_file_atomic(const char *path, const void *data, size_t len, int overwrite, ecm_error *err);
/* Proves that ecm_write_file_atomic(path) can work before anything irreversible happens: creates (O_EXCL) the
 * same temporary file beside path, reserves size bytes, removes it. FILE_EXISTS (unless overwrite) or
 * FILE_WRITE_FAILED with details.path and details.reason (ecm_write_reason). */
ecm_code ecm_probe_write(const char *path, size_t size, int overwrite, ecm_error *err);
/* details.reason for a write that failed with errno e: "name_too_long", "no_folder", "permission", "read_only",
 * "disk_full" (ENOSPC, EDQUOT, EFBIG), "exists", "not_regular" (a folder or device in the way), "io". */
const char *ecm_write_reason(int e);
/* For the command line, where a relative path means the shell's folder: path made absolute against the working
 * folder (malloc'd); absolute and "~" paths as they are. */
char *ecm_cwd_path(const char *path);
/* The one way the host reads a file named by a path (request, configuration, profiles.ini, CA bundle): opened
 * O_NONBLOCK|O_CLOEXEC (a FIFO or device cannot block it), fstat'ed on the open descriptor, refused unless a
 * regular file of at most max bytes (FILE_READ_FAILED, details.reason "not_regular" / "too_large"), read into
 * a malloc'd, NUL-terminated buffer. FILE_NOT_FOUND when missing. */
ecm_code ecm_read_file(const char *path, size_t max, unsigned char **out, size_t *len, ecm_error *err);
/* A folder of the running executable (malloc'd) or NULL. */
char *ecm_exe_dir(void);

#endif
