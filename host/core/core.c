/* Request in, progress events and one reply out. Front ends only move bytes; everything else is here. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ecm/command.h"
#include "ecm/config.h"
#include "ecm/core.h"
#include "ecm/frame.h"
#include "ecm/log.h"
#include "ecm/secmem.h"
#include "ecm/session.h"
#include "../commands/commands.h"

struct ecm_core {
	ecm_config config;
	ecm_error config_error; /* code ECM_OK unless the configuration file was bad */
	ecm_session session;
};

ecm_core *
ecm_core_new(ecm_error *err)
{
	ecm_core *core = calloc(1, sizeof(*core));

	if (core == NULL) {
		ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
		return NULL;
	}
	ecm_log_init();
	ecm_error_init(&core->config_error);
	if (ecm_config_load(&core->config, &core->config_error) != ECM_OK)
		ecm_log(ECM_LOG_WARN, "configuration: %s", core->config_error.message);
	return core;
}

void
ecm_core_free(ecm_core *core)
{
	if (core == NULL)
		return;
	ecm_session_clear(&core->session);
	ecm_engine_shutdown();
	ecm_config_free(&core->config);
	ecm_error_clear(&core->config_error);
	ecm_log_close();
	free(core);
}

int
ecm_core_caller_allowed(const ecm_core *core, const char *caller)
{
	return ecm_config_allows_caller(&core->config, caller);
}

static cJSON *
error_object(const ecm_error *err)
{
	cJSON *e = cJSON_CreateObject();

	cJSON_AddStringToObject(e, "code", ecm_code_name(err->code));
	cJSON_AddStringToObject(e, "message", err->message[0] ? err->message : ecm_code_text(err->code));
	cJSON_AddItemToObject(e, "details",
	    err->details ? cJSON_Duplicate(err->details, 1) : cJSON_CreateObject());
	return e;
}

static cJSON *
reply_head(const cJSON *id)
{
	cJSON *reply = cJSON_CreateObject();

	cJSON_AddItemToObject(reply, "id", id ? cJSON_Duplicate(id, 1) : cJSON_CreateNull());
	return reply;
}

static void
emit_json(cJSON *msg, ecm_emit_fn emit, void *user)
{
	char *text = cJSON_PrintUnformatted(msg);

	if (text == NULL) {
		static const char oom[] =
		    "{\"id\":null,\"ok\":false,\"error\":{\"code\":\"OUT_OF_MEMORY\",\"message\":\"out of memory\",\"details\":{}}}";
		emit(oom, sizeof(oom) - 1, user);
		return;
	}
	emit(text, strlen(text), user);
	free(text);
}

static void
emit_error(const cJSON *id, const ecm_error *err, ecm_emit_fn emit, void *user)
{
	cJSON *reply = reply_head(id);

	cJSON_AddFalseToObject(reply, "ok");
	cJSON_AddItemToObject(reply, "error", error_object(err));
	emit_json(reply, emit, user);
	cJSON_Delete(reply);
}

/* A reply over Chrome's 1 MiB limit would kill the port: send an error instead. */
static void
emit_result(const cJSON *id, cJSON *result, ecm_emit_fn emit, void *user)
{
	cJSON *reply = reply_head(id);
	char *text;

	cJSON_AddTrueToObject(reply, "ok");
	cJSON_AddItemReferenceToObject(reply, "result", result);
	text = cJSON_PrintUnformatted(reply);
	cJSON_Delete(reply);
	if (text != NULL && strlen(text) <= ECM_FRAME_OUT_MAX) {
		emit(text, strlen(text), user);
		free(text);
		return;
	}
	free(text);
	ecm_error err;
	ecm_error_init(&err);
	ecm_fail(&err, ECM_MESSAGE_TOO_LARGE, "the reply is larger than %u bytes", ECM_FRAME_OUT_MAX);
	emit_error(id, &err, emit, user);
	ecm_error_clear(&err);
}

void
ecm_progress(ecm_ctx *ctx, const char *step, int done, int total)
{
	cJSON *msg = reply_head(ctx->id), *p = cJSON_AddObjectToObject(msg, "progress");

	cJSON_AddStringToObject(p, "step", step);
	cJSON_AddNumberToObject(p, "done", done);
	cJSON_AddNumberToObject(p, "total", total);
	emit_json(msg, ctx->emit, ctx->emit_user);
	cJSON_Delete(msg);
}

