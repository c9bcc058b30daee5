/* The file dialog on macOS: AppleScript's `choose file` / `choose file name` (Standard Additions) through
 * /usr/bin/osascript. The start folder and name reach the script as its argv (`on run argv`), never spliced
 * into the script's text; stdin is /dev/null so the dialog never touches the native-messaging pipe.
 * Cancel (error -128) prints nothing and exits 0; no GUI session (ssh, a daemon) makes osascript fail. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ecm/platform.h"

#define PICK_MAX_OUTPUT 4096
#ifndef ECM_OSASCRIPT
#define ECM_OSASCRIPT "/usr/bin/osascript" /* never looked up on PATH; tests/macos/portability.t sets a stand-in */
#endif

extern char **environ;

static const char *const script[] = {
	"on run argv",
	"set {m, d, n} to {item 1 of argv, item 2 of argv, item 3 of argv}",
	"try",
	"if m is \"save\" then",
	"if d is \"\" then",
	"set f to choose file name with prompt \"e-Cert Manager\" default name n",
	"else",
	"set f to choose file name with prompt \"e-Cert Manager\" default name n default location (POSIX file d)",
	"end if",
	"else if d is \"\" then",
	"set f to choose file with prompt \"e-Cert Manager\" of type {\"pfx\", \"p12\", \"com.rsa.pkcs-12\"}",
	"else",
	"set f to choose file with prompt \"e-Cert Manager\" of type {\"pfx\", \"p12\", \"com.rsa.pkcs-12\"} "
	    "default location (POSIX file d)",
	"end if",
	"on error number -128",
	"return \"\"",
	"end try",
	"return POSIX path of f",
	"end run",
};
#define SCRIPT_LINES (sizeof(script) / sizeof(script[0]))

/* Runs osascript with argv, its stdout into out (NUL-terminated, at most cap-1 bytes). Exit status or -1. */
static int
run_osascript(char *const argv[], char *out, size_t cap)
{
	posix_spawn_file_actions_t fa;
	int fds[2], status = -1;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(fds) != 0)
		return -1;
	if (posix_spawn_file_actions_init(&fa) != 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	posix_spawn_file_actions_addclose(&fa, fds[1]);
	if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0)
		pid = -1;
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	while (pid > 0 && (n = read(fds[0], out + got, cap - 1 - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (got += (size_t)n) == cap - 1)
			break;
	}
	out[got] = '\0';
	close(fds[0]);
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return pid > 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int
ecm_platform_pick_file(int save, const char *start, char **path, const char **why)
{
	char *argv[1 + 2 * SCRIPT_LINES + 4], out[PICK_MAX_OUTPUT], *dir = NULL, *slash;
	const char *name = "certificate.pfx";
	size_t i, k = 0;
	int status;

	*path = NULL;
	*why = "no file dialog: osascript could not show one (no GUI session?)";
	if (start != NULL && (dir = strdup(start)) != NULL && (slash = strrchr(dir, '/')) != NULL) {
		*slash = '\0';
		if (slash[1] != '\0')
			name = start + (slash + 1 - dir);
	} else if (dir != NULL) {
		free(dir); /* a bare name: no folder to start in */
		dir = NULL;
		name = start;
	}
	argv[k++] = (char *)ECM_OSASCRIPT;
	for (i = 0; i < SCRIPT_LINES; i++) {
		argv[k++] = (char *)"-e";
		argv[k++] = (char *)script[i];
	}
	argv[k++] = (char *)(save ? "save" : "open");
	argv[k++] = dir != NULL ? dir : (char *)"";
	argv[k++] = (char *)name;
	argv[k] = NULL;
	status = run_osascript(argv, out, sizeof(out));
	free(dir);
	if (status != 0)
		return -1;
	out[strcspn(out, "\n")] = '\0';
	if (out[0] == '\0')
		return 1; /* cancelled */
	*path = strdup(out);
	*why = "out of memory";
	return *path != NULL ? 0 : -1;
}
