/* sign: a CMS signature for a broker's web page (origin in its profile's sign_origins) or for the extension's self-test, made
 * by the store holding the certificate, with its own key. Needs no login: the key is local. The extension asks
 * the user first (a confirmation in its own window); the host checks the origin again and signs exactly the
 * bytes of `data`, nothing else. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "ecm/command.h"
#include "ecm/identity.h"
#include "ecm/ra.h"
#include "ecm/session.h"
#include "ecm/store.h"

#define SIGN_MAX_DATA (64u * 1024u)

typedef struct sign_req {
	const char *origin, *data_b64, *serial, *store_id, *store_password, *pfx_path, *pfx_password, *customer;
	char customer_id[ECM_ID_LEN + 1];
	int detached, dry_run, self_test;
	unsigned char *data;
	size_t len;
} sign_req;

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
bad_data(ecm_error *err, ecm_code code, const char *why)
{
	ecm_error_detail_str(err, "field", "data");
	if (code == ECM_MESSAGE_TOO_LARGE)
		ecm_error_detail_num(err, "max_bytes", SIGN_MAX_DATA);
	return ecm_fail(err, code, "\"data\" %s", why);
}

/* Canonical base64 only (ecm_base64_decode_canonical): the extension shows the person the bytes it decodes, and
 * the host must sign those same bytes, with no second text of them ("QR==" beside "QQ==") a check could miss. */
static ecm_code
read_data(sign_req *r, ecm_error *err)
{
	if (strlen(r->data_b64) / 4 * 3 > SIGN_MAX_DATA + 2)
		return bad_data(err, ECM_MESSAGE_TOO_LARGE, "is larger than 64 KiB");
	if ((r->data = ecm_base64_decode_canonical(r->data_b64, &r->len)) == NULL || r->len == 0)
		return bad_data(err, ECM_BAD_REQUEST, "must be canonical base64 of at least one byte");
	if (r->len > SIGN_MAX_DATA)
		return bad_data(err, ECM_MESSAGE_TOO_LARGE, "is larger than 64 KiB");
	return ECM_OK;
}

/* customer: whose order it is (the broker's page knows who is logged in there), upper-cased and checked. */
static ecm_code
read_customer(sign_req *r, ecm_error *err)
{
	size_t i, n = r->customer ? strlen(r->customer) : 0;

	if (r->customer == NULL)
		return ECM_OK;
	for (i = 0; i < n && i < ECM_ID_LEN; i++)
		r->customer_id[i] = (char)toupper((unsigned char)r->customer[i]);
	r->customer_id[i] = '\0';
	if (n != ECM_ID_LEN || !ecm_national_id_valid(r->customer_id)) {
		ecm_error_detail_str(err, "field", "customer");
		return ecm_fail(err, ECM_BAD_REQUEST, "\"customer\" is not a valid national or resident ID");
	}
	return ECM_OK;
}

/* pfx: {path, password}: sign with a .pfx file instead of a browser's store (the pfx backend). */
static ecm_code
read_pfx(const cJSON *args, sign_req *r, ecm_error *err)
{
	const cJSON *pfx = NULL;
	ecm_code rc;

	if ((rc = ecm_arg_object(args, "pfx", &pfx, err)) != ECM_OK || pfx == NULL)
		return rc;
	if ((rc = ecm_arg_string(pfx, "path", &r->pfx_path, err)) != ECM_OK ||
	    (rc = ecm_arg_string(pfx, "password", &r->pfx_password, err)) != ECM_OK)
		return rc;
	return ECM_OK;
}

/* A page's request is its broker's: the one whose profile lists the page's exact origin. */
static ecm_code
origin_broker(const ecm_ctx *ctx, const char *origin, const ecm_config **broker, ecm_error *err)
{
	if ((*broker = ecm_brokers_for_origin(ctx->brokers, origin)) != NULL)
		return ECM_OK;
	ecm_error_detail_str(err, "origin", origin);
	return ecm_fail(err, ECM_SIGN_ORIGIN_NOT_ALLOWED, "no broker profile lists %s in sign_origins", origin);
}

static ecm_code
read_args(const ecm_ctx *ctx, const cJSON *args, sign_req *r, const ecm_config **broker, ecm_error *err)
{
	ecm_code rc;

	if ((rc = ecm_arg_bool(args, "self_test", &r->self_test, err)) != ECM_OK ||
	    (!r->self_test && (rc = ecm_arg_require(args, "origin", err)) != ECM_OK) ||
	    (!r->self_test && (rc = ecm_arg_require(args, "data", err)) != ECM_OK) ||
	    (rc = ecm_arg_string(args, "origin", &r->origin, err)) != ECM_OK ||
	    (rc = ecm_arg_string(args, "data", &r->data_b64, err)) != ECM_OK ||
	    (rc = ecm_arg_bool(args, "detached", &r->detached, err)) != ECM_OK ||
	    (rc = ecm_arg_bool(args, "dry_run", &r->dry_run, err)) != ECM_OK ||
	    (rc = ecm_arg_string(args, "serial", &r->serial, err)) != ECM_OK ||
	    (rc = ecm_arg_string(args, "customer", &r->customer, err)) != ECM_OK ||
	    (rc = ecm_arg_string(args, "store", &r->store_id, err)) != ECM_OK ||
	    (rc = ecm_arg_string(args, "store_password", &r->store_password, err)) != ECM_OK ||
	    (rc = read_pfx(args, r, err)) != ECM_OK)
		return rc;
	if ((rc = read_customer(r, err)) != ECM_OK)
		return rc;
	if (r->self_test)
		return self_test_text(r, err);
	/* Checked by the extension first; checked here again so that no other caller path can skip it. */
	if ((rc = origin_broker(ctx, r->origin, broker, err)) != ECM_OK)
		return rc;
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
	const char *keys[] = { "cn", "not_after", "masked_id" };
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(i < 2 ? cert : result, keys[i]);
		if (cJSON_IsString(v))
			ecm_error_detail_str(err, keys[i], v->valuestring);
	}
}

