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

#include "ecm/util.h"
#include "ecm/install.h"
#include "enroll.h"

#define STEPS 4

/* Everything the later steps could refuse is checked before a key is made or the RA is asked. */
static ecm_code
check_backup_target(const ecm_config *cfg, const enroll_args *a, ecm_error *err)
{
	char *copy, *dir;
	int ok;

	if (a->backup_path == NULL) {
		if (cfg->backup_dir == NULL || ecm_mkdirs(cfg->backup_dir, 0700) != 0)
			return ecm_fail(err, ECM_FILE_WRITE_FAILED, "the backup folder cannot be created");
		return ECM_OK;
	}
	if (!a->overwrite && access(a->backup_path, F_OK) == 0) {
		ecm_error_detail_str(err, "path", a->backup_path);
		return ecm_fail(err, ECM_FILE_EXISTS, "%s exists", a->backup_path);
	}
	copy = strdup(a->backup_path);
	if (copy == NULL)
		return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	dir = dirname(copy);
	ok = access(dir, W_OK) == 0;
	free(copy);
	if (!ok) {
		ecm_error_detail_str(err, "path", a->backup_path);
		return ecm_fail(err, ECM_FILE_WRITE_FAILED, "the folder of %s is not writable", a->backup_path);
	}
	return ECM_OK;
}

