/* Using the stores through the backend table: open/close, which certificate is "the" one, install into one store,
 * remove a superseded certificate from one store only where its successor is there. No JSON here: the commands
 * turn the results into replies (host/commands/store_results.c). */
#include <stdlib.h>
#include <string.h>

#include <openssl/x509v3.h>

#include "store_int.h"

void
ecm_store_items_free(ecm_store_items *items)
{
	size_t i;

	for (i = 0; i < items->n; i++)
		X509_free(items->v[i].cert);
	free(items->v);
	items->v = NULL;
	items->n = 0;
}

ecm_code
ecm_store_open(const ecm_store_info *info, const char *password, ecm_store *out, ecm_error *err)
{
	out->info = info;
	out->handle = NULL;
	return info->backend->open(info, password, &out->handle, err);
}

void
ecm_store_close(ecm_store *s)
{
	if (s->handle != NULL)
		s->info->backend->close(s->handle);
	s->handle = NULL;
}

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

static int
of_user(const X509 *cert, const char *national_id)
{
	char *nid;
	int r;

	if (X509_check_ca((X509 *)cert) > 0)
		return 0;
	if (national_id == NULL)
		return 1;
	nid = ecm_cert_national_id(cert);
	r = nid != NULL && strcmp(nid, national_id) == 0;
	free(nid);
	return r;
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

ecm_code
ecm_store_pick_identity(ecm_store *s, const char *national_id, int want_key, ecm_identity *out, int *has_key,
    ecm_error *err)
{
	ecm_store_items items = { NULL, 0 };
	const ecm_store_item *best = NULL;
	ecm_code rc;
	size_t i;

	memset(out, 0, sizeof(*out));
	if ((rc = s->info->backend->list(s->handle, &items, err)) != ECM_OK)
		return rc;
	for (i = 0; i < items.n; i++)
		if (of_user(items.v[i].cert, national_id) && (best == NULL || better(&items.v[i], best)))
			best = &items.v[i];
	if (best == NULL) {
		ecm_store_items_free(&items);
		ecm_error_detail_str(err, "store", s->info->id);
		return ecm_fail(err, ECM_NO_CERTIFICATE, "no certificate of this user in %s", s->info->path);
	}
	if (has_key != NULL)
		*has_key = best->has_key;
	if (want_key) {
		rc = s->info->backend->find(s->handle, best->cert, 1, out, err);
	} else {
		X509_up_ref(best->cert);
		out->cert = best->cert;
	}
	ecm_store_items_free(&items);
	return rc;
}

ecm_code
ecm_store_primary_identity(const char *national_id, ecm_identity *out, ecm_error *err)
{
	ecm_store_list list = { NULL, 0 };
	ecm_store s = { NULL, NULL };
	ecm_code rc = ecm_store_open_primary_ro(&list, NULL, &s, err);

	memset(out, 0, sizeof(*out));
	if (rc == ECM_OK)
		rc = ecm_store_pick_identity(&s, national_id, 1, out, NULL, err);
	ecm_store_close(&s);
	ecm_store_list_free(&list);
	return rc;
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
	rc = info->backend->import(s.handle, id, already, err);
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
	if (info->backend->find(s.handle, installed, 0, &probe, &e) == ECM_OK) {
		ecm_identity_free(&probe);
		removed = info->backend->remove(s.handle, old, &e) == ECM_OK;
	}
	ecm_store_close(&s);
	ecm_error_clear(&e);
	return removed;
}
