/* apply: a new PC certificate for a logged-in customer (terms accepted, OTP from the phone). It would supersede
 * a valid one: that needs replace_existing (enroll_check_supersede, from enroll_run). */
#include "install.h"
#include "enroll.h"

static ecm_code
run_apply(ecm_ctx *ctx, const cJSON *args, cJSON *result, ecm_error *err)
{
	enroll_args a;
	ecm_code rc;

	if ((rc = enroll_parse_args(args, 0, &a, err)) == ECM_OK)
		rc = enroll_run(ctx, &a, NULL, result, err);
	enroll_args_free(&a);
	return rc;
}

static const char *const secrets[] = { "otp", "backup.password", NULL };

static const ecm_arg_spec args[] = {
	ENROLL_ARGS,
	{ "replace_existing", ECM_ARG_BOOL, 0, NULL },
	ECM_STORE_CHOICE_ARGS,
	ECM_ARG_END,
};

const ecm_command ecm_cmd_apply = { "apply", run_apply, ECM_CMD_NEEDS_SERVER | ECM_CMD_NEEDS_LOGIN, secrets, args };
