/* terms: the broker's current terms of use (version + zh-TW text); apply and renew send the version back. */
#include "enroll.h"

static ecm_code
run_terms(ecm_ctx *ctx, const cJSON *args, cJSON *result, ecm_error *err)
{
	const cJSON *version, *text;
	cJSON *terms = NULL;
	ecm_code rc;

	(void)args;
	rc = ecm_ra_api(ctx->session, ctx->config, NULL, "GET", "/terms", NULL, &terms, err);
	if (rc != ECM_OK)
		return rc;
	version = cJSON_GetObjectItemCaseSensitive(terms, "version");
	text = cJSON_GetObjectItemCaseSensitive(terms, "text");
	if (!cJSON_IsString(version) || !cJSON_IsString(text)) {
		cJSON_Delete(terms);
		return ecm_fail(err, ECM_RA_BAD_RESPONSE, "the terms answer lacks version or text");
	}
	cJSON_AddStringToObject(result, "version", version->valuestring);
	cJSON_AddStringToObject(result, "text", text->valuestring);
	cJSON_Delete(terms);
	return ECM_OK;
}

const ecm_command ecm_cmd_terms = { "terms", run_terms, ECM_CMD_NEEDS_BROKER | ECM_CMD_NEEDS_SERVER | ECM_CMD_NEEDS_LOGIN, NULL };
