/* ra_check: the engine half of `ecm ra-check` (host/cli/ra_check.c). A broker's engineer holds the broker's RA
 * against docs/ra-protocol.md from outside, through the host's own RA client (host/ra/), PKCS#7 reader and
 * issued-certificate checks, so that what is checked is what the host will meet. Every point becomes one entry of
 * result.points: {"point", "result": "ok" | "fail" | "skip" (not checked) | "none" (not offered), "text"}.
 *
 * An enrollment needs an OTP the RA sends to the test account's phone, so the check runs in stages, each one
 * request: "start" (profile, TLS, EST and account points, then the RA sends an OTP), "enroll" (simpleenroll with
 * that OTP, the issued certificate, simplereenroll as far as the renewal window allows) and, when the window is
 * open, "reenroll" with a second OTP. result.next names the stage that follows (the OTP is on its way); a stage
 * given no OTP reports its points as not checked. Between stages the check keeps its own configuration (the
 * profile), connection, request and issued identity here — never the core's own configuration or login.
 * The profile is today's configuration file; a broker-profile loader only has to fill the same ecm_config. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/x509v3.h>

#include "ecm/command.h"
#include "ecm/crypto.h"
#include "ecm/identity.h"
#include "ecm/issued.h"
#include "ecm/json.h"
#include "ecm/ra.h"
#include "ecm/secmem.h"
#include "ecm/util.h"

#define PENDING_WAIT_S 60       /* how long a 202 is asked again before the point is left unchecked */

typedef struct check_state {
	int active;
	ecm_config cfg;
	ecm_session session; /* its own connection to the broker's RA */
	ecm_anchors *anchors;
	STACK_OF(X509) *cacerts;
	char id[ECM_ID_LEN + 1];
	char terms_version[64];
	EVP_PKEY *key;       /* the request in flight (sent again as it is after a 202) */
	unsigned char *csr;
	size_t csr_len;
	ecm_identity issued; /* simpleenroll's certificate, the client identity of simplereenroll */
} check_state;

static check_state st;

static void
state_free(void)
{
	if (!st.active)
		return;
	ecm_session_clear(&st.session);
	ecm_config_free(&st.cfg);
	ecm_anchors_free(st.anchors);
	sk_X509_pop_free(st.cacerts, X509_free);
	EVP_PKEY_free(st.key);
	free(st.csr);
	ecm_identity_free(&st.issued);
	memset(&st, 0, sizeof(st));
}

/* ---------------------------------------------------------------- the report */

