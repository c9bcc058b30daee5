/* Request in, progress events and one reply out. Front ends only move bytes; everything else is here. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ecm/broker.h"
#include "ecm/command.h"
#include "ecm/config.h"
#include "ecm/core.h"
#include "ecm/frame.h"
#include "ecm/json.h"
#include "ecm/log.h"
#include "ecm/secmem.h"
#include "ecm/session.h"

struct ecm_core {
	ecm_config config;      /* the global settings; each broker's are in its profile */
	ecm_error config_error; /* code ECM_OK unless the configuration file was bad */
	ecm_brokers brokers;
	ecm_session session;
	ecm_session elsewhere; /* what a request for another broker than the login's sees: no login, nothing held */
	int browser;           /* ecm_core_serve_browser */
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
	ecm_brokers_load(&core->brokers, &core->config);
	ecm_config_drop_broker(&core->config);
	return core;
}

void
ecm_core_serve_browser(ecm_core *core)
{
	core->browser = 1;
}

void
ecm_core_free(ecm_core *core)
{
	if (core == NULL)
		return;
	ecm_session_clear(&core->session);
	ecm_session_clear(&core->elsewhere);
	ecm_engine_shutdown();
	ecm_brokers_free(&core->brokers);
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

/* The id as the request gave it: a whole number below 2^53 is printed with every digit (cJSON's own printing
 * keeps 15 significant digits). */
static cJSON *
id_copy(const cJSON *id)
{
	char digits[32];

	if (id == NULL)
		return cJSON_CreateNull();
	if (!cJSON_IsNumber(id))
		return cJSON_Duplicate(id, 1);
	snprintf(digits, sizeof(digits), "%.0f", id->valuedouble);
	return cJSON_CreateRaw(digits);
}

static cJSON *
reply_head(const cJSON *id)
{
	cJSON *reply = cJSON_CreateObject();

	cJSON_AddItemToObject(reply, "id", id_copy(id));
	return reply;
}

static void
emit_text(char *text, ecm_emit_fn emit, void *user)
{
	static const char oom[] =
	    "{\"id\":null,\"ok\":false,\"error\":{\"code\":\"OUT_OF_MEMORY\",\"message\":\"out of memory\",\"details\":{}}}";

	if (text == NULL)
		emit(oom, sizeof(oom) - 1, user);
	else
		emit(text, strlen(text), user);
	cJSON_free(text);
}

/* Prints msg as valid UTF-8 (a message may carry RA or file-system text); NULL when it cannot. */
static char *
print_message(cJSON *msg)
{
	ecm_json_sanitize(msg);
	return cJSON_PrintUnformatted(msg);
}

static cJSON *
error_reply(const cJSON *id, const ecm_error *err)
{
	cJSON *reply = reply_head(id);

	cJSON_AddFalseToObject(reply, "ok");
	cJSON_AddItemToObject(reply, "error", error_object(err));
	return reply;
}

/* Every message goes out here. One over Chrome's 1 MiB limit would kill the port: it becomes MESSAGE_TOO_LARGE
 * naming the code it would have carried, and nothing of the oversized part (the id is at most 256 bytes). */
static void
emit_message(const cJSON *id, cJSON *msg, ecm_code code, ecm_emit_fn emit, void *user)
{
	char *text = print_message(msg);
	cJSON *fallback;
	ecm_error err;

	if (text == NULL || strlen(text) <= ECM_FRAME_OUT_MAX) {
		emit_text(text, emit, user);
		return;
	}
	cJSON_free(text);
	ecm_error_init(&err);
	ecm_fail(&err, ECM_MESSAGE_TOO_LARGE, "the reply is larger than %u bytes", ECM_FRAME_OUT_MAX);
	if (code != ECM_OK)
		ecm_error_detail_str(&err, "reply_code", ecm_code_name(code));
	fallback = error_reply(id, &err);
	emit_text(print_message(fallback), emit, user);
	cJSON_Delete(fallback);
	ecm_error_clear(&err);
}

static void
emit_error(const cJSON *id, const ecm_error *err, ecm_emit_fn emit, void *user)
{
	cJSON *reply = error_reply(id, err);

	emit_message(id, reply, err->code, emit, user);
	cJSON_Delete(reply);
}

static void
emit_result(const cJSON *id, cJSON *result, ecm_emit_fn emit, void *user)
{
	cJSON *reply = reply_head(id);

	cJSON_AddTrueToObject(reply, "ok");
	cJSON_AddItemReferenceToObject(reply, "result", result);
	emit_message(id, reply, ECM_OK, emit, user);
	cJSON_Delete(reply);
}

void
ecm_progress(ecm_ctx *ctx, const char *step, int done, int total)
{
	cJSON *msg = reply_head(ctx->id), *p = cJSON_AddObjectToObject(msg, "progress");

	cJSON_AddStringToObject(p, "step", step);
	cJSON_AddNumberToObject(p, "done", done);
	cJSON_AddNumberToObject(p, "total", total);
	emit_message(ctx->id, msg, ECM_OK, ctx->emit, ctx->emit_user);
	cJSON_Delete(msg);
}

#define ID_STRING_MAX 256
#define ID_NUMBER_LIMIT 9007199254740992.0 /* 2^53: from there on a double no longer holds every integer */

/* An id is echoed in every reply: only what can be echoed exactly is accepted. */
static int
id_echoable(const cJSON *i)
{
	if (cJSON_IsString(i))
		return strlen(i->valuestring) <= ID_STRING_MAX;
	return cJSON_IsNumber(i) && i->valuedouble > -ID_NUMBER_LIMIT && i->valuedouble < ID_NUMBER_LIMIT &&
	    floor(i->valuedouble) == i->valuedouble;
}

static ecm_code
bad_envelope(ecm_error *err, const char *field, const char *why)
{
	ecm_error_detail_str(err, "field", field);
	return ecm_fail(err, ECM_BAD_REQUEST, "%s", why);
}

/* The envelope is exactly {"id": integer|string, "cmd": string, "args"?: object, "broker"?: string}, each
 * member once. */
static ecm_code
check_members(const cJSON *req, ecm_error *err)
{
	static const char *const names[] = { "id", "cmd", "args", "broker" };
	const unsigned count = sizeof(names) / sizeof(names[0]);
	const cJSON *m;
	unsigned seen = 0, i;
	char field[128] = "";

	cJSON_ArrayForEach(m, req) {
		for (i = 0; i < count && strcmp(names[i], m->string) != 0; i++)
			;
		if (i == count || (seen & (1u << i)) != 0) {
			ecm_json_path_append(field, sizeof(field), m->string);
			return bad_envelope(err, field, i == count ? "the request has a member the protocol does not define"
								   : "the request gives a member twice");
		}
		seen |= 1u << i;
	}
	return ECM_OK;
}

typedef struct envelope {
	const cJSON *id;
	const char *cmd;
	const cJSON *args;
	const char *broker; /* NULL: the request names none */
} envelope;

static ecm_code
parse_envelope(const cJSON *req, envelope *env, ecm_error *err)
{
	const cJSON **id = &env->id, **args = &env->args, *i, *c, *a, *b;
	const char **cmd = &env->cmd;
	ecm_code rc;

	*id = NULL;
	if (!cJSON_IsObject(req))
		return bad_envelope(err, "request", "the request is not a JSON object");
	i = cJSON_GetObjectItemCaseSensitive(req, "id");
	if (!cJSON_IsNumber(i) && !cJSON_IsString(i))
		return bad_envelope(err, "id", "\"id\" must be a number or a string");
	if (!id_echoable(i))
		return bad_envelope(err, "id", "\"id\" must be a whole number below 2^53 or a string up to 256 bytes");
	*id = i;
	if ((rc = check_members(req, err)) != ECM_OK)
		return rc;
	c = cJSON_GetObjectItemCaseSensitive(req, "cmd");
	if (!cJSON_IsString(c) || c->valuestring[0] == '\0')
		return bad_envelope(err, "cmd", "\"cmd\" must be a non-empty string");
	*cmd = c->valuestring;
	a = cJSON_GetObjectItemCaseSensitive(req, "args");
	if (a != NULL && !cJSON_IsObject(a) && !cJSON_IsNull(a))
		return bad_envelope(err, "args", "\"args\" must be an object");
	*args = cJSON_IsObject(a) ? a : NULL;
	b = cJSON_GetObjectItemCaseSensitive(req, "broker");
	if (b != NULL && (!cJSON_IsString(b) || b->valuestring[0] == '\0' || strlen(b->valuestring) > 64))
		return bad_envelope(err, "broker", "\"broker\" must be a profile's id");
	env->broker = b != NULL ? b->valuestring : NULL;
	return ECM_OK;
}

static ecm_code
choose_broker(const ecm_brokers *b, ecm_error *err)
{
	cJSON *list = cJSON_CreateArray();
	size_t i;

	for (i = 0; i < b->n; i++)
		cJSON_AddItemToArray(list, ecm_broker_ref(&b->v[i]));
	if (err->details == NULL)
		err->details = cJSON_CreateObject();
	cJSON_AddItemToObject(err->details, "brokers", list);
	return ecm_fail(err, ECM_CHOOSE_BROKER, "several brokers are installed: say which (\"broker\")");
}

/* Which broker the request is for: the one it names; else the one the connection is logged in at; else the only
 * one installed; else none (*out NULL), which a command acting for one broker refuses (CHOOSE_BROKER). */
static ecm_code
pick_broker(const ecm_core *core, const ecm_command *command, const char *named, const ecm_config **out,
    ecm_error *err)
{
	const ecm_brokers *b = &core->brokers;

	*out = NULL;
	if (named != NULL) {
		if ((*out = ecm_brokers_find(b, named)) != NULL)
			return ECM_OK;
		ecm_error_detail_str(err, "broker", named);
		return ecm_fail(err, ECM_BROKER_UNKNOWN, "no installed broker profile has the id \"%.64s\"", named);
	}
	if (ecm_session_logged_in(&core->session) && (*out = ecm_brokers_find(b, core->session.broker)) != NULL)
		return ECM_OK;
	if (b->n == 1)
		*out = &b->v[0];
	if (*out == NULL && b->n > 1 && (command->flags & ECM_CMD_NEEDS_BROKER) != 0)
		return choose_broker(b, err);
	return ECM_OK;
}

/* No RA for this request: a profile that was left out says why; else none is configured. */
static ecm_code
no_server(const ecm_core *core, ecm_error *err)
{
	const cJSON *first = cJSON_GetArrayItem(core->brokers.problems, 0), *f, *k, *m;

	if (first == NULL)
		return ecm_fail(err, ECM_CONFIG_MISSING, "no RA is configured (est_url, api_url, ra_ca_file)");
	f = cJSON_GetObjectItemCaseSensitive(first, "file");
	k = cJSON_GetObjectItemCaseSensitive(first, "key");
	m = cJSON_GetObjectItemCaseSensitive(first, "message");
	ecm_error_detail_str(err, "file", f->valuestring);
	if (cJSON_IsString(k))
		ecm_error_detail_str(err, "key", k->valuestring);
	return ecm_fail(err, ECM_BROKER_PROFILE_INVALID, "%s", m->valuestring);
}

/* A bad configuration file applied nothing; until it is fixed only hello is served (and reports it). Then the
 * broker: ctx gets its profile, and the login only when it is that broker's. */
static ecm_code
check_preconditions(ecm_core *core, const ecm_command *command, const envelope *env, ecm_ctx *ctx,
    ecm_error *err)
{
	const cJSON *args = env->args;
	const ecm_config *broker = NULL;
	ecm_code rc;

	if ((command->flags & ECM_CMD_ENDS_LOGIN) != 0)
		ecm_session_end_login(&core->session); /* an issued, unsaved identity survives it */
	if (core->config_error.code != ECM_OK && (command->flags & ECM_CMD_ALWAYS) == 0) {
		err->details = core->config_error.details ? cJSON_Duplicate(core->config_error.details, 1) : NULL;
		return ecm_fail(err, core->config_error.code, "%s", core->config_error.message);
	}
	if ((rc = ecm_args_check(command->args, args, err)) != ECM_OK ||
	    (rc = pick_broker(core, command, env->broker, &broker, err)) != ECM_OK)
		return rc;
	if (broker != NULL) {
		ctx->config = broker;
		if ((command->flags & ECM_CMD_NEEDS_BROKER) != 0 && ecm_session_logged_in(&core->session) &&
		    strcmp(core->session.broker, broker->broker_id) != 0)
			ctx->session = &core->elsewhere;
	}
	if ((command->flags & ECM_CMD_NEEDS_SERVER) != 0 && ctx->config->est_url == NULL)
		return no_server(core, err);
	if ((command->flags & ECM_CMD_NEEDS_LOGIN) != 0 && !ecm_session_logged_in(ctx->session)) {
		if (broker != NULL)
			ecm_error_detail_str(err, "broker", broker->broker_id);
		return ecm_fail(err, ECM_NOT_LOGGED_IN, "log in first");
	}
	return ecm_args_check_required(command->args, args, err);
}

static void
dispatch(ecm_core *core, const envelope *env, ecm_emit_fn emit, void *user)
{
	const cJSON *id = env->id, *args = env->args;
	cJSON *empty = NULL, *result;
	ecm_ctx ctx = { &core->config, &core->brokers, &core->config_error, &core->session, id, emit, user };
	const ecm_command *command;
	ecm_error err;

	ecm_error_init(&err);
	command = ecm_command_find(env->cmd, &err);
	if (command != NULL && core->browser && (command->flags & ECM_CMD_LOCAL_ONLY) != 0) {
		command = NULL;
		ecm_fail(&err, ECM_UNKNOWN_COMMAND, "no such command");
	}
	if (command == NULL) {
		emit_error(id, &err, emit, user);
		ecm_error_clear(&err);
		return;
	}
	ecm_log(ECM_LOG_INFO, "command %s", command->name);
	if (check_preconditions(core, command, env, &ctx, &err) != ECM_OK) {
		ecm_log(ECM_LOG_INFO, "command %s refused: %s", command->name, ecm_code_name(err.code));
		emit_error(id, &err, emit, user);
		ecm_error_clear(&err);
		return;
	}
	if (args == NULL)
		args = empty = cJSON_CreateObject();
	result = cJSON_CreateObject();
	if (command->run(&ctx, args, result, &err) == ECM_OK)
		emit_result(id, result, emit, user);
	else {
		ecm_log(ECM_LOG_INFO, "command %s failed: %s", command->name, ecm_code_name(err.code));
		emit_error(id, &err, emit, user);
	}
	cJSON_Delete(result);
	cJSON_Delete(empty);
	ecm_error_clear(&err);
	ecm_session_clear(&core->elsewhere); /* one request's: nothing of it outlives the request */
}

void
ecm_core_handle(ecm_core *core, const char *request_json, size_t len, ecm_emit_fn emit, void *user)
{
	envelope env = { NULL, NULL, NULL, NULL };
	cJSON *req = NULL;
	ecm_error err;

	ecm_error_init(&err);
	if (ecm_json_parse(request_json, len, &req, &err) == ECM_OK && parse_envelope(req, &env, &err) == ECM_OK)
		dispatch(core, &env, emit, user);
	if (err.code != ECM_OK)
		emit_error(env.id, &err, emit, user);
	ecm_error_clear(&err);
	ecm_wipe_json_strings(req); /* passwords and OTPs arrive as strings */
	cJSON_Delete(req);
}

char *
ecm_core_error_reply(ecm_code code, const char *message)
{
	cJSON *reply;
	ecm_error err;
	char *text;

	ecm_error_init(&err);
	ecm_fail(&err, code, "%s", message);
	reply = error_reply(NULL, &err);
	text = print_message(reply);
	cJSON_Delete(reply);
	return text;
}
