/* `ecm apply` and `ecm renew`: the guided enrollment. Logs in, shows the terms and asks to accept them, has the
 * RA send the OTP and asks for it, asks the backup password twice, then runs the command showing each step.
 * Every secret comes from the terminal or a --…-file, never from argv. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ecm/secmem.h"
#include "ecm/util.h"
#include "cli.h"

typedef struct enroll_opts {
	const char *id;
	const char *password_file;
	const char *backup_path;
	const char *backup_password_file;
	const char *otp_file;
	const char *current_pfx;
	const char *current_password_file;
	int accept_terms;
	int wait_approval;
	int overwrite;
	int compat;
	int replace_existing; /* apply: supersede the valid certificate the account holds */
} enroll_opts;

/* The options' letters: getopt_long's val. The two --current-… are renew's only. */
static const struct option enroll_options[] = {
	{ "id", required_argument, NULL, 'i' },
	{ "password-file", required_argument, NULL, 'p' },
	{ "backup-path", required_argument, NULL, 'b' },
	{ "backup-password-file", required_argument, NULL, 'B' },
	{ "otp-file", required_argument, NULL, 'o' },
	{ "current-pfx", required_argument, NULL, 'c' },
	{ "current-password-file", required_argument, NULL, 'C' },
	{ "accept-terms", no_argument, NULL, 'a' },
	{ "wait-approval", no_argument, NULL, 'w' },
	{ "overwrite", no_argument, NULL, 'O' },
	{ "compat", no_argument, NULL, 'm' },
	{ "replace-existing", no_argument, NULL, 'r' },
	{ NULL, 0, NULL, 0 },
};

/* 0, or 1 for an option that is not one of this command's. */
static int
take_option(enroll_opts *o, int opt, int renew)
{
	switch (opt) {
	case 'i': o->id = optarg; return 0;
	case 'p': o->password_file = optarg; return 0;
	case 'b': o->backup_path = optarg; return 0;
	case 'B': o->backup_password_file = optarg; return 0;
	case 'o': o->otp_file = optarg; return 0;
	case 'c': o->current_pfx = optarg; return !renew;
	case 'C': o->current_password_file = optarg; return !renew;
	case 'a': o->accept_terms = 1; return 0;
	case 'w': o->wait_approval = 1; return 0;
	case 'O': o->overwrite = 1; return 0;
	case 'm': o->compat = 1; return 0;
	case 'r': o->replace_existing = 1; return 0;
	default: return 1;
	}
}

static int
parse_opts(int argc, char **argv, int renew, enroll_opts *o)
{
	int opt;

	opterr = 0; /* our message, below */
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":", enroll_options, NULL)) != -1)
		if (take_option(o, opt, renew) != 0) {
			fprintf(stderr, "ecm: %s: unknown option or missing value: %s\n", argv[0], argv[optind - 1]);
			return 1;
		}
	if (optind < argc) {
		fprintf(stderr, "ecm: %s: unknown option or missing value: %s\n", argv[0], argv[optind]);
		return 1;
	}
	if (o->id == NULL) {
		fprintf(stderr, "ecm: %s needs --id <national ID>\n", argv[0]);
		return 1;
	}
	return 0;
}

static cJSON *
call_ok(ecm_cli *cli, const char *cmd, cJSON *args)
{
	cJSON *reply = ecm_cli_call(cli, cmd, args);

	if (ecm_cli_reply_ok(reply))
		return reply;
	ecm_cli_report_error(reply);
	cJSON_Delete(reply);
	return NULL;
}

static const char *
result_str(const cJSON *reply, const char *key)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ecm_cli_result(reply), key));

	return s != NULL ? s : "";
}

