/* login: checks the ID and password with the RA (GET /account), keeps them for this connection, and says
 * what to do next: apply (no valid PC certificate), renew (inside the window) or none. */
#include <ctype.h>
#include <string.h>

#include "ecm/secmem.h"
#include "enroll.h"

/* window_days stays a double: the RA sends it, and a huge value cast to long would be undefined behaviour. */
static const char *
suggestion(const cJSON *server_cert, double window_days)
{
	const cJSON *status = cJSON_GetObjectItemCaseSensitive(server_cert, "status");
	const cJSON *days = cJSON_GetObjectItemCaseSensitive(server_cert, "days_left");

	if (server_cert == NULL || !cJSON_IsString(status) || strcmp(status->valuestring, "valid") != 0)
		return "apply";
	if (!cJSON_IsNumber(days) || days->valuedouble < 0)
		return "apply";
	return days->valuedouble <= window_days ? "renew" : "none";
}

static void
add_account(cJSON *result, const cJSON *account, const char *id)
{
	cJSON *a = cJSON_AddObjectToObject(result, "account");
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(account, "name");
	const cJSON *phone = cJSON_GetObjectItemCaseSensitive(account, "phone_masked");

	cJSON_AddStringToObject(a, "id", id);
	cJSON_AddStringToObject(a, "name", cJSON_IsString(name) ? name->valuestring : "");
	cJSON_AddStringToObject(a, "phone_masked", cJSON_IsString(phone) ? phone->valuestring : "");
}

static ecm_code
describe(const cJSON *account, const char *id, cJSON *result, ecm_error *err)
{
	const cJSON *now = cJSON_GetObjectItemCaseSensitive(account, "now");
	const cJSON *window = cJSON_GetObjectItemCaseSensitive(account, "renewal_window_days");
	const cJSON *cur = cJSON_GetObjectItemCaseSensitive(account, "current_pc_cert");
	long long ra_now = cJSON_IsString(now) ? ecm_ra_parse_time(now->valuestring) : -1;
	cJSON *server_cert;

	if (ra_now < 0 || !cJSON_IsNumber(window))
		return ecm_fail(err, ECM_RA_BAD_RESPONSE, "the account answer lacks now or renewal_window_days");
	server_cert = cJSON_IsObject(cur) ? enroll_server_cert(cur, ra_now) : NULL;
	add_account(result, account, id);
	cJSON_AddItemToObject(result, "server_cert", server_cert != NULL ? server_cert : cJSON_CreateNull());
	cJSON_AddStringToObject(result, "suggestion", suggestion(server_cert, window->valuedouble));
	cJSON_AddNumberToObject(result, "renewal_window_days", window->valuedouble);
	cJSON_AddStringToObject(result, "ra_now", now->valuestring);
	return ECM_OK;
}

static ecm_code
run_login(ecm_ctx *ctx, const cJSON *args, cJSON *result, ecm_error *err)
{
	const char *id_arg = NULL, *password = NULL;
	ecm_ra_auth auth;
	cJSON *account = NULL;
	char id[16];
	size_t i;
	ecm_code rc;

	if ((rc = ecm_arg_string(args, "id", 1, &id_arg, err)) != ECM_OK ||
	    (rc = ecm_arg_string(args, "password", 1, &password, err)) != ECM_OK)
		return rc;
	for (i = 0; id_arg[i] != '\0' && i < sizeof(id) - 1; i++)
		id[i] = (char)toupper((unsigned char)id_arg[i]);
	id[i] = '\0';
	if (strlen(id_arg) >= sizeof(id) || !ecm_national_id_valid(id)) {
		ecm_error_detail_str(err, "field", "id");
		return ecm_fail(err, ECM_BAD_REQUEST, "\"id\" is not a valid national ID");
	}
	auth = (ecm_ra_auth){ id, password, NULL };
	rc = ecm_ra_api(ctx->session, ctx->config, &auth, "GET", "/account", NULL, &account, err);
	if (rc == ECM_OK)
		rc = describe(account, id, result, err);
	if (rc == ECM_OK && ecm_session_set(ctx->session, id, password) != 0)
		rc = ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	if (rc != ECM_OK) {
		cJSON_Delete(account);
		return rc;
	}
	ctx->session->account = account;
	cJSON_AddItemToObject(result, "issued_unsaved", ecm_session_issued_unsaved(ctx->session));
	return ECM_OK;
}

static const char *const secrets[] = { "password", NULL };

static const ecm_arg_spec args[] = {
	{ "id", ECM_ARG_STRING, ECM_ARG_NAME_MAX, NULL },
	{ "password", ECM_ARG_STRING, ECM_ARG_SECRET_MAX, NULL },
	ECM_ARG_END,
};

const ecm_command ecm_cmd_login = { "login", run_login, ECM_CMD_NEEDS_SERVER | ECM_CMD_ENDS_LOGIN, secrets, args };
