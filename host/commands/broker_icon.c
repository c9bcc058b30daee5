/* broker_icon: the request's broker's icon (its profile's `icon`, a PNG checked when the profile was read) as a
 * data: URL, for a page to show beside the broker's name. Encoded here in the engine, by OpenSSL: hello stays in
 * the light core and only says whether a broker has one. */
#include <stdlib.h>
#include <string.h>

#include "ecm/command.h"
#include "ecm/crypto.h"
#include "ecm/util.h"

#define ICON_MAX_BYTES (64u * 1024u) /* as the profile reader allows (host/core/config.c) */

/* "data:image/png;base64,…" of the bytes, without the encoder's line breaks; NULL when out of memory. */
static char *
png_data_url(const unsigned char *png, size_t len)
{
	static const char head[] = "data:image/png;base64,";
	size_t n = 0, i;
	char *b64 = ecm_base64_wrapped(png, len, &n), *url, *o;

	if (b64 == NULL || (url = malloc(sizeof(head) + n)) == NULL) {
		free(b64);
		return NULL;
	}
	memcpy(url, head, sizeof(head) - 1);
	for (o = url + sizeof(head) - 1, i = 0; i < n; i++)
		if (b64[i] != '\n')
			*o++ = b64[i];
	*o = '\0';
	free(b64);
	return url;
}

static ecm_code
run_broker_icon(ecm_ctx *ctx, const cJSON *args, cJSON *result, ecm_error *err)
{
	unsigned char *png = NULL;
	size_t len = 0;
	char *url;
	ecm_code rc;

	(void)args;
	if (ctx->config->icon_file == NULL) {
		cJSON_AddNullToObject(result, "data_url");
		return ECM_OK;
	}
	if ((rc = ecm_read_file(ctx->config->icon_file, ICON_MAX_BYTES, &png, &len, err)) != ECM_OK)
		return rc;
	url = png_data_url(png, len);
	free(png);
	if (url == NULL)
		return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	cJSON_AddStringToObject(result, "data_url", url);
	free(url);
	return ECM_OK;
}

const ecm_command ecm_cmd_broker_icon = { "broker_icon", run_broker_icon, ECM_CMD_NEEDS_BROKER, NULL };
