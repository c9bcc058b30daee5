/* Small helpers the enrollment commands share: credentials, the RA's clock and certificate records. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ecm/issued.h"
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

/* The one check of what the RA issued (host/crypto/issued.c), at the later of our clock and the RA's last known
 * one: a fresh certificate starts at the RA's, which may run ahead of ours. */
ecm_code
enroll_take_issued(const ecm_ctx *ctx, STACK_OF(X509) *certs, EVP_PKEY *key, ecm_identity *out, ecm_error *err)
{
	long long now = (long long)time(NULL), ra_now = enroll_ra_now(ctx);
	ecm_issued_request want = { key, ctx->session->national_id, ctx->config->ra_ca_file,
		ctx->config->subject_ou, ra_now > now ? ra_now : now };

	return ecm_issued_take(certs, &want, out, err);
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

/* window_days stays a double: the RA sends it, and a huge value cast to long would be undefined behaviour. */
static const char *
suggestion(const cJSON *server_cert, double window_days)
{
	const cJSON *status = cJSON_GetObjectItemCaseSensitive(server_cert, "status");
	const cJSON *days = cJSON_GetObjectItemCaseSensitive(server_cert, "days_left");

	if (server_cert == NULL || !cJSON_IsString(status) || strcmp(status->valuestring, "valid") != 0)
		return "apply";
	if (!cJSON_IsNumber(days) || days->valuedouble < 0)
		return "apply";
	return days->valuedouble <= window_days ? "renew" : "none";
}

static void
add_account(cJSON *result, const cJSON *account, const char *id)
{
	cJSON *a = cJSON_AddObjectToObject(result, "account");
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(account, "name");
	const cJSON *phone = cJSON_GetObjectItemCaseSensitive(account, "phone_masked");

	cJSON_AddStringToObject(a, "id", id);
	cJSON_AddStringToObject(a, "name", cJSON_IsString(name) ? name->valuestring : "");
	cJSON_AddStringToObject(a, "phone_masked", cJSON_IsString(phone) ? phone->valuestring : "");
}

/* The day renewal opens: the RA's renewable_from when it says, else not_after minus the window. */
static void
add_renewable_from(cJSON *server_cert, const cJSON *ra_cert, double window_days)
{
	const cJSON *from = cJSON_GetObjectItemCaseSensitive(ra_cert, "renewable_from");
	const cJSON *na = cJSON_GetObjectItemCaseSensitive(ra_cert, "not_after");
	long long not_after = cJSON_IsString(na) ? ecm_ra_parse_time(na->valuestring) : -1;
	char buf[32];
	time_t t;
	struct tm tm;

	if (cJSON_IsString(from)) {
		cJSON_AddStringToObject(server_cert, "renewable_from", from->valuestring);
		return;
	}
	if (not_after < 0 || window_days < 0 || window_days > 36500)
		return;
	t = (time_t)(not_after - (long long)window_days * 86400);
	if (gmtime_r(&t, &tm) != NULL && strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) > 0)
		cJSON_AddStringToObject(server_cert, "renewable_from", buf);
}

cJSON *
enroll_account_cert(const cJSON *account)
{
	const cJSON *now = cJSON_GetObjectItemCaseSensitive(account, "now");
	const cJSON *window = cJSON_GetObjectItemCaseSensitive(account, "renewal_window_days");
	const cJSON *cur = cJSON_GetObjectItemCaseSensitive(account, "current_pc_cert");
	long long ra_now = cJSON_IsString(now) ? ecm_ra_parse_time(now->valuestring) : -1;
	cJSON *c;

	if (!cJSON_IsObject(cur))
		return NULL;
	c = enroll_server_cert(cur, ra_now >= 0 ? ra_now : (long long)time(NULL));
	if (c != NULL && cJSON_IsNumber(window))
		add_renewable_from(c, cur, window->valuedouble);
	return c;
}

ecm_code
enroll_describe_account(const cJSON *account, const char *id, cJSON *result, ecm_error *err)
{
	const cJSON *now = cJSON_GetObjectItemCaseSensitive(account, "now");
	const cJSON *window = cJSON_GetObjectItemCaseSensitive(account, "renewal_window_days");
	long long ra_now = cJSON_IsString(now) ? ecm_ra_parse_time(now->valuestring) : -1;
	cJSON *server_cert;

	if (ra_now < 0 || !cJSON_IsNumber(window))
		return ecm_fail(err, ECM_RA_BAD_RESPONSE, "the account answer lacks now or renewal_window_days");
	server_cert = enroll_account_cert(account);
	add_account(result, account, id);
	cJSON_AddItemToObject(result, "server_cert", server_cert != NULL ? server_cert : cJSON_CreateNull());
	cJSON_AddStringToObject(result, "suggestion", suggestion(server_cert, window->valuedouble));
	cJSON_AddNumberToObject(result, "renewal_window_days", window->valuedouble);
	cJSON_AddStringToObject(result, "ra_now", now->valuestring);
	return ECM_OK;
}

