/* apply and renew: keygen -> enroll (EST) -> backup (.pfx) -> install. The backup is written before anything
 * touches a store, so a new key is never only in one place that might fail. A request the RA holds for approval
 * waits in the session (enroll_pending.c) until a resume sends it again. */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>

#include "ecm/password_rule.h"
#include "ecm/util.h"
#include "install.h"
#include "enroll.h"

#define STEPS 4

/* A name as long as the longest default one (ECM_<ID>_<broker id, 32>_<YYYYMMDD>-99.pfx): what step 0 proves in
 * backup_dir. */
#define DEFAULT_NAME_PROBE "ECM_A123456789_b0123456789012345678901234567890_00000000-99.pfx"
#define BACKUP_SIZE_PROBE (64u * 1024u) /* well above a .pfx with its chain */

/* Everything the backup step could refuse is proven before a key is made or the RA is asked: the very temporary
 * file the backup will use is created (O_EXCL) in the target folder, room for it reserved, and removed. A bad
 * name (too long), a missing folder, no permission, a read-only or full disk: refused here, OTP unspent. */
static ecm_code
check_backup_target(const ecm_config *cfg, const enroll_args *a, ecm_error *err)
{
	char *probe;
	ecm_code rc;

	ecm_config folder;
	const ecm_config *in = cfg;

	if (a->backup_path != NULL && (in = enroll_folder_config(cfg, a->backup_path, &folder)) == NULL)
		return ecm_probe_write(a->backup_path, BACKUP_SIZE_PROBE, a->overwrite, err);
	/* no path, or a folder: the default name goes there */
	if (in->backup_dir == NULL || ecm_mkdirs(in->backup_dir, 0700) != 0) {
		ecm_error_detail_str(err, "path", in->backup_dir ? in->backup_dir : "");
		ecm_error_detail_str(err, "reason", ecm_write_reason(errno));
		return ecm_fail(err, ECM_FILE_WRITE_FAILED, "the backup folder cannot be created");
	}
	if ((probe = ecm_path_join(in->backup_dir, DEFAULT_NAME_PROBE)) == NULL)
		return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	rc = ecm_probe_write(probe, BACKUP_SIZE_PROBE, 1, err);
	free(probe);
	return rc;
}

/* On success the key moves from the request to issued; the request is spent either way unless the caller keeps
 * it (see keeps_request). */
static ecm_code
enroll_step(ecm_ctx *ctx, const enroll_args *a, enroll_pending *req, ecm_identity *issued, ecm_error *err)
{
	ecm_ra_auth auth = enroll_session_auth(ctx);
	ecm_ra_enroll ra_req = { req->csr, req->csr_len, a->otp, a->terms_version, req->reenroll };
	STACK_OF(X509) *certs = NULL;
	ecm_code rc;

	auth.client = req->reenroll ? &req->current : NULL;
	rc = ecm_ra_est_enroll(ctx->session, ctx->config, &auth, &ra_req, &certs, err);
	if (rc == ECM_OK && (rc = enroll_take_issued(ctx, certs, req->key, issued, err)) == ECM_OK) {
		issued->key = req->key;
		req->key = NULL;
	}
	sk_X509_pop_free(certs, X509_free);
	return rc;
}

/* What is worth sending again: the RA holds it (202), or it may never have arrived (no connection, no answer in
 * time). Every other answer is the RA's final word on this CSR, and an issued certificate ends it too. */
static int
keeps_request(ecm_code rc)
{
	return rc == ECM_RA_PENDING || rc == ECM_RA_UNREACHABLE || rc == ECM_RA_TIMEOUT;
}

/* A fresh request replaces whatever was pending; resume takes the pending one (checked before step 0). */
static ecm_code
request_step(ecm_ctx *ctx, const enroll_args *a, const ecm_identity *current, enroll_pending **req,
    ecm_error *err)
{
	if (a->resume) {
		*req = enroll_pending_take(ctx);
		return ECM_OK;
	}
	enroll_pending_drop(ctx);
	ecm_progress(ctx, "keygen", 1, STEPS);
	return enroll_pending_new(ctx, current, req, err);
}

/* The session's account answer names the server's current certificate, which an enrollment that reached the
 * RA may have changed (issued, superseded; also when a later step failed): ask again so that query matches. An
 * RA that cannot be reached now leaves no answer rather than a stale one (query then shows server: null). */
