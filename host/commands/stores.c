/* stores: every certificate store found for this user (nothing is opened). */
#include "ecm/command.h"
#include "ecm/install.h"

static ecm_code
run_stores(ecm_ctx *ctx, const cJSON *args, cJSON *result, ecm_error *err)
{
	ecm_store_list list;
	cJSON *arr;
	ecm_code rc;
	size_t i;

	if ((rc = ecm_stores_discover(&list, err)) != ECM_OK)
		return rc;
	arr = cJSON_AddArrayToObject(result, "stores");
	for (i = 0; i < list.n; i++)
		cJSON_AddItemToArray(arr, ecm_store_info_json(&list.v[i]));
	ecm_store_list_free(&list);
	return ECM_OK;
}

const ecm_command ecm_cmd_stores = { "stores", run_stores, 0, NULL, NULL };
