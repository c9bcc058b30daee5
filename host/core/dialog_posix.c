/* The file dialog on Linux desktops: zenity or kdialog. Arguments go to the dialog program through argv (execv),
 * never through a shell; its stdin is /dev/null so it never touches the native-messaging pipe. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ecm/platform.h"
#include "ecm/util.h"

#define PICK_MAX_OUTPUT 4096

/* The program's full path on PATH (malloc'd) or NULL. */
static char *
on_path(const char *name)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL, *full = NULL;

	if (path == NULL || (copy = strdup(path)) == NULL)
		return NULL;
	for (dir = strtok_r(copy, ":", &save); dir != NULL && full == NULL; dir = strtok_r(NULL, ":", &save)) {
		if (!ecm_path_is_absolute(dir))
			continue; /* a relative entry would run whatever sits in the browser's working folder */
		full = ecm_path_join(dir, name);
		if (full != NULL && access(full, X_OK) != 0) {
			free(full);
			full = NULL;
		}
	}
	free(copy);
	return full;
}

static int
have_display(void)
{
	const char *x = getenv("DISPLAY"), *w = getenv("WAYLAND_DISPLAY");

	return (x != NULL && x[0] != '\0') || (w != NULL && w[0] != '\0');
}

/* Fills argv (at most 8 entries) for the dialog program. */
static void
dialog_argv(const char *prog, const char *program_path, int save, const char *start, const char **argv,
    char *buf, size_t buflen)
{
	int n = 0;

	argv[n++] = program_path;
	if (strcmp(prog, "zenity") == 0) {
		argv[n++] = "--file-selection";
		if (save)
			argv[n++] = "--save";
		argv[n++] = "--title=e-Cert Manager";
		argv[n++] = "--file-filter=PKCS#12 (*.pfx, *.p12) | *.pfx *.p12";
		if (start != NULL) {
			snprintf(buf, buflen, "--filename=%s", start);
			argv[n++] = buf;
		}
	} else {
		argv[n++] = save ? "--getsavefilename" : "--getopenfilename";
		if (start != NULL && start[0] == '-') { /* kdialog would read it as an option */
			snprintf(buf, buflen, "./%s", start);
			start = buf;
		}
		argv[n++] = start != NULL ? start : ".";
		argv[n++] = "*.pfx *.p12|PKCS#12 (*.pfx, *.p12)";
	}
	argv[n] = NULL;
}

static void
child(int out_fd, const char **argv)
{
	int null_fd = open("/dev/null", O_RDWR);

	if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(null_fd, 2) < 0)
		_exit(127);
	execv(argv[0], (char *const *)argv);
	_exit(127);
}

/* Runs the dialog; *out is what it printed (malloc'd). Returns the exit status or -1. */
static int
run_dialog(const char **argv, char **out)
{
	char *buf = calloc(1, PICK_MAX_OUTPUT + 1);
	size_t got = 0;
	int fds[2], status;
	pid_t pid;

	*out = buf;
	if (buf == NULL || pipe(fds) != 0)
		return -1;
	/* pipe2 is Linux-only: close-on-exec set by hand (nothing else runs between, the host is one thread) */
	(void)fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	(void)fcntl(fds[1], F_SETFD, FD_CLOEXEC);
	pid = fork();
	if (pid == 0)
		child(fds[1], argv);
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return -1;
	}
	for (;;) {
		ssize_t n = read(fds[0], buf + got, PICK_MAX_OUTPUT - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
		if (got == PICK_MAX_OUTPUT)
			break;
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (got == PICK_MAX_OUTPUT && memchr(buf, '\n', got) == NULL)
		return -1; /* no line end within the limit: a cut path is another path, never returned */
	buf[strcspn(buf, "\r\n")] = '\0';
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int
ecm_platform_pick_file(int save, const char *start, char **path, const char **why)
{
	const char *prog = "zenity", *argv[10];
	char *program_path = NULL, *out = NULL, buf[4200];
	int status;

	*path = NULL;
	*why = "no file dialog (zenity, kdialog) or no display";
	if (have_display() && (program_path = on_path(prog)) == NULL)
		program_path = on_path(prog = "kdialog");
	if (program_path == NULL)
		return -1;
	dialog_argv(prog, program_path, save, start, argv, buf, sizeof(buf));
	status = run_dialog(argv, &out);
	free(program_path);
	if (status == 0 && out != NULL && out[0] != '\0') {
		*path = out;
		return 0;
	}
	free(out);
	if (status == 1 || status == 0)
		return 1;
	*why = strcmp(prog, "zenity") == 0 ? "the file dialog zenity failed" : "the file dialog kdialog failed";
	return -1;
}