static void
refresh_account(ecm_ctx *ctx)
{
	ecm_ra_auth auth = enroll_session_auth(ctx);
	cJSON *account = NULL;
	ecm_error ignored;

	ecm_error_init(&ignored);
	if (ecm_ra_api(ctx->session, ctx->config, &auth, "GET", "/account", NULL, &account, &ignored) == ECM_OK &&
	    cJSON_IsObject(account)) {
		cJSON_Delete(ctx->session->account);
		ctx->session->account = account;
		account = NULL;
	} else {
		cJSON_Delete(ctx->session->account);
		ctx->session->account = NULL;
	}
	cJSON_Delete(account);
	ecm_error_clear(&ignored);
}

/* The RA answered (refused, failed, garbage): it may have changed the account, ask again. It did not answer:
 * asking again would only wait as long once more, so the old answer is dropped instead of kept stale. */
static void
after_ra_failure(ecm_ctx *ctx, ecm_code rc)
{
	if (rc != ECM_RA_TIMEOUT && rc != ECM_RA_UNREACHABLE) {
		refresh_account(ctx);
		return;
	}
	cJSON_Delete(ctx->session->account);
	ctx->session->account = NULL;
}

/* Steps 3 and 4 with the issued identity: backup, then every store. Both done: the key is safe and dropped.
 * Either failed: it stays in the session and the reply is ISSUED_NOT_SAVED (enroll_issued.c), naming the
 * backup's failure first. */
static ecm_code
save_step(ecm_ctx *ctx, const enroll_args *a, ecm_identity *issued, const ecm_identity *current, cJSON *result,
    ecm_error *err)
{
	enroll_backup b = { a->backup_path, a->backup_password, a->overwrite, a->compat };
	/* Renew's current certificate, or the one an apply with replace_existing supersedes: gone once saved. */
	enroll_issued *st = enroll_issued_new(issued, current != NULL ? current : a->superseded);
	ecm_error backup_err, install_err;
	const cJSON *install;

	if (st == NULL)
		return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	ecm_error_init(&backup_err);
	ecm_error_init(&install_err);
	ecm_progress(ctx, "backup", 3, STEPS);
	enroll_issued_backup(ctx, st, &b, result, &backup_err);
	cJSON_AddItemToObject(result, "certificate", ecm_cert_summary(st->id.cert));
	refresh_account(ctx);
	ecm_progress(ctx, "install", 4, STEPS);
	/* Installed even when the backup failed: a store is one more place where the key survives. */
	enroll_issued_install(ctx, st, a->only_stores, a->store_passwords, result, &install_err);
	if (enroll_issued_saved(st)) {
		enroll_issued_retire_previous(st, a->store_passwords, result);
		enroll_issued_free(st);
		ecm_error_clear(&backup_err);
		ecm_error_clear(&install_err);
		return ECM_OK;
	}
	ecm_error_clear(err);
	if (backup_err.code != ECM_OK) {
		*err = backup_err;
		ecm_error_clear(&install_err);
	} else {
		*err = install_err;
	}
	install = cJSON_GetObjectItemCaseSensitive(result, "install");
	return enroll_issued_keep(ctx, st, cJSON_GetObjectItemCaseSensitive(install, "results"), err);
}

ecm_code
enroll_run(ecm_ctx *ctx, const enroll_args *given, const ecm_identity *current, cJSON *result, ecm_error *err)
{
	ecm_identity issued = { NULL, NULL, NULL };
	enroll_pending *req = NULL;
	enroll_args named = *given;
	const enroll_args *a = &named;
	char *name = enroll_backup_name(given->backup_path);
	ecm_code rc;

	if (ctx->session->issued != NULL && enroll_issued_held(ctx) == NULL) {
		/* another broker's: kept for it, and this one's would have nowhere to go */
		free(name);
		ecm_error_detail_str(err, "broker", ctx->session->issued_broker);
		return ecm_fail(err, ECM_ISSUED_NOT_SAVED, "save the certificate issued earlier at %s first",
		    ctx->session->issued_broker);
	}
	if (enroll_issued_held(ctx) != NULL) {
		/* A new enrollment must not be the way the unsaved key of the last one is lost. */
		free(name);
		ecm_fail(err, ECM_ISSUED_NOT_SAVED, "save the certificate issued earlier first (save_issued)");
		return enroll_issued_keep(ctx, enroll_issued_held(ctx), NULL, err);
	}
	if (given->backup_path != NULL && name == NULL)
		return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	named.backup_path = name;

	if ((rc = ecm_password_rule_check(a->backup_password, ctx->session->national_id, err)) != ECM_OK ||
	    (a->resume && (rc = enroll_pending_check(ctx, current != NULL, err)) != ECM_OK) ||
	    (current == NULL && !a->resume && (rc = enroll_check_supersede(ctx, a->replace_existing, err)) != ECM_OK) ||
	    (rc = check_backup_target(ctx->config, a, err)) != ECM_OK)
		goto out;
	if ((rc = request_step(ctx, a, current, &req, err)) != ECM_OK)
		goto out;
	ecm_progress(ctx, "enroll", 2, STEPS);
	if ((rc = enroll_step(ctx, a, req, &issued, err)) != ECM_OK) {
		if (keeps_request(rc)) {
			enroll_pending_keep(ctx, req, err);
			req = NULL;
		}
		after_ra_failure(ctx, rc);
		goto out;
	}
	rc = save_step(ctx, a, &issued, current, result, err);
out:
	free(name);
	enroll_pending_free(req);
	ecm_identity_free(&issued);
	ERR_clear_error();
	return rc;
}

