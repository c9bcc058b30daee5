/* The RA client (host/ra/): EST (RFC 7030) and the account API of docs/ra-protocol.md over libcurl.
 * curl is loaded on the first request, never by commands that do not talk to the RA (on Linux it is not even
 * mapped before then: host/ra/client.c). Every request of a session
 * goes through the session's one connection (session->ra), opened on the first request, closed at logout. */
#ifndef ECM_RA_H
#define ECM_RA_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "ecm/config.h"
#include "ecm/crypto.h"
#include "ecm/error.h"
#include "ecm/session.h"

/* Who is asking: HTTP Basic credentials (NULL user: none) and optionally a TLS client identity. */
typedef struct ecm_ra_auth {
	const char *user;
	const char *password;
	const ecm_identity *client; /* NULL, or certificate + key for mTLS (simplereenroll) */
} ecm_ra_auth;

/* The EST enrollment request: the CSR plus the second factor and the accepted terms. */
typedef struct ecm_ra_enroll {
	const unsigned char *csr_der;
	size_t csr_len;
	const char *otp;
	const char *terms_version;
	int reenroll; /* simplereenroll (auth->client required) instead of simpleenroll */
} ecm_ra_enroll;

/* Account API: method "GET" or "POST" on api_url + path, body NULL or a JSON object.
 * *out is the parsed JSON object of a 2xx answer. Every other outcome is an error code (see docs/protocol.md). */
ecm_code ecm_ra_api(ecm_session *session, const ecm_config *cfg, const ecm_ra_auth *auth, const char *method,
    const char *path, const cJSON *body, cJSON **out, ecm_error *err);

/* EST simpleenroll / simplereenroll: *certs holds every certificate of the certs-only answer. simpleenroll
 * presents the configured client identity (ra_client_cert_file, RFC 7030 section 3.3.2) when there is one. */
ecm_code ecm_ra_est_enroll(ecm_session *session, const ecm_config *cfg, const ecm_ra_auth *auth,
    const ecm_ra_enroll *req, STACK_OF(X509) **certs, ecm_error *err);

/* One request as asked, its answer unjudged: `ecm ra-check` holds the answer against docs/ra-protocol.md itself.
 * The transport is the one every other request uses (session connection, pinned CA, TLS limits, Basic auth). */
typedef struct ecm_ra_raw_request {
	const char *method;       /* "GET" or "POST" */
	const char *base;         /* est_url or api_url */
	const char *path;         /* appended to base */
	const char *content_type; /* of body, or NULL */
	const void *body;
	size_t body_len;
} ecm_ra_raw_request;

typedef struct ecm_ra_raw {
	long status;
	char content_type[128]; /* "" when the answer named none */
	unsigned char *body;    /* NULL or NUL-terminated, len bytes before it */
	size_t len;
	long retry_after;       /* seconds, -1 when absent */
} ecm_ra_raw;

/* ECM_OK when the server answered at all (any status); transport failures are RA_* codes as everywhere. */
ecm_code ecm_ra_raw_exchange(ecm_session *session, const ecm_config *cfg, const ecm_ra_auth *auth,
    const ecm_ra_raw_request *rq, ecm_ra_raw *out, ecm_error *err);
void ecm_ra_raw_free(ecm_ra_raw *raw);

/* Releases curl if a request loaded it (ecm_core_free calls this). */
void ecm_ra_global_cleanup(void);

/* An RA timestamp ("2026-11-24T03:54:57Z", fractions allowed) as seconds since the epoch; -1 when unreadable. */
long long ecm_ra_parse_time(const char *iso);

#endif
