/* Well-formed UTF-8 per Unicode 15, table 3-7. No library we link offers this for C strings. */
#include <stdlib.h>
#include <string.h>

#include "ecm/utf8.h"

static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */

/* The length (1..4) of the well-formed sequence at s (avail bytes there), or 0 when it is ill-formed. */
static size_t
sequence_length(const unsigned char *s, size_t avail)
{
	unsigned char lo = 0x80, hi = 0xBF;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		n = 2;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		n = 3;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		n = 4;
	else
		return 0;
	if (s[0] == 0xE0)
		lo = 0xA0; /* overlong */
	else if (s[0] == 0xED)
		hi = 0x9F; /* surrogates */
	else if (s[0] == 0xF0)
		lo = 0x90; /* overlong */
	else if (s[0] == 0xF4)
		hi = 0x8F; /* past U+10FFFF */
	if (avail < n || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return n;
}

int
ecm_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;

	while (i < len) {
		n = sequence_length(p + i, len - i);
		if (n == 0)
			return 0;
		i += n;
	}
	return 1;
}

int
ecm_utf8_prec(const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strnlen(s, max + 4), i = 0, n;

	if (max > 0x7fffffff)
		max = 0x7fffffff;
	while (i < len) {
		n = sequence_length(p + i, len - i);
		if (n == 0)
			n = 1; /* an ill-formed byte is one unit: whoever emits it replaces it */
		if (i + n > max)
			break;
		i += n;
	}
	return (int)i;
}

size_t
ecm_utf8_copy(char *dst, size_t cap, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t in = 0, out = 0, n;

	while (in < len) {
		n = sequence_length(p + in, len - in);
		const char *from = n ? s + in : replacement;
		size_t width = n ? n : sizeof(replacement) - 1;
		if (out + width >= cap)
			break;
		memcpy(dst + out, from, width);
		out += width;
		in += n ? n : 1;
	}
	dst[out] = '\0';
	return out;
}

char *
ecm_utf8_dup(const char *s)
{
	size_t len = strlen(s), cap = len * 3 + 1; /* every byte may become U+FFFD */
	char *out = malloc(cap);

	if (out != NULL)
		ecm_utf8_copy(out, cap, s, len);
	return out;
}
