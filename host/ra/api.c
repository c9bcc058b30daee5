/* The account API (JSON over HTTPS, HTTP Basic) at api_url. */
#include <stdlib.h>
#include <string.h>

#include "ecm/secmem.h"
#include "ra_int.h"

ecm_code
ra_json_object(const ra_reply *rp, cJSON **out, ecm_error *err)
{
	*out = rp->len > 0 ? cJSON_ParseWithLength((const char *)rp->body, rp->len) : NULL;
	if (cJSON_IsObject(*out))
		return ECM_OK;
	cJSON_Delete(*out);
	*out = NULL;
	return ecm_fail(err, ECM_RA_BAD_RESPONSE, "the RA's answer is not a JSON object");
}

ecm_code
ra_api_exchange(ecm_session *session, const ecm_config *cfg, const ecm_ra_auth *auth, const char *method,
    const char *path, const cJSON *body, cJSON **out, ecm_error *err)
{
	ra_request rq = { method, cfg->api_url, path, NULL, NULL, 0, NULL, 0 };
	ra_conn *conn;
	ra_reply rp;
	char *text = NULL;
	ecm_code rc;

	*out = NULL;
	if (cfg->api_url == NULL)
		return ecm_fail(err, ECM_CONFIG_MISSING, "no api_url is configured");
	if ((rc = ra_conn_get(session, cfg, &conn, err)) != ECM_OK)
		return rc;
	if (body != NULL) {
		text = cJSON_PrintUnformatted(body);
		if (text == NULL)
			return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
		rq.content_type = "application/json";
		rq.body = text;
		rq.body_len = strlen(text);
	}
	rc = ra_perform(conn, cfg, auth, &rq, &rp, err);
	if (text != NULL)
		ecm_wipe(text, strlen(text));
	cJSON_free(text);
	if (rc == ECM_OK)
		rc = ra_check_status(&rp, err);
	if (rc == ECM_OK)
		rc = ra_json_object(&rp, out, err);
	ra_reply_free(&rp);
	return rc;
}
