/* Linux and macOS (what macOS does differently: platform_macos.c). See include/ecm/platform.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <sys/resource.h>
#if __has_include(<sys/prctl.h>)
#include <sys/prctl.h>
#endif

#include "ecm/platform.h"
#include "ecm/util.h"

char *
ecm_platform_home_dir(void)
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

/* $ENV/rel when ENV holds an absolute path (the XDG rule), else ~/home_rel/rel (malloc'd). */
static char *
xdg_path(const char *env, const char *home_rel, const char *rel)
{
	const char *dir = getenv(env);
	char *home, *base, *path;

	if (dir != NULL && dir[0] == '/')
		return ecm_path_join(dir, rel);
	if ((home = ecm_platform_home_dir()) == NULL)
		return NULL;
	base = ecm_path_join(home, home_rel);
	free(home);
	if (base == NULL)
		return NULL;
	path = ecm_path_join(base, rel);
	free(base);
	return path;
}

char *
ecm_platform_log_path(void)
{
	return xdg_path("XDG_STATE_HOME", ".local/state", "ecert-manager/ecm.log");
}

int
ecm_platform_path_is_absolute(const char *path)
{
	return ecm_path_is_absolute(path);
}

char *
ecm_platform_realpath(const char *path)
{
	return realpath(path, NULL);
}

int
ecm_platform_mkdir(const char *path, int mode)
{
	return mkdir(path, (mode_t)mode);
}

int
ecm_platform_mkstemp(char *tmpl)
{
	int fd = mkstemp(tmpl);

	if (fd >= 0 && fchmod(fd, 0600) != 0) {
		int saved = errno;
		close(fd);
		unlink(tmpl);
		errno = saved;
		return -1;
	}
	return fd;
}

int
ecm_platform_fsync(int fd)
{
	return fsync(fd);
}

/* Rename without replacing: link(2) fails with EEXIST when the target appeared meanwhile. */
int
ecm_platform_publish(const char *tmp, const char *path, int overwrite)
{
	if (overwrite)
		return rename(tmp, path);
	if (link(tmp, path) != 0)
		return -1;
	unlink(tmp);
	return 0;
}

int
ecm_platform_open_read(const char *path)
{
	return open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
}

int
ecm_platform_is_special(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && !S_ISREG(st.st_mode);
}

int
ecm_platform_range_locked(const char *path, long long start, long long len)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = (off_t)start, .l_len = (off_t)len };
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW), locked = 0;

	/* F_GETLK only asks; it never takes a lock (and so cannot disturb the holder). */
	if (fd >= 0 && fcntl(fd, F_GETLK, &fl) == 0)
		locked = fl.l_type != F_UNLCK;
	if (fd >= 0)
		close(fd);
	return locked;
}

int
ecm_platform_private_to_user(const char *path)
{
	struct stat st;

	return stat(path, &st) != 0 || (st.st_mode & 077) == 0;
}

#ifdef __APPLE__
/* macOS has no posix_fallocate: F_PREALLOCATE (fcntl(2)) reserves blocks past the end of the file, contiguous
 * if it can, else anywhere. It leaves the size alone, which is all a reservation needs. */
int
ecm_platform_reserve(int fd, size_t size)
{
	fstore_t fs = { F_ALLOCATECONTIG | F_ALLOCATEALL, F_PEOFPOSMODE, 0, (off_t)size, 0 };
	int e = 0;

	if (size > 0 && fcntl(fd, F_PREALLOCATE, &fs) == -1) {
		fs.fst_flags = F_ALLOCATEALL;
		e = fcntl(fd, F_PREALLOCATE, &fs) == -1 ? errno : 0;
	}
	return e == EINVAL || e == ENOTSUP ? 0 : e;
}
#else
int
ecm_platform_reserve(int fd, size_t size)
{
	int e = size > 0 ? posix_fallocate(fd, 0, (off_t)size) : 0;

	return e == EINVAL || e == EOPNOTSUPP ? 0 : e;
}
#endif

void *
ecm_platform_secret_pages(size_t len, size_t *total)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t ps = page > 0 ? (size_t)page : 4096;
	void *p;

	if (len == 0 || len > (size_t)-1 - ps)
		return NULL;
	*total = (len + ps - 1) / ps * ps;
	p = mmap(NULL, *total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	(void)mlock(p, *total); /* best effort: RLIMIT_MEMLOCK may refuse */
#ifdef MADV_DONTDUMP
	(void)madvise(p, *total, MADV_DONTDUMP);
#endif
	return p; /* mmap gives zeroed pages */
}

void
ecm_platform_secret_pages_free(void *p, size_t total)
{
	(void)munlock(p, total);
	(void)munmap(p, total);
}

void
ecm_platform_no_dumps(void)
{
	struct rlimit none = { 0, 0 };

	(void)setrlimit(RLIMIT_CORE, &none);
#ifdef PR_SET_DUMPABLE
	/* Also makes /proc/PID/{mem,environ,maps} unreadable and ptrace attach impossible for other processes of
	 * the same user; root (CAP_SYS_PTRACE) can still attach, as tests/host/secrets.t does. */
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
}

void
ecm_platform_wipe(void *p, size_t len)
{
	if (p == NULL)
		return;
#if defined(__GLIBC__) || defined(__OpenBSD__) || defined(__FreeBSD__)
	explicit_bzero(p, len);
#else
	volatile unsigned char *v = p;
	while (len--)
		*v++ = 0;
#endif
}

void
ecm_platform_stdio_init(void)
{
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);
}

int
ecm_platform_read_hidden(const char *prompt, char *buf, size_t cap)
{
	struct termios old, quiet;
	FILE *tty = fopen("/dev/tty", "r+");
	int ok;

	if (tty == NULL)
		return -1;
	setvbuf(tty, NULL, _IONBF, 0); /* keep the secret out of stdio's buffer */
	if (tcgetattr(fileno(tty), &old) != 0) { /* never read a secret with echo on */
		fclose(tty);
		return -2;
	}
	fprintf(tty, "%s: ", prompt);
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
	ok = fgets(buf, (int)cap, tty) != NULL;
	tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fputc('\n', tty);
	fclose(tty);
	if (!ok)
		return -1;
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

#ifndef __APPLE__
const char *
ecm_platform_name(void)
{
#ifdef __linux__
	return "linux";
#else
	return "unknown";
#endif
}

char *
ecm_platform_user_config(void)
{
	return xdg_path("XDG_CONFIG_HOME", ".config", "ecert-manager/config.json");
}

char *
ecm_platform_system_config(void)
{
	return strdup("/etc/ecert-manager/config.json");
}

char *
ecm_platform_exe_path(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return strdup(buf);
}
#endif

int
ecm_platform_utf8_args(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0; /* argv is already the bytes the caller passed: UTF-8 on every desktop we support */
}

void
ecm_platform_set_parent_window(const char *handle)
{
	(void)handle; /* no browser here passes its window */
}
