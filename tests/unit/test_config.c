/* Configuration: every bad file is a clear CONFIG_INVALID naming the file and the key; search order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "ecm/command.h"
#include "ecm/config.h"
#include "ecm/core.h"

static char dir[64];

static void
write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *
path_in_dir(const char *name)
{
	static char buf[256];

	snprintf(buf, sizeof(buf), "%s/%s", dir, name);
	return buf;
}

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ecm-config-test.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	write_text(path_in_dir("ca.pem"), "not checked here\n");
	setenv("HOME", dir, 1);
	unsetenv("XDG_CONFIG_HOME");
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

/* Loads text as a config file; returns the code and leaves the error for inspection. */
static ecm_code
load_text(const char *text, ecm_config *cfg, ecm_error *err)
{
	const char *path = path_in_dir("config.json");

	write_text(path, text);
	ecm_error_init(err);
	return ecm_config_load_file(cfg, path, err);
}

static void
expect_invalid(const char *text, const char *key)
{
	ecm_config cfg;
	ecm_error err;

	assert_int_equal(load_text(text, &cfg, &err), ECM_CONFIG_INVALID);
	assert_non_null(strstr(err.message, "config.json"));
	if (key != NULL) {
		assert_non_null(err.details);
		assert_string_equal(cJSON_GetObjectItem(err.details, "key")->valuestring, key);
		assert_non_null(strstr(err.message, key));
	}
	ecm_error_clear(&err);
	ecm_config_free(&cfg);
}

static void
good_file_loads_every_setting(void **state)
{
	ecm_config cfg;
	ecm_error err;

	(void)state;
	assert_int_equal(load_text("{\"est_url\":\"https://ra.example/.well-known/est\","
				   "\"api_url\":\"https://api.example/v1\",\"ra_ca_file\":\"ca.pem\","
				   "\"revoke_url\":\"https://ra.example/revoke\",\"key_type\":\"p256\","
				   "\"pkcs12_iterations\":10000,\"backup_dir\":\"~/certs\","
				   "\"allowed_callers\":[\"chrome-extension://abc/\",\"x@y\"]}",
			     &cfg, &err),
	    ECM_OK);
	assert_string_equal(cfg.api_url, "https://api.example/v1");
	assert_string_equal(cfg.ra_ca_file, path_in_dir("ca.pem")); /* relative to the file */
	assert_int_equal(cfg.key_type, ECM_KEY_P256);
	assert_int_equal(cfg.pkcs12_iterations, 10000);
	assert_string_equal(cfg.backup_dir, path_in_dir("certs"));
	assert_true(ecm_config_allows_caller(&cfg, "x@y"));
	assert_false(ecm_config_allows_caller(&cfg, ECM_FIREFOX_ID)); /* the list replaces the defaults */
	ecm_config_free(&cfg);
	ecm_error_clear(&err);
}

static void
defaults_allow_our_extensions_and_use_home(void **state)
{
	ecm_config cfg;

	(void)state;
	ecm_config_defaults(&cfg);
	assert_true(ecm_config_allows_caller(&cfg, ECM_CHROME_ORIGIN));
	assert_true(ecm_config_allows_caller(&cfg, ECM_FIREFOX_ID));
	assert_false(ecm_config_allows_caller(&cfg, "chrome-extension://evil/"));
	assert_false(ecm_config_allows_caller(&cfg, NULL));
	assert_string_equal(cfg.backup_dir, dir);
	assert_int_equal(cfg.key_type, ECM_KEY_RSA2048);
	ecm_config_free(&cfg);
}