/* Shows the terms and returns their version (malloc'd) once accepted, NULL otherwise. */
static char *
accept_terms(ecm_cli *cli, const enroll_opts *o)
{
	cJSON *reply = call_ok(cli, "terms", NULL);
	char *answer = NULL, *version = NULL;

	if (reply == NULL)
		return NULL;
	fprintf(stderr, ecm_cli_tr("\nTerms of use (version %s):\n%s\n\n"), result_str(reply, "version"), result_str(reply, "text"));
	if (!o->accept_terms)
		answer = ecm_cli_ask(ecm_cli_tr("Do you accept these terms? [y/N] "));
	if (o->accept_terms || ecm_cli_yes(answer))
		version = strdup(result_str(reply, "version"));
	else
		fprintf(stderr, ecm_cli_tr("ecm: the terms were not accepted; nothing was applied for\n"));
	free(answer);
	cJSON_Delete(reply);
	return version;
}

static char *
ask_otp(ecm_cli *cli, const enroll_opts *o)
{
	cJSON *reply = call_ok(cli, "otp_request", NULL);

	if (reply == NULL)
		return NULL;
	fprintf(stderr, ecm_cli_tr("A one-time password was sent to %s.\n"), result_str(reply, "sent_to"));
	cJSON_Delete(reply);
	return ecm_cli_read_secret(ecm_cli_tr("One-time password"), o->otp_file);
}

/* From the file once, or typed twice (a typo here would lock the user out of the backup). */
static char *
ask_backup_password(const enroll_opts *o)
{
	char *first, *second;
	int same;

	if (o->backup_password_file != NULL)
		return ecm_cli_read_secret(ecm_cli_tr("Backup password"), o->backup_password_file);
	first = ecm_cli_read_secret(ecm_cli_tr("New password for the backup file (8+ characters)"), NULL);
	second = first != NULL ? ecm_cli_read_secret(ecm_cli_tr("The same password again"), NULL) : NULL;
	same = second != NULL && strcmp(first, second) == 0;
	ecm_secret_free(second);
	if (!same) {
		fprintf(stderr, ecm_cli_tr("ecm: the two passwords differ\n"));
		ecm_secret_free(first);
		return NULL;
	}
	return first;
}

static cJSON *
backup_args(const enroll_opts *o, const char *password)
{
	cJSON *b = cJSON_CreateObject();

	char *path = o->backup_path != NULL ? ecm_cwd_path(o->backup_path) : NULL; /* the shell's folder */

	if (path != NULL)
		cJSON_AddStringToObject(b, "path", path);
	free(path);
	cJSON_AddStringToObject(b, "password", password);
	if (o->overwrite)
		cJSON_AddTrueToObject(b, "overwrite");
	if (o->compat)
		cJSON_AddTrueToObject(b, "compat");
	return b;
}

static int
add_current(cJSON *args, const enroll_opts *o)
{
	cJSON *cur;
	char *pw;

	if (o->current_pfx == NULL)
		return 0;
	pw = ecm_cli_read_secret(ecm_cli_tr("Password of the current .pfx"), o->current_password_file);
	if (pw == NULL)
		return 1;
	cur = cJSON_AddObjectToObject(args, "current");
	cJSON_AddStringToObject(cur, "path", o->current_pfx); /* read paths are not resolved against HOME */
	cJSON_AddStringToObject(cur, "password", pw);
	ecm_secret_free(pw);
	return 0;
}

static const char *
field(const cJSON *obj, const char *key)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, key));

	return s != NULL ? s : "?";
}

static void
print_outcome(const cJSON *reply)
{
	const cJSON *r = ecm_cli_result(reply);
	const cJSON *cert = cJSON_GetObjectItemCaseSensitive(r, "certificate");

	printf(ecm_cli_tr("Certificate %s issued for %s, valid until %s.\n"), field(cert, "serial"), field(cert, "cn"),
	    field(cert, "not_after"));
	printf(ecm_cli_tr("Backup written to %s\n"), field(cJSON_GetObjectItemCaseSensitive(r, "backup"), "path"));
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "saved_only")))
		printf(ecm_cli_tr("Not installed into any browser yet: import the backup file where you trade.\n"));
}

#define APPROVAL_WAIT_MAX_S 3600

static const cJSON *
error_detail(const cJSON *reply, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(reply, "error"), "details"), key);
}

static int
is_code(const cJSON *reply, const char *code)
{
	const char *c = cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(reply, "error"), "code"));

	return c != NULL && strcmp(c, code) == 0;
}

