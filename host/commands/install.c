/* install: the primary store's identity into every store found (or the named ones), one result per store. With
 * `serial`, that certificate of the primary store (import's offer: the one just imported, whoever's it is). */
#include <stdlib.h>
#include <string.h>

#include <openssl/x509v3.h>

#include "ecm/command.h"
#include "install.h"

/* The certificate with this serial in the opened store, with its key. */
static ecm_code
pick_serial(ecm_store *s, const char *serial, ecm_identity *id, ecm_error *err)
{
	ecm_store_items items = { NULL, 0 };
	ecm_code rc = s->info->backend->list(s->handle, &items, err);
	size_t i;
	char *sn;

	for (i = 0; rc == ECM_OK && i < items.n; i++) {
		sn = ecm_cert_serial(items.v[i].cert);
		if (sn != NULL && ecm_serial_same(sn, serial) && X509_check_ca(items.v[i].cert) == 0) {
			free(sn);
			rc = s->info->backend->find(s->handle, items.v[i].cert, 1, id, err);
			ecm_store_items_free(&items);
			return rc;
		}
		free(sn);
	}
	ecm_store_items_free(&items);
	if (rc == ECM_OK) {
		ecm_error_detail_str(err, "serial", serial);
		rc = ecm_fail(err, ECM_NO_CERTIFICATE, "no certificate with this serial in %s", s->info->id);
	}
	return rc;
}

/* The identity and the primary store's id (malloc'd), which install then leaves alone: it was just read there. */
static ecm_code
primary_identity(const ecm_ctx *ctx, const char *serial, const cJSON *passwords, ecm_identity *id, char **primary_id,
    ecm_error *err)
{
	ecm_store_list list = { NULL, 0 };
	ecm_store s = { NULL, NULL };
	ecm_code rc = ecm_stores_discover(&list, err);
	size_t i;

	for (i = 0; rc == ECM_OK && i < list.n && !list.v[i].primary; i++)
		;
	if (rc == ECM_OK && i == list.n)
		rc = ecm_fail(err, ECM_STORE_NOT_FOUND, "this system has no primary certificate store");
	if (rc == ECM_OK)
		rc = ecm_store_open(&list.v[i], ecm_store_password_for(passwords, list.v[i].id), &s, err);
	if (rc == ECM_OK && serial != NULL)
		rc = pick_serial(&s, serial, id, err);
	else if (rc == ECM_OK)
		rc = ecm_store_pick_identity(&s, ctx->session->national_id, 1, id, NULL, err);
	if (rc == ECM_OK && (*primary_id = strdup(list.v[i].id)) == NULL)
		rc = ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	ecm_store_close(&s);
	ecm_store_list_free(&list);
	return rc;
}

static ecm_code
run_install(ecm_ctx *ctx, const cJSON *args, cJSON *result, ecm_error *err)
{
	const cJSON *only = NULL, *passwords = NULL;
	const char *serial = NULL;
	ecm_identity id = { NULL, NULL, NULL };
	char *primary_id = NULL;
	ecm_code rc;

	if ((rc = ecm_store_choice_args(args, &only, &passwords, err)) != ECM_OK ||
	    (rc = ecm_arg_string(args, "serial", 0, &serial, err)) != ECM_OK)
		return rc;
	if ((rc = primary_identity(ctx, serial, passwords, &id, &primary_id, err)) != ECM_OK)
		return rc;
	ecm_progress(ctx, "install", 0, 1);
	rc = ecm_install_from(ctx->config, &id, primary_id, only, passwords, cJSON_AddArrayToObject(result, "results"),
	    err);
	free(primary_id);
	cJSON_AddItemToObject(result, "certificate", ecm_cert_summary(id.cert));
	ecm_identity_free(&id);
	return rc;
}

static const ecm_arg_spec args[] = {
	ECM_STORE_CHOICE_ARGS,
	{ "serial", ECM_ARG_STRING, ECM_ARG_NAME_MAX, NULL },
	ECM_ARG_END,
};

const ecm_command ecm_cmd_install = { "install", run_install, 0, NULL, args };