static void
bad_files_name_file_and_key(void **state)
{
	(void)state;
	expect_invalid("{not json", NULL);
	expect_invalid("[1]", NULL);
	expect_invalid("{\"est_url\":\"http://plain.example/est\"}", "est_url");
	expect_invalid("{\"key_type\":\"rsa1024\"}", "key_type");
	expect_invalid("{\"pkcs12_iterations\":12}", "pkcs12_iterations");
	expect_invalid("{\"pkcs12_iterations\":\"many\"}", "pkcs12_iterations");
	expect_invalid("{\"est_ur\":\"https://x\"}", "est_ur");
	expect_invalid("{\"allowed_callers\":[\"chrome-extension://abc\"]}", "allowed_callers");
	expect_invalid("{\"allowed_callers\":\"x@y\"}", "allowed_callers");
	expect_invalid("{\"api_url\":\"https://a\",\"ra_ca_file\":\"ca.pem\"}", "est_url");
	expect_invalid("{\"est_url\":\"https://a\",\"api_url\":\"https://a\",\"ra_ca_file\":\"missing.pem\"}",
	    "ra_ca_file");
}

#define PROFILE_RA "\"est_url\":\"https://ra.example/est\",\"api_url\":\"https://ra.example/v1\",\"ra_ca_file\":\"ca.pem\""
#define PROFILE_NAME "\"name\":{\"zh-TW\":\"甲證券\",\"en\":\"Broker A\"}"

/* A broker profile: read by the same readers, into a configuration with the global settings of globals. */
static ecm_code
load_profile(const char *text, ecm_config *cfg, ecm_error *err)
{
	const char *path = path_in_dir("brka.json");
	ecm_config globals;
	ecm_code rc;

	write_text(path, text);
	ecm_config_defaults(&globals);
	globals.pkcs12_iterations = 4096;
	ecm_error_init(err);
	rc = ecm_config_load_profile(cfg, path, &globals, err);
	ecm_config_free(&globals);
	return rc;
}

static void
expect_bad_profile(const char *text, const char *key)
{
	ecm_config cfg;
	ecm_error err;

	assert_int_equal(load_profile(text, &cfg, &err), ECM_BROKER_PROFILE_INVALID);
	assert_string_equal(cJSON_GetObjectItem(err.details, "file")->valuestring, path_in_dir("brka.json"));
	assert_string_equal(cJSON_GetObjectItem(err.details, "key")->valuestring, key);
	ecm_error_clear(&err);
}

static void
broker_profiles(void **state)
{
	static const unsigned char png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13 };
	ecm_config cfg;
	ecm_error err;
	FILE *f;

	(void)state;
	assert_non_null(f = fopen(path_in_dir("icon.png"), "wb"));
	fwrite(png, 1, sizeof(png), f);
	fclose(f);
	assert_int_equal(load_profile("{\"id\":\"brk-a1\"," PROFILE_NAME "," PROFILE_RA ",\"subject_ou\":\"RA-brka\","
				      "\"renew_days\":45,\"icon\":\"icon.png\",\"sign_origins\":[\"https://a.example\"]}",
			     &cfg, &err),
	    ECM_OK);
	assert_string_equal(cfg.broker_id, "brk-a1");
	assert_string_equal(cfg.name_zh, "甲證券");
	assert_string_equal(cfg.name_en, "Broker A");
	assert_string_equal(cfg.subject_ou, "RA-brka");
	assert_int_equal(cfg.renew_days, 45);
	assert_string_equal(cfg.icon_file, path_in_dir("icon.png")); /* beside the profile */
	assert_int_equal(cfg.pkcs12_iterations, 4096);                /* the global settings' */
	assert_true(ecm_config_allows_sign_origin(&cfg, "https://a.example"));
	ecm_config_free(&cfg);
	ecm_error_clear(&err);

	expect_bad_profile("{" PROFILE_NAME "," PROFILE_RA "}", "id");
	expect_bad_profile("{\"id\":\"Brka\"," PROFILE_NAME "," PROFILE_RA "}", "id");
	expect_bad_profile("{\"id\":\"-brka\"," PROFILE_NAME "," PROFILE_RA "}", "id");
	expect_bad_profile("{\"id\":\"a23456789012345678901234567890123\"," PROFILE_NAME "," PROFILE_RA "}", "id");
	expect_bad_profile("{\"id\":\"brka\"," PROFILE_RA "}", "name");
	expect_bad_profile("{\"id\":\"brka\",\"name\":{\"zh-TW\":\"甲\"}," PROFILE_RA "}", "name");
	expect_bad_profile("{\"id\":\"brka\",\"name\":{\"zh-TW\":\"甲\",\"en\":\"\"}," PROFILE_RA "}", "name");
	expect_bad_profile("{\"id\":\"brka\"," PROFILE_NAME "}", "est_url");
	expect_bad_profile("{\"id\":\"brka\"," PROFILE_NAME "," PROFILE_RA ",\"renew_days\":0}", "renew_days");
	expect_bad_profile("{\"id\":\"brka\"," PROFILE_NAME "," PROFILE_RA ",\"icon\":\"ca.pem\"}", "icon");
	/* the global settings stay in the configuration file */
	expect_bad_profile("{\"id\":\"brka\"," PROFILE_NAME "," PROFILE_RA ",\"backup_dir\":\"~\"}", "backup_dir");
	expect_bad_profile("{\"id\":\"brka\"," PROFILE_NAME "," PROFILE_RA ",\"broker_id\":\"x\"}", "broker_id");
	/* and a profile's own keys are not the configuration file's */
	expect_invalid("{\"id\":\"brka\"}", "id");
}

