/* Windows. See include/ecm/platform.h. Paths are UTF-8 in the host and UTF-16 at every system call. */
#include <windows.h>
#include <aclapi.h>
#include <shellapi.h>

#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "ecm/platform.h"
#include "ecm/util.h"
#include "windows_int.h"

wchar_t *
ecm_win_wide(const char *utf8)
{
	int n = MultiByteToWideChar(CP_UTF8, 0, utf8, -1, NULL, 0);
	wchar_t *w;

	if (n <= 0 || (w = malloc((size_t)n * sizeof(wchar_t))) == NULL)
		return NULL;
	MultiByteToWideChar(CP_UTF8, 0, utf8, -1, w, n);
	return w;
}

char *
ecm_win_utf8(const wchar_t *wide)
{
	int n = WideCharToMultiByte(CP_UTF8, 0, wide, -1, NULL, 0, NULL, NULL);
	char *s;

	if (n <= 0 || (s = malloc((size_t)n)) == NULL)
		return NULL;
	WideCharToMultiByte(CP_UTF8, 0, wide, -1, s, n, NULL, NULL);
	return s;
}

/* An environment variable as UTF-8 (malloc'd) or NULL: _wgetenv, since getenv gives the ANSI code page. */
static char *
env_utf8(const wchar_t *name)
{
	const wchar_t *v = _wgetenv(name);

	return v != NULL && v[0] != L'\0' ? ecm_win_utf8(v) : NULL;
}

const char *
ecm_platform_name(void)
{
	return "windows";
}

char *
ecm_platform_home_dir(void)
{
	char *home = env_utf8(L"USERPROFILE");

	if (home == NULL)
		home = env_utf8(L"HOME");
	return home;
}

static char *
under_env(const wchar_t *name, const char *rest)
{
	char *dir = env_utf8(name), *path;

	if (dir == NULL)
		return NULL;
	path = ecm_path_join(dir, rest);
	free(dir);
	return path;
}

char *
ecm_platform_user_config(void)
{
	return under_env(L"APPDATA", "ecert-manager\\config.json");
}

char *
ecm_platform_system_config(void)
{
	return under_env(L"PROGRAMDATA", "ecert-manager\\config.json");
}

char *
ecm_platform_log_path(void)
{
	/* '/' (which Windows takes as well): the log's folder is found by its last '/'. */
	return under_env(L"LOCALAPPDATA", "ecert-manager/ecm.log");
}

char *
ecm_platform_exe_path(void)
{
	wchar_t buf[32768];
	DWORD n = GetModuleFileNameW(NULL, buf, sizeof(buf) / sizeof(buf[0]));

	if (n == 0 || n >= sizeof(buf) / sizeof(buf[0]))
		return NULL;
	return ecm_win_utf8(buf);
}

