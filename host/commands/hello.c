/* hello: what this host is and what it can do. Needs no login, loads neither NSS nor curl. */
#include <stdlib.h>

#include "ecm/command.h"
#include "ecm/password_rule.h"
#include "ecm/platform.h"
#include "ecm/util.h"

static void
add_commands(cJSON *result)
{
	cJSON *list = cJSON_AddArrayToObject(result, "commands");
	const char *name;
	size_t i;

	for (i = 0; (name = ecm_command_name(i)) != NULL; i++)
		cJSON_AddItemToArray(list, cJSON_CreateString(name));
}

static void
add_server(const ecm_ctx *ctx, cJSON *result)
{
	cJSON *server = cJSON_AddObjectToObject(result, "server");
	const ecm_config *cfg = ctx->config;

	cJSON_AddItemToObject(server, "est_url", cfg->est_url ? cJSON_CreateString(cfg->est_url) : cJSON_CreateNull());
	cJSON_AddItemToObject(server, "api_url", cfg->api_url ? cJSON_CreateString(cfg->api_url) : cJSON_CreateNull());
	cJSON_AddItemToObject(server, "revoke_url",
	    cfg->revoke_url ? cJSON_CreateString(cfg->revoke_url) : cJSON_CreateNull());
}

static void
add_config(const ecm_ctx *ctx, cJSON *result)
{
	cJSON *config = cJSON_AddObjectToObject(result, "config");
	char *home;

	cJSON_AddItemToObject(config, "file",
	    ctx->config->source ? cJSON_CreateString(ctx->config->source) : cJSON_CreateNull());
	if (ctx->config_error->code != ECM_OK) {
		cJSON *e = cJSON_AddObjectToObject(config, "error");
		cJSON_AddStringToObject(e, "code", ecm_code_name(ctx->config_error->code));
		cJSON_AddStringToObject(e, "message", ctx->config_error->message);
	}
	cJSON_AddStringToObject(config, "key_type", ecm_key_type_name(ctx->config->key_type));
	cJSON_AddStringToObject(config, "backup_dir", ctx->config->backup_dir ? ctx->config->backup_dir : "");
	/* front ends turn a typed "~" into this, as a shell would */
	home = ecm_home_dir();
	cJSON_AddStringToObject(config, "home", home ? home : "");
	free(home);
	cJSON_AddItemToObject(config, "sign_origins", cJSON_CreateStringArray((const char *const *)
	    ctx->config->sign_origins, (int)ctx->config->sign_origins_count));
}

/* Every installed broker, the profiles left out (file, key, message), and the login's broker. */
static void
add_brokers(const ecm_ctx *ctx, cJSON *result)
{
	cJSON *list = cJSON_AddArrayToObject(result, "brokers"), *session;
	size_t i;

	for (i = 0; i < ctx->brokers->n; i++)
		cJSON_AddItemToArray(list, ecm_broker_describe(&ctx->brokers->v[i]));
	cJSON_AddItemToObject(result, "broker_problems", cJSON_Duplicate(ctx->brokers->problems, 1));
	if (!ecm_session_logged_in(ctx->session)) {
		cJSON_AddNullToObject(result, "session");
		return;
	}
	session = cJSON_AddObjectToObject(result, "session");
	cJSON_AddStringToObject(session, "broker", ctx->session->broker);
}

static ecm_code
run_hello(ecm_ctx *ctx, const cJSON *args, cJSON *result, ecm_error *err)
{
	(void)args;
	(void)err;
	cJSON_AddStringToObject(result, "host", "e-Cert Manager");
	cJSON_AddStringToObject(result, "version", ECM_VERSION);
	cJSON_AddNumberToObject(result, "protocol", ECM_PROTOCOL_VERSION);
	cJSON_AddStringToObject(result, "platform", ecm_platform_name());
	cJSON_AddBoolToObject(result, "logged_in", ecm_session_logged_in(ctx->session));
	cJSON_AddItemToObject(result, "issued_unsaved", ecm_session_issued_unsaved(ctx->session));
	add_commands(result);
	add_server(ctx, result);
	add_config(ctx, result);
	add_brokers(ctx, result);
	ecm_password_rule_describe(cJSON_AddObjectToObject(result, "password_rule"));
	return ECM_OK;
}

const ecm_command ecm_cmd_hello = { "hello", run_hello, ECM_CMD_ALWAYS, NULL };
