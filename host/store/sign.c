/* Which certificate of a store signs, and why none can: the reasons a customer finds out about today only when
 * an order is rejected (expired, superseded by a newer one, the key missing in this browser), and whose it is:
 * only a customer's certificate by the one rule (identity.h), only the customer the request names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509v3.h>

#include "ecm/identity.h"
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
serial_is(const X509 *cert, const char *serial)
{
	char *s = ecm_cert_serial(cert);
	int r = s != NULL && ecm_serial_same(s, serial);

	free(s);
	return r;
}

/* The store's certificates with their owners (identity.h): only customers' certificates can ever sign. */
typedef struct owned {
	const ecm_store_item *item;
	char id[ECM_ID_LEN + 1];
} owned;

typedef struct owned_list {
	owned *v;
	size_t n;
} owned_list;

static ecm_code
owners(const ecm_anchors *anchors, const ecm_store_items *items, owned_list *out, ecm_error *err)
{
	size_t i;

	out->n = 0;
	if ((out->v = calloc(items->n + 1, sizeof(*out->v))) == NULL)
		return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	for (i = 0; i < items->n; i++)
		if (ecm_cert_owner(anchors, items->v[i].cert, NULL, out->v[out->n].id))
			out->v[out->n++].item = &items->v[i];
	return ECM_OK;
}

/* The newest certificate of id (NULL when none). */
static const owned *
newest_of(const owned_list *l, const char *id)
{
	const owned *best = NULL;
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].id, id) == 0 && (best == NULL || newer(l->v[i].item->cert, best->item->cert)))
			best = &l->v[i];
	return best;
}

static const owned *
by_serial(const owned_list *l, const char *serial)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (serial_is(l->v[i].item->cert, serial))
			return &l->v[i];
	return NULL;
}

static cJSON *
candidate_of(const ecm_store *s, const owned *o)
{
	char name[512];

	ecm_store_display_name(s->info, name, sizeof(name));
	return ecm_cert_candidate(o->item->cert, o->id, s->info->id, name);
}

/* Several customers could sign and the request did not say whose: the newest certificate of each, to ask. */
static ecm_code
choose(const ecm_store *s, const owned_list *l, ecm_error *err)
{
	cJSON *list = cJSON_CreateArray();
	size_t i, j;

	for (i = 0; i < l->n; i++) {
		for (j = 0; j < i && strcmp(l->v[j].id, l->v[i].id) != 0; j++)
			;
		if (j == i)
			cJSON_AddItemToArray(list, candidate_of(s, newest_of(l, l->v[i].id)));
	}
	ecm_error_detail_str(err, "store", s->info->id);
	cJSON_AddItemToObject(err->details, "candidates", list);
	return ecm_fail(err, ECM_CHOOSE_CUSTOMER, "%d customers have a certificate in %s: say whose",
	    cJSON_GetArraySize(list), s->info->path);
}

static int
one_customer(const owned_list *l)
{
	size_t i;

	for (i = 1; i < l->n; i++)
		if (strcmp(l->v[i].id, l->v[0].id) != 0)
			return 0;
	return l->n > 0;
}

static ecm_code
none_of(const ecm_store *s, const char *id, const char *serial, ecm_error *err)
{
	char masked[ECM_ID_LEN + 1];

	ecm_error_detail_str(err, "store", s->info->id);
	if (id != NULL) {
		ecm_id_mask(id, masked);
		ecm_error_detail_str(err, "masked_id", masked);
	}
	if (serial != NULL)
		return ecm_fail(err, ECM_NO_CERTIFICATE, "no customer's certificate %s%s%s in %s", serial,
		    id ? " of " : "", id ? masked : "", s->info->path);
	return ecm_fail(err, ECM_NO_CERTIFICATE, "no certificate of %s in %s", id ? masked : "any customer",
	    s->info->path);
}

/* The certificate the request means: by serial (and then of id when given), else the newest of id, else the
 * newest of the only customer here; several customers and nobody named: CHOOSE_CUSTOMER. */
static ecm_code
target(const ecm_store *s, const owned_list *l, const char *id, const char *serial, const owned **out,
    ecm_error *err)
{
	const owned *t;

	*out = NULL;
	if (serial != NULL)
		t = by_serial(l, serial);
	else if (id != NULL)
		t = newest_of(l, id);
	else if (one_customer(l))
		t = newest_of(l, l->v[0].id);
	else if (l->n > 0)
		return choose(s, l, err);
	else
		t = NULL;
	if (t == NULL || (id != NULL && strcmp(t->id, id) != 0))
		return none_of(s, id, serial, err);
	*out = t;
	return ECM_OK;
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
	return ecm_fail(err, rc, "a newer certificate of the same customer is in %s", path);
}

/* Why t cannot sign, or ECM_OK. */
static ecm_code
check_signer(const ecm_store *s, const owned_list *l, const owned *t, ecm_error *err)
{
	const owned *next = newest_of(l, t->id);
	char *ns;

	if (ecm_cert_expired(t->item->cert))
		return refuse(ECM_CERT_EXPIRED, s, t->item->cert, err);
	if (next != t && newer(next->item->cert, t->item->cert)) {
		ns = ecm_cert_serial(next->item->cert);
		ecm_error_detail_str(err, "newer_serial", ns ? ns : "");
		free(ns);
		return refuse(ECM_CERT_SUPERSEDED, s, t->item->cert, err);
	}
	if (!t->item->has_key)
		return refuse(ECM_KEY_MISSING, s, t->item->cert, err);
	return ECM_OK;
}

ecm_code
ecm_store_pick_signer(ecm_store *s, const ecm_anchors *anchors, const char *national_id, const char *serial,
    X509 **out, char owner[ECM_ID_LEN + 1], ecm_error *err)
{
	ecm_store_items items = { NULL, 0 };
	owned_list l = { NULL, 0 };
	const owned *t = NULL;
	ecm_code rc = s->info->backend->list(s->handle, &items, err);

	*out = NULL;
	owner[0] = '\0';
	if (rc == ECM_OK)
		rc = owners(anchors, &items, &l, err);
	if (rc == ECM_OK)
		rc = target(s, &l, national_id, serial, &t, err);
	if (t != NULL) {
		X509_up_ref(t->item->cert);
		*out = t->item->cert;
		memcpy(owner, t->id, ECM_ID_LEN + 1);
		rc = check_signer(s, &l, t, err);
	}
	free(l.v);
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
