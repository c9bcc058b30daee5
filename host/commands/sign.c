/* sign: a CMS signature for a broker's web page (origin in sign_origins) or for the extension's self-test, made
 * by the store holding the certificate, with its own key. Needs no login: the key is local. The extension asks
 * the user first (a confirmation in its own window); the host checks the origin again and signs exactly the
 * bytes of `data`, nothing else. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "ecm/command.h"
#include "ecm/ra.h"
#include "ecm/store.h"

#define SIGN_MAX_DATA (64u * 1024u)

static const char *const secrets[] = { "store_password", "pfx.password", NULL };

typedef struct sign_req {
	const char *origin, *data_b64, *serial, *store_id, *store_password, *pfx_path, *pfx_password;
	int detached, dry_run, self_test;
	unsigned char *data;
	size_t len;
} sign_req;

/* Canonical base64 only (the alphabet, '=' padding, length a multiple of 4): the extension shows the user the
 * bytes it decodes, and the host must sign those same bytes, not what a lenient decoder makes of other text. */
static int
canonical_base64(const char *s)
{
	size_t n = strlen(s), i, pad = 0;

	if (n == 0 || n % 4 != 0)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (c == '=') {
			pad++;
			continue;
		}
		if (pad || !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
		    c == '/'))
			return 0;
	}
	return pad <= 2;
}

