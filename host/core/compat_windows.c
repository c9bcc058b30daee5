/* The POSIX functions mingw-w64 lacks (include/ecm/compat_windows.h). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ecm/compat_windows.h"

char *
strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *out = malloc(len + 1);

	if (out != NULL) {
		memcpy(out, s, len);
		out[len] = '\0';
	}
	return out;
}

void *
memmem(const void *haystack, size_t haystack_len, const void *needle, size_t needle_len)
{
	const unsigned char *h = haystack;
	size_t i;

	if (needle_len == 0)
		return (void *)h;
	for (i = 0; needle_len <= haystack_len && i <= haystack_len - needle_len; i++)
		if (memcmp(h + i, needle, needle_len) == 0)
			return (void *)(h + i);
	return NULL;
}

time_t
timegm(struct tm *tm)
{
	return _mkgmtime(tm);
}

/* Reads up to width digits into *out. */
static const char *
digits(const char *s, int width, int *out)
{
	int v = 0, n = 0;

	while (n < width && isdigit((unsigned char)s[n]))
		v = v * 10 + (s[n++] - '0');
	if (n == 0)
		return NULL;
	*out = v;
	return s + n;
}

/* The conversions the host uses (%Y %m %d %H %M %S, literal characters); anything else does not parse. */
char *
strptime(const char *s, const char *format, struct tm *tm)
{
	const char *f;
	int v = 0;

	for (f = format; *f != '\0' && s != NULL; f++) {
		if (*f != '%') {
			s = *s == *f ? s + 1 : NULL;
			continue;
		}
		switch (*++f) {
		case 'Y': s = digits(s, 4, &v); tm->tm_year = v - 1900; break;
		case 'm': s = digits(s, 2, &v); tm->tm_mon = v - 1; break;
		case 'd': s = digits(s, 2, &v); tm->tm_mday = v; break;
		case 'H': s = digits(s, 2, &v); tm->tm_hour = v; break;
		case 'M': s = digits(s, 2, &v); tm->tm_min = v; break;
		case 'S': s = digits(s, 2, &v); tm->tm_sec = v; break;
		default: return NULL;
		}
	}
	return (char *)s;
}

ssize_t
getline(char **line, size_t *cap, FILE *f)
{
	size_t len = 0;
	int c;

	if (*line == NULL || *cap == 0) {
		*cap = 128;
		if ((*line = malloc(*cap)) == NULL)
			return -1;
	}
	while ((c = fgetc(f)) != EOF) {
		if (len + 2 > *cap) {
			char *bigger = realloc(*line, *cap * 2);
			if (bigger == NULL)
				return -1;
			*line = bigger;
			*cap *= 2;
		}
		(*line)[len++] = (char)c;
		if (c == '\n')
			break;
	}
	(*line)[len] = '\0';
	return len > 0 ? (ssize_t)len : -1;
}
