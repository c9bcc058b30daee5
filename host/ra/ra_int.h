/* Private to host/ra/: one HTTPS exchange, and turning an RA's answer into our codes. */
#ifndef ECM_RA_INT_H
#define ECM_RA_INT_H

#include "ecm/ra.h"

typedef struct ra_request {
	const char *method;             /* "GET" or "POST" */
	const char *base;               /* est_url or api_url */
	const char *path;               /* appended to base */
	const char *content_type;       /* of body, or NULL */
	const void *body;
	size_t body_len;
	const char *const *headers;     /* extra "Name: value" lines, NULL-ended; wiped after use (OTP) */
} ra_request;

typedef struct ra_reply {
	long status;
	unsigned char *body; /* NUL-terminated, len bytes before it */
	size_t len;
	char content_type[128];
	long retry_after; /* seconds, -1 when absent */
	size_t header_len; /* header bytes so far (capped) */
} ra_reply;

/* ECM_OK when the server answered at all (any status); transport failures map to RA_* codes. */
ecm_code ra_perform(const ecm_config *cfg, const ecm_ra_auth *auth, const ra_request *rq, ra_reply *rp,
    ecm_error *err);
void ra_reply_free(ra_reply *rp);

/* ECM_OK for 200/201/204; RA_PENDING for 202; the RA's error body or the status mapped otherwise. */
ecm_code ra_check_status(const ra_reply *rp, ecm_error *err);

/* The parsers of a 2xx answer, apart from the transport so that tests/fuzz/ can feed them directly:
 * the certificates of an EST answer, and the JSON object of an account-API answer. RA_BAD_RESPONSE otherwise. */
ecm_code ra_est_certs(const ra_reply *rp, STACK_OF(X509) **certs, ecm_error *err);
ecm_code ra_json_object(const ra_reply *rp, cJSON **out, ecm_error *err);

#endif
