/* save_issued: the second chance for a certificate that apply/renew could not save (ISSUED_NOT_SAVED). Writes the
 * session's issued identity to another backup path and/or installs it into the stores; once it is both backed up
 * and installed the session forgets it. Needs no login: a new login of the same customer keeps the issued
 * identity, and a failed one must not stand between the user and their key. Only the owner's: the backup
 * password rule is checked against the key's owner, and a login or `id` of another customer is refused
 * (OTHER_CUSTOMER). `discard: true` with the issued `serial` forgets it on purpose (the only other way out). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ecm/password_rule.h"
#include "ecm/util.h"
#include "enroll.h"

typedef struct save_args {
	const cJSON *backup; /* NULL: no backup this time */
	enroll_backup b;
	char *path;          /* resolved; NULL: the default name in backup_dir */
	int install;
	const cJSON *passwords; /* password_for: {store id: password} for protected stores */
	int discard;
	const char *serial; /* discard: the issued serial, so a stale screen cannot discard another key */
	const char *id;     /* the customer the person says this is (optional) */
} save_args;

static ecm_code
parse_backup(const cJSON *backup, const char *national_id, save_args *s, ecm_error *err)
{
	const char *path = NULL;
	char *resolved;
	ecm_code rc;

	if ((rc = ecm_arg_string(backup, "password", &s->b.password, err)) != ECM_OK ||
	    (rc = ecm_arg_string(backup, "path", &path, err)) != ECM_OK ||
	    (rc = ecm_arg_bool(backup, "overwrite", &s->b.overwrite, err)) != ECM_OK ||
	    (rc = ecm_arg_bool(backup, "compat", &s->b.compat, err)) != ECM_OK)
		return rc;
	if ((rc = ecm_password_rule_check(s->b.password, national_id, err)) != ECM_OK)
		return rc;
	if (path != NULL && path[0] != '\0') { /* as apply names it: home-relative, a folder, .pfx added */
		resolved = ecm_user_path(path);
		s->path = resolved != NULL ? enroll_backup_name(resolved) : NULL;
		free(resolved);
		if (s->path == NULL)
			return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	}
	s->b.path = s->path;
	return ECM_OK;
}

static ecm_code
parse_args(const cJSON *args, const char *national_id, save_args *s, ecm_error *err)
{
	ecm_code rc;

	memset(s, 0, sizeof(*s));
	if ((rc = ecm_arg_object(args, "backup", &s->backup, err)) != ECM_OK ||
	    (rc = ecm_arg_bool(args, "install", &s->install, err)) != ECM_OK ||
	    (rc = ecm_arg_object(args, "password_for", &s->passwords, err)) != ECM_OK ||
	    (rc = ecm_arg_bool(args, "discard", &s->discard, err)) != ECM_OK ||
	    (rc = ecm_arg_string(args, "serial", &s->serial, err)) != ECM_OK ||
	    (rc = ecm_arg_string(args, "id", &s->id, err)) != ECM_OK)
		return rc;
	if (s->discard && (s->backup != NULL || s->install || s->serial == NULL)) {
		ecm_error_detail_str(err, "field", "discard");
		return ecm_fail(err, ECM_BAD_REQUEST, "\"discard\" goes alone, with the issued \"serial\"");
	}
	if (s->discard)
		return ECM_OK;
	if (s->backup == NULL && !s->install) {
		ecm_error_detail_str(err, "field", "backup");
		return ecm_fail(err, ECM_BAD_REQUEST, "give \"backup\", \"install\": true, or both");
	}
	return s->backup != NULL ? parse_backup(s->backup, national_id, s, err) : ECM_OK;
}

static void
describe(const enroll_issued *st, cJSON *result)
{
	cJSON_AddStringToObject(result, "issued_serial", st->serial);
	cJSON_AddBoolToObject(result, "backup_written", st->backup_path != NULL);
	if (st->backup_path != NULL)
		cJSON_AddStringToObject(result, "backup_path", st->backup_path);
	cJSON_AddItemToObject(result, "installed", cJSON_Duplicate(st->installed, 1));
	cJSON_AddBoolToObject(result, "saved", enroll_issued_saved(st));
}