static void
point(cJSON *points, const char *result, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
point(cJSON *points, const char *result, const char *name, const char *fmt, ...)
{
	cJSON *p = cJSON_CreateObject();
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	cJSON_AddStringToObject(p, "point", name);
	cJSON_AddStringToObject(p, "result", result);
	cJSON_AddStringToObject(p, "text", text);
	cJSON_AddItemToArray(points, p);
}

/* The points a stage could not reach, each "not checked" for the same reason. */
static void
skip_all(cJSON *points, const char *const *names, const char *why)
{
	for (; *names != NULL; names++)
		point(points, "skip", *names, "not checked: %s", why);
}

static const char *const enroll_points[] = { "simpleenroll", "pending-202", "issued-chain", "issued-subject",
	"cacerts-issuer", "account-serial", "simplereenroll", NULL };
static const char *const reenroll_points[] = { "reenroll-chain", "reenroll-subject", "superseded", NULL };

/* ---------------------------------------------------------------- answers */

static int
type_is(const ecm_ra_raw *r, const char *type)
{
	size_t n = strlen(type);

	return strncasecmp(r->content_type, type, n) == 0 &&
	    (r->content_type[n] == '\0' || r->content_type[n] == ';' || r->content_type[n] == ' ');
}

static const char *
type_of(const ecm_ra_raw *r)
{
	return r->content_type[0] != '\0' ? r->content_type : "(none)";
}

static ecm_code
exchange(const char *method, const char *base, const char *path, const ecm_ra_auth *auth, const char *type,
    const void *body, size_t len, ecm_ra_raw *out, ecm_error *err)
{
	ecm_ra_raw_request rq = { method, base, path, type, body, len };

	ecm_error_clear(err);
	ecm_error_init(err);
	return ecm_ra_raw_exchange(&st.session, &st.cfg, auth, &rq, out, err);
}

/* The JSON object of an answer that must be application/json, or NULL with why filled. */
static cJSON *
json_answer(const ecm_ra_raw *r, long want_status, char *why, size_t size)
{
	cJSON *o;

	if (r->status != want_status) {
		snprintf(why, size, "answered %ld, not %ld", r->status, want_status);
		return NULL;
	}
	if (!type_is(r, "application/json")) {
		snprintf(why, size, "Content-Type is %s, not application/json", type_of(r));
		return NULL;
	}
	o = r->body != NULL ? cJSON_ParseWithLength((const char *)r->body, r->len) : NULL;
	if (!cJSON_IsObject(o)) {
		snprintf(why, size, "the body is not a JSON object");
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

#define WHY_MAX 320

/* One exchange whose answer must be a JSON object with status want: the object, or NULL with why filled. */
static cJSON *
json_exchange(const char *method, const char *base, const char *path, const ecm_ra_auth *auth, long want,
    char why[WHY_MAX], ecm_error *err)
{
	ecm_ra_raw r;
	cJSON *o = NULL;

	if (exchange(method, base, path, auth, NULL, NULL, 0, &r, err) == ECM_OK)
		o = json_answer(&r, want, why, WHY_MAX);
	else
		snprintf(why, WHY_MAX, "no answer: %.200s", err->message);
	ecm_ra_raw_free(&r);
	return o;
}

/* ---------------------------------------------------------------- shapes of the account API */

static int
is_time(const cJSON *v)
{
	return cJSON_IsString(v) && ecm_ra_parse_time(v->valuestring) >= 0;
}

static int
one_of(const cJSON *v, const char *const *allowed)
{
	for (; cJSON_IsString(v) && *allowed != NULL; allowed++)
		if (strcmp(v->valuestring, *allowed) == 0)
			return 1;
	return 0;
}

/* Upper-case hex without leading zeros (docs/ra-protocol.md, Common formats). */
static int
is_serial(const cJSON *v)
{
	const char *s = cJSON_IsString(v) ? v->valuestring : NULL;

	return s != NULL && s[0] != '\0' && s[0] != '0' && strspn(s, "0123456789ABCDEF") == strlen(s);
}

/* NULL when c is a <cert> of the contract, else the first field that is not. */
static const char *
cert_problem(const cJSON *c)
{
	static const char *const statuses[] = { "valid", "expired", "revoked", "superseded", NULL };
	static const char *const devices[] = { "PC", "iPhone", "GPhone", NULL };

	if (!cJSON_IsObject(c))
		return "a certificate is not an object";
	if (!is_serial(cJSON_GetObjectItemCaseSensitive(c, "serial")))
		return "serial (upper-case hex, no leading zeros)";
	if (!one_of(cJSON_GetObjectItemCaseSensitive(c, "status"), statuses))
		return "status (valid, expired, revoked, superseded)";
	if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(c, "cn")))
		return "cn";
	if (!one_of(cJSON_GetObjectItemCaseSensitive(c, "device"), devices))
		return "device (PC, iPhone, GPhone)";
	if (!is_time(cJSON_GetObjectItemCaseSensitive(c, "not_before")))
		return "not_before (ISO 8601 UTC)";
	if (!is_time(cJSON_GetObjectItemCaseSensitive(c, "not_after")))
		return "not_after (ISO 8601 UTC)";
	return NULL;
}

static const char *
account_problem(const cJSON *a, const char *id)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(a, "id"), *cur;

	if (!cJSON_IsString(v) || strcmp(v->valuestring, id) != 0)
		return "id (the upper-case ID of the account)";
	if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(a, "name")))
		return "name";
	if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(a, "phone_masked")))
		return "phone_masked";
	if (!is_time(cJSON_GetObjectItemCaseSensitive(a, "now")))
		return "now (the RA's clock, ISO 8601 UTC)";
	v = cJSON_GetObjectItemCaseSensitive(a, "renewal_window_days");
	if (!cJSON_IsNumber(v) || v->valuedouble < 0)
		return "renewal_window_days (a number of days)";
	cur = cJSON_GetObjectItemCaseSensitive(a, "current_pc_cert");
	if (cur == NULL || (!cJSON_IsNull(cur) && cert_problem(cur) != NULL))
		return "current_pc_cert (a certificate or null)";
	return NULL;
}

/* ---------------------------------------------------------------- stage "start" */

/* A broker profile has an "id"; a configuration file (the single-broker form) has none. */
static int
is_broker_profile(const char *path)
{
	unsigned char *text = NULL;
	size_t len = 0;
	cJSON *root = NULL;
	ecm_error e;
	int yes;

	ecm_error_init(&e);
	yes = ecm_read_file(path, 256u * 1024u, &text, &len, &e) == ECM_OK &&
	    ecm_json_parse((const char *)text, len, &root, &e) == ECM_OK && cJSON_HasObjectItem(root, "id");
	cJSON_Delete(root);
	free(text);
	ecm_error_clear(&e);
	return yes;
}

/* The RA settings from a broker profile or a configuration file, by the same readers the host uses. */
static ecm_code
read_settings(const char *profile, ecm_error *e)
{
	ecm_config globals;
	ecm_code rc;

	if (!is_broker_profile(profile))
		return ecm_config_load_file(&st.cfg, profile, e);
	ecm_config_defaults(&globals);
	rc = ecm_config_load_profile(&st.cfg, profile, &globals, e);
	ecm_config_free(&globals);
	if (rc != ECM_OK)
		ecm_config_defaults(&st.cfg);
	return rc;
}

