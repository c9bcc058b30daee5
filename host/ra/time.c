/* RA timestamps. Apart from the transport: commands read the times of answers they already hold. */
#include <string.h>
#include <time.h>

#include "ecm/ra.h"

long long
ecm_ra_parse_time(const char *iso)
{
	struct tm tm;
	const char *p;

	if (iso == NULL)
		return -1;
	memset(&tm, 0, sizeof(tm));
	p = strptime(iso, "%Y-%m-%dT%H:%M:%S", &tm);
	if (p == NULL)
		return -1;
	if (*p == '.') /* JavaScript's toISOString adds milliseconds */
		p += 1 + strspn(p + 1, "0123456789");
	if (*p != 'Z' || p[1] != '\0')
		return -1;
	return (long long)timegm(&tm);
}
