/* What the protocol does not define is refused (BAD_REQUEST + details.field), and everything the host emits
 * is valid UTF-8 and at most 1 MiB. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "ecm/core.h"
#include "ecm/error.h"
#include "ecm/frame.h"
#include "ecm/utf8.h"

typedef struct {
	char *text; /* the last message */
	size_t len;
} last_message;

static void
keep(const char *json, size_t len, void *user)
{
	last_message *m = user;

	free(m->text);
	m->text = malloc(len + 1);
	assert_non_null(m->text);
	memcpy(m->text, json, len);
	m->text[len] = '\0';
	m->len = len;
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

/* Sends len bytes of request; returns the reply (caller deletes), after checking it is UTF-8 and in size. */
static cJSON *
send_bytes(void *core, const char *request, size_t len)
{
	last_message m = { NULL, 0 };
	cJSON *reply;

	ecm_core_handle(core, request, len, keep, &m);
	assert_non_null(m.text);
	assert_true(m.len <= ECM_FRAME_OUT_MAX);
	assert_true(ecm_utf8_valid(m.text, m.len));
	reply = cJSON_Parse(m.text);
	assert_non_null(reply);
	free(m.text);
	return reply;
}

static void
expect_refused(void *core, const char *request, size_t len, const char *field)
{
	cJSON *r = send_bytes(core, request, len);
	const cJSON *e = cJSON_GetObjectItem(r, "error");
	const cJSON *f = cJSON_GetObjectItem(cJSON_GetObjectItem(e, "details"), "field");

	if (!cJSON_IsString(f) || strcmp(f->valuestring, field) != 0)
		fail_msg("%s: field %s, want %s", request, cJSON_IsString(f) ? f->valuestring : "(none)", field);
	assert_string_equal(cJSON_GetObjectItem(e, "code")->valuestring, "BAD_REQUEST");
	cJSON_Delete(r);
}

#define REFUSED(core, literal, field) expect_refused(core, literal, sizeof(literal) - 1, field)

static void
text_that_is_not_one_utf8_json_value_is_refused(void **state)
{
	REFUSED(*state, "{\"id\":1,\"cmd\":\"hello\"} {\"id\":2,\"cmd\":\"hello\"}", "request");
	REFUSED(*state, "{\"id\":1,\"cmd\":\"hello\"}x", "request");
	REFUSED(*state, "{\"id\":1,\"cmd\":\"hello\"}\0junk", "request");
	REFUSED(*state, "{\"id\":\"\xff\",\"cmd\":\"hello\"}", "id");
	/* an overlong "/" as a key: named with each of its bytes replaced */
	REFUSED(*state, "{\"id\":1,\"cmd\":\"hello\",\"args\":{\"\xc0\xaf\":1}}", "\xef\xbf\xbd\xef\xbf\xbd");
	REFUSED(*state, "{\"id\":1,\"cmd\":\"import\",\"args\":{\"path\":\"/tmp/\xed\xa0\x80\"}}", "path");
	REFUSED(*state, "{\"id\":1,\"cmd\":\"login\",\"args\":{\"id\":\"A123456789\",\"password\":\"a\\u0000b\"}}",
	    "request");
	REFUSED(*state, "{\"id\":1,\"cmd\":\"hel\x01lo\"}", "request"); /* JSON has no raw control characters */
}

static void
ids_that_cannot_be_echoed_exactly_are_refused(void **state)
{
	char big[400];
	cJSON *r;

	REFUSED(*state, "{\"id\":1.5,\"cmd\":\"hello\"}", "id");
	REFUSED(*state, "{\"id\":9007199254740993,\"cmd\":\"hello\"}", "id");
	REFUSED(*state, "{\"id\":1e300,\"cmd\":\"hello\"}", "id");
	snprintf(big, sizeof(big), "{\"id\":\"%0300d\",\"cmd\":\"hello\"}", 7);
	expect_refused(*state, big, strlen(big), "id");
	/* what is accepted comes back digit for digit */
	r = send_bytes(*state, "{\"id\":9007199254740991,\"cmd\":\"hello\"}", 37);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(r, "ok")));
	cJSON_Delete(r);
	{
		last_message m = { NULL, 0 };
		ecm_core_handle(*state, "{\"id\":9007199254740991,\"cmd\":\"hello\"}", 37, keep, &m);
		assert_non_null(strstr(m.text, "\"id\":9007199254740991,"));
		free(m.text);
	}
}