static int
load_profile(const char *profile, cJSON *points)
{
	ecm_error e;

	ecm_error_init(&e);
	if (read_settings(profile, &e) != ECM_OK) {
		point(points, "fail", "profile", "%s", e.message);
		ecm_error_clear(&e);
		return -1;
	}
	if (st.cfg.est_url == NULL || st.cfg.api_url == NULL || st.cfg.ra_ca_file == NULL) {
		point(points, "fail", "profile", "%s needs est_url, api_url and ra_ca_file", profile);
		return -1;
	}
	point(points, "ok", "profile", "%s: EST %s, API %s", profile, st.cfg.est_url, st.cfg.api_url);
	if (ecm_anchors_load(st.cfg.ra_ca_file, st.cfg.subject_ou, &st.anchors, &e) != ECM_OK) {
		point(points, "fail", "ca-anchors", "ra_ca_file %s: %s", st.cfg.ra_ca_file, e.message);
		ecm_error_clear(&e);
		return -1;
	}
	point(points, "ok", "ca-anchors", "ra_ca_file %s holds the broker's CA certificates", st.cfg.ra_ca_file);
	return 0;
}

/* The first request: whether TLS holds shows here. */
static int
check_tls(ecm_code rc, const ecm_error *err, cJSON *points)
{
	const char *anchor = st.cfg.ra_tls_ca_file != NULL ? "ra_tls_ca_file" : "ra_ca_file";

	if (rc == ECM_RA_TLS_FAILED) {
		point(points, "fail", "tls", "%s: the RA's TLS certificate must chain to %s (with any intermediate the "
		    "server does not send), name the host, and TLS must be 1.2 or 1.3", err->message, anchor);
		return -1;
	}
	if (rc != ECM_OK) {
		point(points, "fail", "tls", "no answer from %s: %s", st.cfg.est_url, err->message);
		return -1;
	}
	point(points, "ok", "tls", "TLS 1.2+ to %s, its certificate chains to %s", st.cfg.est_url, anchor);
	return 0;
}

/* GET /cacerts: 200 application/pkcs7-mime, base64 of a certs-only PKCS#7 (the host's own reader). */
static void
check_cacerts(const ecm_ra_raw *r, cJSON *points)
{
	unsigned char *der;
	size_t len = 0;
	ecm_error e;

	if (r->status != 200 || !type_is(r, "application/pkcs7-mime")) {
		point(points, "fail", "cacerts-type", "GET /cacerts answered %ld %s: it must answer 200 with "
		    "Content-Type application/pkcs7-mime", r->status, type_of(r));
		return;
	}
	point(points, "ok", "cacerts-type", "GET /cacerts answers 200 application/pkcs7-mime");
	ecm_error_init(&e);
	der = r->body != NULL ? ecm_base64_decode((const char *)r->body, r->len, &len) : NULL;
	if (der == NULL || ecm_pkcs7_certs(der, len, &st.cacerts, &e) != ECM_OK)
		point(points, "fail", "cacerts-pkcs7", "GET /cacerts must answer base64 of a certs-only PKCS#7 "
		    "holding the issuing CA (as `openssl crl2pkcs7 -nocrl` makes it)");
	else
		point(points, "ok", "cacerts-pkcs7", "GET /cacerts is a certs-only PKCS#7 of %d certificate(s)",
		    sk_X509_num(st.cacerts));
	free(der);
	ecm_error_clear(&e);
}

static void
check_est_server(cJSON *points, ecm_error *err)
{
	static const char not_csr[] = "not a request\n";
	ecm_ra_raw r;
	ecm_code rc;

	rc = exchange("GET", st.cfg.est_url, "/cacerts", NULL, NULL, NULL, 0, &r, err);
	if (check_tls(rc, err, points) == 0)
		check_cacerts(&r, points);
	ecm_ra_raw_free(&r);
	if (exchange("GET", st.cfg.est_url, "/csrattrs", NULL, NULL, NULL, 0, &r, err) == ECM_OK && r.status == 204)
		point(points, "ok", "csrattrs", "GET /csrattrs answers 204");
	else
		point(points, "fail", "csrattrs", "GET /csrattrs must answer 204 (no attributes required); got %ld",
		    r.status);
	ecm_ra_raw_free(&r);
	rc = exchange("POST", st.cfg.est_url, "/simpleenroll", NULL, "text/plain", not_csr, sizeof(not_csr) - 1, &r,
	    err);
	if (rc == ECM_OK && r.status == 415)
		point(points, "ok", "est-415", "simpleenroll refuses a Content-Type other than application/pkcs10 "
		    "with 415");
	else
		point(points, "fail", "est-415", "simpleenroll with Content-Type text/plain must answer 415 before "
		    "asking for credentials; got %ld", r.status);
	ecm_ra_raw_free(&r);
}

static void
check_terms(cJSON *points, ecm_error *err)
{
	char why[WHY_MAX] = "";
	cJSON *o = json_exchange("GET", st.cfg.api_url, "/terms", NULL, 200, why, err);
	const cJSON *version, *text;

	version = cJSON_GetObjectItemCaseSensitive(o, "version");
	text = cJSON_GetObjectItemCaseSensitive(o, "text");
	if (o != NULL && (!cJSON_IsString(version) || version->valuestring[0] == '\0' || !cJSON_IsString(text)))
		snprintf(why, sizeof(why), "the answer lacks a string version or text");
	if (cJSON_IsString(version) && version->valuestring[0] != '\0' && cJSON_IsString(text)) {
		snprintf(st.terms_version, sizeof(st.terms_version), "%s", version->valuestring);
		point(points, "ok", "terms", "GET /terms answers version %s and its text", st.terms_version);
	} else
		point(points, "fail", "terms", "GET /terms: %s; it must answer 200 application/json "
		    "{\"version\", \"text\"}", why);
	cJSON_Delete(o);
}

