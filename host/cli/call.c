/* Runs one request through the core synchronously and hands back its reply. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecm/secmem.h"
#include "cli.h"

typedef struct {
	cJSON *reply;
	int quiet;
} call_state;

static void
print_progress(const cJSON *progress)
{
	const cJSON *step = cJSON_GetObjectItemCaseSensitive(progress, "step");
	const cJSON *done = cJSON_GetObjectItemCaseSensitive(progress, "done");
	const cJSON *total = cJSON_GetObjectItemCaseSensitive(progress, "total");

	fprintf(stderr, "  … %s %d/%d\n", cJSON_IsString(step) ? step->valuestring : "?",
	    cJSON_IsNumber(done) ? done->valueint : 0, cJSON_IsNumber(total) ? total->valueint : 0);
}

static void
collect(const char *json, size_t len, void *user)
{
	call_state *st = user;
	cJSON *msg = cJSON_ParseWithLength(json, len);
	const cJSON *progress = cJSON_GetObjectItemCaseSensitive(msg, "progress");

	if (progress != NULL) {
		if (!st->quiet)
			print_progress(progress);
		cJSON_Delete(msg);
		return;
	}
	cJSON_Delete(st->reply);
	st->reply = msg;
}

cJSON *
ecm_cli_call(ecm_cli *cli, const char *cmd, cJSON *args)
{
	cJSON *req = cJSON_CreateObject();
	call_state st = { NULL, cli->quiet };
	char *text;

	cJSON_AddNumberToObject(req, "id", 1);
	cJSON_AddStringToObject(req, "cmd", cmd);
	cJSON_AddItemToObject(req, "args", args ? args : cJSON_CreateObject());
	if (cli->broker != NULL)
		cJSON_AddStringToObject(req, "broker", cli->broker);
	text = cJSON_PrintUnformatted(req);
	ecm_wipe_json_strings(req);
	cJSON_Delete(req);
	if (text == NULL)
		return NULL;
	ecm_core_handle(cli->core, text, strlen(text), collect, &st);
	ecm_wipe(text, strlen(text));
	cJSON_free(text);
	return st.reply;
}

int
ecm_cli_reply_ok(const cJSON *reply)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(reply, "ok"));
}

const cJSON *
ecm_cli_result(const cJSON *reply)
{
	return cJSON_GetObjectItemCaseSensitive(reply, "result");
}

int
ecm_cli_report_error(const cJSON *reply)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(reply, "error");
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(e, "code");
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(e, "message");

	fprintf(stderr, "ecm: %s: %s\n", cJSON_IsString(code) ? code->valuestring : "INTERNAL",
	    cJSON_IsString(msg) ? msg->valuestring : "no reply");
	return 1;
}

int
ecm_cli_login(ecm_cli *cli, const char *national_id, const char *password_file)
{
	char *password = ecm_cli_read_secret(ecm_cli_tr("Online-trading password"), password_file);
	cJSON *args, *reply;
	int rc;

	if (password == NULL)
		return 1;
	args = cJSON_CreateObject();
	cJSON_AddStringToObject(args, "id", national_id);
	cJSON_AddStringToObject(args, "password", password);
	ecm_secret_free(password);
	reply = ecm_cli_call(cli, "login", args);
	rc = ecm_cli_reply_ok(reply) ? 0 : ecm_cli_report_error(reply);
	cJSON_Delete(reply);
	return rc;
}