/* The held key is written only for its owner: not under another logged-in customer's or named customer's name. */
static ecm_code
check_whose(const ecm_ctx *ctx, const enroll_issued *st, const save_args *s, const char *owner, ecm_error *err)
{
	const char *who = ecm_session_logged_in(ctx->session) ? ctx->session->national_id : s->id;
	char masked[ECM_ID_LEN + 1];

	if (who == NULL || strcasecmp(who, owner) == 0)
		return ECM_OK;
	ecm_id_mask(owner, masked);
	ecm_error_detail_str(err, "masked_id", masked);
	ecm_error_detail_str(err, "issued_serial", st->serial);
	return ecm_fail(err, ECM_OTHER_CUSTOMER, "the issued certificate %s is %s's, not this customer's", st->serial,
	    masked);
}

static ecm_code
discard(ecm_ctx *ctx, const enroll_issued *st, const char *serial, cJSON *result, ecm_error *err)
{
	if (!ecm_serial_same(serial, st->serial)) {
		ecm_error_detail_str(err, "issued_serial", st->serial);
		return ecm_fail(err, ECM_NO_CERTIFICATE, "the issued certificate waiting here is %s, not %s", st->serial,
		    serial);
	}
	cJSON_AddStringToObject(result, "discarded", st->serial);
	enroll_issued_drop(ctx);
	return ECM_OK;
}

static ecm_code
run_save_issued(ecm_ctx *ctx, const cJSON *args, cJSON *result, ecm_error *err)
{
	enroll_issued *st = enroll_issued_held(ctx);
	char owner[ECM_ID_LEN + 1] = "";
	save_args s;
	ecm_code rc;

	if (st != NULL)
		enroll_issued_owner(st, owner);
	/* The backup password rule is the owner's (not_national_id): the session may be logged out. */
	if ((rc = parse_args(args, st != NULL ? owner : ctx->session->national_id, &s, err)) != ECM_OK)
		goto out;
	if (st == NULL) {
		rc = ecm_fail(err, ECM_NO_CERTIFICATE, "no issued certificate is waiting to be saved in this session");
		goto out;
	}
	if ((rc = check_whose(ctx, st, &s, owner, err)) != ECM_OK)
		goto out;
	if (s.discard) {
		rc = discard(ctx, st, s.serial, result, err);
		goto out;
	}
	if (s.backup != NULL)
		rc = enroll_issued_backup(ctx, st, &s.b, result, err);
	if (rc == ECM_OK && s.install)
		rc = enroll_issued_install(ctx, st, NULL, s.passwords, result, err);
	if (rc != ECM_OK) {
		rc = enroll_issued_keep(ctx, st, cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
		    result, "install"), "results"), err);
		goto out;
	}
	describe(st, result);
	if (enroll_issued_saved(st)) {
		enroll_issued_retire_previous(st, s.passwords, result);
		enroll_issued_drop(ctx);
	}
out:
	free(s.path);
	return rc;
}

static const ecm_arg_spec args[] = {
	{ "backup", ECM_ARG_OBJECT, 0, enroll_backup_args },
	{ "install", ECM_ARG_BOOL, 0, NULL },
	{ "password_for", ECM_ARG_STRING_MAP | ECM_ARG_SECRET, ECM_ARG_SECRET_MAX, NULL },
	{ "discard", ECM_ARG_BOOL, 0, NULL },
	{ "serial", ECM_ARG_STRING, ECM_ARG_NAME_MAX, NULL },
	{ "id", ECM_ARG_STRING, ECM_ARG_NAME_MAX, NULL },
	ECM_ARG_END,
};

const ecm_command ecm_cmd_save_issued = { "save_issued", run_save_issued, ECM_CMD_NEEDS_BROKER, args };