/* A 401 as the contract has it: application/json {"code": "WRONG_PASSWORD", "message"}. */
static void
check_refused(cJSON *points, const char *name, const char *what, const ecm_ra_auth *auth, ecm_error *err)
{
	char why[WHY_MAX] = "";
	cJSON *o = json_exchange("GET", st.cfg.api_url, "/account", auth, 401, why, err);
	const cJSON *code, *msg;

	code = cJSON_GetObjectItemCaseSensitive(o, "code");
	msg = cJSON_GetObjectItemCaseSensitive(o, "message");
	if (o != NULL && (!cJSON_IsString(code) || strcmp(code->valuestring, "WRONG_PASSWORD") != 0 ||
	    !cJSON_IsString(msg)))
		snprintf(why, sizeof(why), "the body names no code WRONG_PASSWORD with a message");
	if (cJSON_IsString(code) && strcmp(code->valuestring, "WRONG_PASSWORD") == 0 && cJSON_IsString(msg))
		point(points, "ok", name, "%s: 401 {\"code\": \"WRONG_PASSWORD\"}", what);
	else
		point(points, "fail", name, "%s: %s; it must answer 401 application/json {\"code\": "
		    "\"WRONG_PASSWORD\", \"message\"} (otherwise the host says RA_AUTH_REQUIRED, not wrong password)",
		    what, why);
	cJSON_Delete(o);
}

/* The wrong password goes to the test account only, whose right password comes next and resets the count: a
 * made-up ID would be locked after a few runs, as the contract wants for unknown IDs. */
static void
check_refusals(cJSON *points, const char *id, ecm_error *err)
{
	ecm_ra_auth wrong = { id, "ra-check: not the password", NULL };

	check_refused(points, "no-credentials", "GET /account without credentials", NULL, err);
	if (id != NULL)
		check_refused(points, "wrong-password", "GET /account with the test account and a wrong password",
		    &wrong, err);
}

/* GET path with the test account: its JSON object, or NULL with a failed point. */
static cJSON *
account_get(cJSON *points, const char *name, const char *path, const ecm_ra_auth *auth, ecm_error *err)
{
	char why[WHY_MAX] = "";
	cJSON *o = json_exchange("GET", st.cfg.api_url, path, auth, 200, why, err);

	if (o == NULL)
		point(points, "fail", name, "GET %s with the test account: %s", path, why);
	return o;
}

static int
check_account(cJSON *points, const ecm_ra_auth *auth, ecm_error *err)
{
	cJSON *a = account_get(points, "account", "/account", auth, err);
	const char *problem = a != NULL ? account_problem(a, st.id) : NULL;

	if (a != NULL && problem != NULL)
		point(points, "fail", "account", "GET /account: field %s is missing or wrong (docs/ra-protocol.md, "
		    "Account API)", problem);
	else if (a != NULL)
		point(points, "ok", "account", "GET /account answers the documented fields");
	cJSON_Delete(a);
	return a != NULL ? 0 : -1; /* a wrong field is this point's; only an account that does not answer stops */
}

static void
check_certificates(cJSON *points, const ecm_ra_auth *auth, ecm_error *err)
{
	cJSON *o = account_get(points, "certificates", "/certificates", auth, err);
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(o, "certificates"), *c;
	const char *problem = cJSON_IsArray(list) ? NULL : "certificates (an array)";

	cJSON_ArrayForEach(c, list)
		if (problem == NULL)
			problem = cert_problem(c);
	if (o != NULL && problem != NULL)
		point(points, "fail", "certificates", "GET /certificates: %s is missing or wrong", problem);
	else if (o != NULL)
		point(points, "ok", "certificates", "GET /certificates lists %d certificate(s) in the documented shape",
		    cJSON_GetArraySize(list));
	cJSON_Delete(o);
}

/* A new key and its request: CN=<ID>-00-PC001, or the subject of the certificate it renews. */
static ecm_code
new_request(const X509_NAME *subject, ecm_error *err)
{
	char cn[ECM_ID_LEN + 16];
	ecm_code rc;

	EVP_PKEY_free(st.key);
	free(st.csr);
	st.key = NULL;
	st.csr = NULL;
	snprintf(cn, sizeof(cn), "%s-00-PC001", st.id);
	rc = ecm_key_generate(st.cfg.key_type, &st.key, err);
	if (rc == ECM_OK)
		rc = ecm_csr_create(st.key, subject != NULL ? NULL : cn, subject, &st.csr, &st.csr_len, err);
	return rc;
}

/* One EST enrollment through the host's own client with the request in flight; certs as it read them. */
static ecm_code
enroll(const ecm_ra_auth *auth, const char *otp, int reenroll, STACK_OF(X509) **certs, ecm_error *err)
{
	ecm_ra_enroll rq = { st.csr, st.csr_len, otp, st.terms_version, reenroll };

	ecm_error_clear(err);
	ecm_error_init(err);
	return ecm_ra_est_enroll(&st.session, &st.cfg, auth, &rq, certs, err);
}

