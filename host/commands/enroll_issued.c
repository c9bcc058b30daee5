/* An issued certificate is the one thing the host can never make again: the RA has spent the OTP (and, on
 * renew, superseded the old certificate). So its key is dropped only once it is both in the backup and in a
 * store. Until then it stays in the session (memory only, like a pending request), the reply says
 * ISSUED_NOT_SAVED, and save_issued writes the backup elsewhere and/or installs it. Only logout or the end of
 * the connection forgets it, and hello reports it (issued_unsaved) so that the UI can warn before. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ecm/identity.h"
#include "ecm/store.h"
#include "ecm/util.h"
#include "install.h"
#include "enroll.h"

enroll_issued *
enroll_issued_new(ecm_identity *issued, const ecm_identity *previous)
{
	enroll_issued *st = calloc(1, sizeof(*st));
	char *serial;

	if (st == NULL)
		return NULL;
	st->installed = cJSON_CreateArray();
	if (st->installed == NULL || (previous != NULL && enroll_identity_ref(previous, &st->previous) != 0)) {
		cJSON_Delete(st->installed);
		free(st);
		return NULL;
	}
	st->id = *issued;
	memset(issued, 0, sizeof(*issued));
	serial = ecm_cert_serial(st->id.cert);
	snprintf(st->serial, sizeof(st->serial), "%s", serial ? serial : "");
	free(serial);
	return st;
}

void
enroll_issued_free(enroll_issued *st)
{
	if (st == NULL)
		return;
	ecm_identity_free(&st->id); /* EVP_PKEY_free clears the private key */
	ecm_identity_free(&st->previous);
	free(st->backup_path);
	cJSON_Delete(st->installed);
	free(st);
}

static void
issued_free_opaque(void *st)
{
	enroll_issued_free(st);
}

int
enroll_issued_saved(const enroll_issued *st)
{
	return st->backup_path != NULL && cJSON_GetArraySize(st->installed) > 0;
}

/* The default name may already exist (two applications on one day, or the backup made at apply): then
 * ECM_<ID>_<date>-2.pfx, -3, … A default never replaces a file. */
char *
enroll_free_default_path(const ecm_config *cfg, const X509 *cert)
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

ecm_code
enroll_issued_backup(ecm_ctx *ctx, enroll_issued *st, const enroll_backup *b, cJSON *result, ecm_error *err)
{
	ecm_config folder;
	const ecm_config *in = enroll_folder_config(ctx->config, b->path, &folder); /* a folder: the default name */
	char *path = b->path && in == NULL ? strdup(b->path) : enroll_free_default_path(in ? in : ctx->config, st->id.cert);
	ecm_code rc;
	cJSON *o;

	if (path == NULL)
		return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	rc = ecm_pfx_write_file(path, &st->id, b->password, ctx->config->pkcs12_iterations,
	    b->compat ? ECM_PFX_COMPAT : ECM_PFX_AES, b->overwrite, err);
	if (rc != ECM_OK) {
		free(path);
		return rc;
	}
	o = cJSON_AddObjectToObject(result, "backup");
	cJSON_AddStringToObject(o, "path", path);
	cJSON_AddStringToObject(o, "format", b->compat ? "compat" : "aes");
	free(st->backup_path);
	st->backup_path = path;
	return ECM_OK;
}

static void
note_installed(enroll_issued *st, const cJSON *results)
{
	const cJSON *r, *status, *store;

	cJSON_ArrayForEach(r, results) {
		status = cJSON_GetObjectItemCaseSensitive(r, "status");
		store = cJSON_GetObjectItemCaseSensitive(r, "store");
		if (!cJSON_IsString(status) || !cJSON_IsString(store) || strcmp(status->valuestring, "failed") == 0)
			continue;
		cJSON_AddItemToArray(st->installed, cJSON_CreateString(store->valuestring));
	}
}

ecm_code
enroll_issued_install(ecm_ctx *ctx, enroll_issued *st, const cJSON *only_stores, const cJSON *passwords,
    cJSON *result, ecm_error *err)
{
	cJSON *install = cJSON_AddObjectToObject(result, "install"), *e;
	cJSON *results = cJSON_AddArrayToObject(install, "results");
	ecm_error ierr;
	ecm_code rc;

	ecm_error_init(&ierr);
	cJSON_Delete(st->installed);
	st->installed = cJSON_CreateArray();
	rc = ecm_install_everywhere(ctx->config, &st->id, only_stores, passwords, results, &ierr);
	note_installed(st, results);
	if (rc != ECM_OK) { /* nothing could be attempted (discovery failed) */
		e = cJSON_AddObjectToObject(install, "error");
		cJSON_AddStringToObject(e, "code", ecm_code_name(ierr.code));
		cJSON_AddStringToObject(e, "message", ierr.message);
	} else if (cJSON_GetArraySize(st->installed) == 0) {
		ecm_fail(&ierr, ECM_STORE_FAILED, "no certificate store took the certificate");
	}
	if (cJSON_GetArraySize(st->installed) > 0) {
		ecm_error_clear(&ierr);
		return ECM_OK;
	}
	ecm_error_clear(err);
	*err = ierr; /* the caller owns its details now */
	return err->code;
}

