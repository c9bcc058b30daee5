/* logout: forgets this connection's credentials (wiped, not just freed). */
#include "ecm/command.h"

static ecm_code
run_logout(ecm_ctx *ctx, const cJSON *args, cJSON *result, ecm_error *err)
{
	(void)args;
	(void)err;
	cJSON_AddBoolToObject(result, "was_logged_in", ecm_session_logged_in(ctx->session));
	ecm_session_clear(ctx->session);
	return ECM_OK;
}

const ecm_command ecm_cmd_logout = { "logout", run_logout, 0, NULL };
