/* `ecm session`: newline-delimited JSON requests in, one JSON line per progress event and reply out. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* Input is read with read(2) into this buffer, never through stdio: stdio's own buffer of stdin would keep a copy
 * of every request (passwords, OTPs) until overwritten. Every byte is wiped as soon as it has been consumed. */
typedef struct {
	char data[64 * 1024];
	size_t pos, end;
	int eof;
} input;

/* The next byte, or EOF. */
static int
next_byte(input *in)
{
	int c;

	if (in->pos == in->end) {
		ssize_t n;
		ecm_wipe(in->data, sizeof(in->data));
		in->pos = in->end = 0;
		do
			n = read(STDIN_FILENO, in->data, sizeof(in->data));
		while (n < 0 && errno == EINTR);
		if (n <= 0) {
			in->eof = 1;
			return EOF;
		}
		in->end = (size_t)n;
	}
	c = (unsigned char)in->data[in->pos];
	in->data[in->pos++] = 0;
	return c;
}

/* Makes room for one more byte and a NUL, growing by hand so that no copy is left in freed memory. */
static int
grow(char **buf, size_t *cap, size_t len, size_t max)
{
	size_t grown = *cap ? *cap * 2 : 4096;
	char *bigger;

	if (len + 2 <= *cap)
		return 0;
	if (len + 2 > max || (bigger = malloc(grown)) == NULL)
		return -1;
	if (*buf != NULL)
		memcpy(bigger, *buf, len);
	ecm_wipe(*buf, *cap);
	free(*buf);
	*buf = bigger;
	*cap = grown;
	return 0;
}

/* Reads one line into *buf, never past max bytes: the rest of an over-long line is skipped.
 * Returns the length, -1 at end of input, or -2 for an over-long line. */
static ssize_t
read_request_line(input *in, char **buf, size_t *cap, size_t max)
{
	size_t len = 0;
	int c = EOF, too_long = 0;

	while ((c = next_byte(in)) != EOF) {
		if (!too_long && grow(buf, cap, len, max) != 0) {
			ecm_wipe(*buf, *cap);
			too_long = 1;
		}
		if (c == '\n')
			break;
		if (!too_long)
			(*buf)[len++] = (char)c;
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
	static input in; /* 64 KiB: not on the stack */
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	while ((n = read_request_line(&in, &line, &cap, ECM_FRAME_IN_MAX)) != -1) {
		if (n == -2) {
			char *reply = ecm_core_error_reply(ECM_MESSAGE_TOO_LARGE, "the message is larger than allowed");
			if (reply != NULL)
				emit_line(reply, strlen(reply), NULL);
			cJSON_free(reply);
		} else if (!blank(line))
			ecm_core_handle(cli->core, line, (size_t)n, emit_line, NULL);
		ecm_wipe(line, cap);
	}
	ecm_wipe(&in, sizeof(in));
	free(line);
	return 0;
}
