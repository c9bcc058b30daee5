#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ecm/util.h"

char *
ecm_home_dir(void)
{
	const char *home = getenv("HOME");
	struct passwd *pw;

	if (home != NULL && home[0] == '/')
		return strdup(home);
	pw = getpwuid(getuid());
	if (pw != NULL && pw->pw_dir != NULL)
		return strdup(pw->pw_dir);
	return NULL;
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
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(copy, (mode_t)mode) != 0 && errno != EEXIST)
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
	case EDQUOT:
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

/* Rename without replacing: link(2) fails with EEXIST when the target appeared meanwhile. */
static int
publish(const char *tmp, const char *path, int overwrite)
{
	if (overwrite)
		return rename(tmp, path);
	if (link(tmp, path) != 0)
		return -1;
	unlink(tmp);
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
	fd = mkstemp(*tmp);
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
	if (fchmod(fd, 0600) != 0 || write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		saved = errno;
		close(fd);
		unlink(tmp);
		free(tmp);
		return write_fail(err, path, saved, "cannot write");
	}
	if (close(fd) != 0 || publish(tmp, path, overwrite) != 0) {
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
	struct stat st;
	char *tmp;
	int fd, e;
	ecm_code rc;

	if ((rc = refuse_existing(path, overwrite, err)) != ECM_OK)
		return rc;
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) /* rename(2) could not replace it after the work */
		return write_fail(err, path, EISDIR, "not a regular file:");
	if ((fd = create_temp(path, &tmp)) < 0)
		return write_fail(err, path, errno, "cannot create a file beside");
	e = size > 0 ? posix_fallocate(fd, 0, (off_t)size) : 0;
	if (e == EINVAL || e == EOPNOTSUPP)
		e = 0; /* a file system without fallocate: the name and the permission are still proven */
	close(fd);
	unlink(tmp);
	free(tmp);
	if (e != 0)
		return write_fail(err, path, e, "no room for");
	return ECM_OK;
}

char *
ecm_user_path(const char *path)
{
	char *home, *out;

	if (path[0] == '/')
		return strdup(path);
	if ((home = ecm_home_dir()) == NULL)
		return NULL;
	if (path[0] == '~' && (path[1] == '/' || path[1] == '\0'))
		path += path[1] == '/' ? 2 : 1;
	out = path[0] != '\0' ? ecm_path_join(home, path) : strdup(home);
	free(home);
	return out;
}

char *
ecm_cwd_path(const char *path)
{
	char cwd[PATH_MAX];

	if (path[0] == '/' || path[0] == '~' || path[0] == '\0' || getcwd(cwd, sizeof(cwd)) == NULL)
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
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

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
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	char *slash;

	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (slash == NULL)
		return NULL;
	*slash = '\0';
	return strdup(buf);
}
