/* import: a .pfx (AES or legacy) into the primary store. Decrypted once; a wrong password writes nothing. */
#include <string.h>

#include "ecm/command.h"
#include "ecm/store.h"
#include "pfx_args.h"

static const char *const secrets[] = { "password", "store_password", NULL };

static void
offer_others(const ecm_store_list *list, cJSON *result)
{
	cJSON *arr = cJSON_AddArrayToObject(result, "offer_install");
	size_t i;

	for (i = 0; i < list->n; i++)
		if (!list->v[i].primary)
			cJSON_AddItemToArray(arr, cJSON_CreateString(list->v[i].id));
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

	if ((rc = ecm_arg_string(args, "store_password", 0, &store_password, err)) != ECM_OK)
		return rc;
	if ((rc = pfx_from_args(args, &id, err)) != ECM_OK)
		return rc;
	if (id.key == NULL) {
		ecm_identity_free(&id);
		return ecm_fail(err, ECM_KEY_MISSING, "the .pfx file holds no private key");
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
	{ "store_password", ECM_ARG_STRING, ECM_ARG_SECRET_MAX, NULL },
	ECM_ARG_END,
};

const ecm_command ecm_cmd_import = { "import", run_import, 0, secrets, args };
