/* stores: every certificate store found for this user, and what each holds relative to one customer (the
 * logged-in one, or `id`), so that a screen can leave a family member's own Firefox profile unticked: whether it
 * wants a password, how many certificates are that customer's (mine) or other customers' (others, by the identity
 * rule), and only_others. Certificates are recognised by the request's broker, or, when it names none, by every
 * installed broker: a profile holding only a family member's certificate at another broker is still theirs.
 * Stores are opened read-only; nothing is created or written. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "ecm/broker.h"
#include "ecm/command.h"
#include "ecm/identity.h"
#include "install.h"
#include "ecm/session.h"

typedef struct holding {
	int mine, others;
} holding;

/* The brokers certificates are recognised by: v[i] NULL means by the subject alone (no broker installed). */
typedef struct recognisers {
	ecm_anchors **v;
	size_t n;
} recognisers;

static void
recognisers_free(recognisers *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		ecm_anchors_free(r->v[i]);
	free(r->v);
}

/* The request's broker when it has one (named, logged in at, or the only one); else every installed broker's. */
static ecm_code
recognisers_load(const ecm_ctx *ctx, recognisers *r, ecm_error *err)
{
	int each = ctx->config->ra_ca_file == NULL && ctx->brokers->n > 0;
	size_t want = each ? ctx->brokers->n : 1;
	const ecm_config *broker;
	ecm_code rc = ECM_OK;

	if ((r->v = calloc(want, sizeof(*r->v))) == NULL)
		return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	for (r->n = 0; rc == ECM_OK && r->n < want; r->n++) {
		broker = each ? &ctx->brokers->v[r->n] : ctx->config;
		rc = ecm_anchors_load(broker->ra_ca_file, broker->subject_ou, &r->v[r->n], err);
	}
	if (rc != ECM_OK)
		recognisers_free(r);
	return rc;
}

static ecm_code
count_owners(ecm_store_info *info, const recognisers *r, const char *id, holding *h, ecm_error *err)
{
	ecm_store_items items = { NULL, 0 };
	ecm_store s;
	ecm_code rc;
	size_t b, i;

	info->read_only = 1;
	if ((rc = ecm_store_open(info, NULL, &s, err)) != ECM_OK)
		return rc;
	for (b = 0; rc == ECM_OK && b < r->n; b++) {
		rc = ecm_store_list_owned(&s, r->v[b], &items, err);
		for (i = 0; rc == ECM_OK && i < items.n; i++) {
			if (strcmp(items.v[i].owner, id) == 0)
				h->mine++;
			else
				h->others++;
		}
		ecm_store_items_free(&items);
	}
	ecm_store_close(&s);
	return rc;
}

static cJSON *
store_json(ecm_store_info *info, const recognisers *anchors, const char *id)
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
	recognisers anchors = { NULL, 0 };
	char buf[ECM_ID_LEN + 1];
	const char *id;
	ecm_store_list list;
	cJSON *arr;
	ecm_code rc;
	size_t i;

	if ((rc = reference_id(ctx, args, buf, &id, err)) != ECM_OK ||
	    (id != NULL && (rc = recognisers_load(ctx, &anchors, err)) != ECM_OK))
		return rc;
	if ((rc = ecm_stores_discover(&list, err)) != ECM_OK) {
		recognisers_free(&anchors);
		return rc;
	}
	arr = cJSON_AddArrayToObject(result, "stores");
	for (i = 0; i < list.n; i++)
		cJSON_AddItemToArray(arr, store_json(&list.v[i], &anchors, id));
	ecm_store_list_free(&list);
	recognisers_free(&anchors);
	return ECM_OK;
}

static const ecm_arg_spec args[] = {
	{ "id", ECM_ARG_STRING, ECM_ARG_NAME_MAX, NULL },
	ECM_ARG_END,
};

const ecm_command ecm_cmd_stores = { "stores", run_stores, 0, args };
