/* A whole request through ecm_core_handle, as ecm-host and `ecm session` hand it over, with no network: first with
 * no RA configured; a request refused with CONFIG_MISSING goes again through a core whose RA is 127.0.0.1:1 (nothing
 * listens there: curl is refused at once, and the 1 s / 2 s timeouts bound it anyway). HOME is an empty scratch
 * folder, emptied after every input, so the stores a request creates or fills never outlive it.
 * Checked for every input: exactly one reply, after any progress events; every message a JSON object within the
 * 1 MiB a browser accepts; a reply is {"id","ok":true,"result":{…}} or {"id","ok":false,"error":{code,…}} with a code
 * of include/ecm/error.h; the id echoed is the request's; every message is valid UTF-8 (issue 9 class 3: the strict
 * request parser and the UTF-8 output of host/core/utf8.c and json.c). ECM_FUZZ_STRICT_UTF8=0 turns that check off. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "ecm/core.h"
#include "ecm/frame.h"
#include "ecm/util.h"
#include "fuzz_common.h"

static char home[4096], no_ra[4096], port_one[4096];
static int strict_utf8, show; /* ECM_FUZZ_SHOW=1: print every message, to see what a seed reaches */

typedef struct seen {
	int replies;
	int after_reply; /* messages after the reply: none allowed */
	char code[64];   /* the reply's error code, "" when ok */
	cJSON *reply_id;
} seen;

static int
known_code(const char *name)
{
	int i;

	for (i = 0; i < ECM_CODE_COUNT; i++)
		if (strcmp(ecm_code_name((ecm_code)i), name) == 0)
			return 1;
	return 0;
}

static void
check_reply(const cJSON *msg, seen *s)
{
	const cJSON *ok = cJSON_GetObjectItemCaseSensitive(msg, "ok");
	const cJSON *error = cJSON_GetObjectItemCaseSensitive(msg, "error");
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(error, "code");

	FUZZ_CHECK(cJSON_IsBool(ok), "a reply has \"ok\"");
	if (cJSON_IsTrue(ok)) {
		FUZZ_CHECK(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(msg, "result")), "ok:true has a result object");
		s->code[0] = '\0';
		return;
	}
	FUZZ_CHECK(cJSON_IsString(code) && known_code(code->valuestring), "ok:false has a code of error.h");
	FUZZ_CHECK(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(error, "message")), "an error has a message");
	FUZZ_CHECK(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(error, "details")), "an error has details");
	snprintf(s->code, sizeof(s->code), "%s", code->valuestring);
}

static void
collect(const char *json, size_t len, void *user)
{
	seen *s = user;
	cJSON *msg;

	FUZZ_CHECK(len <= ECM_FRAME_OUT_MAX, "no message over the browser's 1 MiB");
	FUZZ_CHECK(!strict_utf8 || fuzz_utf8_valid(json, len), "every message is valid UTF-8");
	if (show)
		fprintf(stderr, "%.*s\n", (int)len, json);
	msg = cJSON_ParseWithLength(json, len);
	FUZZ_CHECK(cJSON_IsObject(msg), "every message is a JSON object");
	FUZZ_CHECK(cJSON_HasObjectItem(msg, "id"), "every message has an id");
	if (s->replies > 0)
		s->after_reply++;
	if (!cJSON_HasObjectItem(msg, "progress")) {
		s->replies++;
		check_reply(msg, s);
		cJSON_Delete(s->reply_id);
		s->reply_id = cJSON_DetachItemFromObjectCaseSensitive(msg, "id");
	}
	cJSON_Delete(msg);
}

/* The request's id when the envelope is one (an object whose id is a number or a string), else NULL. */
static cJSON *
request_id(const char *text, size_t len)
{
	cJSON *req = cJSON_ParseWithLength(text, len), *id = NULL;

	if (cJSON_IsObject(req)) {
		id = cJSON_DetachItemFromObjectCaseSensitive(req, "id");
		if (!cJSON_IsNumber(id) && !cJSON_IsString(id)) {
			cJSON_Delete(id);
			id = NULL;
		}
	}
	cJSON_Delete(req);
	return id;
}

