/* The core runs whatever command table it is linked with: this test links its own (as web-eid-app's tests swap
 * getcommandhandler.cpp), not host/commands/table.c, and drives ecm_core_handle through it: dispatch to its
 * handler, argument checking and login gating from its rows, and every name it lacks — even hello — unknown. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "ecm/command.h"
#include "ecm/core.h"

static int probe_runs, gated_runs;

static ecm_code
probe(ecm_ctx *ctx, const cJSON *args, cJSON *result, ecm_error *err)
{
	const char *text = "";

	probe_runs++;
	if (ecm_arg_string(args, "text", &text, err) != ECM_OK)
		return err->code;
	cJSON_AddStringToObject(result, "echo", text);
	return ECM_OK;
}

static ecm_code
gated(ecm_ctx *ctx, const cJSON *args, cJSON *result, ecm_error *err)
{
	gated_runs++;
	return ECM_OK;
}

static const ecm_arg_spec probe_args[] = { { "text", ECM_ARG_STRING, 8, NULL }, ECM_ARG_END };
static const ecm_arg_spec gated_args[] = { { "must", ECM_ARG_STRING | ECM_ARG_REQUIRED, 8, NULL }, ECM_ARG_END };
static const ecm_command test_table[] = {
	{ "probe", probe, ECM_CMD_ALWAYS, probe_args },
	{ "gated", gated, ECM_CMD_NEEDS_LOGIN | ECM_CMD_ALWAYS, gated_args },
};
#define TEST_COMMANDS (sizeof(test_table) / sizeof(test_table[0]))

/* The three functions host/commands/table.c defines: defining them here keeps it out of the link. */
const ecm_command *
ecm_command_find(const char *name, ecm_error *err)
{
	size_t i;

	for (i = 0; i < TEST_COMMANDS; i++)
		if (strcmp(test_table[i].name, name) == 0)
			return &test_table[i];
	ecm_fail(err, ECM_UNKNOWN_COMMAND, "unknown command");
	return NULL;
}

const char *
ecm_command_name(size_t index)
{
	return index < TEST_COMMANDS ? test_table[index].name : NULL;
}

const ecm_command *
ecm_command_at(size_t index, ecm_error *err)
{
	return index < TEST_COMMANDS ? &test_table[index] : NULL;
}

static cJSON *reply;

static void
keep(const char *json, size_t len, void *user)
{
	cJSON_Delete(reply);
	reply = cJSON_ParseWithLength(json, len);
	assert_non_null(reply);
}

static const char *
handle(ecm_core *core, const char *request)
{
	const cJSON *code;

	ecm_core_handle(core, request, strlen(request), keep, NULL);
	code = cJSON_GetObjectItem(cJSON_GetObjectItem(reply, "error"), "code");
	return cJSON_IsString(code) ? code->valuestring : "";
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
	cJSON_Delete(reply);
	reply = NULL;
	return 0;
}

static void
test_dispatches_to_its_own_table(void **state)
{
	const cJSON *echo;

	probe_runs = 0;
	assert_string_equal(handle(*state, "{\"id\":1,\"cmd\":\"probe\",\"args\":{\"text\":\"hi\"}}"), "");
	echo = cJSON_GetObjectItem(cJSON_GetObjectItem(reply, "result"), "echo");
	assert_true(cJSON_IsString(echo));
	assert_string_equal(echo->valuestring, "hi");
	assert_int_equal(probe_runs, 1);
}

static void
test_checks_arguments_by_its_rows(void **state)
{
	probe_runs = 0;
	assert_string_equal(handle(*state, "{\"id\":2,\"cmd\":\"probe\",\"args\":{\"txt\":\"hi\"}}"), "BAD_REQUEST");
	assert_string_equal(handle(*state, "{\"id\":3,\"cmd\":\"probe\",\"args\":{\"text\":\"too long!\"}}"),
	    "BAD_REQUEST");
	assert_int_equal(probe_runs, 0);
}

static void
test_gates_by_its_flags(void **state)
{
	gated_runs = 0;
	assert_string_equal(handle(*state, "{\"id\":4,\"cmd\":\"gated\"}"), "NOT_LOGGED_IN");
	assert_int_equal(gated_runs, 0);
}

static void
test_knows_no_other_command(void **state)
{
	assert_string_equal(handle(*state, "{\"id\":5,\"cmd\":\"hello\"}"), "UNKNOWN_COMMAND");
	assert_string_equal(handle(*state, "{\"id\":6,\"cmd\":\"login\"}"), "UNKNOWN_COMMAND");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dispatches_to_its_own_table),
		cmocka_unit_test(test_checks_arguments_by_its_rows),
		cmocka_unit_test(test_gates_by_its_flags),
		cmocka_unit_test(test_knows_no_other_command),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
