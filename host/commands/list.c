/* list: every certificate of the customer on every device, as the RA sees them, numbered for the UI. */
#include "enroll.h"

static ecm_code
run_list(ecm_ctx *ctx, const cJSON *args, cJSON *result, ecm_error *err)
{
	ecm_ra_auth auth = enroll_session_auth(ctx);
	long long now = enroll_ra_now(ctx);
	const cJSON *certs, *c;
	cJSON *answer = NULL, *list;
	int sn = 0;
	ecm_code rc;

	(void)args;
	rc = ecm_ra_api(ctx->session, ctx->config, &auth, "GET", "/certificates", NULL, &answer, err);
	if (rc != ECM_OK)
		return rc;
	certs = cJSON_GetObjectItemCaseSensitive(answer, "certificates");
	if (!cJSON_IsArray(certs)) {
		cJSON_Delete(answer);
		return ecm_fail(err, ECM_RA_BAD_RESPONSE, "the certificates answer lacks a list");
	}
	list = cJSON_AddArrayToObject(result, "certificates");
	cJSON_ArrayForEach(c, certs) {
		cJSON *row = enroll_server_cert(c, now);
		cJSON_AddItemToArray(list, row);
		cJSON_AddNumberToObject(row, "sn", ++sn);
	}
	cJSON_Delete(answer);
	return ECM_OK;
}

const ecm_command ecm_cmd_list = { "list", run_list, ECM_CMD_NEEDS_BROKER | ECM_CMD_NEEDS_SERVER | ECM_CMD_NEEDS_LOGIN, NULL };