/* The issued certificate is the one with our public key; the others are its chain. */
static ecm_code
take_issued(STACK_OF(X509) *certs, ecm_identity *out, ecm_error *err)
{
	X509 *c;

	out->chain = sk_X509_new_null();
	if (out->chain == NULL)
		return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	while ((c = sk_X509_shift(certs)) != NULL) {
		if (out->cert == NULL && EVP_PKEY_eq(X509_get0_pubkey(c), out->key) == 1)
			out->cert = c;
		else if (!sk_X509_push(out->chain, c))
			X509_free(c);
	}
	if (out->cert == NULL)
		return ecm_fail(err, ECM_ISSUED_CERT_INVALID, "no certificate in the answer carries our public key");
	return ECM_OK;
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
	rc = ecm_ra_est_enroll(ctx->config, &auth, &ra_req, &certs, err);
	if (rc == ECM_OK) {
		issued->key = req->key;
		req->key = NULL;
		rc = take_issued(certs, issued, err);
	}
	sk_X509_pop_free(certs, X509_free);
	if (rc == ECM_OK)
		rc = ecm_cert_verify_chain(issued->cert, issued->key, issued->chain, ctx->config->ra_ca_file, err);
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

/* The default name may already exist (two applications on one day): then ECM_<ID>_<date>-2.pfx, -3, … */
static char *
free_default_path(const ecm_config *cfg, const X509 *cert)
{
	char *base = ecm_backup_default_path(cfg, cert), *path;
	size_t len;
	int i;

	if (base == NULL || access(base, F_OK) != 0)
		return base;
	len = strlen(base) + 8;
	path = malloc(len);
	for (i = 2; path != NULL && i < 100; i++) {
		snprintf(path, len, "%.*s-%d.pfx", (int)(strlen(base) - 4), base, i);
		if (access(path, F_OK) != 0)
			break;
	}
	free(base);
	return path;
}

static ecm_code
backup_step(ecm_ctx *ctx, const enroll_args *a, const ecm_identity *issued, cJSON *result, ecm_error *err)
{
	char *path = a->backup_path ? strdup(a->backup_path) : free_default_path(ctx->config, issued->cert);
	ecm_code rc;
	cJSON *b;

	if (path == NULL)
		return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	rc = ecm_pfx_write_file(path, issued, a->backup_password, ctx->config->pkcs12_iterations,
	    a->compat ? ECM_PFX_COMPAT : ECM_PFX_AES, a->overwrite, err);
	if (rc == ECM_OK) {
		b = cJSON_AddObjectToObject(result, "backup");
		cJSON_AddStringToObject(b, "path", path);
		cJSON_AddStringToObject(b, "format", a->compat ? "compat" : "aes");
	}
	free(path);
	return rc;
}

/* The certificate is issued and backed up: a store that fails is a per-store result, never a failed apply. */
ecm_code
enroll_install(ecm_ctx *ctx, const ecm_identity *identity, const ecm_identity *previous, cJSON *result,
    ecm_error *err)
{
	cJSON *install = cJSON_AddObjectToObject(result, "install"), *e;
	ecm_error ierr;
	ecm_code rc;

	(void)err;
	ecm_error_init(&ierr);
	rc = ecm_install_everywhere(ctx->config, identity, NULL, NULL, cJSON_AddArrayToObject(install, "results"),
	    &ierr);
	if (rc == ECM_OK && previous != NULL && previous->cert != NULL)
		rc = ecm_remove_superseded(identity->cert, previous->cert, cJSON_AddArrayToObject(install, "removed"),
		    &ierr);
	if (rc != ECM_OK) {
		e = cJSON_AddObjectToObject(install, "error");
		cJSON_AddStringToObject(e, "code", ecm_code_name(ierr.code));
		cJSON_AddStringToObject(e, "message", ierr.message);
	}
	ecm_error_clear(&ierr);
	return ECM_OK;
}

/* The RA issued a certificate we could not save: say which, so support can revoke it. */
static void
note_lost_serial(const ecm_identity *issued, ecm_error *err)
{
	char *serial = ecm_cert_serial(issued->cert);

	if (serial != NULL)
		ecm_error_detail_str(err, "issued_serial", serial);
	free(serial);
}

/* The session's account answer names the server's current certificate, which the enrollment just changed:
 * ask again so that query matches the new one. A failure here leaves the old answer; the enrollment stands. */
static void
refresh_account(ecm_ctx *ctx)
{
	ecm_ra_auth auth = enroll_session_auth(ctx);
	cJSON *account = NULL;
	ecm_error ignored;

	ecm_error_init(&ignored);
	if (ecm_ra_api(ctx->config, &auth, "GET", "/account", NULL, &account, &ignored) == ECM_OK &&
	    cJSON_IsObject(account)) {
		cJSON_Delete(ctx->session->account);
		ctx->session->account = account;
		account = NULL;
	}
	cJSON_Delete(account);
	ecm_error_clear(&ignored);
}

ecm_code
enroll_run(ecm_ctx *ctx, const enroll_args *a, const ecm_identity *current, cJSON *result, ecm_error *err)
{
	ecm_identity issued = { NULL, NULL, NULL };
	enroll_pending *req = NULL;
	ecm_code rc;

	if (a->resume && (rc = enroll_pending_check(ctx, current != NULL, err)) != ECM_OK)
		return rc;
	if ((rc = check_backup_target(ctx->config, a, err)) != ECM_OK)
		return rc;
	if ((rc = request_step(ctx, a, current, &req, err)) != ECM_OK)
		goto out;
	ecm_progress(ctx, "enroll", 2, STEPS);
	if ((rc = enroll_step(ctx, a, req, &issued, err)) != ECM_OK) {
		if (keeps_request(rc)) {
			enroll_pending_keep(ctx, req, err);
			req = NULL;
		}
		goto out;
	}
	ecm_progress(ctx, "backup", 3, STEPS);
	if ((rc = backup_step(ctx, a, &issued, result, err)) != ECM_OK) {
		note_lost_serial(&issued, err);
		goto out;
	}
	cJSON_AddItemToObject(result, "certificate", ecm_cert_summary(issued.cert));
	refresh_account(ctx);
	ecm_progress(ctx, "install", 4, STEPS);
	rc = enroll_install(ctx, &issued, current, result, err);
out:
	enroll_pending_free(req);
	ecm_identity_free(&issued);
	ERR_clear_error();
	return rc;
}

static ecm_code
parse_backup(const cJSON *args, enroll_args *a, ecm_error *err)
{
	const cJSON *backup = NULL;
	ecm_code rc;

	if ((rc = ecm_arg_object(args, "backup", 1, &backup, err)) != ECM_OK ||
	    (rc = ecm_arg_string(backup, "password", 1, &a->backup_password, err)) != ECM_OK ||
	    (rc = ecm_arg_string(backup, "path", 0, &a->backup_path, err)) != ECM_OK ||
	    (rc = ecm_arg_bool(backup, "overwrite", &a->overwrite, err)) != ECM_OK ||
	    (rc = ecm_arg_bool(backup, "compat", &a->compat, err)) != ECM_OK)
		return rc;
	if (a->backup_path != NULL && a->backup_path[0] == '\0')
		a->backup_path = NULL;
	if (strlen(a->backup_password) < ENROLL_MIN_BACKUP_PASSWORD) {
		ecm_error_detail_num(err, "min_length", ENROLL_MIN_BACKUP_PASSWORD);
		return ecm_fail(err, ECM_PASSWORD_TOO_WEAK, "the backup password needs at least %d characters",
		    ENROLL_MIN_BACKUP_PASSWORD);
	}
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
	if ((rc = ecm_arg_string(args, "terms_version", 1, &a->terms_version, err)) != ECM_OK ||
	    (rc = ecm_arg_string(args, "otp", 1, &a->otp, err)) != ECM_OK ||
	    (rc = check_header_value("terms_version", a->terms_version, 64, err)) != ECM_OK ||
	    (rc = check_header_value("otp", a->otp, 32, err)) != ECM_OK ||
	    (rc = ecm_arg_bool(args, "resume", &a->resume, err)) != ECM_OK ||
	    (rc = parse_backup(args, a, err)) != ECM_OK)
		return rc;
	if (!renew)
		return ECM_OK;
	if ((rc = ecm_arg_object(args, "current", 0, &current, err)) != ECM_OK)
		return rc;
	if (current == NULL)
		return ECM_OK;
	if ((rc = ecm_arg_string(current, "path", 1, &a->current_path, err)) != ECM_OK ||
	    (rc = ecm_arg_string(current, "password", 0, &a->current_password, err)) != ECM_OK)
		return rc;
	return ECM_OK;
}