void
enroll_issued_retire_previous(const enroll_issued *st, const cJSON *passwords, cJSON *result)
{
	cJSON *install = cJSON_GetObjectItemCaseSensitive(result, "install");
	ecm_error ignored;

	if (st->previous.cert == NULL || !enroll_issued_saved(st))
		return;
	if (install == NULL)
		install = cJSON_AddObjectToObject(result, "install");
	ecm_error_init(&ignored);
	(void)ecm_remove_superseded(st->id.cert, st->previous.cert, passwords,
	    cJSON_AddArrayToObject(install, "removed"), &ignored);
	ecm_error_clear(&ignored);
}

/* The identity belongs to the broker that issued it: another broker's requests do not see it. */
enroll_issued *
enroll_issued_held(const ecm_ctx *ctx)
{
	const char *broker = ctx->config->broker_id ? ctx->config->broker_id : "";

	return strcmp(ctx->session->issued_broker, broker) == 0 ? ctx->session->issued : NULL;
}

void
enroll_issued_drop(ecm_ctx *ctx)
{
	enroll_issued_free(ctx->session->issued);
	ctx->session->issued = NULL;
	ctx->session->issued_free = NULL;
	ctx->session->issued_serial[0] = '\0';
	ctx->session->issued_broker[0] = '\0';
}

void
enroll_issued_owner(const enroll_issued *st, char out[ECM_ID_LEN + 1])
{
	/* The RA's certificate, checked against its CA when issued: its subject names the customer. */
	if (ecm_cert_subject_id(st->id.cert, out) != 1)
		out[0] = '\0';
}

ecm_code
enroll_issued_check_owner(const enroll_issued *st, const char *id, ecm_error *err)
{
	char owner[ECM_ID_LEN + 1], masked[ECM_ID_LEN + 1];

	enroll_issued_owner(st, owner);
	if (owner[0] != '\0' && strcmp(owner, id) == 0)
		return ECM_OK;
	ecm_id_mask(owner, masked);
	ecm_error_detail_str(err, "issued_serial", st->serial);
	ecm_error_detail_str(err, "masked_id", masked);
	return ecm_fail(err, ECM_ISSUED_NOT_SAVED, "certificate %s of %s is issued but not saved: save it (save_issued) "
	    "or discard it first", st->serial, masked);
}

/* The cause (what failed: FILE_WRITE_FAILED with its path and reason, STORE_…) goes into the details. */
static void
describe_cause(ecm_error *err, cJSON *details)
{
	cJSON *d = err->details;
	const cJSON *item;

	cJSON_AddStringToObject(details, "cause", ecm_code_name(err->code));
	cJSON_AddStringToObject(details, "cause_message", err->message);
	cJSON_ArrayForEach(item, d)
		if (!cJSON_HasObjectItem(details, item->string))
			cJSON_AddItemToObject(details, item->string, cJSON_Duplicate(item, 1));
	cJSON_Delete(d);
	err->details = details;
}

ecm_code
enroll_issued_keep(ecm_ctx *ctx, enroll_issued *st, cJSON *install_results, ecm_error *err)
{
	cJSON *details = cJSON_CreateObject();

	if (ctx->session->issued != st)
		enroll_issued_drop(ctx);
	ctx->session->issued = st;
	ctx->session->issued_free = issued_free_opaque;
	snprintf(ctx->session->issued_serial, sizeof(ctx->session->issued_serial), "%s", st->serial);
	snprintf(ctx->session->issued_broker, sizeof(ctx->session->issued_broker), "%s",
	    ctx->config->broker_id ? ctx->config->broker_id : "");
	cJSON_AddStringToObject(details, "issued_serial", st->serial);
	cJSON_AddBoolToObject(details, "backup_written", st->backup_path != NULL);
	if (st->backup_path != NULL)
		cJSON_AddStringToObject(details, "backup_path", st->backup_path);
	cJSON_AddItemToObject(details, "installed", cJSON_Duplicate(st->installed, 1));
	if (install_results != NULL)
		cJSON_AddItemToObject(details, "install_results", cJSON_Duplicate(install_results, 1));
	describe_cause(err, details);
	return ecm_fail(err, ECM_ISSUED_NOT_SAVED, "certificate %s is issued but not saved (%s): it is kept in this "
	    "session; save it with save_issued", st->serial, ecm_code_name(err->code));
}
