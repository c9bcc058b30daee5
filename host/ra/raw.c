/* ecm_ra_raw_exchange's transport half: one request through the session's connection, the answer handed over
 * as it came, for `ecm ra-check` to judge against the contract (host/commands/ra_check.c). */
#include <string.h>

#include "ra_int.h"

ecm_code
ra_raw_exchange(ecm_session *session, const ecm_config *cfg, const ecm_ra_auth *auth,
    const ecm_ra_raw_request *in, ecm_ra_raw *out, ecm_error *err)
{
	ra_request rq = { in->method, in->base, in->path, in->content_type, in->body, in->body_len, NULL, 0 };
	ra_conn *conn;
	ra_reply rp;
	ecm_code rc;

	memset(out, 0, sizeof(*out));
	out->retry_after = -1;
	if (in->base == NULL)
		return ecm_fail(err, ECM_CONFIG_MISSING, "no URL is configured for %s", in->path);
	if ((rc = ra_conn_get(session, cfg, &conn, err)) != ECM_OK)
		return rc;
	if ((rc = ra_perform(conn, cfg, auth, &rq, &rp, err)) != ECM_OK)
		return rc;
	out->status = rp.status;
	memcpy(out->content_type, rp.content_type, sizeof(out->content_type));
	out->body = rp.body; /* ownership moves: ecm_ra_raw_free */
	out->len = rp.len;
	out->retry_after = rp.retry_after;
	return ECM_OK;
}
