/* expiry: for the reminder, each customer with a certificate on this computer at each installed broker, and when
 * that certificate runs out. No login: every store is opened read-only, nothing is written, no key is exported. Whose a certificate
 * is comes from the one rule (ecm_cert_owner, anchored on the broker's CA); a customer's renewed certificate
 * counts, not the one it superseded, so per customer the certificate that lasts longest is reported. IDs are
 * shown masked: the reminder runs for everyone who uses this computer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "ecm/command.h"
#include "ecm/crypto.h"
#include "ecm/identity.h"
#include "ecm/store.h"

typedef struct customer {
	char id[ECM_ID_LEN + 1];
	const ecm_config *broker; /* a customer's certificates at two brokers are two entries */
	X509 *cert;
	const ecm_store_info *store;
} customer;

typedef struct customers {
	customer *v;
	size_t n;
} customers;

static customer *
find_or_add(customers *all, const char *id, const ecm_config *broker)
{
	customer *c;
	size_t i;

	for (i = 0; i < all->n; i++)
		if (strcmp(all->v[i].id, id) == 0 && all->v[i].broker == broker)
			return &all->v[i];
	if ((c = realloc(all->v, (all->n + 1) * sizeof(*c))) == NULL)
		return NULL;
	all->v = c;
	c = &all->v[all->n++];
	memcpy(c->id, id, sizeof(c->id));
	c->broker = broker;
	c->cert = NULL;
	c->store = NULL;
	return c;
}

/* Keeps cert when it is the customer's longest-lasting one so far. */
static void
consider(customers *all, const char *id, const ecm_config *broker, X509 *cert, const ecm_store_info *store)
{
	customer *c = find_or_add(all, id, broker);

	if (c == NULL || (c->cert != NULL &&
	    ASN1_TIME_compare(X509_get0_notAfter(cert), X509_get0_notAfter(c->cert)) <= 0))
		return;
	X509_up_ref(cert);
	X509_free(c->cert);
	c->cert = cert;
	c->store = store;
}

/* A store that cannot be read without its password (or at all) is named in `skipped`, never a failure: the
 * reminder still covers the others. */
static void
scan_store(ecm_store_info *info, const ecm_config *broker, const ecm_anchors *anchors, customers *all,
    cJSON *skipped)
{
	ecm_store_items items = { NULL, 0 };
	ecm_store s = { NULL, NULL };
	ecm_error err;
	size_t i;
	ecm_code rc;

	ecm_error_init(&err);
	info->read_only = 1;
	rc = ecm_store_open(info, NULL, &s, &err);
	if (rc == ECM_OK)
		rc = ecm_store_list_owned(&s, anchors, &items, &err);
	if (rc != ECM_OK && skipped != NULL) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "store", info->id);
		cJSON_AddStringToObject(o, "code", ecm_code_name(rc));
		cJSON_AddItemToArray(skipped, o);
	}
	for (i = 0; i < items.n; i++)
		consider(all, items.v[i].owner, broker, items.v[i].cert, info);
	ecm_store_items_free(&items);
	ecm_store_close(&s);
	ecm_error_clear(&err);
}

static cJSON *
customer_json(const customer *c)
{
	static const char *const fields[] = { "cn", "serial", "not_after", "days_left", "expired", NULL };
	cJSON *summary = ecm_cert_summary(c->cert), *o = cJSON_CreateObject();
	char masked[ECM_ID_LEN + 1], name[512];
	size_t i;

	ecm_id_mask(c->id, masked);
	cJSON_AddStringToObject(o, "masked_id", masked);
	for (i = 0; fields[i] != NULL; i++)
		cJSON_AddItemToObject(o, fields[i], cJSON_DetachItemFromObjectCaseSensitive(summary, fields[i]));
	cJSON_AddStringToObject(o, "store", c->store->id);
	ecm_store_display_name(c->store, name, sizeof(name));
	cJSON_AddStringToObject(o, "store_name", name);
	cJSON_AddItemToObject(o, "broker", c->broker ? ecm_broker_ref(c->broker) : cJSON_CreateNull());
	cJSON_Delete(summary);
	return o;
}

/* Nearest expiry first: what the badge shows is the first entry. */
static int
by_expiry(const void *a, const void *b)
{
	const customer *x = a, *y = b;

	return ASN1_TIME_compare(X509_get0_notAfter(x->cert), X509_get0_notAfter(y->cert));
}

/* Every store, for one broker's certificates (broker NULL: no broker installed, the subject alone says whose).
 * A store skipped is named once, on the first broker's pass; a broker whose CA cannot be read is named too, and
 * the others are still covered. */
static void
scan_broker(const ecm_config *broker, ecm_store_list *list, customers *all, cJSON *skipped, int first)
{
	ecm_anchors *anchors = NULL;
	ecm_error err;
	cJSON *o;
	size_t i;

	ecm_error_init(&err);
	if (broker != NULL && ecm_anchors_load(broker->ra_ca_file, broker->subject_ou, &anchors, &err) != ECM_OK) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "broker", broker->broker_id);
		cJSON_AddStringToObject(o, "code", ecm_code_name(err.code));
		cJSON_AddItemToArray(skipped, o);
		ecm_error_clear(&err);
		return;
	}
	for (i = 0; i < list->n; i++)
		scan_store(&list->v[i], broker, anchors, all, first ? skipped : NULL);
	ecm_anchors_free(anchors);
}

/* Spans every installed broker: one entry per (customer, broker). */
static ecm_code
run_expiry(ecm_ctx *ctx, const cJSON *args, cJSON *result, ecm_error *err)
{
	customers all = { NULL, 0 };
	ecm_store_list list;
	cJSON *arr, *skipped;
	ecm_code rc;
	size_t i;

	(void)args;
	if ((rc = ecm_stores_discover(&list, err)) != ECM_OK)
		return rc;
	skipped = cJSON_CreateArray();
	if (ctx->brokers->n == 0)
		scan_broker(NULL, &list, &all, skipped, 1);
	for (i = 0; i < ctx->brokers->n; i++)
		scan_broker(&ctx->brokers->v[i], &list, &all, skipped, i == 0);
	qsort(all.v, all.n, sizeof(*all.v), by_expiry);
	arr = cJSON_AddArrayToObject(result, "customers");
	for (i = 0; i < all.n; i++) {
		cJSON_AddItemToArray(arr, customer_json(&all.v[i]));
		X509_free(all.v[i].cert);
	}
	cJSON_AddItemToObject(result, "skipped", skipped);
	free(all.v);
	ecm_store_list_free(&list);
	return ECM_OK;
}

const ecm_command ecm_cmd_expiry = { "expiry", run_expiry, 0, NULL };
