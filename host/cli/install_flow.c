/* `ecm install [--stores ID,ID…] [--store-passwords-file F]`: the certificate of the primary store into every
 * browser store. A store protected by a password is asked for it on the terminal (or takes it from F, one
 * "STORE-ID<TAB>PASSWORD" a line), then installed in a second pass. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecm/utf8.h"
#include "ecm/secmem.h"
#include "cli.h"

#define LINE_MAX_BYTES 2048
#define PASSWORD_LINES_MAX 256

/* Fills passwords from F; the file's lines are secrets and are wiped. 0 or 1. */
static int
read_passwords_file(const char *file, cJSON *passwords)
{
	char *line = ecm_secret_alloc(LINE_MAX_BYTES), *tab;
	FILE *f = fopen(file, "r");
	int lines = 0;

	if (f == NULL || line == NULL) {
		fprintf(stderr, "ecm: cannot read %s\n", file);
		if (f != NULL)
			fclose(f);
		ecm_secret_free(line);
		return 1;
	}
	setvbuf(f, NULL, _IONBF, 0);
	/* Bounded: one line per store, and a store list is short (a device such as /dev/zero never ends). */
	while (lines++ < PASSWORD_LINES_MAX && fgets(line, LINE_MAX_BYTES, f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if ((tab = strchr(line, '\t')) == NULL)
			continue;
		*tab = '\0';
		cJSON_AddStringToObject(passwords, line, tab + 1);
	}
	fclose(f);
	ecm_secret_free(line);
	return 0;
}

static cJSON *
install_args(const char *stores, const cJSON *passwords)
{
	cJSON *args = cJSON_CreateObject(), *list;
	char *copy, *id, *save = NULL;

	if (stores != NULL && (copy = strdup(stores)) != NULL) {
		list = cJSON_AddArrayToObject(args, "stores");
		for (id = strtok_r(copy, ",", &save); id != NULL; id = strtok_r(NULL, ",", &save))
			cJSON_AddItemToArray(list, cJSON_CreateString(id));
		free(copy);
	}
	if (cJSON_GetArraySize(passwords) > 0)
		cJSON_AddItemToObject(args, "password_for", cJSON_Duplicate(passwords, 1));
	return args;
}

/* Asks for the password of each store that answered STORE_PASSWORD_REQUIRED; returns how many were given. */
static int
ask_missing(const cJSON *results, cJSON *passwords, cJSON *retry)
{
	const cJSON *r;
	int asked = 0;

	cJSON_ArrayForEach(r, results) {
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "error"), "code");
		const cJSON *store = cJSON_GetObjectItemCaseSensitive(r, "store");
		char prompt[320], *pw;

		if (!cJSON_IsString(code) || strcmp(code->valuestring, "STORE_PASSWORD_REQUIRED") != 0 ||
		    !cJSON_IsString(store) || cJSON_GetObjectItemCaseSensitive(passwords, store->valuestring) != NULL)
			continue;
		snprintf(prompt, sizeof(prompt), ecm_cli_tr("Password of the certificate store %.*s"), ecm_utf8_prec(store->valuestring, 256),
		    store->valuestring);
		if ((pw = ecm_cli_read_secret(prompt, NULL)) == NULL)
			continue;
		cJSON_AddStringToObject(passwords, store->valuestring, pw);
		cJSON_AddItemToArray(retry, cJSON_CreateString(store->valuestring));
		ecm_secret_free(pw);
		asked++;
	}
	return asked;
}

static int
failed_with(const cJSON *reply, const char *code)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(reply, "error"), "code");

	return cJSON_IsString(c) && strcmp(c->valuestring, code) == 0;
}

/* The certificate comes from the primary store: when that store has a password, ask for it (once). */
static int
ask_primary(ecm_cli *cli, cJSON *passwords)
{
	cJSON *reply = ecm_cli_call(cli, "stores", NULL), *s;
	const char *id = NULL;
	char prompt[320], *pw;

	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(ecm_cli_result(reply), "stores"))
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "primary")))
			id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "id"));
	if (id == NULL || cJSON_GetObjectItemCaseSensitive(passwords, id) != NULL) {
		cJSON_Delete(reply);
		return 0;
	}
	snprintf(prompt, sizeof(prompt), ecm_cli_tr("Password of the certificate store %.*s"), ecm_utf8_prec(id, 256), id);
	pw = ecm_cli_read_secret(prompt, NULL);
	if (pw != NULL)
		cJSON_AddStringToObject(passwords, id, pw);
	ecm_secret_free(pw);
	cJSON_Delete(reply);
	return pw != NULL;
}

static void
print_results(const cJSON *reply)
{
	const cJSON *r;

	cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(ecm_cli_result(reply), "results")) {
		const cJSON *st = cJSON_GetObjectItemCaseSensitive(r, "status");
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "error"), "code");
		printf("%-16s %s\n", cJSON_IsString(code) ? code->valuestring : cJSON_IsString(st) ? st->valuestring : "?",
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "store")));
	}
}

int
ecm_cli_install(ecm_cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		{ "stores", required_argument, NULL, 's' },
		{ "store-passwords-file", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *stores = NULL, *file = NULL;
	cJSON *passwords = cJSON_CreateObject(), *reply, *retry;
	int opt, bad = 0, rc = 1;

	opterr = 0; /* the usage, below */
	optind = 1;
	while (!bad && (opt = getopt_long(argc, argv, ":", options, NULL)) != -1) {
		if (opt == 's')
			stores = optarg;
		else if (opt == 'f')
			file = optarg;
		else
			bad = 1;
	}
	if (bad || optind < argc) {
		fprintf(stderr, "usage: ecm install [--stores ID,ID…] [--store-passwords-file F]\n");
		goto out;
	}
	if (file != NULL && read_passwords_file(file, passwords) != 0)
		goto out;
	reply = ecm_cli_call(cli, "install", install_args(stores, passwords));
	if (file == NULL && failed_with(reply, "STORE_PASSWORD_REQUIRED") && ask_primary(cli, passwords)) {
		cJSON_Delete(reply);
		reply = ecm_cli_call(cli, "install", install_args(stores, passwords));
	}
	if (!ecm_cli_reply_ok(reply)) {
		rc = ecm_cli_report_error(reply);
		cJSON_Delete(reply);
		goto out;
	}
	print_results(reply);
	retry = cJSON_CreateArray();
	if (file == NULL && ask_missing(cJSON_GetObjectItemCaseSensitive(ecm_cli_result(reply), "results"), passwords,
	    retry) > 0) {
		cJSON *args = install_args(NULL, passwords);
		cJSON_AddItemToObject(args, "stores", cJSON_Duplicate(retry, 1));
		cJSON_Delete(reply);
		reply = ecm_cli_call(cli, "install", args);
		if (ecm_cli_reply_ok(reply))
			print_results(reply);
	}
	rc = ecm_cli_reply_ok(reply) ? 0 : ecm_cli_report_error(reply);
	cJSON_Delete(retry);
	cJSON_Delete(reply);
out:
	ecm_wipe_json_strings(passwords);
	cJSON_Delete(passwords);
	return rc;
}
