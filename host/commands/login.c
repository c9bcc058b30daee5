/* login: checks the ID and password with the RA (GET /account), keeps them for this connection, and says
 * what to do next: apply (no valid PC certificate), renew (inside the window) or none. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "ecm/broker.h"
#include "ecm/secmem.h"
#include "enroll.h"

static ecm_code
run_login(ecm_ctx *ctx, const cJSON *args, cJSON *result, ecm_error *err)
{
	const char *id_arg = NULL, *password = NULL;
	ecm_ra_auth auth;
	cJSON *account = NULL;
	char id[16];
	size_t i;
	ecm_code rc;

	if ((rc = ecm_arg_string(args, "id", &id_arg, err)) != ECM_OK ||
	    (rc = ecm_arg_string(args, "password", &password, err)) != ECM_OK)
		return rc;
	for (i = 0; id_arg[i] != '\0' && i < sizeof(id) - 1; i++)
		id[i] = (char)toupper((unsigned char)id_arg[i]);
	id[i] = '\0';
	if (strlen(id_arg) >= sizeof(id) || !ecm_national_id_valid(id)) {
		ecm_error_detail_str(err, "field", "id");
		return ecm_fail(err, ECM_BAD_REQUEST, "\"id\" is not a valid national ID");
	}
	/* Another customer's login must not be the way an issued key is lost or saved under their password. */
	if (enroll_issued_held(ctx) != NULL &&
	    (rc = enroll_issued_check_owner(enroll_issued_held(ctx), id, err)) != ECM_OK)
		return rc;
	auth = (ecm_ra_auth){ id, password, NULL };
	rc = ecm_ra_api(ctx->session, ctx->config, &auth, "GET", "/account", NULL, &account, err);
	if (rc == ECM_OK)
		rc = enroll_describe_account(account, id, result, err);
	if (rc == ECM_OK && ecm_session_set(ctx->session, id, password) != 0)
		rc = ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	if (rc != ECM_OK) {
		cJSON_Delete(account);
		return rc;
	}
	ctx->session->account = account;
	/* the login is this broker's: the core refuses another broker's requests that need one (NOT_LOGGED_IN) */
	snprintf(ctx->session->broker, sizeof(ctx->session->broker), "%s",
	    ctx->config->broker_id ? ctx->config->broker_id : "");
	cJSON_AddItemToObject(result, "issued_unsaved", ecm_session_issued_unsaved(ctx->session));
	/* whose renewal_window_days this is: the reminder keeps one per broker */
	cJSON_AddItemToObject(result, "broker", ctx->config->broker_id ? ecm_broker_ref(ctx->config) : cJSON_CreateNull());
	return ECM_OK;
}

static const ecm_arg_spec args[] = {
	{ "id", ECM_ARG_STRING | ECM_ARG_REQUIRED, ECM_ARG_NAME_MAX, NULL },
	{ "password", ECM_ARG_STRING | ECM_ARG_REQUIRED | ECM_ARG_SECRET, ECM_ARG_SECRET_MAX, NULL },
	ECM_ARG_END,
};

const ecm_command ecm_cmd_login = { "login", run_login,
	ECM_CMD_NEEDS_BROKER | ECM_CMD_NEEDS_SERVER | ECM_CMD_ENDS_LOGIN, args };
