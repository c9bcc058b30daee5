/* renew: a new certificate before the current one expires. The exchange's rule wants both factors of the old
 * world: the trading password (the session) and the still-valid current certificate (TLS client auth). */
#include <stdlib.h>
#include <string.h>

#include "ecm/identity.h"
#include "install.h"
#include "ecm/store.h"
#include "enroll.h"

/* The serial of the broker's current PC certificate as the login saw it, or NULL (malloc'd). */
static char *
broker_current_serial(const ecm_ctx *ctx)
{
	cJSON *c = ctx->session->account ? enroll_account_cert(ctx->session->account) : NULL;
	const cJSON *serial = cJSON_GetObjectItemCaseSensitive(c, "serial");
	char *s = cJSON_IsString(serial) ? strdup(serial->valuestring) : NULL;

	cJSON_Delete(c);
	return s;
}

/* The current identity from the .pfx named in the request, else the customer's certificate + key in the primary
 * store: the broker's current one (never a superseded one left in the store, which the RA would refuse only after
 * the OTP is spent and a key made). */
static ecm_code
load_current(ecm_ctx *ctx, const enroll_args *a, ecm_identity *current, ecm_error *err)
{
	ecm_anchors *anchors = NULL;
	char *serial = NULL;
	ecm_code rc = ecm_anchors_load(ctx->config->ra_ca_file, ctx->config->subject_ou, &anchors, err);

	if (rc == ECM_OK && a->current_path == NULL) {
		serial = broker_current_serial(ctx);
		rc = ecm_store_primary_identity(anchors, ctx->session->national_id, serial, current, err);
	} else if (rc == ECM_OK) {
		rc = ecm_pfx_read_file(a->current_path, a->current_password ? a->current_password : "", current, err);
		if (rc == ECM_OK && current->key == NULL)
			rc = ecm_fail(err, ECM_KEY_MISSING, "%s holds no private key", a->current_path);
		if (rc == ECM_OK && !ecm_cert_is_customers(anchors, current->cert, current->chain,
		    ctx->session->national_id))
			rc = ecm_fail(err, ECM_SUBJECT_MISMATCH, "the current certificate belongs to another ID");
	}
	free(serial);
	ecm_anchors_free(anchors);
	return rc;
}

/* Outside the window, say when it opens before an OTP is spent or a key made. */
static ecm_code
check_window(ecm_ctx *ctx, const ecm_identity *current, ecm_error *err)
{
	char *serial = ecm_cert_serial(current->cert);
	ecm_code rc = enroll_check_window(ctx, serial, err);

	free(serial);
	return rc;
}

static ecm_code
run_renew(ecm_ctx *ctx, const cJSON *args, cJSON *result, ecm_error *err)
{
	ecm_identity current = { NULL, NULL, NULL };
	enroll_args a;
	ecm_code rc;

	if ((rc = enroll_parse_args(args, 1, &a, err)) != ECM_OK) {
		enroll_args_free(&a);
		return rc;
	}
	/* A resumed renewal authenticates with the identity its CSR was made for, kept with it: "current" is not
	 * read again, so the user need not type the .pfx password twice. */
	if (a.resume)
		rc = enroll_pending_current(ctx, &current, err);
	else if ((rc = load_current(ctx, &a, &current, err)) == ECM_OK)
		rc = check_window(ctx, &current, err);
	if (rc == ECM_OK) {
		cJSON_AddItemToObject(result, "previous", ecm_cert_summary(current.cert));
		rc = enroll_run(ctx, &a, &current, result, err);
	}
	ecm_identity_free(&current);
	enroll_args_free(&a);
	return rc;
}

static const ecm_arg_spec current_args[] = {
	{ "path", ECM_ARG_STRING | ECM_ARG_REQUIRED, ECM_ARG_PATH_MAX, NULL },
	{ "password", ECM_ARG_STRING | ECM_ARG_SECRET, ECM_ARG_SECRET_MAX, NULL },
	ECM_ARG_END,
};

static const ecm_arg_spec args[] = {
	ENROLL_ARGS,
	{ "current", ECM_ARG_OBJECT, 0, current_args },
	ECM_STORE_CHOICE_ARGS,
	ECM_ARG_END,
};

const ecm_command ecm_cmd_renew = { "renew", run_renew, ECM_CMD_NEEDS_BROKER | ECM_CMD_NEEDS_SERVER | ECM_CMD_NEEDS_LOGIN, args };
