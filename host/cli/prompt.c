#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "ecm/secmem.h"
#include "cli.h"

#define SECRET_MAX 1024

static void
chomp(char *s)
{
	s[strcspn(s, "\r\n")] = '\0';
}

static char *
secret_from_file(const char *file)
{
	char *buf = ecm_secret_alloc(SECRET_MAX);
	FILE *f;

	if (buf == NULL)
		return NULL;
	f = fopen(file, "r");
	if (f == NULL) {
		fprintf(stderr, "ecm: cannot read %s\n", file);
		ecm_secret_free(buf);
		return NULL;
	}
	setvbuf(f, NULL, _IONBF, 0); /* keep the secret out of stdio's buffer */
	if (fgets(buf, SECRET_MAX, f) == NULL)
		buf[0] = '\0';
	fclose(f);
	chomp(buf);
	return buf;
}

static char *
secret_from_tty(const char *prompt)
{
	struct termios old, quiet;
	char *buf;
	FILE *tty = fopen("/dev/tty", "r+");
	int ok;

	if (tty == NULL) {
		fprintf(stderr, "ecm: no terminal to ask for the %s; use a --…-file option\n", prompt);
		return NULL;
	}
	buf = ecm_secret_alloc(SECRET_MAX);
	if (buf == NULL) {
		fclose(tty);
		return NULL;
	}
	setvbuf(tty, NULL, _IONBF, 0);
	if (tcgetattr(fileno(tty), &old) != 0) { /* never read a secret with echo on */
		fprintf(stderr, "ecm: cannot turn off echo to ask for the %s\n", prompt);
		ecm_secret_free(buf);
		fclose(tty);
		return NULL;
	}
	fprintf(tty, "%s: ", prompt);
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
	ok = fgets(buf, SECRET_MAX, tty) != NULL;
	tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fputc('\n', tty);
	fclose(tty);
	if (!ok) {
		ecm_secret_free(buf);
		return NULL;
	}
	chomp(buf);
	return buf;
}

char *
ecm_cli_read_secret(const char *prompt, const char *file)
{
	return file != NULL ? secret_from_file(file) : secret_from_tty(prompt);
}

char *
ecm_cli_ask(const char *prompt)
{
	char *line = NULL;
	size_t cap = 0;

	fprintf(stderr, "%s", prompt);
	fflush(stderr);
	if (getline(&line, &cap, stdin) < 0) {
		free(line);
		return NULL;
	}
	chomp(line);
	return line;
}