/* The configuration file with an RA is one broker: broker_id and broker_name, else the defaults. */
static void
legacy_file_is_one_broker(void **state)
{
	ecm_config main, cfg;
	ecm_error err;

	(void)state;
	assert_int_equal(load_text("{" PROFILE_RA ",\"broker_id\":\"old\",\"subject_ou\":\"RA-old\"}", &main, &err), ECM_OK);
	assert_int_equal(ecm_config_legacy_profile(&cfg, &main, &err), ECM_OK);
	assert_string_equal(cfg.broker_id, "old");
	assert_string_equal(cfg.name_en, "e-Cert Manager");
	assert_string_equal(cfg.subject_ou, "RA-old");
	assert_string_equal(cfg.est_url, "https://ra.example/est");
	ecm_config_drop_broker(&main);
	assert_null(main.est_url);
	assert_null(main.broker_id);
	ecm_config_free(&cfg);
	ecm_config_free(&main);
	ecm_error_clear(&err);
	expect_invalid("{\"broker_name\":{\"en\":\"x\"}}", "broker_name");
}

/* sign_origins: only what a browser reports as a page's origin; anything else names the entry. */
static void
sign_origins_only_what_a_browser_reports(void **state)
{
	static const char *const good[] = { "https://trade.broker.example", "https://127.0.0.1:8443",
		"https://a-b.example:1", "https://x.example:65535", "https://[::1]:8443", "https://xn--p8s937b.tw" };
	static const char *const bad[] = { "https://a.example:443", "https://a.example:99999", "https://a.example:abc",
		"https://a:b:c", "https://a.example:0", "https://..a", "https://a.example.", "https://a..example",
		"https://-a.example", "https://a.example:", "https://a.example:08443", "https://u@a.example",
		"https://a.example/", "https://a.example?x", "https://a.example#x", "https://A.example", "http://127.0.0.1",
		"https://999.1.1.1", "https://1.2.3.4.5", "https://a.example:+80", "https://", "" };
	char text[256];
	ecm_config cfg;
	ecm_error err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(text, sizeof(text), "{\"sign_origins\":[\"%s\"]}", good[i]);
		assert_int_equal(load_text(text, &cfg, &err), ECM_OK);
		assert_true(ecm_config_allows_sign_origin(&cfg, good[i]));
		ecm_config_free(&cfg);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "{\"sign_origins\":[\"https://ok.example\",\"%s\"]}", bad[i]);
		assert_int_equal(load_text(text, &cfg, &err), ECM_CONFIG_INVALID);
		assert_string_equal(cJSON_GetObjectItem(err.details, "entry")->valuestring, bad[i]);
		assert_non_null(strstr(err.message, "sign_origins"));
		ecm_error_clear(&err);
		ecm_config_free(&cfg);
	}
}