static ecm_code
self_test_text(sign_req *r, ecm_error *err)
{
	unsigned char rnd[8];
	char text[160], when[32];
	time_t now = time(NULL);
	struct tm tm;

	if (RAND_bytes(rnd, sizeof(rnd)) != 1 || gmtime_r(&now, &tm) == NULL)
		return ecm_fail(err, ECM_INTERNAL, "no random numbers");
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(text, sizeof(text), "e-Cert Manager 憑證簽驗 self-test %s %02x%02x%02x%02x%02x%02x%02x%02x", when,
	    rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
	r->len = strlen(text);
	r->data = OPENSSL_memdup(text, r->len);
	return r->data ? ECM_OK : ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
}

static ecm_code
read_data(sign_req *r, ecm_error *err)
{
	if (!canonical_base64(r->data_b64)) {
		ecm_error_detail_str(err, "field", "data");
		return ecm_fail(err, ECM_BAD_REQUEST, "\"data\" must be canonical base64 of at least one byte");
	}
	if (strlen(r->data_b64) / 4 * 3 > SIGN_MAX_DATA + 2) {
		ecm_error_detail_str(err, "field", "data");
		ecm_error_detail_num(err, "max_bytes", SIGN_MAX_DATA);
		return ecm_fail(err, ECM_MESSAGE_TOO_LARGE, "\"data\" is larger than %u bytes", SIGN_MAX_DATA);
	}
	r->data = ecm_base64_decode(r->data_b64, strlen(r->data_b64), &r->len);
	if (r->data == NULL)
		return ecm_fail(err, ECM_BAD_REQUEST, "\"data\" cannot be decoded");
	if (r->len > SIGN_MAX_DATA || r->len == 0) {
		ecm_error_detail_str(err, "field", "data");
		ecm_error_detail_num(err, "max_bytes", SIGN_MAX_DATA);
		return ecm_fail(err, r->len ? ECM_MESSAGE_TOO_LARGE : ECM_BAD_REQUEST, "\"data\" must be 1 to %u bytes",
		    SIGN_MAX_DATA);
	}
	return ECM_OK;
}

/* pfx: {path, password}: sign with a .pfx file instead of a browser's store (the pfx backend). */
static ecm_code
read_pfx(const cJSON *args, sign_req *r, ecm_error *err)
{
	const cJSON *pfx = NULL;
	ecm_code rc;

	if ((rc = ecm_arg_object(args, "pfx", 0, &pfx, err)) != ECM_OK || pfx == NULL)
		return rc;
	if ((rc = ecm_arg_string(pfx, "path", 1, &r->pfx_path, err)) != ECM_OK ||
	    (rc = ecm_arg_string(pfx, "password", 0, &r->pfx_password, err)) != ECM_OK)
		return rc;
	return ECM_OK;
}

static ecm_code
read_args(const ecm_ctx *ctx, const cJSON *args, sign_req *r, ecm_error *err)
{
	ecm_code rc;

	if ((rc = ecm_arg_bool(args, "self_test", &r->self_test, err)) != ECM_OK ||
	    (rc = ecm_arg_string(args, "origin", !r->self_test, &r->origin, err)) != ECM_OK ||
	    (rc = ecm_arg_string(args, "data", !r->self_test, &r->data_b64, err)) != ECM_OK ||
	    (rc = ecm_arg_bool(args, "detached", &r->detached, err)) != ECM_OK ||
	    (rc = ecm_arg_bool(args, "dry_run", &r->dry_run, err)) != ECM_OK ||
	    (rc = ecm_arg_string(args, "serial", 0, &r->serial, err)) != ECM_OK ||
	    (rc = ecm_arg_string(args, "store", 0, &r->store_id, err)) != ECM_OK ||
	    (rc = ecm_arg_string(args, "store_password", 0, &r->store_password, err)) != ECM_OK ||
	    (rc = read_pfx(args, r, err)) != ECM_OK)
		return rc;
	if (r->self_test)
		return self_test_text(r, err);
	/* Checked by the extension first; checked here again so that no other caller path can skip it. */
	if (!ecm_config_allows_sign_origin(ctx->config, r->origin)) {
		ecm_error_detail_str(err, "origin", r->origin);
		return ecm_fail(err, ECM_SIGN_ORIGIN_NOT_ALLOWED, "%s is not in sign_origins", r->origin);
	}
	return read_data(r, err);
}

static ecm_code
open_pfx(const sign_req *r, ecm_store_info *info, ecm_store *s, ecm_error *err)
{
	ecm_store_pfx_info(info, r->pfx_path);
	return ecm_store_open(info, r->pfx_password, s, err);
}

static ecm_code
open_store(const sign_req *r, ecm_store_info *pfx, ecm_store_list *list, ecm_store *s, ecm_error *err)
{
	const ecm_store_info *info;
	ecm_code rc;

	if (r->pfx_path != NULL)
		return open_pfx(r, pfx, s, err);
	if (r->store_id == NULL)
		return ecm_store_open_primary(list, r->store_password, s, err);
	if ((rc = ecm_stores_discover(list, err)) != ECM_OK)
		return rc;
	if ((info = ecm_store_list_find(list, r->store_id)) == NULL) {
		ecm_error_detail_str(err, "store", r->store_id);
		return ecm_fail(err, ECM_STORE_NOT_FOUND, "no store %s", r->store_id);
	}
	return ecm_store_open(info, r->store_password, s, err);
}

/* One line of base64 (the page API hands it to JavaScript as is). */
static void
add_base64(cJSON *result, const char *name, const unsigned char *der, size_t len)
{
	size_t n = 0, i, j;
	char *b64 = ecm_base64_wrapped(der, len, &n);

	if (b64 == NULL)
		return;
	for (i = j = 0; i < n; i++)
		if (b64[i] != '\n')
			b64[j++] = b64[i];
	b64[j] = '\0';
	cJSON_AddStringToObject(result, name, b64);
	free(b64);
}

/* The self-test checks its own signature: locally against the pinned CA, and with the broker when logged in. */
static void
self_check(const ecm_ctx *ctx, const sign_req *r, const unsigned char *der, size_t len, cJSON *result)
{
	const char *reason = NULL;
	cJSON *local = cJSON_AddObjectToObject(result, "local_verify"), *body, *answer = NULL;
	ecm_error e;

	ecm_error_init(&e);
	if (ecm_cms_verify(der, len, r->detached ? r->data : NULL, r->len, ctx->config->ra_ca_file, &reason, &e) !=
	    ECM_OK)
		reason = "check_failed";
	cJSON_AddBoolToObject(local, "ok", reason == NULL);
	cJSON_AddItemToObject(local, "reason", reason ? cJSON_CreateString(reason) : cJSON_CreateNull());
	cJSON_AddBoolToObject(local, "chain_checked", ctx->config->ra_ca_file != NULL);
	ecm_error_clear(&e);
	if (!ecm_session_logged_in(ctx->session) || ctx->config->api_url == NULL) {
		cJSON_AddNullToObject(result, "ra_verify");
		return;
	}
	body = cJSON_CreateObject();
	add_base64(body, "cms", der, len);
	ecm_error_init(&e);
	{
		ecm_ra_auth auth = { ctx->session->national_id, ctx->session->password, NULL };
		if (ecm_ra_api(ctx->session, ctx->config, &auth, "POST", "/verify", body, &answer, &e) == ECM_OK)
			cJSON_AddItemToObject(result, "ra_verify", answer);
		else {
			cJSON *o = cJSON_AddObjectToObject(result, "ra_verify");
			cJSON_AddBoolToObject(o, "valid", 0);
			cJSON_AddStringToObject(o, "error", ecm_code_name(e.code));
		}
	}
	ecm_error_clear(&e);
	cJSON_Delete(body);
}

static ecm_code
sign_with(const ecm_ctx *ctx, const sign_req *r, ecm_store *s, X509 *cert, cJSON *result, ecm_error *err)
{
	unsigned char *der = NULL;
	size_t len = 0;
	ecm_code rc;

	if (r->dry_run)
		return ECM_OK;
	if ((rc = ecm_store_sign(s, cert, r->data, r->len, r->detached, &der, &len, err)) != ECM_OK)
		return rc;
	add_base64(result, "cms", der, len);
	if (r->self_test) {
		add_base64(result, "data", r->data, r->len);
		self_check(ctx, r, der, len, result);
	}
	OPENSSL_free(der);
	return ECM_OK;
}

/* A refusal names the certificate that cannot sign (error replies carry no result). */
static void
name_refused(const cJSON *result, ecm_error *err)
{
	const cJSON *cert = cJSON_GetObjectItemCaseSensitive(result, "certificate");
	const char *keys[] = { "cn", "not_after" };
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(cert, keys[i]);
		if (cJSON_IsString(v))
			ecm_error_detail_str(err, keys[i], v->valuestring);
	}
}

