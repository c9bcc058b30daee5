/* Helpers shared by the fuzz targets (see fuzz_common.h). */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "ecm/config.h"
#include "ecm/crypto.h"
#include "ecm/util.h"
#include "fuzz_common.h"

void
fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: property violated: %s\n", file, line, what);
	abort();
}

const char *
fuzz_scratch(const char *name)
{
	static char dir[PATH_MAX];
	const char *tmp = getenv("TMPDIR");
	int n;

	if (dir[0] != '\0')
		return dir;
	n = snprintf(dir, sizeof(dir), "%s/ecm-fuzz-%s-XXXXXX", tmp != NULL && tmp[0] == '/' ? tmp : "/tmp", name);
	FUZZ_CHECK(n > 0 && (size_t)n < sizeof(dir), "scratch folder name fits");
	FUZZ_CHECK(mkdtemp(dir) != NULL, "scratch folder can be made");
	return dir;
}

const char *
fuzz_path(const char *dir, const char *name)
{
	static char path[PATH_MAX];
	int n = snprintf(path, sizeof(path), "%s/%s", dir, name);

	FUZZ_CHECK(n > 0 && (size_t)n < sizeof(path), "path fits");
	return path;
}

void
fuzz_write_file(const char *path, const void *data, size_t len)
{
	char parent[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t done = 0;
	int fd;

	if (slash != NULL && slash != path) {
		snprintf(parent, sizeof(parent), "%.*s", (int)(slash - path), path);
		FUZZ_CHECK(ecm_mkdirs(parent, 0700) == 0, "scratch subfolder can be made");
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FUZZ_CHECK(fd >= 0, "scratch file can be created");
	while (done < len) {
		ssize_t n = write(fd, (const char *)data + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		FUZZ_CHECK(n > 0, "scratch file can be written");
		done += (size_t)n;
	}
	close(fd);
}

static int
remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	if (ftw->level > 0)
		remove(path);
	return 0;
}

void
fuzz_empty_dir(const char *dir)
{
	nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Length of the sequence that c starts (0 for a byte that cannot start one) and its smallest code point. */
static size_t
utf8_head(unsigned char c, unsigned long *cp, unsigned long *min)
{
	if (c < 0x80) {
		*cp = c, *min = 0;
		return 1;
	}
	if ((c & 0xE0) == 0xC0) {
		*cp = c & 0x1Fu, *min = 0x80;
		return 2;
	}
	if ((c & 0xF0) == 0xE0) {
		*cp = c & 0x0Fu, *min = 0x800;
		return 3;
	}
	if ((c & 0xF8) == 0xF0) {
		*cp = c & 0x07u, *min = 0x10000;
		return 4;
	}
	return 0;
}

int
fuzz_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n, k;
	unsigned long cp, min;

	while (i < len) {
		n = utf8_head(p[i], &cp, &min);
		if (n == 0 || i + n > len)
			return 0;
		for (k = 1; k < n; k++) {
			if ((p[i + k] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i + k] & 0x3Fu);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += n;
	}
	return 1;
}

void
fuzz_check_cert(const X509 *cert)
{
	ecm_config cfg = { .backup_dir = (char *)"/backups" };
	cJSON *summary = ecm_cert_summary(cert);
	const cJSON *serial = cJSON_GetObjectItemCaseSensitive(summary, "serial");
	char *path = ecm_backup_default_path(&cfg, cert);

	FUZZ_CHECK(cJSON_IsObject(summary), "a certificate summary is an object");
	/* RFC 5280 wants a positive serial; OpenSSL reads a negative one too, and BN_bn2hex writes it "-…". */
	FUZZ_CHECK(cJSON_IsString(serial) && serial->valuestring[serial->valuestring[0] == '-'] != '\0' &&
	    strspn(serial->valuestring + (serial->valuestring[0] == '-'), "0123456789ABCDEF") ==
	    strlen(serial->valuestring + (serial->valuestring[0] == '-')), "the serial is upper-case hex");
	FUZZ_CHECK(path != NULL && strncmp(path, "/backups/", 9) == 0 && strchr(path + 9, '/') == NULL &&
	    strcmp(path + 9, "..") != 0, "the default backup name stays inside backup_dir");
	free(path);
	cJSON_Delete(summary);
}