static void
missing_file_is_named(void **state)
{
	ecm_config cfg;
	ecm_error err;

	(void)state;
	ecm_error_init(&err);
	assert_int_equal(ecm_config_load_file(&cfg, "/nonexistent/ecm.json", &err), ECM_CONFIG_INVALID);
	assert_non_null(strstr(err.message, "/nonexistent/ecm.json"));
	ecm_error_clear(&err);
	ecm_config_free(&cfg);
}

static void
env_beats_user_file(void **state)
{
	ecm_config cfg;
	ecm_error err;

	(void)state;
	assert_int_equal(system("mkdir -p \"$HOME/.config/ecert-manager\""), 0);
	write_text(path_in_dir(".config/ecert-manager/config.json"), "{\"key_type\":\"rsa3072\"}");
	write_text(path_in_dir("env.json"), "{\"key_type\":\"p256\"}");
	ecm_error_init(&err);
	unsetenv("ECM_CONFIG");
	assert_int_equal(ecm_config_load(&cfg, &err), ECM_OK);
	assert_int_equal(cfg.key_type, ECM_KEY_RSA3072);
	ecm_config_free(&cfg);
	setenv("ECM_CONFIG", path_in_dir("env.json"), 1);
	assert_int_equal(ecm_config_load(&cfg, &err), ECM_OK);
	assert_int_equal(cfg.key_type, ECM_KEY_P256);
	ecm_config_free(&cfg);
	unsetenv("ECM_CONFIG");
	ecm_error_clear(&err);
}

static void
remember_code(const char *json, size_t len, void *user)
{
	cJSON *reply = cJSON_ParseWithLength(json, len);
	const cJSON *code = cJSON_GetObjectItem(cJSON_GetObjectItem(reply, "error"), "code");

	snprintf(user, 64, "%s", cJSON_IsString(code) ? code->valuestring : "");
	cJSON_Delete(reply);
}

static void
login_commands_refuse_before_login_when_configured(void **state)
{
	const ecm_command *c;
	ecm_error err;
	ecm_core *core;
	size_t i;

	(void)state;
	write_text(path_in_dir("ok.json"), "{\"est_url\":\"https://127.0.0.1:9/est\",\"api_url\":\"https://127.0.0.1:9/api\","
					   "\"ra_ca_file\":\"ca.pem\"}");
	setenv("ECM_CONFIG", path_in_dir("ok.json"), 1);
	ecm_error_init(&err);
	core = ecm_core_new(&err);
	assert_non_null(core);
	for (i = 0; (c = ecm_command_at(i, NULL)) != NULL; i++) {
		char req[160], code[64] = "";
		if (!(c->flags & ECM_CMD_NEEDS_LOGIN))
			continue;
		snprintf(req, sizeof(req), "{\"id\":1,\"cmd\":\"%s\"}", c->name);
		ecm_core_handle(core, req, strlen(req), remember_code, code);
		assert_string_equal(code, "NOT_LOGGED_IN");
	}
	ecm_core_free(core);
	unsetenv("ECM_CONFIG");
}

/* A bad file applies nothing of itself, whatever the order of its keys. */
static void
bad_file_applies_nothing(void **state)
{
	static const char *const files[] = {
		"{\"allowed_callers\":[\"evil@example.org\"],\"bogus\":1}",
		"{\"bogus\":1,\"allowed_callers\":[\"evil@example.org\"]}",
		"{\"allowed_callers\":[\"evil@example.org\"],\"key_type\":\"p256\",\"backup_dir\":\"/evil\","
		"\"pkcs12_iterations\":1e300}",
		"{\"allowed_callers\":[\"evil@example.org\"]} trailing",
		"{\"allowed_callers\":[\"evil@example.org\"],\"est_url\":\"https://a\"}",
	};
	ecm_config cfg;
	ecm_error err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		assert_int_equal(load_text(files[i], &cfg, &err), ECM_CONFIG_INVALID);
		assert_false(ecm_config_allows_caller(&cfg, "evil@example.org"));
		assert_true(ecm_config_allows_caller(&cfg, ECM_CHROME_ORIGIN));
		assert_true(ecm_config_allows_caller(&cfg, ECM_FIREFOX_ID));
		assert_int_equal(cfg.key_type, ECM_KEY_RSA2048);
		assert_int_equal(cfg.pkcs12_iterations, 600000);
		assert_string_equal(cfg.backup_dir, dir);
		assert_null(cfg.est_url);
		assert_string_equal(cfg.source, path_in_dir("config.json")); /* hello still names the file */
		ecm_error_clear(&err);
		ecm_config_free(&cfg);
	}
}