/* Checks the envelope: {"id": number|string, "cmd": string, "args"?: object}. */
static ecm_code
parse_envelope(const cJSON *req, const cJSON **id, const char **cmd, const cJSON **args, ecm_error *err)
{
	const cJSON *i, *c, *a;

	*id = NULL;
	if (!cJSON_IsObject(req))
		return ecm_fail(err, ECM_BAD_REQUEST, "the request is not a JSON object");
	i = cJSON_GetObjectItemCaseSensitive(req, "id");
	if (!cJSON_IsNumber(i) && !cJSON_IsString(i))
		return ecm_fail(err, ECM_BAD_REQUEST, "\"id\" must be a number or a string");
	*id = i;
	c = cJSON_GetObjectItemCaseSensitive(req, "cmd");
	if (!cJSON_IsString(c) || c->valuestring[0] == '\0')
		return ecm_fail(err, ECM_BAD_REQUEST, "\"cmd\" must be a non-empty string");
	*cmd = c->valuestring;
	a = cJSON_GetObjectItemCaseSensitive(req, "args");
	if (a != NULL && !cJSON_IsObject(a) && !cJSON_IsNull(a))
		return ecm_fail(err, ECM_BAD_REQUEST, "\"args\" must be an object");
	*args = cJSON_IsObject(a) ? a : NULL;
	return ECM_OK;
}

static ecm_code
check_preconditions(const ecm_core *core, const ecm_command *command, ecm_error *err)
{
	if ((command->flags & ECM_CMD_NEEDS_SERVER) != 0) {
		if (core->config_error.code != ECM_OK) {
			err->details = core->config_error.details ? cJSON_Duplicate(core->config_error.details, 1) : NULL;
			return ecm_fail(err, core->config_error.code, "%s", core->config_error.message);
		}
		if (core->config.est_url == NULL)
			return ecm_fail(err, ECM_CONFIG_MISSING, "no RA is configured (est_url, api_url, ra_ca_file)");
	}
	if ((command->flags & ECM_CMD_NEEDS_LOGIN) != 0 && !ecm_session_logged_in(&core->session))
		return ecm_fail(err, ECM_NOT_LOGGED_IN, "log in first");
	return ECM_OK;
}

static void
dispatch(ecm_core *core, const cJSON *id, const char *cmd, const cJSON *args, ecm_emit_fn emit, void *user)
{
	cJSON *empty = NULL, *result;
	ecm_ctx ctx = { &core->config, &core->config_error, &core->session, id, emit, user };
	const ecm_command *command;
	ecm_error err;

	ecm_error_init(&err);
	command = ecm_command_find(cmd, &err);
	if (command == NULL) {
		emit_error(id, &err, emit, user);
		ecm_error_clear(&err);
		return;
	}
	ecm_log(ECM_LOG_INFO, "command %s", command->name);
	if (args == NULL)
		args = empty = cJSON_CreateObject();
	result = cJSON_CreateObject();
	if ((command->flags & ECM_CMD_ENDS_LOGIN) != 0)
		ecm_session_end_login(&core->session);
	if (check_preconditions(core, command, &err) == ECM_OK && command->run(&ctx, args, result, &err) == ECM_OK)
		emit_result(id, result, emit, user);
	else {
		ecm_log(ECM_LOG_INFO, "command %s failed: %s", command->name, ecm_code_name(err.code));
		emit_error(id, &err, emit, user);
	}
	cJSON_Delete(result);
	cJSON_Delete(empty);
	ecm_error_clear(&err);
}

void
ecm_core_handle(ecm_core *core, const char *request_json, size_t len, ecm_emit_fn emit, void *user)
{
	cJSON *req = cJSON_ParseWithLength(request_json, len);
	const cJSON *id = NULL, *args = NULL;
	const char *cmd = NULL;
	ecm_error err;

	ecm_error_init(&err);
	if (req == NULL)
		ecm_fail(&err, ECM_BAD_REQUEST, "the request is not valid JSON");
	else if (parse_envelope(req, &id, &cmd, &args, &err) == ECM_OK)
		dispatch(core, id, cmd, args, emit, user);
	if (err.code != ECM_OK)
		emit_error(id, &err, emit, user);
	ecm_error_clear(&err);
	ecm_wipe_json_strings(req); /* passwords and OTPs arrive as strings */
	cJSON_Delete(req);
}

char *
ecm_core_error_reply(ecm_code code, const char *message)
{
	cJSON *reply = reply_head(NULL);
	ecm_error err;
	char *text;

	ecm_error_init(&err);
	ecm_fail(&err, code, "%s", message);
	cJSON_AddFalseToObject(reply, "ok");
	cJSON_AddItemToObject(reply, "error", error_object(&err));
	text = cJSON_PrintUnformatted(reply);
	cJSON_Delete(reply);
	return text;
}
