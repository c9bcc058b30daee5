/* The Firefox profile lists (host/store/discover.c: profiles.ini and installs.ini) through ecm_stores_discover,
 * in an empty scratch HOME. The input is profiles.ini, then optionally a NUL byte and installs.ini (the reader
 * stops at a NUL anyway). Checked: discovery succeeds, store ids are unique, every path is absolute, and a
 * relative Path= never leaves the Firefox folder (no ".." component). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecm/store.h"
#include "ecm/util.h"
#include "fuzz_common.h"

static char home[4096], root[4096], profiles[4096], installs[4096];

/* The test's own reading of "..": a component of its own, written as "/../" inside or "/.." at the end. */
static int
has_dotdot(const char *rest)
{
	size_t n = strlen(rest);

	return strstr(rest, "/../") != NULL || (n >= 3 && strcmp(rest + n - 3, "/..") == 0);
}

static void
check_list(const ecm_store_list *list)
{
	size_t i, j, rl = strlen(root);

	for (i = 0; i < list->n; i++) {
		const ecm_store_info *s = &list->v[i];
		FUZZ_CHECK(s->id != NULL && s->path != NULL && s->browser != NULL, "every store is described");
		FUZZ_CHECK(s->path[0] == '/', "every store path is absolute, never against the working folder");
		FUZZ_CHECK(strncmp(s->path, root, rl) != 0 || s->path[rl] != '/' || !has_dotdot(s->path + rl),
		    "a profile under the Firefox folder stays there");
		for (j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(s->id, list->v[j].id) != 0, "store ids are unique");
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(home, sizeof(home), "%s", fuzz_path(fuzz_scratch("profiles"), "home"));
	snprintf(root, sizeof(root), "%s", fuzz_path(home, ".mozilla/firefox"));
	snprintf(profiles, sizeof(profiles), "%s", fuzz_path(root, "profiles.ini"));
	snprintf(installs, sizeof(installs), "%s", fuzz_path(root, "installs.ini"));
	FUZZ_CHECK(ecm_mkdirs(root, 0700) == 0, "the scratch Firefox folder can be made");
	setenv("HOME", home, 1);
	setenv("XDG_CONFIG_HOME", fuzz_path(home, ".config"), 1);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t first = nul != NULL ? (size_t)(nul - data) : size;
	ecm_store_list list;
	ecm_error err;

	fuzz_write_file(profiles, data, first);
	if (nul != NULL)
		fuzz_write_file(installs, nul + 1, size - first - 1);
	else
		remove(installs);
	ecm_error_init(&err);
	FUZZ_CHECK(ecm_stores_discover(&list, &err) == ECM_OK, "discovery succeeds whatever the lists say");
	check_list(&list);
	ecm_store_list_free(&list);
	ecm_error_clear(&err);
	return 0;
}
