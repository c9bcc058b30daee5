/* install: a customer's identity from the primary store into every store found (or the named ones), one result
 * per store. Whose: whose.h; import's offer names the certificate just imported by `serial`, with
 * `confirm_other_customer` when the person was shown it is another customer's. */
#include <stdlib.h>
#include <string.h>

#include "ecm/command.h"
#include "install.h"
#include "whose.h"

static const char *
primary_password(const ecm_store_list *list, const cJSON *passwords)
{
	const cJSON *p;
	size_t i;

	for (i = 0; passwords != NULL && i < list->n; i++)
		if (list->v[i].primary) {
			p = cJSON_GetObjectItemCaseSensitive(passwords, list->v[i].id);
			return cJSON_IsString(p) ? p->valuestring : NULL;
		}
	return NULL;
}

/* The identity and the primary store's id (malloc'd), which install then leaves alone: it was just read there. */
static ecm_code
primary_identity(const ecm_ctx *ctx, const cJSON *passwords, whose *w, ecm_identity *id, char **primary_id,
    ecm_error *err)
{
	ecm_store_list list = { NULL, 0 };
	ecm_store s = { NULL, NULL };
	ecm_code rc = ecm_stores_discover(&list, err);
	size_t i;

	for (i = 0; rc == ECM_OK && i < list.n && !list.v[i].primary; i++)
		;
	if (rc == ECM_OK && i == list.n)
		rc = ecm_fail(err, ECM_STORE_NOT_FOUND, "this system has no primary certificate store");
	if (rc == ECM_OK)
		rc = ecm_store_open(&list.v[i], primary_password(&list, passwords), &s, err);
	if (rc == ECM_OK)
		rc = whose_pick(ctx, &s, w, 1, id, NULL, err);
	if (rc == ECM_OK && (*primary_id = strdup(list.v[i].id)) == NULL)
		rc = ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	ecm_store_close(&s);
	ecm_store_list_free(&list);
	return rc;
}

static ecm_code
run_install(ecm_ctx *ctx, const cJSON *args, cJSON *result, ecm_error *err)
{
	const cJSON *only = NULL, *passwords = NULL;
	ecm_identity id = { NULL, NULL, NULL };
	char *primary_id = NULL;
	whose w;
	ecm_code rc;

	if ((rc = ecm_store_choice_args(args, &only, &passwords, err)) != ECM_OK)
		return rc;
	if ((rc = whose_begin(ctx, args, &w, err)) == ECM_OK)
		rc = primary_identity(ctx, passwords, &w, &id, &primary_id, err);
	whose_end(&w);
	if (rc != ECM_OK)
		return rc;
	ecm_progress(ctx, "install", 0, 1);
	rc = ecm_install_from(ctx->config, &id, primary_id, only, passwords, cJSON_AddArrayToObject(result, "results"),
	    err);
	free(primary_id);
	cJSON_AddItemToObject(result, "certificate", ecm_cert_summary(id.cert));
	ecm_identity_free(&id);
	return rc;
}

static const ecm_arg_spec args[] = {
	ECM_STORE_CHOICE_ARGS,
	WHOSE_ARGS,
	{ "confirm_other_customer", ECM_ARG_BOOL, 0, NULL },
	ECM_ARG_END,
};

const ecm_command ecm_cmd_install = { "install", run_install, ECM_CMD_NEEDS_BROKER, args };