/* simplereenroll without a client certificate: 403 CLIENT_CERT_REQUIRED before any OTP is looked at. */
static void
check_reenroll_needs_cert(cJSON *points, const ecm_ra_auth *auth, ecm_error *err)
{
	STACK_OF(X509) *certs = NULL;
	ecm_code rc;

	if (new_request(NULL, err) != ECM_OK) {
		point(points, "fail", "reenroll-client-cert", "cannot make a request: %s", err->message);
		return;
	}
	rc = enroll(auth, "", 1, &certs, err);
	sk_X509_pop_free(certs, X509_free);
	if (rc == ECM_CLIENT_CERT_REQUIRED)
		point(points, "ok", "reenroll-client-cert", "simplereenroll without a client certificate: 403 "
		    "CLIENT_CERT_REQUIRED");
	else
		point(points, "fail", "reenroll-client-cert", "simplereenroll without a client certificate must answer "
		    "403 {\"code\": \"CLIENT_CERT_REQUIRED\"}; the host read %s (%s)", ecm_code_name(rc), err->message);
}

/* POST /otp: {"sent_to", "expires_in"}; result.otp for the front end, which asks for it. 0 when sent. */
static int
request_otp(cJSON *points, const char *name, const ecm_ra_auth *auth, const char *next, cJSON *result,
    ecm_error *err)
{
	char why[WHY_MAX] = "";
	cJSON *o = json_exchange("POST", st.cfg.api_url, "/otp", auth, 200, why, err), *otp;
	const cJSON *to, *expires;

	to = cJSON_GetObjectItemCaseSensitive(o, "sent_to");
	expires = cJSON_GetObjectItemCaseSensitive(o, "expires_in");
	if (!cJSON_IsString(to) || !cJSON_IsNumber(expires)) {
		point(points, "fail", name, "POST /otp: %s; it must answer 200 {\"sent_to\", \"expires_in\"}",
		    o != NULL ? "sent_to or expires_in missing" : why);
		cJSON_Delete(o);
		return -1;
	}
	point(points, "ok", name, "POST /otp: sent to %s, valid %d s", to->valuestring, expires->valueint);
	otp = cJSON_AddObjectToObject(result, "otp");
	cJSON_AddStringToObject(otp, "sent_to", to->valuestring);
	cJSON_AddStringToObject(result, "next", next);
	cJSON_Delete(o);
	return 0;
}

static void
stage_start(const char *profile, const char *id, const char *password, cJSON *points, cJSON *result,
    ecm_error *err)
{
	ecm_ra_auth auth = { st.id, password, NULL };

	st.active = 1;
	if (load_profile(profile, points) != 0)
		return;
	check_est_server(points, err);
	check_terms(points, err);
	check_refusals(points, id, err);
	if (id == NULL) {
		static const char *const account_points[] = { "wrong-password", "account", "certificates",
			"reenroll-client-cert", "otp", NULL };
		skip_all(points, account_points, "needs a test account (--id ID --password-file F)");
		skip_all(points, enroll_points, "needs a test account (--id ID --password-file F)");
		return;
	}
	snprintf(st.id, sizeof(st.id), "%s", id);
	if (check_account(points, &auth, err) != 0) {
		skip_all(points, enroll_points, "the test account's GET /account failed");
		return;
	}
	check_certificates(points, &auth, err);
	check_reenroll_needs_cert(points, &auth, err);
	if (request_otp(points, "otp", &auth, "enroll", result, err) != 0)
		skip_all(points, enroll_points, "no OTP was sent");
}

/* ---------------------------------------------------------------- stage "enroll" */

/* The issued certificate is the one with the request's key; the rest is its chain (as apply takes it). */
static ecm_code
take_issued(STACK_OF(X509) *certs, ecm_identity *out, ecm_error *err)
{
	X509 *c;

	ecm_identity_free(out);
	out->chain = sk_X509_new_null();
	while (out->chain != NULL && (c = sk_X509_shift(certs)) != NULL) {
		if (out->cert == NULL && EVP_PKEY_eq(X509_get0_pubkey(c), st.key) == 1)
			out->cert = c;
		else if (!sk_X509_push(out->chain, c))
			X509_free(c);
	}
	if (out->cert == NULL)
		return ecm_fail(err, ECM_ISSUED_CERT_INVALID, "no certificate in the answer carries our public key");
	out->key = st.key;
	st.key = NULL;
	return ECM_OK;
}

/* A 202 is asked again with the same request until issued, for at most PENDING_WAIT_S. */
static ecm_code
wait_pending(cJSON *points, const ecm_ra_auth *auth, const char *otp, int reenroll, STACK_OF(X509) **certs,
    ecm_error *err)
{
	const cJSON *retry = cJSON_GetObjectItemCaseSensitive(err->details, "retry_after");
	long wait = cJSON_IsNumber(retry) ? (long)retry->valuedouble : 1, waited = 0;
	ecm_code rc = ECM_RA_PENDING;

	point(points, "ok", "pending-202", "the RA holds the request (202, ask again in %ld s)", wait);
	while (rc == ECM_RA_PENDING && waited < PENDING_WAIT_S) {
		wait = wait < 1 ? 1 : wait > 10 ? 10 : wait;
		sleep((unsigned)wait);
		waited += wait;
		rc = enroll(auth, otp, reenroll, certs, err);
		retry = cJSON_GetObjectItemCaseSensitive(err->details, "retry_after");
		wait = cJSON_IsNumber(retry) ? (long)retry->valuedouble : 1;
	}
	return rc;
}

