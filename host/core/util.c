#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ecm/platform.h"
#include "ecm/util.h"

char *
ecm_home_dir(void)
{
	return ecm_platform_home_dir();
}

char *
ecm_path_join(const char *dir, const char *name)
{
	size_t dl = strlen(dir), nl = strlen(name);
	int slash = dl > 0 && dir[dl - 1] != '/';
	char *out = malloc(dl + (size_t)slash + nl + 1);

	if (out == NULL)
		return NULL;
	memcpy(out, dir, dl);
	if (slash)
		out[dl] = '/';
	memcpy(out + dl + (size_t)slash, name, nl + 1);
	return out;
}

int
ecm_mkdirs(const char *path, int mode)
{
	char *copy = strdup(path), *p;
	int rc = 0;

	if (copy == NULL)
		return -1;
	for (p = copy + 1; rc == 0; p++) {
		if (strchr(ECM_PATH_SEPS, *p) == NULL)
			continue;
		char saved = *p;
		*p = '\0';
		if (ecm_platform_mkdir(copy, mode) != 0 && errno != EEXIST)
			rc = -1;
		*p = saved;
		if (saved == '\0')
			break;
	}
	free(copy);
	return rc;
}

static char *
temp_path_for(const char *path)
{
	size_t len = strlen(path) + sizeof(".XXXXXX.tmp");
	char *tmp = malloc(len);

	if (tmp != NULL)
		snprintf(tmp, len, "%s.XXXXXX", path);
	return tmp;
}

/* Why a file could not be written, in words the UI can act on (details.reason). */
const char *
ecm_write_reason(int e)
{
	switch (e) {
	case ENAMETOOLONG:
		return "name_too_long";
	case ENOENT:
	case ENOTDIR:
		return "no_folder";
	case EACCES:
	case EPERM:
		return "permission";
	case EROFS:
		return "read_only";
	case ENOSPC:
#ifdef EDQUOT /* not in every C library (mingw-w64) */
	case EDQUOT:
#endif
	case EFBIG: /* RLIMIT_FSIZE (SIGXFSZ is ignored by both front ends) or the file system's own limit */
		return "disk_full";
	case EEXIST:
		return "exists";
	case EISDIR:
		return "not_regular";
	default:
		return "io";
	}
}

static ecm_code
write_fail(ecm_error *err, const char *path, int e, const char *what)
{
	ecm_error_detail_str(err, "path", path);
	ecm_error_detail_str(err, "reason", ecm_write_reason(e));
	return ecm_fail(err, ECM_FILE_WRITE_FAILED, "%s %s: %s", what, path, strerror(e));
}

