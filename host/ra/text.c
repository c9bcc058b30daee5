/* What an RA's answer says in words: its text kept for support staff (details.ra_message), and its media type.
 * Valid UTF-8 through the core's one set of helpers (ecm/utf8.h). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ecm/utf8.h"
#include "ra_int.h"

char *
ra_text_clip(const unsigned char *text, size_t len, size_t max)
{
	char *out = malloc(max + 1);
	size_t o, i;

	if (out == NULL)
		return NULL;
	o = ecm_utf8_copy(out, max + 1, (const char *)text, len);
	for (i = 0; i < o; i++)
		if (((unsigned char)out[i] < 0x20 || out[i] == 0x7f) && out[i] != '\n')
			out[i] = ' '; /* no CR, escape or NUL reaches a UI or a log */
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
