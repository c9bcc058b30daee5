/* Whose certificate: the one decision (whose.h). Without a login a private key is used only for a customer the
 * request names or the only one with a certificate here; "the newest certificate of anyone" is never a choice. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecm/session.h"
#include "whose.h"

static ecm_code
bad_id(ecm_error *err)
{
	ecm_error_detail_str(err, "field", "id");
	return ecm_fail(err, ECM_BAD_REQUEST, "\"id\" is not a valid national ID");
}

ecm_code
whose_begin(const ecm_ctx *ctx, const cJSON *args, whose *w, ecm_error *err)
{
	const char *id = NULL;
	size_t i;
	ecm_code rc;

	memset(w, 0, sizeof(*w));
	if ((rc = ecm_arg_string(args, "id", &id, err)) != ECM_OK ||
	    (rc = ecm_arg_string(args, "serial", &w->serial, err)) != ECM_OK ||
	    (rc = ecm_arg_bool(args, "confirm_other_customer", &w->other_ok, err)) != ECM_OK)
		return rc;
	if (id != NULL) {
		if (strlen(id) != ECM_ID_LEN)
			return bad_id(err);
		for (i = 0; i < ECM_ID_LEN; i++)
			w->asked[i] = (char)toupper((unsigned char)id[i]);
		if (!ecm_national_id_valid(w->asked))
			return bad_id(err);
	}
	return ecm_anchors_load(ctx->config->ra_ca_file, ctx->config->subject_ou, &w->anchors, err);
}

void
whose_end(whose *w)
{
	ecm_anchors_free(w->anchors);
	w->anchors = NULL;
}

static ecm_code
other_customer(const char *id, ecm_error *err)
{
	char masked[ECM_ID_LEN + 1];

	ecm_id_mask(id, masked);
	ecm_error_detail_str(err, "masked_id", masked);
	return ecm_fail(err, ECM_OTHER_CUSTOMER, "the request names %s, not the logged-in customer", masked);
}

static const ecm_store_item *
by_serial(const ecm_store_items *items, const char *serial)
{
	const ecm_store_item *hit = NULL;
	char *sn;
	size_t i;

	for (i = 0; hit == NULL && i < items->n; i++) {
		sn = ecm_cert_serial(items->v[i].cert);
		if (sn != NULL && ecm_serial_same(sn, serial))
			hit = &items->v[i];
		free(sn);
	}
	return hit;
}

static cJSON *
candidate_of(const ecm_store_info *info, const ecm_store_item *it)
{
	char name[512];

	ecm_store_display_name(info, name, sizeof(name));
	return ecm_cert_candidate(it->cert, it->owner, info->id, name);
}

static ecm_code
choose(const ecm_store *s, const ecm_store_items *items, ecm_error *err)
{
	cJSON *list = cJSON_CreateArray();
	size_t i;

	for (i = 0; i < items->n; i++)
		cJSON_AddItemToArray(list, candidate_of(s->info, &items->v[i]));
	if (err->details == NULL)
		err->details = cJSON_CreateObject();
	cJSON_AddItemToObject(err->details, "candidates", list);
	return ecm_fail(err, ECM_CHOOSE_CUSTOMER, "certificates of several customers are here: say whose (id or "
	    "serial)");
}

/* The only customer in items, or "" when there are several or none (*several says which). */
static const char *
only_owner(const ecm_store_items *items, int *several)
{
	size_t i;

	*several = 0;
	for (i = 1; i < items->n; i++)
		if (strcmp(items->v[i].owner, items->v[0].owner) != 0)
			*several = 1;
	return items->n > 0 && !*several ? items->v[0].owner : "";
}

static ecm_code
from_store(ecm_store *s, whose *w, ecm_error *err)
{
	ecm_store_items items = { NULL, 0 };
	const ecm_store_item *hit;
	int several;
	ecm_code rc = ecm_store_list_owned(s, w->anchors, &items, err);

	if (rc != ECM_OK)
		return rc;
	if (w->serial != NULL) {
		if ((hit = by_serial(&items, w->serial)) != NULL)
			memcpy(w->id, hit->owner, sizeof(w->id));
		else {
			ecm_error_detail_str(err, "serial", w->serial);
			ecm_error_detail_str(err, "store", s->info->id);
			rc = ecm_fail(err, ECM_NO_CERTIFICATE, "no customer's certificate with serial %s in %s",
			    w->serial, s->info->path);
		}
	} else {
		snprintf(w->id, sizeof(w->id), "%s", only_owner(&items, &several));
		if (several)
			rc = choose(s, &items, err);
		else if (w->id[0] == '\0') {
			ecm_error_detail_str(err, "store", s->info->id);
			rc = ecm_fail(err, ECM_NO_CERTIFICATE, "no customer's certificate in %s", s->info->path);
		}
	}
	ecm_store_items_free(&items);
	return rc;
}

ecm_code
whose_decide(const ecm_ctx *ctx, ecm_store *s, whose *w, ecm_error *err)
{
	const char *login = ecm_session_logged_in(ctx->session) ? ctx->session->national_id : NULL;

	w->id[0] = '\0';
	if (login != NULL && w->serial != NULL && w->other_ok)
		return from_store(s, w, err);
	if (login != NULL && w->asked[0] != '\0' && strcmp(w->asked, login) != 0)
		return other_customer(w->asked, err);
	if (login != NULL || w->asked[0] != '\0') {
		snprintf(w->id, sizeof(w->id), "%s", login != NULL ? login : w->asked);
		return ECM_OK;
	}
	return from_store(s, w, err);
}

ecm_code
whose_pick(const ecm_ctx *ctx, ecm_store *s, whose *w, int want_key, ecm_identity *out, int *has_key,
    ecm_error *err)
{
	ecm_code rc = whose_decide(ctx, s, w, err);

	memset(out, 0, sizeof(*out));
	if (rc != ECM_OK)
		return rc;
	/* With a login, a serial of another customer's certificate finds nothing here: not theirs to use. */
	return ecm_store_pick_identity(s, w->anchors, w->id, w->serial, want_key, out, has_key, err);
}
