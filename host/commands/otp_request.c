/* otp_request: the RA sends a one-time password to the registered phone; we only learn where (masked). */
#include "enroll.h"

static ecm_code
run_otp_request(ecm_ctx *ctx, const cJSON *args, cJSON *result, ecm_error *err)
{
	ecm_ra_auth auth = enroll_session_auth(ctx);
	const cJSON *sent_to, *expires;
	cJSON *answer = NULL, *empty = cJSON_CreateObject();
	ecm_code rc;

	(void)args;
	rc = ecm_ra_api(ctx->session, ctx->config, &auth, "POST", "/otp", empty, &answer, err);
	cJSON_Delete(empty);
	if (rc != ECM_OK)
		return rc;
	sent_to = cJSON_GetObjectItemCaseSensitive(answer, "sent_to");
	expires = cJSON_GetObjectItemCaseSensitive(answer, "expires_in");
	if (!cJSON_IsString(sent_to) || !cJSON_IsNumber(expires)) {
		cJSON_Delete(answer);
		return ecm_fail(err, ECM_RA_BAD_RESPONSE, "the OTP answer lacks sent_to or expires_in");
	}
	cJSON_AddStringToObject(result, "sent_to", sent_to->valuestring);
	cJSON_AddNumberToObject(result, "expires_in", expires->valuedouble);
	cJSON_Delete(answer);
	return ECM_OK;
}

const ecm_command ecm_cmd_otp_request = { "otp_request", run_otp_request,
	ECM_CMD_NEEDS_BROKER | ECM_CMD_NEEDS_SERVER | ECM_CMD_NEEDS_LOGIN, NULL };
