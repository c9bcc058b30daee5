/* What the transport half of the RA client (api.c, est.c, http.c and their helpers: everything that needs libcurl)
 * offers the rest, as one table: host/ra/client.c reaches it directly, or in libecm-ra.so by this symbol. */
#ifndef ECM_RA_ENTRY_H
#define ECM_RA_ENTRY_H

#include "ecm/ra.h"

#define ECM_RA_ENTRY_SYMBOL "ecm_ra_entry"

typedef struct ecm_ra_entry_points {
	ecm_code (*api)(ecm_session *session, const ecm_config *cfg, const ecm_ra_auth *auth, const char *method,
	    const char *path, const cJSON *body, cJSON **out, ecm_error *err);
	ecm_code (*est_enroll)(ecm_session *session, const ecm_config *cfg, const ecm_ra_auth *auth,
	    const ecm_ra_enroll *req, STACK_OF(X509) **certs, ecm_error *err);
	void (*cleanup)(void);
	ecm_code (*raw)(ecm_session *session, const ecm_config *cfg, const ecm_ra_auth *auth,
	    const ecm_ra_raw_request *rq, ecm_ra_raw *out, ecm_error *err);
} ecm_ra_entry_points;

/* The implementations behind ecm_ra_api, ecm_ra_est_enroll and ecm_ra_global_cleanup and ecm_ra_raw_exchange
 * (include/ecm/ra.h). */
ecm_code ra_api_exchange(ecm_session *session, const ecm_config *cfg, const ecm_ra_auth *auth, const char *method,
    const char *path, const cJSON *body, cJSON **out, ecm_error *err);
ecm_code ra_est_enroll(ecm_session *session, const ecm_config *cfg, const ecm_ra_auth *auth,
    const ecm_ra_enroll *req, STACK_OF(X509) **certs, ecm_error *err);
void ra_curl_cleanup(void);
ecm_code ra_raw_exchange(ecm_session *session, const ecm_config *cfg, const ecm_ra_auth *auth,
    const ecm_ra_raw_request *rq, ecm_ra_raw *out, ecm_error *err);

extern const ecm_ra_entry_points ecm_ra_entry;

#endif