/* simpleenroll or simplereenroll through the host's client, waiting out a 202. */
static ecm_code
enroll_point(cJSON *points, const char *name, const ecm_ra_auth *auth, const char *otp, int reenroll,
    ecm_identity *issued, ecm_error *err)
{
	STACK_OF(X509) *certs = NULL;
	ecm_code rc = enroll(auth, otp, reenroll, &certs, err);
	int pended = rc == ECM_RA_PENDING;
	const cJSON *type;

	if (pended)
		rc = wait_pending(points, auth, otp, reenroll, &certs, err);
	if (rc == ECM_OK)
		rc = take_issued(certs, issued, err);
	sk_X509_pop_free(certs, X509_free);
	type = cJSON_GetObjectItemCaseSensitive(err->details, "content_type");
	type = cJSON_IsString(type) ? type : NULL;
	if (rc == ECM_RA_PENDING)
		point(points, "skip", name, "not checked: still pending after %d s; approve the test request at the RA "
		    "and run again", PENDING_WAIT_S);
	else if (rc == ECM_RA_BAD_RESPONSE)
		point(points, "fail", name, "%s%s%s; a 200 answer must be application/pkcs7-mime, base64 of a "
		    "certs-only PKCS#7 holding the new certificate", err->message, type != NULL ? ": " : "",
		    type != NULL ? type->valuestring : "");
	else if (rc != ECM_OK)
		point(points, "fail", name, "%s: %s", ecm_code_name(rc), err->message);
	else
		point(points, "ok", name, "200 application/pkcs7-mime, a certs-only PKCS#7 with the new certificate");
	if (!pended && !reenroll)
		point(points, "none", "pending-202", "not offered: the RA answered at once");
	return rc;
}

/* The certificate and the chain the RA sent, as one stack (what ecm_issued_take reads). */
static STACK_OF(X509) *
answer_of(const ecm_identity *issued)
{
	STACK_OF(X509) *all = sk_X509_new_null();
	int i;

	if (all == NULL || !sk_X509_push(all, issued->cert) || !X509_up_ref(issued->cert)) {
		sk_X509_free(all);
		return NULL;
	}
	for (i = 0; issued->chain != NULL && i < sk_X509_num(issued->chain); i++) {
		X509 *c = sk_X509_value(issued->chain, i);
		if (!sk_X509_push(all, c)) {
			sk_X509_pop_free(all, X509_free);
			return NULL;
		}
		X509_up_ref(c);
	}
	return all;
}

/* The host's own check of an issued certificate (ecm_issued_take: what apply and renew meet), reported as two
 * points: the chain to ra_ca_file, and everything about the certificate itself (whose, valid, end entity, uses). */
static int
check_issued(cJSON *points, const char *chain_point, const char *subject_point, ecm_identity *issued,
    ecm_error *err)
{
	ecm_issued_request req = { issued->key, st.id, st.cfg.ra_ca_file, st.cfg.subject_ou, (long long)time(NULL) };
	STACK_OF(X509) *all = answer_of(issued);
	ecm_identity checked = { 0 };
	const cJSON *reason;
	ecm_code rc;

	ecm_error_clear(err);
	ecm_error_init(err);
	if (all == NULL) {
		ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
		return -1;
	}
	rc = ecm_issued_take(all, &req, &checked, err);
	sk_X509_pop_free(all, X509_free);
	if (rc == ECM_OK) {
		sk_X509_pop_free(issued->chain, X509_free);
		issued->chain = checked.chain; /* only the verified path, as apply keeps it */
		checked.chain = NULL;
		ecm_identity_free(&checked);
		point(points, "ok", chain_point, "the issued certificate carries our key and chains to ra_ca_file");
		point(points, "ok", subject_point, "the issued certificate is %s's, valid now, an end entity for "
		    "signing", st.id);
		return 0;
	}
	ecm_identity_free(&checked);
	reason = cJSON_GetObjectItemCaseSensitive(err->details, "reason");
	if (cJSON_IsString(reason) && strcmp(reason->valuestring, "chain") == 0) {
		point(points, "fail", chain_point, "%s: the answer must carry, or ra_ca_file must hold, every CA "
		    "certificate between the issued certificate and the root (an issuing intermediate too)", err->message);
		point(points, "skip", subject_point, "not checked: whose it is counts only once it chains to ra_ca_file");
		return -1;
	}
	point(points, "skip", chain_point, "not checked: the certificate itself failed first");
	point(points, "fail", subject_point, "%s (%s): an end-entity certificate naming %s (CN %s-00-PC001 or "
	    "serialNumber), valid now, keyUsage digitalSignature, an EKU (if any) for client authentication, e-mail "
	    "protection or document signing", err->message, cJSON_IsString(reason) ? reason->valuestring : "?", st.id,
	    st.id);
	return -1;
}