static void
run_once(const char *config, const char *text, size_t len, seen *s)
{
	ecm_error err;
	ecm_core *core;

	memset(s, 0, sizeof(*s));
	setenv("ECM_CONFIG", config, 1);
	ecm_error_init(&err);
	core = ecm_core_new(&err);
	FUZZ_CHECK(core != NULL, "the core starts");
	ecm_core_handle(core, text, len, collect, s);
	ecm_core_free(core);
	ecm_error_clear(&err);
	fuzz_empty_dir(home);
	FUZZ_CHECK(s->replies == 1 && s->after_reply == 0, "exactly one reply, and nothing after it");
}

static void
check_id(const char *text, size_t len, const seen *s)
{
	cJSON *id = request_id(text, len);

	if (id != NULL && !cJSON_IsNull(s->reply_id))
		FUZZ_CHECK(cJSON_Compare(id, s->reply_id, 1), "the reply echoes the request's id");
	cJSON_Delete(id);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = fuzz_scratch("request");
	/* One allowed origin, so that a page's sign gets past the origin check to its data and the stores. */
	static const char no_ra_json[] =
	    "{\"pkcs12_iterations\": 2048, \"sign_origins\": [\"https://trade.broker.example\"]}";
	char port_one_json[512];

	(void)argc;
	(void)argv;
	snprintf(home, sizeof(home), "%s", fuzz_path(dir, "home"));
	snprintf(no_ra, sizeof(no_ra), "%s", fuzz_path(dir, "no-ra.json"));
	snprintf(port_one, sizeof(port_one), "%s", fuzz_path(dir, "port-one.json"));
	fuzz_write_file(no_ra, no_ra_json, strlen(no_ra_json));
	/* The CA bundle is this file itself: curl never gets as far as reading it (port 1 refuses the connection). */
	snprintf(port_one_json, sizeof(port_one_json),
	    "{\"est_url\": \"https://127.0.0.1:1/.well-known/est\", \"api_url\": \"https://127.0.0.1:1/api/v1\","
	    " \"ra_ca_file\": \"port-one.json\", \"connect_timeout_s\": 1, \"request_timeout_s\": 2,"
	    " \"pkcs12_iterations\": 2048, \"sign_origins\": [\"https://trade.broker.example\"]}");
	fuzz_write_file(port_one, port_one_json, strlen(port_one_json));
	FUZZ_CHECK(ecm_mkdirs(home, 0700) == 0, "the scratch home can be made");
	setenv("HOME", home, 1);
	setenv("XDG_CONFIG_HOME", fuzz_path(home, ".config"), 1);
	unsetenv("DISPLAY"); /* pick_file: NO_DIALOG, never a window */
	unsetenv("WAYLAND_DISPLAY");
	unsetenv("ECM_LOG");
	strict_utf8 = getenv("ECM_FUZZ_STRICT_UTF8") == NULL || strcmp(getenv("ECM_FUZZ_STRICT_UTF8"), "0") != 0;
	FUZZ_CHECK(chdir(home) == 0, "the working folder is the scratch home"); /* relative paths land there */
	show = getenv("ECM_FUZZ_SHOW") != NULL;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1); /* exactly the frame's bytes, no NUL after them */
	seen s;

	FUZZ_CHECK(text != NULL, "malloc");
	memcpy(text, data, size);
	run_once(no_ra, text, size, &s);
	check_id(text, size, &s);
	if (strcmp(s.code, "CONFIG_MISSING") == 0) {
		cJSON_Delete(s.reply_id);
		run_once(port_one, text, size, &s);
		check_id(text, size, &s);
	}
	cJSON_Delete(s.reply_id);
	free(text);
	return 0;
}
