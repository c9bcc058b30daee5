/* Small helpers shared by the core: paths and files written safely. */
#ifndef ECM_UTIL_H
#define ECM_UTIL_H

#include <stddef.h>
#include "ecm/error.h"

/* The user's home folder (malloc'd), from $HOME or the password database. */
char *ecm_home_dir(void);
/* dir + "/" + name (malloc'd). */
char *ecm_path_join(const char *dir, const char *name);
/* Creates every missing folder of path with mode (like mkdir -p). 0 or -1. */
int ecm_mkdirs(const char *path, int mode);
/* Writes data to path atomically: temp file (0600) in the same folder, fsync, rename. Refuses to replace an
 * existing file unless overwrite; never leaves a partial file behind. */
ecm_code ecm_write_file_atomic(const char *path, const void *data, size_t len, int overwrite, ecm_error *err);
/* Reads a whole file (max bytes) into a malloc'd, NUL-terminated buffer. */
ecm_code ecm_read_file(const char *path, size_t max, unsigned char **out, size_t *len, ecm_error *err);
/* A folder of the running executable (malloc'd) or NULL. */
char *ecm_exe_dir(void);

#endif
