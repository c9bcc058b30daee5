/* session: what this connection's login is now, in login's words (account, server_cert with days_left and
 * renewable_from, suggestion, renewal window, RA clock). The extension's background asks this instead of keeping
 * a copy of the login answer that every apply or renew would make stale. */
#include "enroll.h"

static ecm_code
run_session(ecm_ctx *ctx, const cJSON *args, cJSON *result, ecm_error *err)
{
	cJSON *login;
	ecm_code rc;

	(void)args;
	/* Logged in or not: a logout from any page must warn before it drops the only copy of an issued key. */
	cJSON_AddItemToObject(result, "issued_unsaved", ecm_session_issued_unsaved(ctx->session));
	if (!ecm_session_logged_in(ctx->session) || ctx->session->account == NULL) {
		cJSON_AddBoolToObject(result, "logged_in", 0);
		cJSON_AddNullToObject(result, "login");
		return ECM_OK;
	}
	login = cJSON_CreateObject();
	if (login == NULL)
		return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	rc = enroll_describe_account(ctx->session->account, ctx->session->national_id, login, err);
	if (rc != ECM_OK) {
		cJSON_Delete(login);
		return rc;
	}
	cJSON_AddBoolToObject(result, "logged_in", 1);
	cJSON_AddItemToObject(result, "login", login);
	return ECM_OK;
}

static const ecm_arg_spec args[] = { ECM_ARG_END };

const ecm_command ecm_cmd_session = { "session", run_session, 0, args };
