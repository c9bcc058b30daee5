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

static int
write_all(int fd, const unsigned char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

ecm_code
ecm_write_file_atomic(const char *path, const void *data, size_t len, int overwrite, ecm_error *err)
{
	char *tmp;
	int fd, saved;

	if (!overwrite && access(path, F_OK) == 0) {
		ecm_error_detail_str(err, "path", path);
		return ecm_fail(err, ECM_FILE_EXISTS, "%s exists", path);
	}
	tmp = temp_path_for(path);
	if (tmp == NULL)
		return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	fd = ecm_platform_mkstemp(tmp);
	if (fd < 0) {
		saved = errno;
		free(tmp);
		ecm_error_detail_str(err, "path", path);
		return ecm_fail(err, ECM_FILE_WRITE_FAILED, "cannot create a file beside %s: %s", path,
		    strerror(saved));
	}
	if (write_all(fd, data, len) != 0 || ecm_platform_fsync(fd) != 0) {
		saved = errno;
		close(fd);
		unlink(tmp);
		free(tmp);
		ecm_error_detail_str(err, "path", path);
		return ecm_fail(err, ECM_FILE_WRITE_FAILED, "cannot write %s: %s", path, strerror(saved));
	}
	close(fd);
	if (ecm_platform_publish(tmp, path, overwrite) != 0) {
		saved = errno;
		unlink(tmp);
		free(tmp);
		ecm_error_detail_str(err, "path", path);
		if (saved == EEXIST)
			return ecm_fail(err, ECM_FILE_EXISTS, "%s exists", path);
		return ecm_fail(err, ECM_FILE_WRITE_FAILED, "cannot write %s: %s", path, strerror(saved));
	}
	free(tmp);
	return ECM_OK;
}

ecm_code
ecm_read_file(const char *path, size_t max, unsigned char **out, size_t *len, ecm_error *err)
{
	struct stat st;
	unsigned char *buf;
	size_t got = 0;
	int fd;

	*out = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ecm_error_detail_str(err, "path", path);
		if (errno == ENOENT)
			return ecm_fail(err, ECM_FILE_NOT_FOUND, "%s does not exist", path);
		return ecm_fail(err, ECM_FILE_READ_FAILED, "cannot open %s: %s", path, strerror(errno));
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
		close(fd);
		ecm_error_detail_str(err, "path", path);
		return ecm_fail(err, ECM_FILE_READ_FAILED, "%s is not a regular file of at most %zu bytes", path, max);
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		close(fd);
		return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
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
	char *path = ecm_platform_exe_path(), *sep = NULL, *p;

	if (path == NULL)
		return NULL;
	for (p = path; *p != '\0'; p++)
		if (strchr(ECM_PATH_SEPS, *p) != NULL)
			sep = p;
	if (sep == NULL) {
		free(path);
		return NULL;
	}
	*sep = '\0';
	return path;
}
