/* Which certificate of a store signs, and why none can: the reasons a customer finds out about today only when
 * an order is rejected (expired, superseded by a newer one, the key missing in this browser). */
#include <stdlib.h>
#include <string.h>

#include <openssl/x509v3.h>

#include "store_int.h"

static int
newer(const X509 *a, const X509 *b)
{
	int cmp = ASN1_TIME_compare(X509_get0_notBefore(a), X509_get0_notBefore(b));

	if (cmp == 0)
		cmp = ASN1_TIME_compare(X509_get0_notAfter(a), X509_get0_notAfter(b));
	return cmp > 0;
}

static int
same_id(const X509 *a, const char *national_id)
{
	char *nid = ecm_cert_national_id(a);
	int r = national_id == NULL || (nid != NULL && strcmp(nid, national_id) == 0);

	free(nid);
	return r;
}

static int
serial_is(const X509 *cert, const char *serial)
{
	char *s = ecm_cert_serial(cert);
	int r = s != NULL && ecm_serial_same(s, serial);

	free(s);
	return r;
}

/* The item the request means (serial, else the newest of the ID), or NULL. */
static const ecm_store_item *
target(const ecm_store_items *items, const char *national_id, const char *serial)
{
	const ecm_store_item *best = NULL;
	size_t i;

	for (i = 0; i < items->n; i++) {
		const X509 *c = items->v[i].cert;
		if (X509_check_ca((X509 *)c) > 0)
			continue;
		if (serial != NULL ? serial_is(c, serial)
		    : same_id(c, national_id) && (best == NULL || newer(c, best->cert)))
			best = &items->v[i];
		if (serial != NULL && best != NULL)
			break;
	}
	return best;
}

/* A certificate of the same ID as t, newer than t, or NULL. */
static const ecm_store_item *
successor(const ecm_store_items *items, const ecm_store_item *t)
{
	char *nid = ecm_cert_national_id(t->cert);
	const ecm_store_item *found = NULL;
	size_t i;

	for (i = 0; nid != NULL && i < items->n && found == NULL; i++)
		if (X509_check_ca(items->v[i].cert) <= 0 && same_id(items->v[i].cert, nid) &&
		    newer(items->v[i].cert, t->cert))
			found = &items->v[i];
	free(nid);
	return found;
}

static ecm_code
refuse(ecm_code rc, const ecm_store *s, const X509 *cert, ecm_error *err)
{
	char *serial = ecm_cert_serial(cert);
	const char *path = s->info->path;

	ecm_error_detail_str(err, "store", s->info->id);
	ecm_error_detail_str(err, "serial", serial ? serial : "");
	free(serial);
	if (rc == ECM_CERT_EXPIRED)
		return ecm_fail(err, rc, "the certificate in %s has expired", path);
	if (rc == ECM_KEY_MISSING)
		return ecm_fail(err, rc, "the certificate's private key is not in %s", path);
	return ecm_fail(err, rc, "a newer certificate of the same ID is in %s", path);
}

ecm_code
ecm_store_pick_signer(ecm_store *s, const char *national_id, const char *serial, X509 **out, ecm_error *err)
{
	ecm_store_items items = { NULL, 0 };
	const ecm_store_item *t, *next;
	ecm_code rc = s->info->backend->list(s->handle, &items, err);

	*out = NULL;
	if (rc != ECM_OK)
		return rc;
	t = target(&items, national_id, serial);
	if (t == NULL) {
		ecm_error_detail_str(err, "store", s->info->id);
		rc = serial ? ecm_fail(err, ECM_NO_CERTIFICATE, "certificate %s is not in %s", serial, s->info->path)
		    : ecm_fail(err, ECM_NO_CERTIFICATE, "no certificate of this user in %s", s->info->path);
	} else {
		X509_up_ref(t->cert);
		*out = t->cert;
		next = successor(&items, t);
		if (ecm_cert_expired(t->cert))
			rc = refuse(ECM_CERT_EXPIRED, s, t->cert, err);
		else if (next != NULL) {
			char *ns = ecm_cert_serial(next->cert);
			ecm_error_detail_str(err, "newer_serial", ns ? ns : "");
			free(ns);
			rc = refuse(ECM_CERT_SUPERSEDED, s, t->cert, err);
		} else if (!t->has_key)
			rc = refuse(ECM_KEY_MISSING, s, t->cert, err);
	}
	ecm_store_items_free(&items);
	return rc;
}

ecm_code
ecm_store_sign(ecm_store *s, const X509 *which, const unsigned char *data, size_t len, int detached,
    unsigned char **der, size_t *der_len, ecm_error *err)
{
	*der = NULL;
	*der_len = 0;
	if (!ecm_store_supports(s->info, ECM_STORE_CAN_SIGN)) {
		ecm_error_detail_str(err, "store", s->info->id);
		return ecm_fail(err, ECM_STORE_FAILED, "%s cannot sign", s->info->id);
	}
	return s->info->backend->sign(s->handle, which, data, len, detached, der, der_len, err);
}