const ecm_arg_spec enroll_backup_args[] = {
	{ "path", ECM_ARG_STRING, ECM_ARG_PATH_MAX, NULL },
	{ "password", ECM_ARG_STRING | ECM_ARG_REQUIRED | ECM_ARG_SECRET, ECM_ARG_SECRET_MAX, NULL },
	{ "overwrite", ECM_ARG_BOOL, 0, NULL },
	{ "compat", ECM_ARG_BOOL, 0, NULL },
	ECM_ARG_END,
};

static ecm_code
parse_backup(const cJSON *args, enroll_args *a, ecm_error *err)
{
	const cJSON *backup = NULL;
	const char *path = NULL;
	ecm_code rc;

	if ((rc = ecm_arg_object(args, "backup", &backup, err)) != ECM_OK ||
	    (rc = ecm_arg_string(backup, "password", &a->backup_password, err)) != ECM_OK ||
	    (rc = ecm_arg_string(backup, "path", &path, err)) != ECM_OK ||
	    (rc = ecm_arg_bool(backup, "overwrite", &a->overwrite, err)) != ECM_OK ||
	    (rc = ecm_arg_bool(backup, "compat", &a->compat, err)) != ECM_OK)
		return rc;
	if (path != NULL && path[0] != '\0' && (a->backup_path = ecm_user_path(path)) == NULL)
		return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	return ECM_OK;
}

/* The OTP and terms version travel as request headers: refuse what a header cannot carry before a key is made
 * and the OTP spent (host/ra/est.c checks again where the header is written). */
static ecm_code
check_header_value(const char *field, const char *value, size_t max, ecm_error *err)
{
	const char *v;

	for (v = value; *v != '\0'; v++)
		if ((unsigned char)*v < 0x20 || (unsigned char)*v >= 0x7f)
			break;
	if (*v == '\0' && (size_t)(v - value) <= max)
		return ECM_OK;
	ecm_error_detail_str(err, "field", field);
	return ecm_fail(err, ECM_BAD_REQUEST, "\"%s\" must be at most %zu printable ASCII characters", field, max);
}

ecm_code
enroll_parse_args(const cJSON *args, int renew, enroll_args *a, ecm_error *err)
{
	const cJSON *current = NULL;
	ecm_code rc;

	memset(a, 0, sizeof(*a));
	if ((rc = ecm_arg_string(args, "terms_version", &a->terms_version, err)) != ECM_OK ||
	    (rc = ecm_arg_string(args, "otp", &a->otp, err)) != ECM_OK ||
	    (rc = check_header_value("terms_version", a->terms_version, 64, err)) != ECM_OK ||
	    (rc = check_header_value("otp", a->otp, 32, err)) != ECM_OK ||
	    (rc = ecm_arg_bool(args, "resume", &a->resume, err)) != ECM_OK ||
	    (rc = ecm_store_choice_args(args, &a->only_stores, &a->store_passwords, err)) != ECM_OK ||
	    (rc = parse_backup(args, a, err)) != ECM_OK)
		return rc;
	if (!renew)
		return ecm_arg_bool(args, "replace_existing", &a->replace_existing, err);
	if ((rc = ecm_arg_object(args, "current", &current, err)) != ECM_OK)
		return rc;
	if (current == NULL)
		return ECM_OK;
	if ((rc = ecm_arg_string(current, "path", &a->current_path, err)) != ECM_OK ||
	    (rc = ecm_arg_string(current, "password", &a->current_password, err)) != ECM_OK)
		return rc;
	return ECM_OK;
}

void
enroll_args_free(enroll_args *a)
{
	free(a->backup_path);
	a->backup_path = NULL;
}
