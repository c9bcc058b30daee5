/* `ecm session`: newline-delimited JSON requests in, one JSON line per progress event and reply out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecm/frame.h"
#include "ecm/secmem.h"
#include "cli.h"

static void
emit_line(const char *json, size_t len, void *user)
{
	(void)user;
	fwrite(json, 1, len, stdout);
	fputc('\n', stdout);
	fflush(stdout);
}

static int
blank(const char *s)
{
	return s[strspn(s, " \t\r\n")] == '\0';
}

int
ecm_cli_session(ecm_cli *cli)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	while ((n = getline(&line, &cap, stdin)) >= 0) {
		if ((size_t)n > ECM_FRAME_IN_MAX) {
			char *reply = ecm_core_error_reply(ECM_MESSAGE_TOO_LARGE, "the message is larger than allowed");
			if (reply != NULL)
				emit_line(reply, strlen(reply), NULL);
			free(reply);
		} else if (!blank(line))
			ecm_core_handle(cli->core, line, (size_t)n, emit_line, NULL);
		ecm_wipe(line, cap);
	}
	free(line);
	return 0;
}
