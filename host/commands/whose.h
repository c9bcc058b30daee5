/* Whose certificate a command uses (issue 17): one decision for every command that picks a certificate from a
 * store, with the rule of include/ecm/identity.h for who a certificate belongs to (docs/protocol.md, "Whose
 * certificate"). */
#ifndef ECM_WHOSE_H
#define ECM_WHOSE_H

#include "ecm/command.h"
#include "ecm/identity.h"
#include "ecm/store.h"

typedef struct whose {
	ecm_anchors *anchors;     /* the broker's CA (cfg->ra_ca_file), NULL when none is configured */
	char id[ECM_ID_LEN + 1];  /* the customer, once decided */
	const char *serial;       /* the request's `serial`, or NULL */
	char asked[ECM_ID_LEN + 1]; /* the request's `id`, upper case, or "" */
	int other_ok;             /* `confirm_other_customer`: the person saw that `serial` is another customer's */
} whose;

/* The request's `id` and `serial` (both optional) as WHOSE_ARGS declares them; loads the anchors. BAD_REQUEST
 * (field id) for an ID that is not valid. */
ecm_code whose_begin(const ecm_ctx *ctx, const cJSON *args, whose *w, ecm_error *err);
void whose_end(whose *w);

/* Decides w->id from what s holds: the logged-in customer (a request naming another: OTHER_CUSTOMER), unless the
 * request confirms another customer's `serial` (then its owner); else the request's id; else the owner of the request's serial; else the only customer with a certificate in s. Several:
 * CHOOSE_CUSTOMER with details.candidates; none: NO_CERTIFICATE. */
ecm_code whose_decide(const ecm_ctx *ctx, ecm_store *s, whose *w, ecm_error *err);

/* whose_decide, then ecm_store_pick_identity of that customer (and serial) in s. */
ecm_code whose_pick(const ecm_ctx *ctx, ecm_store *s, whose *w, int want_key, ecm_identity *out, int *has_key,
    ecm_error *err);

#define WHOSE_ARGS \
	{ "id", ECM_ARG_STRING, ECM_ARG_NAME_MAX, NULL }, \
	{ "serial", ECM_ARG_STRING, ECM_ARG_NAME_MAX, NULL }

#endif
