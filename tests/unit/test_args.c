/* One declaration per argument: a spec row says required and secret, the core enforces "required" from it and
 * the CLI's secret list is derived from it (ecm_args_secrets), through the real command table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "ecm/command.h"

/* The secret paths command name declares, in row order, joined by ","; a map of them is marked "[]". */
static const char *
secrets_of(const char *name)
{
	static char out[512];
	ecm_arg_secret s[16];
	const ecm_command *c;
	ecm_error err;
	size_t i, n, len = 0;

	ecm_error_init(&err);
	c = ecm_command_find(name, &err);
	assert_non_null(c);
	n = ecm_args_secrets(c->args, s, 16);
	out[0] = '\0';
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%s%s", i ? "," : "", s[i].path,
		    s[i].is_map ? "[]" : "");
	ecm_error_clear(&err);
	return out;
}

/* Every secret any command's own list held before the rows said it (ra_check's password and OTP too), and the
 * store passwords of the commands that write to stores, which no list held. */
static void
test_secrets_come_from_the_rows(void **state)
{
	assert_string_equal(secrets_of("login"), "password");
	assert_string_equal(secrets_of("apply"), "otp,backup.password,password_for[]");
	assert_string_equal(secrets_of("renew"), "otp,backup.password,current.password,password_for[]");
	assert_string_equal(secrets_of("save_issued"), "backup.password,password_for[]");
	assert_string_equal(secrets_of("install"), "password_for[]");
	assert_string_equal(secrets_of("cleanup"), "password_for[]");
	assert_string_equal(secrets_of("backup"), "password,store_password");
	assert_string_equal(secrets_of("import"), "password,store_password");
	assert_string_equal(secrets_of("query"), "pfx.password,store_password");
	assert_string_equal(secrets_of("sign"), "store_password,pfx.password");
	assert_string_equal(secrets_of("ra_check"), "password,otp");
	assert_string_equal(secrets_of("stores"), ""); /* its id is whose, not a secret */
	assert_string_equal(secrets_of("expiry"), "");
}

static const ecm_arg_spec inner[] = {
	{ "must", ECM_ARG_STRING | ECM_ARG_REQUIRED, 8, NULL },
	{ "may", ECM_ARG_STRING, 8, NULL },
	ECM_ARG_END,
};
static const ecm_arg_spec outer[] = {
	{ "id", ECM_ARG_STRING | ECM_ARG_REQUIRED, 8, NULL },
	{ "opt", ECM_ARG_OBJECT, 0, inner },
	ECM_ARG_END,
};

/* The code and details.field of checking text against outer. */
static const char *
required(const char *text, ecm_code *code)
{
	static char field[32];
	cJSON *args = cJSON_Parse(text);
	const cJSON *f;
	ecm_error err;

	ecm_error_init(&err);
	*code = ecm_args_check_required(outer, args, &err);
	f = cJSON_GetObjectItem(err.details, "field");
	snprintf(field, sizeof(field), "%s", cJSON_IsString(f) ? f->valuestring : "");
	ecm_error_clear(&err);
	cJSON_Delete(args);
	return field;
}

static void
test_required_is_enforced_from_the_row(void **state)
{
	ecm_code code;

	assert_string_equal(required("{}", &code), "id");
	assert_int_equal(code, ECM_BAD_REQUEST);
	assert_string_equal(required("{\"id\":null}", &code), "id");
	assert_string_equal(required("{\"id\":\"\"}", &code), "id");
	assert_int_equal(code, ECM_BAD_REQUEST);
	required("{\"id\":\"x\"}", &code);
	assert_int_equal(code, ECM_OK);
	/* inside an object only when the object is given */
	assert_string_equal(required("{\"id\":\"x\",\"opt\":{\"may\":\"y\"}}", &code), "must");
	assert_int_equal(code, ECM_BAD_REQUEST);
	required("{\"id\":\"x\",\"opt\":{\"must\":\"y\"}}", &code);
	assert_int_equal(code, ECM_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_secrets_come_from_the_rows),
		cmocka_unit_test(test_required_is_enforced_from_the_row),
	};

	return cmocka_run_group_tests_name("args", tests, NULL, NULL);
}
