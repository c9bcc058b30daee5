/* cleanup: removes the certificates the user picked (by serial) from every store, or the chosen ones (`stores`,
 * with `password_for` for protected ones); never anything else. The reply names each store's removals and
 * failures (with their code), so that a screen can say what is still there. With dry_run it only says where the
 * certificates are, so the UI can ask about what is really there. */
#include <stdlib.h>
#include <string.h>

#include <openssl/x509v3.h>

#include "ecm/command.h"
#include "ecm/identity.h"
#include "ecm/store.h"
#include "install.h"

static int
picked(const cJSON *serials, const X509 *cert)
{
	char *serial = ecm_cert_serial(cert);
	const cJSON *e;
	int r = 0;

	cJSON_ArrayForEach(e, serials)
		if (serial != NULL && ecm_serial_same(serial, e->valuestring))
			r = 1;
	free(serial);
	return r;
}

/* {"store","browser","profile","serial"?}: which store, named as a person knows it. */
static cJSON *
add_entry(cJSON *arr, const ecm_store_info *info, const X509 *cert)
{
	cJSON *r = cJSON_CreateObject();
	char *serial = cert ? ecm_cert_serial(cert) : NULL;

	cJSON_AddStringToObject(r, "store", info->id);
	cJSON_AddStringToObject(r, "browser", info->browser);
	cJSON_AddItemToObject(r, "profile", info->profile ? cJSON_CreateString(info->profile) : cJSON_CreateNull());
	if (cert != NULL)
		cJSON_AddStringToObject(r, "serial", serial ? serial : "");
	cJSON_AddItemToArray(arr, r);
	free(serial);
	return r;
}

/* A store that could not be opened (no serial: nothing in it was looked at) or a removal that failed. */
static void
add_failed(cJSON *arr, const ecm_store_info *info, const X509 *cert, const ecm_error *e)
{
	cJSON *r = add_entry(arr, info, cert);

	cJSON_AddStringToObject(r, "code", ecm_code_name(e->code));
	cJSON_AddStringToObject(r, "message", e->message);
}

/* Only customers' certificates (ecm_store_list_owned: never a CA, nor one of another broker's CA), and with a
 * login only that customer's. */
static void
clean_store(const ecm_store_info *info, const ecm_anchors *anchors, const char *password, const cJSON *serials,
    const char *nid, int dry_run, cJSON *removed, cJSON *failed)
{
	ecm_store_items items = { NULL, 0 };
	ecm_store s;
	ecm_error e;
	size_t i;

	ecm_error_init(&e);
	if (!ecm_store_supports(info, ECM_STORE_CAN_DELETE) || !info->exists)
		return;
	if (ecm_store_open(info, password, &s, &e) != ECM_OK) {
		add_failed(failed, info, NULL, &e);
		ecm_error_clear(&e);
		return;
	}
	if (ecm_store_list_owned(&s, anchors, &items, &e) == ECM_OK)
		for (i = 0; i < items.n; i++) {
			if ((nid != NULL && strcmp(items.v[i].owner, nid) != 0) || !picked(serials, items.v[i].cert))
				continue;
			if (dry_run || ecm_store_remove(&s, items.v[i].cert, &e) == ECM_OK)
				add_entry(removed, info, items.v[i].cert);
			else
				add_failed(failed, info, items.v[i].cert, &e);
			ecm_error_clear(&e);
			ecm_error_init(&e);
		}
	ecm_store_items_free(&items);
	ecm_store_close(&s);
	ecm_error_clear(&e);
}

static ecm_code
run_cleanup(ecm_ctx *ctx, const cJSON *args, cJSON *result, ecm_error *err)
{
	const cJSON *serials = NULL, *only = NULL, *passwords = NULL;
	ecm_store_list list;
	ecm_anchors *anchors = NULL;
	cJSON *removed, *failed;
	int dry_run = 0;
	ecm_code rc;
	size_t i;

	if ((rc = ecm_arg_string_array(args, "serials", &serials, err)) != ECM_OK ||
	    (rc = ecm_arg_bool(args, "dry_run", &dry_run, err)) != ECM_OK ||
	    (rc = ecm_store_choice_args(args, &only, &passwords, err)) != ECM_OK)
		return rc;
	if (serials == NULL || cJSON_GetArraySize(serials) == 0) {
		ecm_error_detail_str(err, "field", "serials");
		return ecm_fail(err, ECM_BAD_REQUEST, "\"serials\" must list the certificates to remove");
	}
	if ((rc = ecm_anchors_load(ctx->config->ra_ca_file, ctx->config->subject_ou, &anchors, err)) != ECM_OK)
		return rc;
	if ((rc = ecm_stores_discover(&list, err)) != ECM_OK) {
		ecm_anchors_free(anchors);
		return rc;
	}
	removed = cJSON_AddArrayToObject(result, dry_run ? "found" : "removed");
	failed = cJSON_AddArrayToObject(result, "failed");
	for (i = 0; i < list.n; i++)
		if (ecm_store_chosen(only, list.v[i].id))
			clean_store(&list.v[i], anchors, ecm_store_password_for(passwords, list.v[i].id), serials,
			    ctx->session->national_id, dry_run, removed, failed);
	ecm_store_list_free(&list);
	ecm_anchors_free(anchors);
	return ECM_OK;
}

static const ecm_arg_spec args[] = {
	{ "serials", ECM_ARG_STRING_LIST, ECM_ARG_NAME_MAX, NULL },
	{ "dry_run", ECM_ARG_BOOL, 0, NULL },
	ECM_STORE_CHOICE_ARGS,
	ECM_ARG_END,
};

const ecm_command ecm_cmd_cleanup = { "cleanup", run_cleanup, ECM_CMD_NEEDS_BROKER, args };
