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

/* Reads one line into *buf, growing it by hand so that no copy of a request (which may hold a password) is left
 * in freed memory, and never past max bytes: the rest of an over-long line is skipped.
 * Returns the length, -1 at end of input, or -2 for an over-long line. */
static ssize_t
read_request_line(char **buf, size_t *cap, size_t max)
{
	size_t len = 0;
	int c, too_long = 0;

	while ((c = getchar()) != EOF) {
		if (too_long) {
			if (c == '\n')
				return -2;
			continue;
		}
		if (len + 2 > *cap) {
			size_t grown = *cap ? *cap * 2 : 4096;
			char *bigger = malloc(grown);
			if (bigger == NULL || len + 2 > max) {
				free(bigger);
				ecm_wipe(*buf, *cap);
				too_long = 1;
				continue;
			}
			if (*buf != NULL)
				memcpy(bigger, *buf, len);
			ecm_wipe(*buf, *cap);
			free(*buf);
			*buf = bigger;
			*cap = grown;
		}
		(*buf)[len++] = (char)c;
		if (c == '\n')
			break;
	}
	if (too_long)
		return -2;
	if (len == 0 && c == EOF)
		return -1;
	(*buf)[len] = '\0';
	return (ssize_t)len;
}

int
ecm_cli_session(ecm_cli *cli)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	while ((n = read_request_line(&line, &cap, ECM_FRAME_IN_MAX)) != -1) {
		if (n == -2) {
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