/* Numbers far outside long's range are refused before any cast (a cast would be undefined behaviour:
 * -fsanitize=float-cast-overflow in the sanitizer build stops on it). */
static void
numbers_out_of_range_are_refused(void **state)
{
	(void)state;
	expect_invalid("{\"pkcs12_iterations\":1e300}", "pkcs12_iterations");
	expect_invalid("{\"pkcs12_iterations\":-1e300}", "pkcs12_iterations");
	expect_invalid("{\"connect_timeout_s\":9.3e18}", "connect_timeout_s");
	expect_invalid("{\"request_timeout_s\":1e999}", "request_timeout_s");
	expect_invalid("{\"request_timeout_s\":2.5}", "request_timeout_s");
}

/* A file that is not one JSON object in UTF-8 is refused as a whole. */
static void
file_must_be_one_utf8_object(void **state)
{
	(void)state;
	expect_invalid("{\"key_type\":\"p256\"} {}", NULL);
	expect_invalid("{\"backup_dir\":\"/tmp/\xff\"}", NULL);
	expect_invalid("{\"backup_dir\":\"/tmp/a\\u0000b\"}", NULL);
}

/* With a bad file the host serves hello (reporting the error) and refuses everything else, to the built-in
 * callers only. */
static void
core_with_bad_file_serves_only_hello(void **state)
{
	static const char *const refused[] = { "logout", "stores", "query", "login", "pick_file" };
	char code[64], req[160];
	ecm_error err;
	ecm_core *core;
	size_t i;

	(void)state;
	write_text(path_in_dir("bad.json"), "{\"allowed_callers\":[\"evil@example.org\"],\"bogus\":1}");
	setenv("ECM_CONFIG", path_in_dir("bad.json"), 1);
	ecm_error_init(&err);
	core = ecm_core_new(&err);
	assert_non_null(core);
	assert_false(ecm_core_caller_allowed(core, "evil@example.org"));
	assert_true(ecm_core_caller_allowed(core, ECM_CHROME_ORIGIN));
	code[0] = '\0';
	snprintf(req, sizeof(req), "{\"id\":1,\"cmd\":\"hello\"}");
	ecm_core_handle(core, req, strlen(req), remember_code, code);
	assert_string_equal(code, "");
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		snprintf(req, sizeof(req), "{\"id\":1,\"cmd\":\"%s\"}", refused[i]);
		ecm_core_handle(core, req, strlen(req), remember_code, code);
		assert_string_equal(code, "CONFIG_INVALID");
	}
	ecm_core_free(core);
	unsetenv("ECM_CONFIG");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_file_loads_every_setting),
		cmocka_unit_test(defaults_allow_our_extensions_and_use_home),
		cmocka_unit_test(bad_files_name_file_and_key),
		cmocka_unit_test(broker_profiles),
		cmocka_unit_test(legacy_file_is_one_broker),
		cmocka_unit_test(sign_origins_only_what_a_browser_reports),
		cmocka_unit_test(missing_file_is_named),
		cmocka_unit_test(env_beats_user_file),
		cmocka_unit_test(login_commands_refuse_before_login_when_configured),
		cmocka_unit_test(bad_file_applies_nothing),
		cmocka_unit_test(numbers_out_of_range_are_refused),
		cmocka_unit_test(file_must_be_one_utf8_object),
		cmocka_unit_test(core_with_bad_file_serves_only_hello),
	};
	return cmocka_run_group_tests_name("config", tests, setup, teardown);
}
