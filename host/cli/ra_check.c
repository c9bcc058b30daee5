/* `ecm ra-check --profile FILE [--id ID --password-file F] [--otp-file F]`: a broker's engineer checks that the
 * broker's RA speaks docs/ra-protocol.md. The engine command ra_check (host/commands/ra_check.c) does the
 * checking in stages; this prints one line per point and asks for each OTP the RA sends (terminal or --otp-file,
 * read anew for each OTP, so a FIFO serves a script). Exit 0 when every point holds, 1 when one fails, 3 when
 * none fails but some could not be checked (no test account, no OTP), 2 for a usage error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecm/secmem.h"
#include "ecm/util.h"
#include "cli.h"

typedef struct check_opts {
	const char *profile;
	const char *id;
	const char *password_file;
	const char *otp_file;
} check_opts;

typedef struct tally {
	int ok, fail, skip;
} tally;

static int
parse_opts(int argc, char **argv, check_opts *o)
{
	const char **slot;
	int i;

	for (i = 1; i < argc; i++) {
		slot = strcmp(argv[i], "--profile") == 0 ? &o->profile : strcmp(argv[i], "--id") == 0 ? &o->id :
		    strcmp(argv[i], "--password-file") == 0 ? &o->password_file :
		    strcmp(argv[i], "--otp-file") == 0 ? &o->otp_file : NULL;
		if (slot == NULL || i + 1 >= argc) {
			fprintf(stderr, "ecm: ra-check: unknown option or missing value: %s\n", argv[i]);
			return 2;
		}
		*slot = argv[++i];
	}
	if (o->profile == NULL) {
		fprintf(stderr, "usage: ecm ra-check --profile FILE [--id ID --password-file F] [--otp-file F]\n");
		return 2;
	}
	return 0;
}

static void
print_points(const cJSON *points, tally *t)
{
	const cJSON *p, *name, *result, *text;
	const char *r, *mark;

	cJSON_ArrayForEach(p, points) {
		name = cJSON_GetObjectItemCaseSensitive(p, "point");
		result = cJSON_GetObjectItemCaseSensitive(p, "result");
		text = cJSON_GetObjectItemCaseSensitive(p, "text");
		r = cJSON_IsString(result) ? result->valuestring : "fail";
		mark = strcmp(r, "ok") == 0 ? "✔" : strcmp(r, "fail") == 0 ? "✘" : "–";
		t->ok += strcmp(r, "ok") == 0;
		t->fail += strcmp(r, "fail") == 0;
		t->skip += strcmp(r, "skip") == 0;
		printf("%s %s: %s\n", mark, cJSON_IsString(name) ? name->valuestring : "?",
		    cJSON_IsString(text) ? text->valuestring : "");
	}
	fflush(stdout);
}

/* One stage: its points printed, the next stage's name (malloc'd) or NULL. -1 when the command failed. */
static int
run_stage(ecm_cli *cli, cJSON *args, tally *t, char **next)
{
	cJSON *reply = ecm_cli_call(cli, "ra_check", args);
	const cJSON *result = ecm_cli_result(reply), *n, *otp;

	*next = NULL;
	if (!ecm_cli_reply_ok(reply)) {
		ecm_cli_report_error(reply);
		cJSON_Delete(reply);
		return -1;
	}
	print_points(cJSON_GetObjectItemCaseSensitive(result, "points"), t);
	n = cJSON_GetObjectItemCaseSensitive(result, "next");
	otp = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(result, "otp"), "sent_to");
	if (cJSON_IsString(n)) {
		*next = strdup(n->valuestring);
		fprintf(stderr, "The RA sent an OTP to %s.\n", cJSON_IsString(otp) ? otp->valuestring : "the phone");
	}
	cJSON_Delete(reply);
	return 0;
}

static cJSON *
stage_args(const char *stage, const check_opts *o, const char *password, const char *otp)
{
	cJSON *args = cJSON_CreateObject();

	cJSON_AddStringToObject(args, "stage", stage);
	if (o->id != NULL) {
		cJSON_AddStringToObject(args, "id", o->id);
		cJSON_AddStringToObject(args, "password", password);
	}
	if (otp != NULL)
		cJSON_AddStringToObject(args, "otp", otp);
	return args;
}

static int
check(ecm_cli *cli, const check_opts *o, const char *password, tally *t)
{
	char *next = NULL, *otp, *abs = ecm_cwd_path(o->profile);
	cJSON *args = stage_args("start", o, password, NULL);
	int rc;

	cJSON_AddStringToObject(args, "profile", abs != NULL ? abs : o->profile);
	free(abs);
	rc = run_stage(cli, args, t, &next);
	while (rc == 0 && next != NULL) {
		/* NULL (no terminal, no file): the stage reports its points as not checked */
		otp = ecm_cli_read_secret("OTP", o->otp_file);
		args = stage_args(next, o, password, otp != NULL && otp[0] != '\0' ? otp : NULL);
		ecm_secret_free(otp);
		free(next);
		rc = run_stage(cli, args, t, &next);
	}
	free(next);
	return rc;
}

int
ecm_cli_ra_check(ecm_cli *cli, int argc, char **argv)
{
	check_opts o = { NULL, NULL, NULL, NULL };
	tally t = { 0, 0, 0 };
	char *password = NULL;
	int rc;

	if ((rc = parse_opts(argc, argv, &o)) != 0)
		return rc;
	if (o.id != NULL && (password = ecm_cli_read_secret("password", o.password_file)) == NULL)
		return 2;
	rc = check(cli, &o, password, &t);
	ecm_secret_free(password);
	if (rc != 0)
		return 2;
	printf("ra-check: %d hold, %d fail, %d not checked\n", t.ok, t.fail, t.skip);
	return t.fail > 0 ? 1 : t.skip > 0 ? 3 : 0;
}
