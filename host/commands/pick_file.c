/* pick_file: a native file dialog (zenity or kdialog on Linux desktops). Arguments go to the dialog program
 * through argv (execv), never through a shell; its stdin is /dev/null so it never touches the native-messaging
 * pipe. {"path"}, CANCELLED, or NO_DIALOG. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ecm/command.h"
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
		if (dir[0] != '/')
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
	if (buf == NULL || pipe2(fds, O_CLOEXEC) != 0)
		return -1;
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

static ecm_code
run_pick_file(ecm_ctx *ctx, const cJSON *args, cJSON *result, ecm_error *err)
{
	const char *mode = "open", *start = NULL, *prog = "zenity", *argv[10];
	char *program_path = NULL, *out = NULL, buf[4200];
	ecm_code rc;
	int status;

	if ((rc = ecm_arg_string(args, "mode", 0, &mode, err)) != ECM_OK ||
	    (rc = ecm_arg_string(args, "default_path", 0, &start, err)) != ECM_OK)
		return rc;
	if (strcmp(mode, "open") != 0 && strcmp(mode, "save") != 0) {
		ecm_error_detail_str(err, "field", "mode");
		return ecm_fail(err, ECM_BAD_REQUEST, "\"mode\" must be \"open\" or \"save\"");
	}
	if (have_display() && (program_path = on_path(prog)) == NULL)
		program_path = on_path(prog = "kdialog");
	if (program_path == NULL)
		return ecm_fail(err, ECM_NO_DIALOG, "no file dialog (zenity, kdialog) or no display");
	dialog_argv(prog, program_path, strcmp(mode, "save") == 0, start, argv, buf, sizeof(buf));
	status = run_dialog(argv, &out);
	free(program_path);
	if (status == 0 && out != NULL && out[0] != '\0')
		cJSON_AddStringToObject(result, "path", out);
	else if (status == 1 || status == 0)
		rc = ecm_fail(err, ECM_CANCELLED, "the dialog was cancelled");
	else
		rc = ecm_fail(err, ECM_NO_DIALOG, "the file dialog %s failed (status %d)", prog, status);
	free(out);
	return rc;
}

static const ecm_arg_spec args[] = {
	{ "mode", ECM_ARG_STRING, ECM_ARG_NAME_MAX, NULL },
	{ "default_path", ECM_ARG_STRING, ECM_ARG_PATH_MAX, NULL },
	ECM_ARG_END,
};

const ecm_command ecm_cmd_pick_file = { "pick_file", run_pick_file, 0, NULL, args };
