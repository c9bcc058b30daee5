/* The configuration's sign_origins: the broker web pages allowed to ask for a signature (`sign`). Exact origins
 * only, compared byte for byte with what the browser reports: no wildcards, no paths, so that a look-alike host
 * or a page under another path of a shared host never matches. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ecm/config.h"
#include "ecm/utf8.h"

#define SIGN_ORIGINS_MAX 64

void
ecm_config_free_sign_origins(ecm_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->sign_origins_count; i++)
		free(cfg->sign_origins[i]);
	free(cfg->sign_origins);
	cfg->sign_origins = NULL;
	cfg->sign_origins_count = 0;
}

static int
digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return n > 0;
}

/* A decimal number as a browser writes it: no sign, no leading zero, at most max. */
static int
number(const char *s, size_t n, long max)
{
	return digits(s, n) && n <= 5 && (n == 1 || s[0] != '0') && strtol(s, NULL, 10) <= max;
}

/* Four numbers 0-255: the only IPv4 form a browser reports. */
static int
ipv4(const char *h, size_t n)
{
	size_t i = 0, k, parts = 0;

	while (i <= n && parts < 5) {
		for (k = i; k < n && h[k] != '.'; k++)
			;
		if (!number(h + i, k - i, 255))
			return 0;
		parts++;
		i = k + 1;
	}
	return parts == 4;
}

/* "[…]": hex digits, ':' and '.' (browsers report IPv6 literals compressed and lower-case). */
static int
ipv6(const char *h, size_t n)
{
	size_t i, colons = 0;

	if (n < 4 || h[0] != '[' || h[n - 1] != ']')
		return 0;
	for (i = 1; i + 1 < n; i++) {
		if (h[i] == ':')
			colons++;
		else if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f') || h[i] == '.'))
			return 0;
	}
	return colons >= 2;
}

/* Lower-case DNS labels of 1-63 letters, digits and inner '-', no empty label (no leading, doubled or trailing
 * dot); a name ending in a numeric label is an IPv4 address or nothing. */
static int
dns_name(const char *h, size_t n)
{
	size_t i = 0, k, last = 0;

	if (n == 0 || n > 253)
		return 0;
	while (i <= n) {
		for (k = i; k < n && h[k] != '.'; k++)
			if (!((h[k] >= 'a' && h[k] <= 'z') || (h[k] >= '0' && h[k] <= '9') || h[k] == '-'))
				return 0;
		if (k == i || k - i > 63 || h[i] == '-' || h[k - 1] == '-')
			return 0;
		last = i;
		i = k + 1;
	}
	return !digits(h + last, n - last) || ipv4(h, n);
}

/* Only what a browser reports as a page's origin: "https://host" or "https://host:port", host a lower-case DNS
 * name or an IP literal, port 1-65535 and not the default 443 (a browser leaves that out), nothing else: no
 * userinfo, path, query or fragment. */
static int
origin_valid(const char *o)
{
	const char *host = o + 8, *colon;
	size_t n;

	if (strncmp(o, "https://", 8) != 0 || strpbrk(host, "/?#@\\") != NULL)
		return 0;
	colon = host[0] == '[' ? strchr(host, ']') : host;
	colon = colon != NULL ? strchr(colon, ':') : NULL;
	n = colon != NULL ? (size_t)(colon - host) : strlen(host);
	if (colon != NULL && (!number(colon + 1, strlen(colon + 1), 65535) || strcmp(colon + 1, "0") == 0 ||
	    strcmp(colon + 1, "443") == 0))
		return 0;
	return host[0] == '[' ? ipv6(host, n) : dns_name(host, n) || ipv4(host, n);
}

static ecm_code
bad(ecm_error *err, const char *file, const char *why)
{
	ecm_fail(err, ECM_CONFIG_INVALID, "%s: \"sign_origins\" %s", file, why);
	ecm_error_detail_str(err, "file", file);
	ecm_error_detail_str(err, "key", "sign_origins");
	return ECM_CONFIG_INVALID;
}

/* Names the entry, so that the person who wrote the file finds it. */
static ecm_code
bad_entry(ecm_error *err, const char *file, const cJSON *c)
{
	const char *v = cJSON_IsString(c) ? c->valuestring : "(not a string)";

	bad(err, file, "");
	ecm_error_detail_str(err, "entry", v);
	return ecm_fail(err, ECM_CONFIG_INVALID, "%s: \"sign_origins\" entry \"%.*s\" is not an origin a browser reports "
	    "(like \"https://trade.broker.example\" or \"https://127.0.0.1:8443\": https, lower-case host, a port other "
	    "than 443, no path)", file, ecm_utf8_prec(v, 200), v);
}

ecm_code
ecm_config_read_sign_origins(const cJSON *item, const char *file, ecm_config *cfg, ecm_error *err)
{
	const cJSON *c;
	size_t n = 0;

	if (!cJSON_IsArray(item))
		return bad(err, file, "must be a list of origins");
	cJSON_ArrayForEach(c, item) {
		if (!cJSON_IsString(c) || !origin_valid(c->valuestring))
			return bad_entry(err, file, c);
		if (++n > SIGN_ORIGINS_MAX)
			return bad(err, file, "has too many origins");
	}
	ecm_config_free_sign_origins(cfg);
	cfg->sign_origins = calloc(n ? n : 1, sizeof(char *));
	if (cfg->sign_origins == NULL)
		return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	cJSON_ArrayForEach(c, item) {
		if ((cfg->sign_origins[cfg->sign_origins_count] = strdup(c->valuestring)) == NULL)
			return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
		cfg->sign_origins_count++;
	}
	return ECM_OK;
}

int
ecm_config_allows_sign_origin(const ecm_config *cfg, const char *origin)
{
	size_t i;

	if (origin == NULL)
		return 0;
	for (i = 0; i < cfg->sign_origins_count; i++)
		if (strcmp(cfg->sign_origins[i], origin) == 0)
			return 1;
	return 0;
}
