/* stores: every certificate store found for this user, and what each holds relative to one customer (the
 * logged-in one, or `id`), so that a screen can leave a family member's own Firefox profile unticked: whether it
 * wants a password, how many certificates are that customer's (mine) or other customers' (others, by the identity
 * rule), and only_others. Stores are opened read-only; nothing is created or written. */
#include <ctype.h>
#include <string.h>

#include "ecm/command.h"
#include "ecm/identity.h"
#include "install.h"
#include "ecm/session.h"

typedef struct holding {
	int mine, others;
} holding;

static ecm_code
count_owners(ecm_store_info *info, const ecm_anchors *anchors, const char *id, holding *h, ecm_error *err)
{
	ecm_store_items items = { NULL, 0 };
	ecm_store s;
	ecm_code rc;
	size_t i;

	info->read_only = 1;
	if ((rc = ecm_store_open(info, NULL, &s, err)) != ECM_OK)
		return rc;
	rc = ecm_store_list_owned(&s, anchors, &items, err);
	for (i = 0; rc == ECM_OK && i < items.n; i++) {
		if (strcmp(items.v[i].owner, id) == 0)
			h->mine++;
		else
			h->others++;
	}
	ecm_store_items_free(&items);
	ecm_store_close(&s);
	return rc;
}

static cJSON *
store_json(ecm_store_info *info, const ecm_anchors *anchors, const char *id)
{
	cJSON *o = ecm_store_info_json(info);
	holding h = { 0, 0 };
	ecm_error e;
	ecm_code rc;

	ecm_error_init(&e);
	rc = id != NULL ? count_owners(info, anchors, id, &h, &e) : ECM_OK;
	cJSON_AddBoolToObject(o, "password_required", rc == ECM_STORE_PASSWORD_REQUIRED);
	if (id == NULL || rc != ECM_OK) { /* nobody to compare with, or it cannot be read without its password */
		cJSON_AddNullToObject(o, "only_others");
	} else {
		cJSON_AddNumberToObject(o, "mine", h.mine);
		cJSON_AddNumberToObject(o, "others", h.others);
		cJSON_AddBoolToObject(o, "only_others", h.others > 0 && h.mine == 0);
	}
	if (rc != ECM_OK && rc != ECM_STORE_PASSWORD_REQUIRED)
		cJSON_AddStringToObject(o, "error", ecm_code_name(rc));
	ecm_error_clear(&e);
	return o;
}

/* The customer the answer is relative to: `id` (upper-cased, valid), else the logged-in one, else none. */
static ecm_code
reference_id(const ecm_ctx *ctx, const cJSON *args, char out[ECM_ID_LEN + 1], const char **ref, ecm_error *err)
{
	const char *given = NULL;
	ecm_code rc;
	size_t i;

	*ref = NULL;
	if ((rc = ecm_arg_string(args, "id", &given, err)) != ECM_OK)
		return rc;
	if (given == NULL && ecm_session_logged_in(ctx->session))
		given = ctx->session->national_id;
	if (given == NULL)
		return ECM_OK;
	for (i = 0; given[i] != '\0' && i < ECM_ID_LEN; i++)
		out[i] = (char)toupper((unsigned char)given[i]);
	out[i] = '\0';
	if (given[i] != '\0' || !ecm_national_id_valid(out)) {
		ecm_error_detail_str(err, "field", "id");
		return ecm_fail(err, ECM_BAD_REQUEST, "\"id\" is not a valid national or resident ID");
	}
	*ref = out;
	return ECM_OK;
}

static ecm_code
run_stores(ecm_ctx *ctx, const cJSON *args, cJSON *result, ecm_error *err)
{
	ecm_anchors *anchors = NULL;
	char buf[ECM_ID_LEN + 1];
	const char *id;
	ecm_store_list list;
	cJSON *arr;
	ecm_code rc;
	size_t i;

	if ((rc = reference_id(ctx, args, buf, &id, err)) != ECM_OK ||
	    (id != NULL && (rc = ecm_anchors_load(ctx->config->ra_ca_file, ctx->config->subject_ou, &anchors, err)) != ECM_OK))
		return rc;
	if ((rc = ecm_stores_discover(&list, err)) != ECM_OK) {
		ecm_anchors_free(anchors);
		return rc;
	}
	arr = cJSON_AddArrayToObject(result, "stores");
	for (i = 0; i < list.n; i++)
		cJSON_AddItemToArray(arr, store_json(&list.v[i], anchors, id));
	ecm_store_list_free(&list);
	ecm_anchors_free(anchors);
	return ECM_OK;
}

static const ecm_arg_spec args[] = {
	{ "id", ECM_ARG_STRING, ECM_ARG_NAME_MAX, NULL },
	ECM_ARG_END,
};

const ecm_command ecm_cmd_stores = { "stores", run_stores, 0, args };
