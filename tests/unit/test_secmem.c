/* Secret memory and process hardening: pages left out of core images, no core dumps, no ptrace by other
 * processes of the user, and cJSON allocating through the wiping allocator. The whole-process proof (core
 * images searched after a real apply) is tests/host/secrets.t. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "ecm/secmem.h"

/* The VmFlags line of the /proc/self/smaps mapping that holds p ("" when not found). */
static void
vm_flags_of(const void *p, char *flags, size_t size)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	int inside = 0;

	flags[0] = '\0';
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned long from, to;
		if (sscanf(line, "%lx-%lx ", &from, &to) == 2 && strchr(line, '-') < strchr(line, ' '))
			inside = (uintptr_t)p >= from && (uintptr_t)p < to;
		else if (inside && strncmp(line, "VmFlags:", 8) == 0) {
			snprintf(flags, size, "%s", line + 8);
			break;
		}
	}
	fclose(f);
}

static void
secrets_live_in_pages_left_out_of_core_images(void **state)
{
	char *s = ecm_secret_dup("Pw-unit-secret"), flags[512];

	(void)state;
	assert_non_null(s);
	assert_string_equal(s, "Pw-unit-secret");
	vm_flags_of(s, flags, sizeof(flags));
	assert_non_null(strstr(flags, " dd")); /* MADV_DONTDUMP */
	ecm_secret_free(s);
}

static void
the_process_cannot_be_dumped_or_traced(void **state)
{
	struct rlimit core;

	(void)state;
	ecm_secure_process();
	assert_int_equal(getrlimit(RLIMIT_CORE, &core), 0);
	assert_int_equal(core.rlim_cur, 0);
	assert_int_equal(core.rlim_max, 0);
	assert_int_equal(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
}

/* cJSON allocates through the wiping allocator from before main: its blocks carry our header, so freeing one
 * with ecm_wipe_free works (with plain malloc underneath, free() would abort on the header). */
static void
cjson_allocates_through_the_wiping_allocator(void **state)
{
	cJSON *o = cJSON_CreateObject();
	char *text;

	(void)state;
	cJSON_AddStringToObject(o, "password", "Pw-unit-secret");
	text = cJSON_PrintUnformatted(o);
	assert_non_null(text);
	assert_string_equal(text, "{\"password\":\"Pw-unit-secret\"}");
	ecm_wipe_free(text);
	cJSON_Delete(o);
}

static void
wiping_realloc_keeps_the_content(void **state)
{
	char *p = ecm_wipe_malloc(4), *q;

	(void)state;
	assert_non_null(p);
	memcpy(p, "abc", 4);
	q = ecm_wipe_realloc(p, 1 << 20);
	assert_non_null(q);
	assert_string_equal(q, "abc");
	q = ecm_wipe_realloc(q, 2);
	assert_non_null(q);
	assert_memory_equal(q, "ab", 2);
	ecm_wipe_free(q);
	assert_null(ecm_wipe_calloc((size_t)-1, 16)); /* overflow refused */
	p = ecm_wipe_strdup("xyz");
	assert_string_equal(p, "xyz");
	ecm_wipe_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(secrets_live_in_pages_left_out_of_core_images),
		cmocka_unit_test(cjson_allocates_through_the_wiping_allocator),
		cmocka_unit_test(wiping_realloc_keeps_the_content),
		cmocka_unit_test(the_process_cannot_be_dumped_or_traced),
	};
	return cmocka_run_group_tests_name("secmem", tests, NULL, NULL);
}