static void
undeclared_or_wrongly_typed_arguments_are_refused(void **state)
{
	REFUSED(*state, "{\"id\":1,\"cmd\":\"hello\",\"cmd2\":\"x\"}", "cmd2");
	REFUSED(*state, "{\"id\":1,\"cmd\":\"hello\",\"id\":2}", "id");
	REFUSED(*state, "{\"id\":1,\"cmd\":\"hello\",\"args\":{\"verbose\":true}}", "verbose");
	REFUSED(*state, "{\"id\":1,\"cmd\":\"import\",\"args\":{\"pth\":\"/x.pfx\",\"password\":\"p\"}}", "pth");
	REFUSED(*state, "{\"id\":1,\"cmd\":\"query\",\"args\":{\"pfx\":{\"path\":\"/x\",\"pasword\":\"p\"}}}",
	    "pfx.pasword");
	REFUSED(*state, "{\"id\":1,\"cmd\":\"backup\",\"args\":{\"password\":\"12345678\",\"overwrite\":\"yes\"}}",
	    "overwrite");
	/* a field the command would not read here is still checked */
	REFUSED(*state, "{\"id\":1,\"cmd\":\"import\",\"args\":{\"path\":\"/x\",\"password\":\"p\",\"store_password\":5}}",
	    "store_password");
	REFUSED(*state, "{\"id\":1,\"cmd\":\"install\",\"args\":{\"stores\":[\"nss:pki\",3]}}", "stores");
	REFUSED(*state, "{\"id\":1,\"cmd\":\"install\",\"args\":{\"password_for\":{\"a\":\"1\",\"a\":\"2\"}}}",
	    "password_for");
	REFUSED(*state, "{\"id\":1,\"cmd\":\"cleanup\",\"args\":{\"serials\":[\"01\"],\"dry_run\":1}}", "dry_run");
	REFUSED(*state, "{\"id\":1,\"cmd\":\"backup\",\"args\":{\"password\":\"12345678\",\"password\":\"x\"}}",
	    "password");
}

/* A path longer than any file system takes is refused up front, and the reply is small. */
static void
over_long_arguments_are_refused(void **state)
{
	size_t n = 1200000;
	char *req = malloc(n + 100);
	int len;

	assert_non_null(req);
	len = snprintf(req, n + 100, "{\"id\":1,\"cmd\":\"import\",\"args\":{\"path\":\"/%0*d\",\"password\":\"p\"}}",
	    (int)n, 0);
	expect_refused(*state, req, (size_t)len, "path");
	free(req);
}

/* Error messages are cut on character boundaries: "憑" is three bytes, 64 is not a multiple of three. */
static void
emitted_text_is_cut_on_character_boundaries(void **state)
{
	char req[1024] = "{\"id\":1,\"cmd\":\"";
	cJSON *r;
	int i;

	for (i = 0; i < 100; i++)
		strcat(req, "\xe6\x86\x91");
	strcat(req, "\"}");
	r = send_bytes(*state, req, strlen(req)); /* send_bytes checks the UTF-8 */
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(r, "error"), "code")->valuestring,
	    "UNKNOWN_COMMAND");
	cJSON_Delete(r);
}

static void
error_messages_and_details_are_valid_utf8(void **state)
{
	char long_text[1000] = "";
	ecm_error err;
	int i;

	(void)state;
	for (i = 0; i < 200; i++)
		strcat(long_text, "\xe6\x86\x91");
	ecm_error_init(&err);
	ecm_fail(&err, ECM_RA_REJECTED, "RA: %s", long_text);
	assert_true(ecm_utf8_valid(err.message, strlen(err.message)));
	assert_true(strlen(err.message) >= sizeof(err.message) - 4);
	ecm_fail(&err, ECM_RA_REJECTED, "bad \xff byte \xe6\x86");
	assert_string_equal(err.message, "bad \xef\xbf\xbd byte \xef\xbf\xbd\xef\xbf\xbd");
	ecm_error_detail_str(&err, "path", "/tmp/\xfe");
	assert_string_equal(cJSON_GetObjectItem(err.details, "path")->valuestring, "/tmp/\xef\xbf\xbd");
	ecm_error_clear(&err);
}

static void
utf8_helpers(void **state)
{
	char out[8];

	(void)state;
	assert_true(ecm_utf8_valid("a\xe6\x86\x91\xf0\x9f\x98\x80", 8));
	assert_false(ecm_utf8_valid("\xe0\x80\xaf", 3));     /* overlong */
	assert_false(ecm_utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
	assert_false(ecm_utf8_valid("\xf4\x90\x80\x80", 4)); /* past U+10FFFF */
	assert_false(ecm_utf8_valid("\xe6\x86", 2));         /* cut */
	assert_int_equal(ecm_utf8_prec("ab\xe6\x86\x91", 4), 2);
	assert_int_equal(ecm_utf8_prec("ab\xe6\x86\x91", 5), 5);
	assert_int_equal(ecm_utf8_copy(out, sizeof(out), "ab\xe6\x86\x91\xe6\x86\x91", 8), 5);
	assert_string_equal(out, "ab\xe6\x86\x91");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(text_that_is_not_one_utf8_json_value_is_refused),
		cmocka_unit_test(ids_that_cannot_be_echoed_exactly_are_refused),
		cmocka_unit_test(undeclared_or_wrongly_typed_arguments_are_refused),
		cmocka_unit_test(over_long_arguments_are_refused),
		cmocka_unit_test(emitted_text_is_cut_on_character_boundaries),
		cmocka_unit_test(error_messages_and_details_are_valid_utf8),
		cmocka_unit_test(utf8_helpers),
	};
	return cmocka_run_group_tests_name("protocol", tests, setup, teardown);
}