/* Whose certificate: the customer the request names, else the one logged in, else left to the rule (the only
 * customer here, or CHOOSE_CUSTOMER). */
static const char *
named_customer(const ecm_ctx *ctx, const sign_req *r)
{
	if (r->customer != NULL)
		return r->customer_id;
	return ecm_session_logged_in(ctx->session) ? ctx->session->national_id : NULL;
}

/* The certificate that will sign, named in the result (also on a refusal, so the UI can say which cannot). */
static void
name_signer(const ecm_store *s, X509 *cert, const char *owner, cJSON *result)
{
	char *serial = ecm_cert_serial(cert), masked[ECM_ID_LEN + 1], name[512];

	ecm_id_mask(owner, masked);
	ecm_store_display_name(s->info, name, sizeof(name));
	cJSON_AddStringToObject(result, "serial", serial ? serial : "");
	cJSON_AddStringToObject(result, "store", s->info->id);
	cJSON_AddStringToObject(result, "store_name", name);
	cJSON_AddStringToObject(result, "masked_id", masked);
	cJSON_AddItemToObject(result, "certificate", ecm_cert_summary(cert));
	free(serial);
}

/* The request as its broker's: that broker's profile, and the login only when it is at that broker (another
 * broker's credentials never go to this one's RA). */
static void
as_broker(const ecm_ctx *ctx, const ecm_config *broker, ecm_session *none, ecm_ctx *out, cJSON *result)
{
	*out = *ctx;
	if (broker == NULL)
		return;
	out->config = broker;
	if (ecm_session_logged_in(ctx->session) && strcmp(ctx->session->broker, broker->broker_id) != 0)
		out->session = none;
	cJSON_AddItemToObject(result, "broker", ecm_broker_ref(broker));
}

static ecm_code
run_sign(ecm_ctx *given, const cJSON *args, cJSON *result, ecm_error *err)
{
	const ecm_config *broker = NULL;
	ecm_session none;
	ecm_ctx here, *ctx = &here;
	sign_req r;
	ecm_store_info pfx;
	ecm_store_list list = { NULL, 0 };
	ecm_store s = { NULL, NULL };
	ecm_anchors *anchors = NULL;
	X509 *cert = NULL;
	char owner[ECM_ID_LEN + 1] = "";
	ecm_code rc;

	memset(&r, 0, sizeof(r));
	memset(&none, 0, sizeof(none));
	rc = read_args(given, args, &r, &broker, err);
	as_broker(given, broker, &none, &here, result);
	if (rc == ECM_OK)
		rc = ecm_anchors_load(ctx->config->ra_ca_file, ctx->config->subject_ou, &anchors, err);
	if (rc == ECM_OK)
		rc = open_store(&r, &pfx, &list, &s, err);
	if (rc == ECM_OK)
		rc = ecm_store_pick_signer(&s, anchors, named_customer(ctx, &r), r.serial, &cert, owner, err);
	if (cert != NULL) {
		name_signer(&s, cert, owner, result);
		if (rc != ECM_OK)
			name_refused(result, err);
	}
	if (rc == ECM_OK)
		rc = sign_with(ctx, &r, &s, cert, result, err);
	X509_free(cert);
	ecm_anchors_free(anchors);
	ecm_store_close(&s);
	ecm_store_list_free(&list);
	OPENSSL_clear_free(r.data, r.len);
	ecm_session_clear(&none);
	return rc;
}

static const ecm_arg_spec pfx_args[] = {
	{ "path", ECM_ARG_STRING | ECM_ARG_REQUIRED, ECM_ARG_PATH_MAX, NULL },
	{ "password", ECM_ARG_STRING | ECM_ARG_SECRET, ECM_ARG_SECRET_MAX, NULL },
	ECM_ARG_END,
};

static const ecm_arg_spec args[] = {
	{ "origin", ECM_ARG_STRING, ECM_ARG_NAME_MAX, NULL },
	{ "data", ECM_ARG_STRING, 0, NULL }, /* base64; its decoded size is checked by the handler (64 KiB) */
	{ "detached", ECM_ARG_BOOL, 0, NULL },
	{ "serial", ECM_ARG_STRING, ECM_ARG_NAME_MAX, NULL },
	{ "customer", ECM_ARG_STRING, ECM_ARG_NAME_MAX, NULL }, /* the national ID whose order it is */
	{ "store", ECM_ARG_STRING, ECM_ARG_PATH_MAX, NULL },
	{ "store_password", ECM_ARG_STRING | ECM_ARG_SECRET, ECM_ARG_SECRET_MAX, NULL },
	{ "dry_run", ECM_ARG_BOOL, 0, NULL },
	{ "self_test", ECM_ARG_BOOL, 0, NULL },
	{ "pfx", ECM_ARG_OBJECT, 0, pfx_args },
	ECM_ARG_END,
};

const ecm_command ecm_cmd_sign = { "sign", run_sign, 0, args };