static void
check_cacerts_issuer(cJSON *points, X509 *cert)
{
	int i;

	if (st.cacerts == NULL) {
		point(points, "skip", "cacerts-issuer", "not checked: GET /cacerts could not be read");
		return;
	}
	for (i = 0; i < sk_X509_num(st.cacerts); i++)
		if (X509_check_issued(sk_X509_value(st.cacerts, i), cert) == X509_V_OK) {
			point(points, "ok", "cacerts-issuer", "GET /cacerts holds the issuing CA");
			return;
		}
	point(points, "fail", "cacerts-issuer", "GET /cacerts must hold the CA that issued the certificate "
	    "(an issuing intermediate too)");
}

/* The account names the new certificate, its serial written as the contract has it. */
static void
check_account_serial(cJSON *points, const ecm_ra_auth *auth, X509 *cert, ecm_error *err)
{
	cJSON *a = account_get(points, "account-serial", "/account", auth, err);
	const cJSON *cur = cJSON_GetObjectItemCaseSensitive(a, "current_pc_cert");
	const cJSON *serial = cJSON_GetObjectItemCaseSensitive(cur, "serial");
	const cJSON *status = cJSON_GetObjectItemCaseSensitive(cur, "status");
	char *want = ecm_cert_serial(cert);

	if (a != NULL && cJSON_IsString(serial) && want != NULL && strcmp(serial->valuestring, want) == 0 &&
	    cJSON_IsString(status) && strcmp(status->valuestring, "valid") == 0)
		point(points, "ok", "account-serial", "GET /account names the new certificate %s, valid", want);
	else if (a != NULL)
		point(points, "fail", "account-serial", "GET /account's current_pc_cert must be the new certificate, "
		    "serial \"%s\" (upper-case hex, no leading zeros), status valid", want != NULL ? want : "?");
	free(want);
	cJSON_Delete(a);
}

/* simplereenroll with the new certificate as client certificate and no OTP yet: outside the renewal window the
 * answer is NOT_IN_RENEWAL_WINDOW (the point holds); inside it, the RA wants the OTP, which is requested. */
static void
probe_reenroll(cJSON *points, const ecm_ra_auth *user, cJSON *result, ecm_error *err)
{
	ecm_ra_auth auth = { user->user, user->password, &st.issued };
	STACK_OF(X509) *certs = NULL;
	const cJSON *window;
	ecm_code rc;
	int i;

	if (new_request(X509_get_subject_name(st.issued.cert), err) != ECM_OK) {
		point(points, "fail", "simplereenroll", "cannot make a request: %s", err->message);
		return;
	}
	rc = enroll(&auth, "", 1, &certs, err);
	sk_X509_pop_free(certs, X509_free);
	window = cJSON_GetObjectItemCaseSensitive(err->details, "window_days");
	if (rc == ECM_NOT_IN_RENEWAL_WINDOW && cJSON_IsNumber(window)) {
		point(points, "ok", "simplereenroll", "with the new certificate as TLS client certificate: 403 "
		    "NOT_IN_RENEWAL_WINDOW (window %d days); renewal itself needs a certificate inside the window",
		    window->valueint);
		for (i = 0; reenroll_points[i] != NULL; i++)
			point(points, "none", reenroll_points[i], "not reachable: the new certificate's renewal window "
			    "is not open");
	} else if (rc == ECM_OTP_INVALID || rc == ECM_OTP_EXPIRED) {
		if (request_otp(points, "otp-renewal", user, "reenroll", result, err) != 0)
			skip_all(points, reenroll_points, "no OTP was sent");
	} else {
		point(points, "fail", "simplereenroll", "with the new certificate as TLS client certificate and no "
		    "OTP, the RA must answer 403 NOT_IN_RENEWAL_WINDOW {\"window_days\"} or ask for the OTP; the host "
		    "read %s (%s)", ecm_code_name(rc), err->message);
		skip_all(points, reenroll_points, "simplereenroll failed");
	}
}

static void
stage_enroll(const char *password, const char *otp, cJSON *points, cJSON *result, ecm_error *err)
{
	ecm_ra_auth auth = { st.id, password, NULL };

	if (otp == NULL) {
		skip_all(points, enroll_points, "no OTP (no terminal to ask on, and no --otp-file)");
		return;
	}
	if (enroll_point(points, "simpleenroll", &auth, otp, 0, &st.issued, err) != ECM_OK) {
		static const char *const rest[] = { "issued-chain", "issued-subject", "cacerts-issuer", "account-serial",
			"simplereenroll", NULL };
		skip_all(points, rest, "simpleenroll failed");
		return;
	}
	check_issued(points, "issued-chain", "issued-subject", &st.issued, err);
	check_cacerts_issuer(points, st.issued.cert);
	check_account_serial(points, &auth, st.issued.cert, err);
	probe_reenroll(points, &auth, result, err);
}

/* ---------------------------------------------------------------- stage "reenroll" */

