/* query: a customer's certificate in the primary store (or in a given .pfx when the store has none) beside the
 * server's current one after login. Works without login (local side only); whose: whose.h, except that several
 * customers without a login is no error here: local is null and `candidates` lists them. */
#include <ctype.h>
#include <string.h>

#include "ecm/command.h"
#include "ecm/store.h"
#include "enroll.h"
#include "pfx_args.h"
#include "whose.h"

/* The broker's current certificate as login shows it (days_left, renewable_from), or NULL: none, or logged out
 * (then the result says logged_in false: the broker side is unknown, not empty). */
static cJSON *
server_cert(const ecm_ctx *ctx)
{
	if (!ecm_session_logged_in(ctx->session) || ctx->session->account == NULL)
		return NULL;
	return enroll_account_cert(ctx->session->account);
}

static cJSON *
local_json(const ecm_identity *id, int has_key, const char *store)
{
	cJSON *o = ecm_cert_summary(id->cert);

	cJSON_AddBoolToObject(o, "has_key", has_key);
	cJSON_AddItemToObject(o, "store", store ? cJSON_CreateString(store) : cJSON_CreateNull());
	return o;
}

/* Several customers' certificates and nobody named: the candidates move from the error to the result. */
static void
take_candidates(ecm_error *err, cJSON *result)
{
	cJSON *c = cJSON_DetachItemFromObjectCaseSensitive(err->details, "candidates");

	cJSON_AddItemToObject(result, "candidates", c ? c : cJSON_CreateArray());
}

/* The primary store's pick: ECM_OK with id->cert set, ECM_OK with id->cert NULL (none, or several customers'),
 * or an error. */
static ecm_code
from_store(const ecm_ctx *ctx, const cJSON *args, const char *password, ecm_identity *id, int *has_key,
    char **store_id, cJSON *result, ecm_error *err)
{
	ecm_store_list list = { NULL, 0 };
	ecm_store s = { NULL, NULL };
	whose w;
	ecm_code rc = whose_begin(ctx, args, &w, err);

	if (rc == ECM_OK)
		rc = ecm_store_open_primary_ro(&list, password, &s, err);
	if (rc == ECM_OK) {
		*store_id = strdup(s.info->id);
		rc = whose_pick(ctx, &s, &w, 0, id, has_key, err);
		if (rc == ECM_CHOOSE_CUSTOMER)
			take_candidates(err, result);
		if (rc == ECM_NO_CERTIFICATE || rc == ECM_CHOOSE_CUSTOMER) {
			ecm_error_clear(err);
			ecm_error_init(err);
			rc = ECM_OK;
		}
	}
	ecm_store_close(&s);
	ecm_store_list_free(&list);
	whose_end(&w);
	return rc;
}

static ecm_code
run_query(ecm_ctx *ctx, const cJSON *args, cJSON *result, ecm_error *err)
{
	const cJSON *pfx = NULL, *sserial;
	cJSON *server = NULL;
	const char *store_password = NULL, *source = "store";
	ecm_identity id = { NULL, NULL, NULL };
	char *store_id = NULL, *serial;
	int has_key = 0;
	ecm_code rc;

	if ((rc = ecm_arg_object(args, "pfx", &pfx, err)) != ECM_OK ||
	    (rc = ecm_arg_string(args, "store_password", &store_password, err)) != ECM_OK)
		return rc;
	server = server_cert(ctx);
	rc = from_store(ctx, args, store_password, &id, &has_key, &store_id, result, err);
	if (id.cert == NULL && pfx != NULL) {
		ecm_error_clear(err);
		ecm_error_init(err);
		free(store_id);
		store_id = NULL;
		if ((rc = pfx_from_args(pfx, &id, err)) != ECM_OK) {
			cJSON_Delete(server);
			return rc;
		}
		has_key = id.key != NULL;
		source = "pfx";
	}
	if (rc != ECM_OK) {
		cJSON_Delete(server);
		free(store_id);
		return rc;
	}
	cJSON_AddItemToObject(result, "local", id.cert ? local_json(&id, has_key, store_id) : cJSON_CreateNull());
	sserial = server ? cJSON_GetObjectItemCaseSensitive(server, "serial") : NULL;
	serial = id.cert ? ecm_cert_serial(id.cert) : NULL;
	cJSON_AddBoolToObject(result, "match", serial != NULL && cJSON_IsString(sserial) &&
	    ecm_serial_same(serial, sserial->valuestring));
	cJSON_AddStringToObject(result, "source", source);
	cJSON_AddBoolToObject(result, "logged_in", ecm_session_logged_in(ctx->session));
	cJSON_AddItemToObject(result, "server", server ? server : cJSON_CreateNull());
	free(serial);
	free(store_id);
	ecm_identity_free(&id);
	return ECM_OK;
}

static const ecm_arg_spec pfx_args[] = {
	PFX_ARGS,
	ECM_ARG_END,
};

static const ecm_arg_spec args[] = {
	{ "pfx", ECM_ARG_OBJECT, 0, pfx_args },
	{ "store_password", ECM_ARG_STRING | ECM_ARG_SECRET, ECM_ARG_SECRET_MAX, NULL },
	WHOSE_ARGS,
	ECM_ARG_END,
};

const ecm_command ecm_cmd_query = { "query", run_query, ECM_CMD_NEEDS_BROKER, args };
