/* Small helpers the enrollment commands share: credentials, the RA's clock and certificate records. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "enroll.h"

ecm_ra_auth
enroll_session_auth(const ecm_ctx *ctx)
{
	ecm_ra_auth auth = { ctx->session->national_id, ctx->session->password, NULL };

	return auth;
}

long long
enroll_ra_now(const ecm_ctx *ctx)
{
	const cJSON *now = cJSON_GetObjectItemCaseSensitive(ctx->session->account, "now");
	long long t = cJSON_IsString(now) ? ecm_ra_parse_time(now->valuestring) : -1;

	return t >= 0 ? t : (long long)time(NULL);
}

static void
copy_string(cJSON *to, const cJSON *from, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(from, key);

	if (cJSON_IsString(v))
		cJSON_AddStringToObject(to, key, v->valuestring);
}

/* Floor of (t - now) in days. */
static long long
days_until(long long t, long long now)
{
	long long d = t - now;

	return d >= 0 ? d / 86400 : -((-d + 86399) / 86400);
}

cJSON *
enroll_server_cert(const cJSON *ra_cert, long long ra_now)
{
	static const char *const keys[] = { "serial", "status", "cn", "device", "not_before", "not_after" };
	const cJSON *cn = cJSON_GetObjectItemCaseSensitive(ra_cert, "cn");
	const cJSON *na = cJSON_GetObjectItemCaseSensitive(ra_cert, "not_after");
	long long not_after = cJSON_IsString(na) ? ecm_ra_parse_time(na->valuestring) : -1;
	cJSON *out = cJSON_CreateObject();
	char id[64] = "";
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		copy_string(out, ra_cert, keys[i]);
	if (cJSON_IsString(cn))
		snprintf(id, sizeof(id), "%.*s", (int)strcspn(cn->valuestring, "-"), cn->valuestring);
	cJSON_AddStringToObject(out, "national_id", id);
	if (not_after >= 0) {
		cJSON_AddNumberToObject(out, "days_left", (double)days_until(not_after, ra_now));
		cJSON_AddBoolToObject(out, "expired", not_after < ra_now);
	}
	return out;
}