int
ecm_platform_path_is_absolute(const char *p)
{
	if (p == NULL)
		return 0;
	if (p[0] == '/' || p[0] == '\\')
		return 1;
	return ((p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z')) && p[1] == ':' &&
	    (p[2] == '\\' || p[2] == '/');
}

char *
ecm_platform_realpath(const char *path)
{
	wchar_t *w = ecm_win_wide(path), full[32768];
	DWORD n;

	if (w == NULL)
		return NULL;
	n = GetFullPathNameW(w, sizeof(full) / sizeof(full[0]), full, NULL);
	free(w);
	if (n == 0 || n >= sizeof(full) / sizeof(full[0]) || GetFileAttributesW(full) == INVALID_FILE_ATTRIBUTES)
		return NULL;
	return ecm_win_utf8(full);
}

int
ecm_platform_mkdir(const char *path, int mode)
{
	wchar_t *w = ecm_win_wide(path);
	DWORD attr;
	int rc;

	(void)mode; /* a folder under the user's profile inherits its owner-only ACL */
	if (w == NULL) {
		errno = ENOMEM;
		return -1;
	}
	rc = _wmkdir(w);
	if (rc != 0) { /* "C:" and existing folders: EEXIST, as mkdir says */
		attr = GetFileAttributesW(w);
		if (attr != INVALID_FILE_ATTRIBUTES && (attr & FILE_ATTRIBUTE_DIRECTORY))
			errno = EEXIST;
	}
	free(w);
	return rc;
}

int
ecm_platform_mkstemp(char *tmpl)
{
	static const char letters[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	size_t len = strlen(tmpl), i;
	int attempt;

	if (len < 6 || strcmp(tmpl + len - 6, "XXXXXX") != 0) {
		errno = EINVAL;
		return -1;
	}
	for (attempt = 0; attempt < 100; attempt++) {
		unsigned int r;
		wchar_t *w;
		int fd;
		for (i = len - 6; i < len; i++) {
			if (rand_s(&r) != 0)
				return -1;
			tmpl[i] = letters[r % (sizeof(letters) - 1)];
		}
		if ((w = ecm_win_wide(tmpl)) == NULL)
			return -1;
		fd = _wopen(w, _O_RDWR | _O_CREAT | _O_EXCL | _O_BINARY | _O_NOINHERIT, _S_IREAD | _S_IWRITE);
		free(w);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	return -1;
}

int
ecm_platform_fsync(int fd)
{
	return _commit(fd);
}

/* MoveFileExW without MOVEFILE_REPLACE_EXISTING fails when the target exists: no window in which another
 * writer's file is replaced. WRITE_THROUGH returns only once the move is on the disk. */
int
ecm_platform_publish(const char *tmp, const char *path, int overwrite)
{
	wchar_t *wt = ecm_win_wide(tmp), *wp = ecm_win_wide(path);
	DWORD flags = MOVEFILE_WRITE_THROUGH | (overwrite ? MOVEFILE_REPLACE_EXISTING : 0);
	int rc = -1;

	if (wt != NULL && wp != NULL) {
		if (MoveFileExW(wt, wp, flags)) {
			rc = 0;
		} else {
			DWORD e = GetLastError();
			errno = e == ERROR_ALREADY_EXISTS || e == ERROR_FILE_EXISTS ? EEXIST : EACCES;
		}
	} else {
		errno = ENOMEM;
	}
	free(wt);
	free(wp);
	return rc;
}

int
ecm_platform_open_read(const char *path)
{
	wchar_t *w = ecm_win_wide(path);
	int fd;

	if (w == NULL) {
		errno = ENOMEM;
		return -1;
	}
	fd = _wopen(w, _O_RDONLY | _O_BINARY | _O_NOINHERIT);
	free(w);
	return fd;
}

int
ecm_platform_is_special(const char *path)
{
	wchar_t *w = ecm_win_wide(path);
	struct _stat64 st;
	int special;

	if (w == NULL)
		return 0;
	special = _wstat64(w, &st) == 0 && (st.st_mode & _S_IFMT) != _S_IFREG;
	free(w);
	return special;
}

int
ecm_platform_range_locked(const char *path, long long start, long long len)
{
	wchar_t *w = ecm_win_wide(path);
	OVERLAPPED at;
	HANDLE f;
	int locked = 0;

	if (w == NULL)
		return 0;
	f = CreateFileW(w, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_EXISTING,
	    FILE_ATTRIBUTE_NORMAL, NULL);
	free(w);
	if (f == INVALID_HANDLE_VALUE)
		return 0;
	memset(&at, 0, sizeof(at));
	at.Offset = (DWORD)(start & 0xffffffffLL);
	at.OffsetHigh = (DWORD)(start >> 32);
	if (!LockFileEx(f, LOCKFILE_FAIL_IMMEDIATELY, 0, (DWORD)len, 0, &at))
		locked = GetLastError() == ERROR_LOCK_VIOLATION;
	else
		UnlockFileEx(f, 0, (DWORD)len, 0, &at);
	CloseHandle(f);
	return locked;
}

/* Who may read a private key file besides its owner: the system itself and the machine's administrators. */
static int
trusted_reader(PSID sid, PSID owner)
{
	return EqualSid(sid, owner) || IsWellKnownSid(sid, WinLocalSystemSid) ||
	    IsWellKnownSid(sid, WinBuiltinAdministratorsSid);
}

/* Walks the DACL's allow entries: one that lets anybody else read the data makes the file not private. Deny
 * entries are not subtracted (an allow for Everyone with a deny for some is still readable by others). */
int
ecm_platform_private_to_user(const char *path)
{
	const ACCESS_MASK reads = FILE_READ_DATA | GENERIC_READ | GENERIC_ALL | MAXIMUM_ALLOWED;
	wchar_t *w = ecm_win_wide(path);
	PSECURITY_DESCRIPTOR sd = NULL;
	PSID owner = NULL;
	PACL dacl = NULL;
	ACCESS_ALLOWED_ACE *ace;
	DWORD i;
	int private = 1;

	if (w == NULL)
		return 1;
	i = GetNamedSecurityInfoW(w, SE_FILE_OBJECT, OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION, &owner,
	    NULL, &dacl, NULL, &sd);
	free(w);
	if (i != ERROR_SUCCESS)
		return 1; /* the open that follows reports the file */
	if (dacl == NULL)
		private = 0; /* a NULL DACL grants everyone everything */
	for (i = 0; dacl != NULL && private && i < dacl->AceCount; i++) {
		if (!GetAce(dacl, i, (void **)&ace) || ace->Header.AceType != ACCESS_ALLOWED_ACE_TYPE ||
		    (ace->Header.AceFlags & INHERIT_ONLY_ACE) != 0)
			continue;
		if ((ace->Mask & reads) != 0 && !trusted_reader((PSID)&ace->SidStart, owner))
			private = 0;
	}
	LocalFree(sd);
	return private;
}

int
ecm_platform_reserve(int fd, size_t size)
{
	return size > 0 ? _chsize_s(fd, (long long)size) : 0;
}

void *
ecm_platform_secret_pages(size_t len, size_t *total)
{
	SYSTEM_INFO si;
	size_t ps;
	void *p;

	GetSystemInfo(&si);
	ps = si.dwPageSize > 0 ? si.dwPageSize : 4096;
	if (len == 0 || len > (size_t)-1 - ps)
		return NULL;
	*total = (len + ps - 1) / ps * ps;
	p = VirtualAlloc(NULL, *total, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
	if (p != NULL)
		(void)VirtualLock(p, *total); /* best effort: the working-set quota may refuse */
	return p; /* VirtualAlloc gives zeroed pages */
}

void
ecm_platform_secret_pages_free(void *p, size_t total)
{
	(void)VirtualUnlock(p, total);
	(void)VirtualFree(p, 0, MEM_RELEASE);
}

void
ecm_platform_no_dumps(void)
{
	/* No Windows Error Reporting dialog or dump of a crashed host. */
	SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);
}

void
ecm_platform_wipe(void *p, size_t len)
{
	if (p != NULL)
		SecureZeroMemory(p, len);
}

/* An OpenSSL built with modules (MSYS2's) looks for its legacy provider (old RC2/3DES .pfx files) in the folder
 * compiled into it, which is not on the person's machine: the installer puts it in ossl-modules beside the
 * program. OPENSSL_MODULES, when set, wins; an OpenSSL with the provider built in never looks. */
static void
openssl_modules_beside(void)
{
	wchar_t exe[MAX_PATH + 32], *slash;
	DWORD n = GetModuleFileNameW(NULL, exe, MAX_PATH);

	if (n == 0 || n >= MAX_PATH || _wgetenv(L"OPENSSL_MODULES") != NULL || (slash = wcsrchr(exe, L'\\')) == NULL)
		return;
	wcscpy(slash + 1, L"ossl-modules");
	if (GetFileAttributesW(exe) != INVALID_FILE_ATTRIBUTES) { /* OpenSSL reads either environment */
		_wputenv_s(L"OPENSSL_MODULES", exe);
		SetEnvironmentVariableW(L"OPENSSL_MODULES", exe);
	}
}

/* Native messaging frames are binary: in text mode a length or body byte 0x0A becomes 0x0D 0x0A and 0x1A ends
 * the input. No error dialogs either: the browser's host has no one to click them. */
void
ecm_platform_stdio_init(void)
{
	_setmode(_fileno(stdin), _O_BINARY);
	_setmode(_fileno(stdout), _O_BINARY);
	SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);
	openssl_modules_beside();
}

int
ecm_platform_read_hidden(const char *prompt, char *buf, size_t cap)
{
	HANDLE in = CreateFileW(L"CONIN$", GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
	    OPEN_EXISTING, 0, NULL);
	wchar_t wide[1024];
	DWORD mode, got = 0;
	int ok, n;

	if (in == INVALID_HANDLE_VALUE)
		return -1;
	if (!GetConsoleMode(in, &mode) || !SetConsoleMode(in, mode & ~(DWORD)ENABLE_ECHO_INPUT)) {
		CloseHandle(in); /* never read a secret with echo on */
		return -2;
	}
	fprintf(stderr, "%s: ", prompt);
	fflush(stderr);
	ok = ReadConsoleW(in, wide, sizeof(wide) / sizeof(wide[0]) - 1, &got, NULL) != 0;
	SetConsoleMode(in, mode);
	CloseHandle(in);
	fputc('\n', stderr);
	wide[ok ? got : 0] = L'\0';
	wide[wcscspn(wide, L"\r\n")] = L'\0';
	n = WideCharToMultiByte(CP_UTF8, 0, wide, -1, buf, (int)cap, NULL, NULL);
	SecureZeroMemory(wide, sizeof(wide));
	return ok && n > 0 ? 0 : -1;
}

/* CommandLineToArgvW splits as the C runtime does; the UTF-8 copies live as long as the process. */
int
ecm_platform_utf8_args(int *argc, char ***argv)
{
	int n = 0, i;
	wchar_t **w = CommandLineToArgvW(GetCommandLineW(), &n);
	char **v = w != NULL ? calloc((size_t)n + 1, sizeof(*v)) : NULL;

	for (i = 0; v != NULL && i < n; i++)
		if ((v[i] = ecm_win_utf8(w[i])) == NULL) {
			while (i-- > 0)
				free(v[i]);
			free(v);
			v = NULL;
		}
	if (w != NULL)
		LocalFree(w);
	if (v == NULL)
		return -1;
	*argc = n;
	*argv = v;
	return 0;
}