static void
check_superseded(cJSON *points, const ecm_ra_auth *auth, X509 *old, ecm_error *err)
{
	cJSON *o = account_get(points, "superseded", "/certificates", auth, err);
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(o, "certificates"), *c, *serial, *status;
	char *want = ecm_cert_serial(old);
	int found = 0;

	cJSON_ArrayForEach(c, list) {
		serial = cJSON_GetObjectItemCaseSensitive(c, "serial");
		status = cJSON_GetObjectItemCaseSensitive(c, "status");
		if (cJSON_IsString(serial) && want != NULL && strcmp(serial->valuestring, want) == 0)
			found = cJSON_IsString(status) && strcmp(status->valuestring, "superseded") == 0;
	}
	if (found)
		point(points, "ok", "superseded", "the renewed certificate %s is superseded", want);
	else if (o != NULL)
		point(points, "fail", "superseded", "after simplereenroll, GET /certificates must list %s as "
		    "superseded", want != NULL ? want : "?");
	free(want);
	cJSON_Delete(o);
}

static void
stage_reenroll(const char *password, const char *otp, cJSON *points, ecm_error *err)
{
	ecm_ra_auth auth = { st.id, password, &st.issued }, user = { st.id, password, NULL };
	ecm_identity renewed = { NULL, NULL, NULL };

	if (otp == NULL) {
		point(points, "skip", "simplereenroll", "not checked: no OTP (no terminal to ask on, and no --otp-file)");
		skip_all(points, reenroll_points, "no OTP");
		return;
	}
	if (enroll_point(points, "simplereenroll", &auth, otp, 1, &renewed, err) != ECM_OK) {
		skip_all(points, reenroll_points, "simplereenroll failed");
		return;
	}
	if (check_issued(points, "reenroll-chain", "reenroll-subject", &renewed, err) == 0)
		check_superseded(points, &user, st.issued.cert, err);
	else
		point(points, "skip", "superseded", "not checked: the renewed certificate failed");
	ecm_identity_free(&renewed);
}

/* ---------------------------------------------------------------- the command */

static ecm_code
run_ra_check(ecm_ctx *ctx, const cJSON *args, cJSON *result, ecm_error *err)
{
	const char *stage = "start", *profile = NULL, *id = NULL, *password = NULL, *otp = NULL;
	cJSON *points;
	ecm_error scratch; /* what the points meet; the command itself fails only on its own arguments */
	ecm_code rc;

	(void)ctx;
	if ((rc = ecm_arg_string(args, "stage", &stage, err)) != ECM_OK ||
	    (rc = ecm_arg_string(args, "profile", &profile, err)) != ECM_OK ||
	    (rc = ecm_arg_string(args, "id", &id, err)) != ECM_OK ||
	    (rc = ecm_arg_string(args, "password", &password, err)) != ECM_OK ||
	    (rc = ecm_arg_string(args, "otp", &otp, err)) != ECM_OK)
		return rc;
	if (strcmp(stage, "start") == 0) {
		if (profile == NULL)
			return ecm_fail(err, ECM_BAD_REQUEST, "profile: the broker profile to check");
		if (id != NULL && (!ecm_national_id_valid(id) || password == NULL))
			return ecm_fail(err, ECM_BAD_REQUEST, "id must be a valid upper-case ID, given with its password");
		state_free();
	} else if (strcmp(stage, "enroll") != 0 && strcmp(stage, "reenroll") != 0)
		return ecm_fail(err, ECM_BAD_REQUEST, "stage: start, enroll or reenroll");
	else if (!st.active || st.id[0] == '\0' || password == NULL)
		return ecm_fail(err, ECM_BAD_REQUEST, "stage %s follows a start with a test account", stage);
	points = cJSON_AddArrayToObject(result, "points");
	ecm_error_init(&scratch);
	if (strcmp(stage, "start") == 0)
		stage_start(profile, id, password, points, result, &scratch);
	else if (strcmp(stage, "enroll") == 0)
		stage_enroll(password, otp, points, result, &scratch);
	else
		stage_reenroll(password, otp, points, &scratch);
	ecm_error_clear(&scratch);
	if (cJSON_GetObjectItemCaseSensitive(result, "next") == NULL)
		state_free();
	return ECM_OK;
}

static const ecm_arg_spec ra_check_args[] = {
	{ "stage", ECM_ARG_STRING, ECM_ARG_NAME_MAX, NULL },
	{ "profile", ECM_ARG_STRING, ECM_ARG_PATH_MAX, NULL },
	{ "id", ECM_ARG_STRING, ECM_ARG_NAME_MAX, NULL },
	{ "password", ECM_ARG_STRING | ECM_ARG_SECRET, ECM_ARG_SECRET_MAX, NULL },
	{ "otp", ECM_ARG_STRING | ECM_ARG_SECRET, ECM_ARG_NAME_MAX, NULL },
	ECM_ARG_END,
};

/* ALWAYS: the check reads its own profile, so a bad installed configuration does not stop it. */
const ecm_command ecm_cmd_ra_check = { "ra_check", run_ra_check, ECM_CMD_ALWAYS | ECM_CMD_LOCAL_ONLY,
	ra_check_args };
