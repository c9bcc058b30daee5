/* host/core/path.c and util.c: what a path means on each OS (absolute, its folder), where a path the user typed
 * lands (ecm_user_path, ecm_cwd_path), what a failed write is called (ecm_write_reason), and the write probe of
 * step 0 (ecm_probe_write) leaving nothing behind. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ecm/util.h"

/* The three OSes' absolute forms, with the rules of each, whatever this build is. */
static void
absolute_on_every_os(void **state)
{
	(void)state;
	assert_true(ecm_path_absolute_in(ECM_PATH_POSIX, "/etc/x"));
	assert_false(ecm_path_absolute_in(ECM_PATH_POSIX, "C:\\x"));
	assert_false(ecm_path_absolute_in(ECM_PATH_POSIX, "\\\\server\\x"));
	assert_false(ecm_path_absolute_in(ECM_PATH_POSIX, "x/y"));
	assert_false(ecm_path_absolute_in(ECM_PATH_POSIX, "~/x"));
	assert_false(ecm_path_absolute_in(ECM_PATH_POSIX, NULL));
	assert_true(ecm_path_absolute_in(ECM_PATH_WINDOWS, "C:\\ecm\\ca.pem"));
	assert_true(ecm_path_absolute_in(ECM_PATH_WINDOWS, "c:/ecm/ca.pem"));
	assert_true(ecm_path_absolute_in(ECM_PATH_WINDOWS, "\\\\server\\share\\ca.pem"));
	assert_true(ecm_path_absolute_in(ECM_PATH_WINDOWS, "/x"));
	assert_false(ecm_path_absolute_in(ECM_PATH_WINDOWS, "C:ca.pem")); /* relative to drive C's folder */
	assert_false(ecm_path_absolute_in(ECM_PATH_WINDOWS, "ecm\\ca.pem"));
	assert_false(ecm_path_absolute_in(ECM_PATH_WINDOWS, "1:\\x"));
#ifdef _WIN32
	assert_true(ecm_path_is_absolute("C:\\x"));
#else
	assert_false(ecm_path_is_absolute("C:\\x"));
	assert_true(ecm_path_is_absolute("/x"));
#endif
}

static void
expect_dir(ecm_path_rules r, const char *path, const char *want)
{
	char *dir = ecm_path_dir_in(r, path);

	if (want == NULL) {
		assert_null(dir);
		return;
	}
	assert_non_null(dir);
	assert_string_equal(dir, want);
	free(dir);
}

static void
folder_on_every_os(void **state)
{
	(void)state;
	expect_dir(ECM_PATH_POSIX, "/etc/ecm/config.json", "/etc/ecm");
	expect_dir(ECM_PATH_POSIX, "/config.json", "/");
	expect_dir(ECM_PATH_POSIX, "a/b", "a");
	expect_dir(ECM_PATH_POSIX, "config.json", NULL);
	expect_dir(ECM_PATH_POSIX, "C:\\ecm\\config.json", NULL); /* one file name on POSIX */
	expect_dir(ECM_PATH_WINDOWS, "C:\\ProgramData\\ecm\\config.json", "C:\\ProgramData\\ecm");
	expect_dir(ECM_PATH_WINDOWS, "C:\\config.json", "C:\\");
	expect_dir(ECM_PATH_WINDOWS, "C:/a/config.json", "C:/a");
	expect_dir(ECM_PATH_WINDOWS, "\\\\server\\share\\ecm\\config.json", "\\\\server\\share\\ecm");
	expect_dir(ECM_PATH_WINDOWS, "\\\\server\\share\\config.json", "\\\\server\\share\\");
	expect_dir(ECM_PATH_WINDOWS, "a\\b/c", "a\\b");
	expect_dir(ECM_PATH_WINDOWS, "config.json", NULL);
	assert_string_equal(ecm_base_name("/a/b.pfx"), "b.pfx");
	assert_string_equal(ecm_base_name("b.pfx"), "b.pfx");
}

static void
user_paths_are_in_home(void **state)
{
	char *p;

	(void)state;
	setenv("HOME", "/home/u", 1);
	assert_string_equal(p = ecm_user_path("~"), "/home/u");
	free(p);
	assert_string_equal(p = ecm_user_path("~/a.pfx"), "/home/u/a.pfx");
	free(p);
	assert_string_equal(p = ecm_user_path("d/a.pfx"), "/home/u/d/a.pfx");
	free(p);
	assert_string_equal(p = ecm_user_path("/abs/a.pfx"), "/abs/a.pfx");
	free(p);
	assert_string_equal(p = ecm_user_path("~other/a.pfx"), "/home/u/~other/a.pfx"); /* no other users' homes */
	free(p);
	assert_string_equal(p = ecm_user_path("~"), "/home/u"); /* never a folder named "~" */
	free(p);
}

static void
cwd_paths_are_in_the_working_folder(void **state)
{
	char cwd[4096], want[4200], *p;

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(want, sizeof(want), "%s/x.pfx", cwd);
	assert_string_equal(p = ecm_cwd_path("x.pfx"), want);
	free(p);
	assert_string_equal(p = ecm_cwd_path("~/x.pfx"), "~/x.pfx");
	free(p);
}

static void
write_reasons(void **state)
{
	(void)state;
	assert_string_equal(ecm_write_reason(ENAMETOOLONG), "name_too_long");
	assert_string_equal(ecm_write_reason(ENOENT), "no_folder");
	assert_string_equal(ecm_write_reason(EROFS), "read_only");
	assert_string_equal(ecm_write_reason(EFBIG), "disk_full");
	assert_string_equal(ecm_write_reason(ENOSPC), "disk_full");
	assert_string_equal(ecm_write_reason(EIO), "io");
}

static void
probe_leaves_nothing(void **state)
{
	char dir[] = "/tmp/ecm-probe.XXXXXX", path[64], name[400];
	ecm_error err;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/b.pfx", dir);
	ecm_error_init(&err);
	assert_int_equal(ecm_probe_write(path, 4096, 0, &err), ECM_OK);
	assert_int_equal(rmdir(dir), 0); /* empty again: the temporary file is gone, no b.pfx */
	assert_int_equal(ecm_probe_write(path, 4096, 0, &err), ECM_FILE_WRITE_FAILED);
	ecm_error_clear(&err);
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	memcpy(name, "/tmp/", 5);
	ecm_error_init(&err);
	assert_int_equal(ecm_probe_write(name, 4096, 0, &err), ECM_FILE_WRITE_FAILED);
	ecm_error_clear(&err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(absolute_on_every_os),
		cmocka_unit_test(folder_on_every_os),
		cmocka_unit_test(user_paths_are_in_home),
		cmocka_unit_test(cwd_paths_are_in_the_working_folder),
		cmocka_unit_test(write_reasons),
		cmocka_unit_test(probe_leaves_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
