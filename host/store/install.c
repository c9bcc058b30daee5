/* Using the stores through the accessors (store.c): which certificate of a customer is "the" one, install into
 * one store, remove a superseded certificate from one store only where its successor is there. No JSON here: the commands
 * turn the results into replies (host/commands/store_results.c). */
#include <stdlib.h>
#include <string.h>

#include <openssl/x509v3.h>

#include "store_int.h"

static ecm_code
open_primary(ecm_store_list *list, const char *password, int read_only, ecm_store *out, ecm_error *err)
{
	ecm_code rc = ecm_stores_discover(list, err);
	size_t i;

	out->handle = NULL;
	if (rc != ECM_OK)
		return rc;
	for (i = 0; i < list->n; i++) {
		if (!list->v[i].primary)
			continue;
		list->v[i].read_only = read_only;
		return ecm_store_open(&list->v[i], password, out, err);
	}
	return ecm_fail(err, ECM_STORE_NOT_FOUND, "this system has no primary certificate store");
}

ecm_code
ecm_store_open_primary(ecm_store_list *list, const char *password, ecm_store *out, ecm_error *err)
{
	return open_primary(list, password, 0, out, err);
}

ecm_code
ecm_store_open_primary_ro(ecm_store_list *list, const char *password, ecm_store *out, ecm_error *err)
{
	return open_primary(list, password, 1, out, err);
}

/* 1 when a is a better pick than b. */
static int
better(const ecm_store_item *a, const ecm_store_item *b)
{
	int va = !ecm_cert_expired(a->cert), vb = !ecm_cert_expired(b->cert), cmp;

	if (a->has_key != b->has_key)
		return a->has_key > b->has_key;
	if (va != vb)
		return va > vb;
	cmp = ASN1_TIME_compare(X509_get0_notBefore(a->cert), X509_get0_notBefore(b->cert));
	if (cmp == 0)
		cmp = ASN1_TIME_compare(X509_get0_notAfter(a->cert), X509_get0_notAfter(b->cert));
	return cmp > 0;
}

static int
wanted(const ecm_store_item *it, const char *id, const char *serial)
{
	char *sn;
	int r;

	if (strcmp(it->owner, id) != 0)
		return 0;
	if (serial == NULL)
		return 1;
	sn = ecm_cert_serial(it->cert);
	r = sn != NULL && ecm_serial_same(sn, serial);
	free(sn);
	return r;
}

ecm_code
ecm_store_pick_identity(ecm_store *s, const ecm_anchors *anchors, const char *id, const char *serial,
    int want_key, ecm_identity *out, int *has_key, ecm_error *err)
{
	ecm_store_items items = { NULL, 0 };
	const ecm_store_item *best = NULL;
	char masked[ECM_ID_LEN + 1];
	ecm_code rc;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (id == NULL)
		return ecm_fail(err, ECM_INTERNAL, "whose certificate was not decided");
	if ((rc = ecm_store_list_owned(s, anchors, &items, err)) != ECM_OK)
		return rc;
	for (i = 0; i < items.n; i++)
		if (wanted(&items.v[i], id, serial) && (best == NULL || better(&items.v[i], best)))
			best = &items.v[i];
	if (best == NULL) {
		ecm_store_items_free(&items);
		ecm_id_mask(id, masked);
		ecm_error_detail_str(err, "store", s->info->id);
		ecm_error_detail_str(err, "masked_id", masked);
		if (serial != NULL)
			ecm_error_detail_str(err, "serial", serial);
		return ecm_fail(err, ECM_NO_CERTIFICATE, "no certificate of %s%s%s in %s", masked,
		    serial ? " with serial " : "", serial ? serial : "", s->info->path);
	}
	if (has_key != NULL)
		*has_key = best->has_key;
	if (want_key) {
		rc = ecm_store_find(s, best->cert, 1, out, err);
	} else {
		X509_up_ref(best->cert);
		out->cert = best->cert;
	}
	ecm_store_items_free(&items);
	return rc;
}

ecm_code
ecm_store_primary_identity(const ecm_anchors *anchors, const char *id, const char *serial, ecm_identity *out,
    ecm_error *err)
{
	ecm_store_list list = { NULL, 0 };
	ecm_store s = { NULL, NULL };
	ecm_code rc = ecm_store_open_primary_ro(&list, NULL, &s, err);

	memset(out, 0, sizeof(*out));
	if (rc == ECM_OK)
		rc = ecm_store_pick_identity(&s, anchors, id, serial, 1, out, NULL, err);
	ecm_store_close(&s);
	ecm_store_list_free(&list);
	return rc;
}

/* The first of the customer's certificates with this serial in one store (up-ref'd), or NULL. */
static X509 *
owned_in(const ecm_store_info *info, const ecm_anchors *anchors, const char *id, const char *serial)
{
	ecm_store_items items = { NULL, 0 };
	X509 *hit = NULL;
	ecm_store s;
	ecm_error e;
	size_t i;

	ecm_error_init(&e);
	if (info->exists && ecm_store_open(info, NULL, &s, &e) == ECM_OK) {
		if (ecm_store_list_owned(&s, anchors, &items, &e) == ECM_OK)
			for (i = 0; hit == NULL && i < items.n; i++)
				if (wanted(&items.v[i], id, serial) && X509_up_ref(items.v[i].cert))
					hit = items.v[i].cert;
		ecm_store_items_free(&items);
		ecm_store_close(&s);
	}
	ecm_error_clear(&e);
	return hit;
}

X509 *
ecm_stores_find_owned(const ecm_anchors *anchors, const char *id, const char *serial)
{
	ecm_store_list list = { NULL, 0 };
	X509 *hit = NULL;
	ecm_error e;
	size_t i;

	ecm_error_init(&e);
	if (ecm_stores_discover(&list, &e) == ECM_OK)
		for (i = 0; hit == NULL && i < list.n; i++) {
			list.v[i].read_only = 1;
			hit = owned_in(&list.v[i], anchors, id, serial);
		}
	ecm_store_list_free(&list);
	ecm_error_clear(&e);
	return hit;
}

ecm_code
ecm_store_install_one(const ecm_store_info *info, const ecm_identity *id, const char *password, int *already,
    ecm_error *err)
{
	ecm_store s;
	ecm_code rc;

	*already = 0;
	if (!ecm_store_supports(info, ECM_STORE_CAN_IMPORT))
		return ecm_fail(err, ECM_STORE_FAILED, "%s cannot take certificates", info->id);
	if ((rc = ecm_store_open(info, password, &s, err)) != ECM_OK)
		return rc;
	rc = ecm_store_import(&s, id, already, err);
	ecm_store_close(&s);
	return rc;
}

int
ecm_store_replace(const ecm_store_info *info, const char *password, const X509 *installed, const X509 *old)
{
	ecm_identity probe;
	ecm_store s;
	ecm_error e;
	int removed = 0;

	ecm_error_init(&e);
	if (!ecm_store_supports(info, ECM_STORE_CAN_DELETE) || ecm_store_open(info, password, &s, &e) != ECM_OK) {
		ecm_error_clear(&e);
		return 0;
	}
	if (ecm_store_find(&s, installed, 0, &probe, &e) == ECM_OK) {
		ecm_identity_free(&probe);
		removed = ecm_store_remove(&s, old, &e) == ECM_OK;
	}
	ecm_store_close(&s);
	ecm_error_clear(&e);
	return removed;
}