static ecm_code
run_sign(ecm_ctx *ctx, const cJSON *args, cJSON *result, ecm_error *err)
{
	sign_req r;
	ecm_store_info pfx;
	ecm_store_list list = { NULL, 0 };
	ecm_store s = { NULL, NULL };
	X509 *cert = NULL;
	char *serial;
	ecm_code rc;

	memset(&r, 0, sizeof(r));
	rc = read_args(ctx, args, &r, err);
	if (rc == ECM_OK)
		rc = open_store(&r, &pfx, &list, &s, err);
	if (rc == ECM_OK)
		rc = ecm_store_pick_signer(&s, ecm_session_logged_in(ctx->session) ? ctx->session->national_id : NULL,
		    r.serial, &cert, err);
	if (cert != NULL) { /* also on a refusal: the UI names the certificate that cannot sign */
		serial = ecm_cert_serial(cert);
		cJSON_AddStringToObject(result, "serial", serial ? serial : "");
		cJSON_AddStringToObject(result, "store", s.info->id);
		cJSON_AddItemToObject(result, "certificate", ecm_cert_summary(cert));
		free(serial);
		if (rc != ECM_OK)
			name_refused(result, err);
	}
	if (rc == ECM_OK)
		rc = sign_with(ctx, &r, &s, cert, result, err);
	X509_free(cert);
	ecm_store_close(&s);
	ecm_store_list_free(&list);
	OPENSSL_clear_free(r.data, r.len);
	return rc;
}

static const ecm_arg_spec pfx_args[] = {
	{ "path", ECM_ARG_STRING, ECM_ARG_PATH_MAX, NULL },
	{ "password", ECM_ARG_STRING, ECM_ARG_SECRET_MAX, NULL },
	ECM_ARG_END,
};

static const ecm_arg_spec args[] = {
	{ "origin", ECM_ARG_STRING, ECM_ARG_NAME_MAX, NULL },
	{ "data", ECM_ARG_STRING, 0, NULL }, /* base64; its decoded size is checked by the handler (64 KiB) */
	{ "detached", ECM_ARG_BOOL, 0, NULL },
	{ "serial", ECM_ARG_STRING, ECM_ARG_NAME_MAX, NULL },
	{ "store", ECM_ARG_STRING, ECM_ARG_PATH_MAX, NULL },
	{ "store_password", ECM_ARG_STRING, ECM_ARG_SECRET_MAX, NULL },
	{ "dry_run", ECM_ARG_BOOL, 0, NULL },
	{ "self_test", ECM_ARG_BOOL, 0, NULL },
	{ "pfx", ECM_ARG_OBJECT, 0, pfx_args },
	ECM_ARG_END,
};

const ecm_command ecm_cmd_sign = { "sign", run_sign, 0, secrets, args };
