/* import: a .pfx (AES or legacy) into the primary store. Decrypted once; a wrong password writes nothing. While a
 * customer is logged in, a file that is not theirs (by the identity rule) writes nothing either until the request
 * says the person saw whose it is (confirm_other_customer): a family shares the store, not the certificates. */
#include <string.h>

#include "ecm/command.h"
#include "ecm/identity.h"
#include "ecm/session.h"
#include "ecm/store.h"
#include "pfx_args.h"

static void
offer_others(const ecm_store_list *list, cJSON *result)
{
	cJSON *arr = cJSON_AddArrayToObject(result, "offer_install");
	size_t i;

	for (i = 0; i < list->n; i++)
		if (!list->v[i].primary)
			cJSON_AddItemToArray(arr, cJSON_CreateString(list->v[i].id));
}

/* OTHER_CUSTOMER (details.masked_id: the owner masked, "" when the file is no customer's at all) unless the file
 * is the logged-in customer's or the request confirmed. Logged out there is nobody to compare with. */
static ecm_code
check_owner(const ecm_ctx *ctx, const cJSON *args, const ecm_identity *id, cJSON *result, ecm_error *err)
{
	ecm_anchors *anchors = NULL;
	char owner[ECM_ID_LEN + 1] = "", masked[ECM_ID_LEN + 1] = "";
	int confirmed = 0, mine;
	ecm_code rc;

	if ((rc = ecm_arg_bool(args, "confirm_other_customer", &confirmed, err)) != ECM_OK)
		return rc;
	if (!ecm_session_logged_in(ctx->session))
		return ECM_OK;
	if ((rc = ecm_anchors_load(ctx->config->ra_ca_file, ctx->config->subject_ou, &anchors, err)) != ECM_OK)
		return rc;
	mine = ecm_cert_is_customers(anchors, id->cert, id->chain, ctx->session->national_id);
	if (!mine && ecm_cert_owner(anchors, id->cert, id->chain, owner))
		ecm_id_mask(owner, masked);
	ecm_anchors_free(anchors);
	if (mine)
		return ECM_OK;
	if (confirmed) {
		cJSON_AddStringToObject(result, "other_customer", masked);
		return ECM_OK;
	}
	ecm_error_detail_str(err, "masked_id", masked);
	return ecm_fail(err, ECM_OTHER_CUSTOMER, "the file holds a certificate of %s, not of the logged-in customer",
	    masked[0] ? masked : "no customer of this broker");
}

static ecm_code
run_import(ecm_ctx *ctx, const cJSON *args, cJSON *result, ecm_error *err)
{
	const char *store_password = NULL;
	ecm_identity id;
	ecm_store_list list = { NULL, 0 };
	ecm_store s = { NULL, NULL };
	int already = 0;
	ecm_code rc;

	if ((rc = ecm_arg_string(args, "store_password", &store_password, err)) != ECM_OK)
		return rc;
	if ((rc = pfx_from_args(args, &id, err)) != ECM_OK)
		return rc;
	if (id.key == NULL) {
		ecm_identity_free(&id);
		return ecm_fail(err, ECM_KEY_MISSING, "the .pfx file holds no private key");
	}
	if ((rc = check_owner(ctx, args, &id, result, err)) != ECM_OK) {
		ecm_identity_free(&id);
		return rc;
	}
	rc = ecm_store_open_primary(&list, store_password, &s, err);
	if (rc == ECM_OK)
		rc = ecm_store_import(&s, &id, &already, err);
	if (rc == ECM_OK) {
		cJSON_AddItemToObject(result, "certificate", ecm_cert_summary(id.cert));
		cJSON_AddStringToObject(result, "store", s.info->id);
		cJSON_AddStringToObject(result, "status", already ? "already_present" : "installed");
		offer_others(&list, result);
	}
	ecm_store_close(&s);
	ecm_store_list_free(&list);
	ecm_identity_free(&id);
	return rc;
}

static const ecm_arg_spec args[] = {
	PFX_ARGS,
	{ "store_password", ECM_ARG_STRING | ECM_ARG_SECRET, ECM_ARG_SECRET_MAX, NULL },
	{ "confirm_other_customer", ECM_ARG_BOOL, 0, NULL },
	ECM_ARG_END,
};

const ecm_command ecm_cmd_import = { "import", run_import, ECM_CMD_NEEDS_BROKER, args };
