/* backup: a customer's certificate + key from the primary store to a .pfx (AES, or 3DES/SHA-1 with compat). 0600,
 * written to a temporary file and renamed; an existing file is replaced only with overwrite. Whose: whose.h. */
#include <stdlib.h>
#include <string.h>

#include "ecm/command.h"
#include "ecm/password_rule.h"
#include "ecm/store.h"
#include "ecm/util.h"
#include "enroll.h"
#include "whose.h"

static ecm_code
make_parent(const char *path, ecm_error *err)
{
	char *dir = ecm_dir_of(path); /* a path the user typed: absolute by now (ecm_user_path) */
	int rc = dir != NULL ? ecm_mkdirs(dir, 0700) : 0;

	free(dir);
	if (rc != 0) {
		ecm_error_detail_str(err, "path", path);
		return ecm_fail(err, ECM_FILE_WRITE_FAILED, "cannot create the folder of %s", path);
	}
	return ECM_OK;
}

static ecm_code
run_backup(ecm_ctx *ctx, const cJSON *args, cJSON *result, ecm_error *err)
{
	const char *typed = NULL, *password = NULL, *store_password = NULL;
	int overwrite = 0, compat = 0;
	ecm_identity id = { NULL, NULL, NULL };
	ecm_store_list list = { NULL, 0 };
	ecm_store s = { NULL, NULL };
	char *target = NULL, *path = NULL;
	ecm_config folder;
	const ecm_config *in;
	whose w;
	ecm_code rc;

	if ((rc = ecm_arg_string(args, "path", &typed, err)) != ECM_OK ||
	    (rc = ecm_arg_string(args, "password", &password, err)) != ECM_OK ||
	    (rc = ecm_arg_string(args, "store_password", &store_password, err)) != ECM_OK ||
	    (rc = ecm_arg_bool(args, "overwrite", &overwrite, err)) != ECM_OK ||
	    (rc = ecm_arg_bool(args, "compat", &compat, err)) != ECM_OK)
		return rc;
	if ((rc = whose_begin(ctx, args, &w, err)) == ECM_OK && typed != NULL && typed[0] != '\0' &&
	    (path = ecm_user_path(typed)) == NULL) /* the one rule */
		rc = ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	if (rc == ECM_OK)
		rc = ecm_store_open_primary_ro(&list, store_password, &s, err);
	if (rc == ECM_OK)
		rc = whose_decide(ctx, &s, &w, err);
	/* The rule is checked against the customer whose key goes into the file, before it is read. */
	if (rc == ECM_OK)
		rc = ecm_password_rule_check(password, w.id, err);
	if (rc == ECM_OK)
		rc = ecm_store_pick_identity(&s, w.anchors, w.id, w.serial, 1, &id, NULL, err);
	ecm_store_close(&s);
	ecm_store_list_free(&list);
	whose_end(&w);
	if (rc == ECM_OK) {
		in = enroll_folder_config(ctx->config, path, &folder); /* a folder: the default name inside */
		/* The default name never replaces a file: the backup made at apply (with the password chosen then)
		 * has the same ECM_<ID>_<date>.pfx (issue 22 item 2). */
		target = path && in == NULL ? enroll_backup_name(path) : enroll_free_default_path(in ? in : ctx->config, id.cert);
		rc = target ? make_parent(target, err) : ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	}
	if (rc == ECM_OK)
		rc = ecm_pfx_write_file(target, &id, password, ctx->config->pkcs12_iterations,
		    compat ? ECM_PFX_COMPAT : ECM_PFX_AES, overwrite, err);
	if (rc == ECM_OK) {
		cJSON_AddStringToObject(result, "path", target);
		cJSON_AddItemToObject(result, "certificate", ecm_cert_summary(id.cert));
		cJSON_AddStringToObject(result, "format", compat ? "compat" : "aes");
	}
	free(target);
	free(path);
	ecm_identity_free(&id);
	return rc;
}

static const ecm_arg_spec args[] = {
	{ "path", ECM_ARG_STRING, ECM_ARG_PATH_MAX, NULL },
	{ "password", ECM_ARG_STRING | ECM_ARG_REQUIRED | ECM_ARG_SECRET, ECM_ARG_SECRET_MAX, NULL },
	{ "store_password", ECM_ARG_STRING | ECM_ARG_SECRET, ECM_ARG_SECRET_MAX, NULL },
	{ "overwrite", ECM_ARG_BOOL, 0, NULL },
	{ "compat", ECM_ARG_BOOL, 0, NULL },
	WHOSE_ARGS,
	ECM_ARG_END,
};

const ecm_command ecm_cmd_backup = { "backup", run_backup, ECM_CMD_NEEDS_BROKER, args };