ecm_code
enroll_fetch_account(ecm_ctx *ctx, ecm_error *err)
{
	ecm_ra_auth auth = enroll_session_auth(ctx);
	cJSON *account = NULL;
	ecm_code rc = ecm_ra_api(ctx->session, ctx->config, &auth, "GET", "/account", NULL, &account, err);

	if (rc != ECM_OK) {
		cJSON_Delete(account);
		return rc;
	}
	if (!cJSON_IsObject(account)) {
		cJSON_Delete(account);
		return ecm_fail(err, ECM_RA_BAD_RESPONSE, "the account answer is not an object");
	}
	cJSON_Delete(ctx->session->account);
	ctx->session->account = account;
	return ECM_OK;
}

/* Applying supersedes the broker's valid certificate of the same device type (PC), possibly the one on the
 * customer's other computer: refused unless the request says replace_existing. Asks the RA afresh, so a
 * certificate issued elsewhere since the login counts too. Runs before a key is made or the OTP spent. */
ecm_code
enroll_check_supersede(ecm_ctx *ctx, int replace_existing, ecm_error *err)
{
	cJSON *c;
	const cJSON *status, *expired;
	ecm_code rc;
	int valid;

	if (replace_existing)
		return ECM_OK;
	if ((rc = enroll_fetch_account(ctx, err)) != ECM_OK)
		return rc;
	c = enroll_account_cert(ctx->session->account);
	status = cJSON_GetObjectItemCaseSensitive(c, "status");
	expired = cJSON_GetObjectItemCaseSensitive(c, "expired");
	valid = cJSON_IsString(status) && strcmp(status->valuestring, "valid") == 0 && !cJSON_IsTrue(expired);
	if (valid) {
		static const char *const keys[] = { "serial", "device", "not_after", "renewable_from" };
		const cJSON *days = cJSON_GetObjectItemCaseSensitive(c, "days_left");
		size_t i;

		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, keys[i]);
			if (cJSON_IsString(v))
				ecm_error_detail_str(err, keys[i], v->valuestring);
		}
		if (cJSON_IsNumber(days))
			ecm_error_detail_num(err, "days_left", days->valuedouble);
		rc = ecm_fail(err, ECM_VALID_CERT_EXISTS, "a valid certificate exists; pass replace_existing to supersede it");
	}
	cJSON_Delete(c);
	return rc;
}

/* Hex serials equal, ignoring case and leading zeros. */
static int
same_serial(const char *a, const char *b)
{
	while (*a == '0')
		a++;
	while (*b == '0')
		b++;
	return strcasecmp(a, b) == 0;
}

/* Renewal opens renewal_window_days before expiry: outside it, say when, before an OTP is spent or a key made.
 * Only for the broker's current certificate: any other (superseded, revoked, another ID's) is the RA's to name. */
ecm_code
enroll_check_window(ecm_ctx *ctx, const char *serial, ecm_error *err)
{
	cJSON *c;
	const cJSON *from, *cur_serial;
	long long t;
	ecm_code rc = ECM_OK;

	if ((rc = enroll_fetch_account(ctx, err)) != ECM_OK)
		return rc;
	c = enroll_account_cert(ctx->session->account);
	from = cJSON_GetObjectItemCaseSensitive(c, "renewable_from");
	cur_serial = cJSON_GetObjectItemCaseSensitive(c, "serial");
	t = cJSON_IsString(from) ? ecm_ra_parse_time(from->valuestring) : -1;
	if (t >= 0 && enroll_ra_now(ctx) < t && serial != NULL && cJSON_IsString(cur_serial) &&
	    same_serial(serial, cur_serial->valuestring)) {
		const cJSON *window = cJSON_GetObjectItemCaseSensitive(ctx->session->account, "renewal_window_days");
		ecm_error_detail_str(err, "renewable_from", from->valuestring);
		if (cJSON_IsNumber(window))
			ecm_error_detail_num(err, "window_days", window->valuedouble);
		rc = ecm_fail(err, ECM_NOT_IN_RENEWAL_WINDOW, "renewal opens on %s", from->valuestring);
	}
	cJSON_Delete(c);
	return rc;
}

static int
is_folder(const char *path)
{
	struct stat st;

	return path != NULL && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

const ecm_config *
enroll_folder_config(const ecm_config *cfg, const char *path, ecm_config *tmp)
{
	if (!is_folder(path))
		return NULL;
	*tmp = *cfg;
	tmp->backup_dir = (char *)path; /* borrowed for one call; never freed through tmp */
	return tmp;
}

char *
enroll_backup_name(const char *path)
{
	size_t n = path != NULL ? strlen(path) : 0;
	char *out;

	if (path == NULL)
		return NULL;
	if (is_folder(path) ||
	    (n >= 4 && (strcasecmp(path + n - 4, ".pfx") == 0 || strcasecmp(path + n - 4, ".p12") == 0)))
		return strdup(path);
	out = malloc(n + 5);
	if (out != NULL)
		snprintf(out, n + 5, "%s.pfx", path);
	return out;
}
