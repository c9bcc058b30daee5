/* UTF-8 for everything the host emits: the browsers replace broken sequences with U+FFFD, and the protocol
 * promises UTF-8 JSON. One set of helpers, used by error messages, details and the reply printer. */
#ifndef ECM_UTF8_H
#define ECM_UTF8_H

#include <stddef.h>

/* Whether s[0..len) is well-formed UTF-8 (no overlong forms, no surrogates, nothing past U+10FFFF). */
int ecm_utf8_valid(const char *s, size_t len);
/* The most bytes of the NUL-terminated s, at most max, that end on a character boundary: for "%.*s". */
int ecm_utf8_prec(const char *s, size_t max);
/* Copies s[0..len) to dst (cap bytes, cap > 0) as valid UTF-8: every ill-formed byte becomes U+FFFD, and a
 * copy that does not fit ends at a character boundary. Always NUL-terminated; returns the bytes written. */
size_t ecm_utf8_copy(char *dst, size_t cap, const char *s, size_t len);
/* A malloc'd valid-UTF-8 copy of the NUL-terminated s (ill-formed bytes replaced); NULL when out of memory. */
char *ecm_utf8_dup(const char *s);

#endif
