/* Private to host/ra/: the session's connection, one HTTPS exchange, turning an RA's answer into our codes. */
#ifndef ECM_RA_INT_H
#define ECM_RA_INT_H

#include <curl/curl.h>

#include "ecm/ra.h"
#include "entry.h"

typedef struct ra_request {
	const char *method;             /* "GET" or "POST" */
	const char *base;               /* est_url or api_url */
	const char *path;               /* appended to base */
	const char *content_type;       /* of body, or NULL */
	const void *body;
	size_t body_len;
	const char *const *headers;     /* extra "Name: value" lines, NULL-ended; wiped after use (OTP) */
	int configured_client;          /* present ra_client_cert_file when auth has no client (simpleenroll) */
} ra_request;

typedef struct ra_reply {
	long status;
	unsigned char *body; /* NUL-terminated, len bytes before it */
	size_t len;
	char content_type[128];
	long retry_after; /* seconds, -1 when absent */
	size_t header_len; /* header bytes so far (capped) */
} ra_reply;

/* The session's connection (host/ra/conn.c): the curl handle with everything that does not change between
 * requests already set (pinned CA, TLS limits, timeouts), and the configured client identity once loaded. */
typedef struct ra_conn {
	CURL *h;
	ecm_identity client; /* ra_client_cert_file + ra_client_key_file; cert NULL until first needed */
	const ecm_config *cfg; /* the broker it was set up for: its CA, its client identity */
} ra_conn;

/* The session's connection, made on first use (curl loaded, CA read once); made anew for another broker. */
ecm_code ra_conn_get(ecm_session *s, const ecm_config *cfg, ra_conn **out, ecm_error *err);
/* The configured client identity, loaded on first use; *id NULL when none is configured. */
ecm_code ra_conn_client(ra_conn *c, const ecm_config *cfg, const ecm_identity **id, ecm_error *err);

/* Handle-wide settings (host/ra/http.c), applied once by ra_conn_get. */
ecm_code ra_load_curl(ecm_error *err);
ecm_code ra_set_tls(CURL *h, const ecm_config *cfg, unsigned char *ca, size_t ca_len, ecm_error *err);

/* ECM_OK when the server answered at all (any status); transport failures map to RA_* codes. */
ecm_code ra_perform(ra_conn *c, const ecm_config *cfg, const ecm_ra_auth *auth, const ra_request *rq,
    ra_reply *rp, ecm_error *err);
void ra_reply_free(ra_reply *rp);

/* ECM_OK for 200/201/204; RA_PENDING for 202; the RA's error body or the status mapped otherwise. */
ecm_code ra_check_status(const ra_reply *rp, ecm_error *err);

/* The parsers of a 2xx answer, apart from the transport so that tests/fuzz/ can feed them directly:
 * the certificates of an EST answer, and the JSON object of an account-API answer. RA_BAD_RESPONSE otherwise. */
ecm_code ra_est_certs(const ra_reply *rp, STACK_OF(X509) **certs, ecm_error *err);
ecm_code ra_json_object(const ra_reply *rp, cJSON **out, ecm_error *err);

/* The server's own words for details: valid UTF-8 (a bad sequence becomes U+FFFD, a control character a
 * space), at most max bytes, cut on a character boundary. malloc'd, NULL when out of memory. */
char *ra_text_clip(const unsigned char *text, size_t len, size_t max);

/* Is the reply's Content-Type this media type (case-insensitive, parameters ignored)? */
int ra_content_type_is(const ra_reply *rp, const char *type);

#endif
