/* ecm-host: the native-messaging front end. Frames in, frames out; the core does the rest. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "ecm/core.h"
#include "ecm/platform.h"
#include "ecm/frame.h"
#include "ecm/secmem.h"
#include "caller.h"

static void
emit_frame(const char *json, size_t len, void *user)
{
	int *failed = user;

	if (ecm_frame_write(STDOUT_FILENO, json, len) != 0)
		*failed = 1;
}

static void
send_error(ecm_code code, const char *message)
{
	char *reply = ecm_core_error_reply(code, message);

	if (reply != NULL)
		(void)ecm_frame_write(STDOUT_FILENO, reply, strlen(reply));
	cJSON_free(reply);
}

static size_t
inbound_limit(void)
{
	const char *v = getenv("ECM_MAX_MESSAGE");
	long n = v ? strtol(v, NULL, 10) : 0;

	return n > 0 && (size_t)n < ECM_FRAME_IN_MAX ? (size_t)n : ECM_FRAME_IN_MAX;
}

/* Serves frames until end of input. Returns the process exit status. */
static int
serve(ecm_core *core)
{
	size_t limit = inbound_limit();
	int failed = 0;

	for (;;) {
		char *msg = NULL;
		size_t len = 0;
		ecm_frame_status st = ecm_frame_read(STDIN_FILENO, limit, &msg, &len);

		switch (st) {
		case ECM_FRAME_OK:
			ecm_core_handle(core, msg, len, emit_frame, &failed);
			ecm_wipe(msg, len);
			free(msg);
			if (failed)
				return 1;
			continue;
		case ECM_FRAME_EOF:
			return 0;
		case ECM_FRAME_TOO_LARGE:
			send_error(ECM_MESSAGE_TOO_LARGE, "the message is larger than the host accepts");
			return 1;
		case ECM_FRAME_NO_MEMORY:
			send_error(ECM_OUT_OF_MEMORY, "out of memory");
			return 1;
		case ECM_FRAME_TRUNCATED:
			send_error(ECM_BAD_REQUEST, "end of input inside a message");
			return 1;
		case ECM_FRAME_IO_ERROR:
		default:
			return 1;
		}
	}
}

/* Chrome and Edge on Windows pass --parent-window=HWND: the file dialog belongs to that window. */
static void
parent_window(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strncmp(argv[i], "--parent-window=", 16) == 0)
			ecm_platform_set_parent_window(argv[i] + 16);
}

int
main(int argc, char **argv)
{
	ecm_error err;
	ecm_core *core;
	const char *caller;
	int status;

	ecm_secure_process(); /* first: no core dumps, no ptrace, wiping allocators */
	ecm_platform_stdio_init(); /* binary stdio; SIGPIPE and SIGXFSZ are errors, not a dead host */
	(void)ecm_platform_utf8_args(&argc, &argv);
	parent_window(argc, argv);
	ecm_error_init(&err);
	core = ecm_core_new(&err);
	if (core == NULL) {
		send_error(err.code, err.message);
		return 1;
	}
	ecm_core_serve_browser(core);
	caller = ecm_caller_from_argv(argc, argv);
	if (!ecm_core_caller_allowed(core, caller)) {
		send_error(ECM_CALLER_NOT_ALLOWED, "this extension is not allowed to use the host");
		ecm_core_free(core);
		return 1;
	}
	status = serve(core);
	ecm_core_free(core);
	return status;
}
