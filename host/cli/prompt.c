#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ecm/platform.h"
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
	char *buf = ecm_secret_alloc(SECRET_MAX);
	int rc;

	if (buf == NULL)
		return NULL;
	rc = ecm_platform_read_hidden(prompt, buf, SECRET_MAX);
	if (rc == 0)
		return buf;
	if (rc == -1)
		fprintf(stderr, "ecm: no terminal to ask for the %s; use a --…-file option\n", prompt);
	else
		fprintf(stderr, "ecm: cannot turn off echo to ask for the %s\n", prompt);
	ecm_secret_free(buf);
	return NULL;
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
