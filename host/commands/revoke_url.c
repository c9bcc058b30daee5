/* revoke_url: the broker's revocation page. Revoking needs the trading password on the broker's own page. */
#include "ecm/command.h"

static ecm_code
run_revoke_url(ecm_ctx *ctx, const cJSON *args, cJSON *result, ecm_error *err)
{
	(void)args;
	if (ctx->config->revoke_url == NULL)
		return ecm_fail(err, ECM_CONFIG_MISSING, "no revoke_url is configured");
	cJSON_AddStringToObject(result, "url", ctx->config->revoke_url);
	return ECM_OK;
}

const ecm_command ecm_cmd_revoke_url = { "revoke_url", run_revoke_url, ECM_CMD_NEEDS_BROKER | ECM_CMD_NEEDS_SERVER, NULL };
