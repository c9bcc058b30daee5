/* apply: a new PC certificate for a logged-in customer (terms accepted, OTP from the phone). It would supersede
 * a valid one: that needs replace_existing (enroll_check_supersede, from enroll_run), and the superseded
 * certificate then leaves every store where the new one is installed, as on renew. */
#include <string.h>

#include "ecm/store.h"
#include "install.h"
#include "enroll.h"

/* The broker's valid PC certificate that this apply supersedes, as this computer's stores hold it (certificate
 * only), in out->cert; left empty when there is none here. Best effort: it only decides what is removed later. */
static void
find_superseded(ecm_ctx *ctx, ecm_identity *out)
{
	ecm_anchors *anchors = NULL;
	const cJSON *serial, *status;
	cJSON *c = NULL;
	ecm_error e;

	ecm_error_init(&e);
	if (enroll_fetch_account(ctx, &e) == ECM_OK && (c = enroll_account_cert(ctx->session->account)) != NULL &&
	    ecm_anchors_load(ctx->config->ra_ca_file, ctx->config->subject_ou, &anchors, &e) == ECM_OK) {
		serial = cJSON_GetObjectItemCaseSensitive(c, "serial");
		status = cJSON_GetObjectItemCaseSensitive(c, "status");
		if (cJSON_IsString(serial) && cJSON_IsString(status) && strcmp(status->valuestring, "valid") == 0)
			out->cert = ecm_stores_find_owned(anchors, ctx->session->national_id, serial->valuestring);
	}
	ecm_anchors_free(anchors);
	cJSON_Delete(c);
	ecm_error_clear(&e);
}

static ecm_code
run_apply(ecm_ctx *ctx, const cJSON *args, cJSON *result, ecm_error *err)
{
	ecm_identity superseded = { NULL, NULL, NULL };
	enroll_args a;
	ecm_code rc;

	if ((rc = enroll_parse_args(args, 0, &a, err)) == ECM_OK) {
		if (a.replace_existing && !a.resume && enroll_issued_held(ctx) == NULL) {
			find_superseded(ctx, &superseded);
			a.superseded = &superseded;
		}
		rc = enroll_run(ctx, &a, NULL, result, err);
	}
	ecm_identity_free(&superseded);
	enroll_args_free(&a);
	return rc;
}

static const ecm_arg_spec args[] = {
	ENROLL_ARGS,
	{ "replace_existing", ECM_ARG_BOOL, 0, NULL },
	ECM_STORE_CHOICE_ARGS,
	ECM_ARG_END,
};

const ecm_command ecm_cmd_apply = { "apply", run_apply, ECM_CMD_NEEDS_BROKER | ECM_CMD_NEEDS_SERVER | ECM_CMD_NEEDS_LOGIN, args };