static int
is_pending(const cJSON *reply)
{
	return cJSON_IsTrue(error_detail(reply, "pending"));
}

/* Sends the request; while the broker reviews it (RA_PENDING) and wait is set, asks again after Retry-After with
 * the same request (resume), for at most an hour. The host keeps the key and CSR only for this process, so a
 * later `ecm apply` would be a new request: hence waiting here. */
static cJSON *
call_waiting_for_approval(ecm_cli *cli, const char *cmd, const cJSON *args, int wait)
{
	cJSON *reply = ecm_cli_call(cli, cmd, cJSON_Duplicate(args, 1)), *again;
	const char *ref;
	long waited = 0, pause;

	while (wait && is_pending(reply) && waited < APPROVAL_WAIT_MAX_S) {
		pause = (long)cJSON_GetNumberValue(error_detail(reply, "retry_after"));
		pause = pause < 1 ? 1 : pause > 600 ? 600 : pause;
		ref = cJSON_GetStringValue(error_detail(reply, "spki_sha256"));
		fprintf(stderr, ecm_cli_tr("The broker is reviewing the request (reference %.16s); asking again in %ld s.\n"),
		    ref != NULL ? ref : "?", pause);
		sleep((unsigned int)pause);
		waited += pause;
		again = cJSON_Duplicate(args, 1);
		cJSON_AddTrueToObject(again, "resume");
		cJSON_Delete(reply);
		reply = ecm_cli_call(cli, cmd, again);
	}
	if (ecm_cli_reply_ok(reply))
		return reply;
	ecm_cli_report_error(reply);
	if (!wait && is_pending(reply))
		fprintf(stderr, ecm_cli_tr("ecm: run with --wait-approval to wait for the broker's approval of one request.\n"));
	if (is_code(reply, "VALID_CERT_EXISTS"))
		fprintf(stderr, ecm_cli_tr("ecm: import its .pfx backup (ecm import), renew it when its window opens, or "
					   "run with --replace-existing to supersede it.\n"));
	cJSON_Delete(reply);
	return NULL;
}

static int
run_enroll(ecm_cli *cli, const char *cmd, const enroll_opts *o)
{
	char *terms = NULL, *otp = NULL, *backup_pw = NULL;
	cJSON *args = NULL, *reply = NULL;
	int rc = 1;

	if (ecm_cli_login(cli, o->id, o->password_file) != 0 || (terms = accept_terms(cli, o)) == NULL ||
	    (otp = ask_otp(cli, o)) == NULL || (backup_pw = ask_backup_password(o)) == NULL)
		goto out;
	args = cJSON_CreateObject();
	cJSON_AddStringToObject(args, "terms_version", terms);
	cJSON_AddStringToObject(args, "otp", otp);
	cJSON_AddItemToObject(args, "backup", backup_args(o, backup_pw));
	if (add_current(args, o) != 0)
		goto out;
	if (o->replace_existing)
		cJSON_AddTrueToObject(args, "replace_existing");
	fprintf(stderr, "%s:\n", strcmp(cmd, "renew") == 0 ? ecm_cli_tr("Renewing") : ecm_cli_tr("Applying"));
	reply = call_waiting_for_approval(cli, cmd, args, o->wait_approval);
	if (reply != NULL) {
		print_outcome(reply);
		rc = 0;
	}
out:
	if (args != NULL)
		ecm_wipe_json_strings(args);
	cJSON_Delete(args);
	cJSON_Delete(reply);
	ecm_secret_free(otp);
	ecm_secret_free(backup_pw);
	free(terms);
	return rc;
}

int
ecm_cli_apply(ecm_cli *cli, int argc, char **argv)
{
	enroll_opts o;

	memset(&o, 0, sizeof(o));
	if (parse_opts(argc, argv, 0, &o) != 0)
		return 2;
	return run_enroll(cli, "apply", &o);
}

int
ecm_cli_renew(ecm_cli *cli, int argc, char **argv)
{
	enroll_opts o;

	memset(&o, 0, sizeof(o));
	if (parse_opts(argc, argv, 1, &o) != 0)
		return 2;
	return run_enroll(cli, "renew", &o);
}
