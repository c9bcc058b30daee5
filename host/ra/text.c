/* What an RA's answer says in words: its text kept for support staff (details.ra_message), and its media type.
 * The UTF-8 checker is a small one of our own for now: a shared truncation helper in host/core would replace it. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ra_int.h"

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlong forms, no surrogates, at most U+10FFFF), or 0. */
static size_t
utf8_sequence(const unsigned char *s, size_t left)
{
	size_t n, i;
	unsigned long cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (left < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

char *
ra_text_clip(const unsigned char *text, size_t len, size_t max)
{
	static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */
	char *out = malloc(max + 1);
	size_t i = 0, o = 0, n;

	if (out == NULL)
		return NULL;
	while (i < len) {
		n = utf8_sequence(text + i, len - i);
		if (n == 0) { /* one bad byte becomes one U+FFFD */
			if (o + 3 > max)
				break;
			memcpy(out + o, replacement, 3);
			o += 3;
			i++;
			continue;
		}
		if (o + n > max)
			break;
		if (n == 1 && (text[i] < 0x20 || text[i] == 0x7f) && text[i] != '\n')
			out[o] = ' '; /* no CR, escape or NUL reaches a UI or a log */
		else
			memcpy(out + o, text + i, n);
		o += n;
		i += n;
	}
	while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == '\n'))
		o--;
	out[o] = '\0';
	return out;
}

int
ra_content_type_is(const ra_reply *rp, const char *type)
{
	size_t n = strlen(type);
	const char *ct = rp->content_type;

	return strncasecmp(ct, type, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ' || ct[n] == '\t');
}
