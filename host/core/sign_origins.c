/* The configuration's sign_origins: the broker web pages allowed to ask for a signature (`sign`). Exact origins
 * only, compared byte for byte with what the browser reports: no wildcards, no paths, so that a look-alike host
 * or a page under another path of a shared host never matches. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ecm/config.h"

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

/* "https://host" or "https://host:port" (http:// only for 127.0.0.1 / localhost, for development), lower-case,
 * nothing after the authority. */
static int
origin_valid(const char *o)
{
	const char *host, *p;

	if (strncmp(o, "https://", 8) == 0)
		host = o + 8;
	else if ((strncmp(o, "http://127.0.0.1", 16) == 0 || strncmp(o, "http://localhost", 16) == 0) &&
	    (o[16] == '\0' || o[16] == ':'))
		host = o + 7; /* exactly that host: not http://127.0.0.1.example */
	else
		return 0;
	if (*host == '\0' || *host == ':')
		return 0;
	for (p = host; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == ':'))
			return 0;
	return p[-1] != ':' && p[-1] != '.';
}

static ecm_code
bad(ecm_error *err, const char *file, const char *why)
{
	ecm_fail(err, ECM_CONFIG_INVALID, "%s: \"sign_origins\" %s", file, why);
	ecm_error_detail_str(err, "file", file);
	ecm_error_detail_str(err, "key", "sign_origins");
	return ECM_CONFIG_INVALID;
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
			return bad(err, file, "must hold origins like \"https://trade.broker.example\" (lower-case, no path)");
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
