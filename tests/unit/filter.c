/* Linked into every unit test: ECM_TEST=PATTERN runs only the cases whose name matches (cmocka's * and ?), e.g.
 * ECM_TEST='*pfx*' build/tests/test_crypto. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

__attribute__((constructor)) static void
only_named_tests(void)
{
	const char *pattern = getenv("ECM_TEST");

	if (pattern != NULL && pattern[0] != '\0')
		cmocka_set_test_filter(pattern);
}