static int
write_all(int fd, const unsigned char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The temporary file beside path (mkstemp: O_EXCL, mode 0600), its name in *tmp. -1 with errno. */
static int
create_temp(const char *path, char **tmp)
{
	int fd, saved;

	*tmp = temp_path_for(path);
	if (*tmp == NULL) {
		errno = ENOMEM;
		return -1;
	}
	fd = ecm_platform_mkstemp(*tmp);
	if (fd < 0) {
		saved = errno;
		free(*tmp);
		*tmp = NULL;
		errno = saved;
	}
	return fd;
}

static ecm_code
exists_fail(const char *path, ecm_error *err)
{
	ecm_error_detail_str(err, "path", path);
	ecm_error_detail_str(err, "reason", "exists");
	return ecm_fail(err, ECM_FILE_EXISTS, "%s exists", path);
}

static ecm_code
refuse_existing(const char *path, int overwrite, ecm_error *err)
{
	return overwrite || access(path, F_OK) != 0 ? ECM_OK : exists_fail(path, err);
}

ecm_code
ecm_write_file_atomic(const char *path, const void *data, size_t len, int overwrite, ecm_error *err)
{
	char *tmp;
	int fd, saved;
	ecm_code rc;

	if ((rc = refuse_existing(path, overwrite, err)) != ECM_OK)
		return rc;
	if ((fd = create_temp(path, &tmp)) < 0)
		return write_fail(err, path, errno, "cannot create a file beside");
	if (write_all(fd, data, len) != 0 || ecm_platform_fsync(fd) != 0) {
		saved = errno;
		close(fd);
		unlink(tmp);
		free(tmp);
		return write_fail(err, path, saved, "cannot write");
	}
	if (close(fd) != 0 || ecm_platform_publish(tmp, path, overwrite) != 0) {
		saved = errno;
		unlink(tmp);
		free(tmp);
		if (saved == EEXIST)
			return exists_fail(path, err);
		return write_fail(err, path, saved, "cannot write");
	}
	free(tmp);
	return ECM_OK;
}

ecm_code
ecm_probe_write(const char *path, size_t size, int overwrite, ecm_error *err)
{
	char *tmp;
	int fd, e;
	ecm_code rc;

	if ((rc = refuse_existing(path, overwrite, err)) != ECM_OK)
		return rc;
	if (ecm_platform_is_special(path)) /* rename(2) could not replace it after the work */
		return write_fail(err, path, EISDIR, "not a regular file:");
	if ((fd = create_temp(path, &tmp)) < 0)
		return write_fail(err, path, errno, "cannot create a file beside");
	e = ecm_platform_reserve(fd, size); /* without it the name and the permission are still proven */
	close(fd);
	unlink(tmp);
	free(tmp);
	if (e != 0)
		return write_fail(err, path, e, "no room for");
	return ECM_OK;
}

char *
ecm_cwd_path(const char *path)
{
	char cwd[PATH_MAX];

	if (ecm_path_is_absolute(path) || path[0] == '~' || path[0] == '\0' || getcwd(cwd, sizeof(cwd)) == NULL)
		return strdup(path);
	return ecm_path_join(cwd, path);
}

static ecm_code
read_refuse(ecm_error *err, const char *path, const char *reason, const char *fmt_what)
{
	ecm_error_detail_str(err, "path", path);
	ecm_error_detail_str(err, "reason", reason);
	return ecm_fail(err, ECM_FILE_READ_FAILED, "%s %s", path, fmt_what);
}

/* O_NONBLOCK: opening a FIFO (or a device) must not wait for a writer; fstat then refuses anything but a
 * regular file, on the descriptor actually opened (no race between a check and the open). */
static ecm_code
open_regular(const char *path, size_t max, int *fd_out, size_t *size, ecm_error *err)
{
	struct stat st;
	int fd = ecm_platform_open_read(path);

	*fd_out = -1;
	if (fd < 0) {
		ecm_error_detail_str(err, "path", path);
		if (errno == ENOENT)
			return ecm_fail(err, ECM_FILE_NOT_FOUND, "%s does not exist", path);
		ecm_error_detail_str(err, "reason", errno == EACCES ? "permission" : "io");
		return ecm_fail(err, ECM_FILE_READ_FAILED, "cannot open %s: %s", path, strerror(errno));
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return read_refuse(err, path, "not_regular", "is not a regular file");
	}
	if (st.st_size < 0 || (unsigned long long)st.st_size > max) {
		close(fd);
		ecm_error_detail_num(err, "max_bytes", (double)max);
		return read_refuse(err, path, "too_large", "is too large");
	}
	*fd_out = fd;
	*size = (size_t)st.st_size;
	return ECM_OK;
}

ecm_code
ecm_read_file(const char *path, size_t max, unsigned char **out, size_t *len, ecm_error *err)
{
	unsigned char *buf;
	size_t got = 0, size = 0;
	int fd;
	ecm_code rc;

	*out = NULL;
	*len = 0;
	if ((rc = open_regular(path, max, &fd, &size, err)) != ECM_OK)
		return rc;
	buf = malloc(size + 1);
	if (buf == NULL) {
		close(fd);
		return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	}
	/* At most the size fstat saw: a file growing meanwhile cannot push the read past max. */
	while (got < size) {
		ssize_t n = read(fd, buf + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	*out = buf;
	*len = got;
	return ECM_OK;
}

char *
ecm_exe_dir(void)
{
	char *path = ecm_platform_exe_path(), *dir;

	if (path == NULL)
		return NULL;
	dir = ecm_dir_of(path);
	free(path);
	return dir;
}
