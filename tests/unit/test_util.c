/* Error table, ID checksum, secret memory, atomic writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ecm/error.h"
#include "ecm/secmem.h"
#include "ecm/session.h"
#include "ecm/util.h"

static void
every_code_is_documented_in_protocol_md(void **state)
{
	unsigned char *doc;
	size_t len;
	ecm_error err;
	int code;

	(void)state;
	ecm_error_init(&err);
	assert_int_equal(ecm_read_file("docs/protocol.md", 1 << 20, &doc, &len, &err), ECM_OK);
	for (code = 1; code < ECM_CODE_COUNT; code++) {
		char row[64];
		snprintf(row, sizeof(row), "| `%s` |", ecm_code_name((ecm_code)code));
		if (strstr((char *)doc, row) == NULL)
			fail_msg("%s is missing from docs/protocol.md's error table", ecm_code_name((ecm_code)code));
	}
	free(doc);
}

static void
code_names_are_stable(void **state)
{
	(void)state;
	assert_string_equal(ecm_code_name(ECM_BAD_REQUEST), "BAD_REQUEST");
	assert_string_equal(ecm_code_name(ECM_CALLER_NOT_ALLOWED), "CALLER_NOT_ALLOWED");
	assert_string_equal(ecm_code_name((ecm_code)9999), "INTERNAL");
}

static void
national_id_checksum(void **state)
{
	(void)state;
	assert_true(ecm_national_id_valid("A123456789"));
	assert_true(ecm_national_id_valid("F131104093"));
	assert_false(ecm_national_id_valid("A123456788"));
	assert_false(ecm_national_id_valid("a123456789"));
	assert_false(ecm_national_id_valid("A12345678"));
	assert_false(ecm_national_id_valid("A323456789"));
	assert_false(ecm_national_id_valid(NULL));
	/* resident certificates: new (8/9) and old (second letter A-D), the same vectors as extension/lib/twid.js */
	assert_true(ecm_national_id_valid("A800000005"));
	assert_true(ecm_national_id_valid("AC01234567"));
	assert_true(ecm_national_id_valid("FA12345670"));
	assert_false(ecm_national_id_valid("AC01234568"));
	assert_false(ecm_national_id_valid("AE01234567"));
	assert_false(ecm_national_id_valid("Ac01234567"));
}

static void
secrets_round_trip(void **state)
{
	char *s = ecm_secret_dup("Demo1234");

	(void)state;
	assert_string_equal(s, "Demo1234");
	ecm_secret_free(s);
	ecm_secret_free(NULL);
}

static void
atomic_write_refuses_overwrite_and_sets_0600(void **state)
{
	char dir[] = "/tmp/ecm-util-test.XXXXXX", path[128], cmd[160];
	unsigned char *back;
	struct stat st;
	size_t len;
	ecm_error err;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out.pfx", dir);
	ecm_error_init(&err);
	assert_int_equal(ecm_write_file_atomic(path, "first", 5, 0, &err), ECM_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(ecm_write_file_atomic(path, "second", 6, 0, &err), ECM_FILE_EXISTS);
	ecm_error_clear(&err);
	assert_int_equal(ecm_read_file(path, 100, &back, &len, &err), ECM_OK);
	assert_memory_equal(back, "first", 5); /* untouched */
	free(back);
	assert_int_equal(ecm_write_file_atomic(path, "second", 6, 1, &err), ECM_OK);
	assert_int_equal(ecm_read_file(path, 100, &back, &len, &err), ECM_OK);
	assert_int_equal(len, 6);
	free(back);
	snprintf(path, sizeof(path), "%s/no-such-dir/out.pfx", dir);
	assert_int_equal(ecm_write_file_atomic(path, "x", 1, 0, &err), ECM_FILE_WRITE_FAILED);
	ecm_error_clear(&err);
	snprintf(cmd, sizeof(cmd), "test $(ls -A '%s' | wc -l) -eq 1 && rm -rf '%s'", dir, dir);
	assert_int_equal(system(cmd), 0); /* no temp file left behind */
}

static void
mkdirs_creates_nested_folders(void **state)
{
	char dir[] = "/tmp/ecm-mkdirs.XXXXXX", path[128], cmd[64];
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a/b/c", dir);
	assert_int_equal(ecm_mkdirs(path, 0700), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_code_is_documented_in_protocol_md),
		cmocka_unit_test(code_names_are_stable),
		cmocka_unit_test(national_id_checksum),
		cmocka_unit_test(secrets_round_trip),
		cmocka_unit_test(atomic_write_refuses_overwrite_and_sets_0600),
		cmocka_unit_test(mkdirs_creates_nested_folders),
	};
	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
