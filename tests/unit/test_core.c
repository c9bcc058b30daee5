/* Dispatch: envelope checks, unknown commands, login gating, progress-free replies, config errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "ecm/command.h"
#include "ecm/config.h"
#include "ecm/core.h"

typedef struct {
	cJSON *messages[8];
	int count;
} sink;

static void
collect(const char *json, size_t len, void *user)
{
	sink *s = user;

	assert_true(s->count < 8);
	s->messages[s->count] = cJSON_ParseWithLength(json, len);
	assert_non_null(s->messages[s->count]);
	s->count++;
}

static void
sink_free(sink *s)
{
	int i;

	for (i = 0; i < s->count; i++)
		cJSON_Delete(s->messages[i]);
	s->count = 0;
}

static const char *
error_code(const cJSON *reply)
{
	const cJSON *code = cJSON_GetObjectItem(cJSON_GetObjectItem(reply, "error"), "code");

	return cJSON_IsString(code) ? code->valuestring : "";
}

static cJSON *
handle(ecm_core *core, sink *s, const char *request)
{
	sink_free(s);
	ecm_core_handle(core, request, strlen(request), collect, s);
	assert_int_equal(s->count, 1);
	return s->messages[0];
}

static int
setup(void **state)
{
	ecm_error err;

	unsetenv("ECM_CONFIG");
	setenv("HOME", "/tmp/ecm-unit-home-does-not-exist", 1);
	setenv("XDG_CONFIG_HOME", "/tmp/ecm-unit-home-does-not-exist/.config", 1);
	ecm_error_init(&err);
	*state = ecm_core_new(&err);
	return *state == NULL;
}

static int
teardown(void **state)
{
	ecm_core_free(*state);
	return 0;
}

static void
hello_answers_with_version_and_commands(void **state)
{
	sink s = { 0 };
	cJSON *r = handle(*state, &s, "{\"id\":7,\"cmd\":\"hello\"}");

	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(r, "ok")));
	assert_int_equal(cJSON_GetObjectItem(r, "id")->valueint, 7);
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(r, "result"), "protocol")->valueint, 1);
	assert_true(cJSON_IsArray(cJSON_GetObjectItem(cJSON_GetObjectItem(r, "result"), "commands")));
	sink_free(&s);
}

static void
string_ids_are_echoed(void **state)
{
	sink s = { 0 };
	cJSON *r = handle(*state, &s, "{\"id\":\"abc\",\"cmd\":\"hello\",\"args\":{}}");

	assert_string_equal(cJSON_GetObjectItem(r, "id")->valuestring, "abc");
	sink_free(&s);
}

static void
malformed_json_is_bad_request_with_null_id(void **state)
{
	sink s = { 0 };
	cJSON *r = handle(*state, &s, "{\"id\":1,");

	assert_string_equal(error_code(r), "BAD_REQUEST");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(r, "id")));
	sink_free(&s);
}

static void
non_object_is_bad_request(void **state)
{
	sink s = { 0 };

	assert_string_equal(error_code(handle(*state, &s, "[1,2]")), "BAD_REQUEST");
	assert_string_equal(error_code(handle(*state, &s, "\"hello\"")), "BAD_REQUEST");
	assert_string_equal(error_code(handle(*state, &s, "")), "BAD_REQUEST");
	sink_free(&s);
}

static void
wrongly_typed_fields_are_bad_request(void **state)
{
	sink s = { 0 };

	assert_string_equal(error_code(handle(*state, &s, "{\"id\":true,\"cmd\":\"hello\"}")), "BAD_REQUEST");
	assert_string_equal(error_code(handle(*state, &s, "{\"id\":1,\"cmd\":5}")), "BAD_REQUEST");
	assert_string_equal(error_code(handle(*state, &s, "{\"id\":1}")), "BAD_REQUEST");
	assert_string_equal(error_code(handle(*state, &s, "{\"id\":1,\"cmd\":\"hello\",\"args\":[]}")), "BAD_REQUEST");
	sink_free(&s);
}

static void
unknown_command_is_refused_and_id_kept(void **state)
{
	sink s = { 0 };
	cJSON *r = handle(*state, &s, "{\"id\":3,\"cmd\":\"format_disk\"}");

	assert_string_equal(error_code(r), "UNKNOWN_COMMAND");
	assert_int_equal(cJSON_GetObjectItem(r, "id")->valueint, 3);
	sink_free(&s);
}

static void
every_login_command_refuses_before_login(void **state)
{
	const ecm_command *c;
	char req[160];
	size_t i;

	for (i = 0; (c = ecm_command_at(i, NULL)) != NULL; i++) {
		sink s = { 0 };
		if (!(c->flags & ECM_CMD_NEEDS_LOGIN) || (c->flags & ECM_CMD_NEEDS_SERVER))
			continue;
		snprintf(req, sizeof(req), "{\"id\":1,\"cmd\":\"%s\",\"args\":{}}", c->name);
		assert_string_equal(error_code(handle(*state, &s, req)), "NOT_LOGGED_IN");
		sink_free(&s);
	}
}

static void
server_commands_without_configuration_say_so(void **state)
{
	const ecm_command *c;
	char req[160];
	size_t i;

	for (i = 0; (c = ecm_command_at(i, NULL)) != NULL; i++) {
		sink s = { 0 };
		if (!(c->flags & ECM_CMD_NEEDS_SERVER))
			continue;
		snprintf(req, sizeof(req), "{\"id\":1,\"cmd\":\"%s\",\"args\":{}}", c->name);
		assert_string_equal(error_code(handle(*state, &s, req)), "CONFIG_MISSING");
		sink_free(&s);
	}
}

static void
replies_are_one_line_json(void **state)
{
	char *reply;

	(void)state;
	reply = ecm_core_error_reply(ECM_CALLER_NOT_ALLOWED, "x");
	assert_non_null(reply);
	assert_null(strchr(reply, '\n'));
	assert_non_null(strstr(reply, "\"code\":\"CALLER_NOT_ALLOWED\""));
	cJSON_free(reply);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hello_answers_with_version_and_commands),
		cmocka_unit_test(string_ids_are_echoed),
		cmocka_unit_test(malformed_json_is_bad_request_with_null_id),
		cmocka_unit_test(non_object_is_bad_request),
		cmocka_unit_test(wrongly_typed_fields_are_bad_request),
		cmocka_unit_test(unknown_command_is_refused_and_id_kept),
		cmocka_unit_test(every_login_command_refuses_before_login),
		cmocka_unit_test(server_commands_without_configuration_say_so),
		cmocka_unit_test(replies_are_one_line_json),
	};
	return cmocka_run_group_tests_name("core", tests, setup, teardown);
}
