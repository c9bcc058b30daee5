/* Whose certificate is this: the one rule (host/crypto/identity.c). A certificate belongs to a customer only when
 * its subject names a valid national or resident ID, strictly, and it chains to the broker's configured CA.
 * Every command that picks a certificate asks here; nothing else reads an ID out of a subject. */
#ifndef ECM_IDENTITY_H
#define ECM_IDENTITY_H

#include <stddef.h>
#include <openssl/x509.h>

#include "ecm/error.h"

#define ECM_ID_LEN 10 /* one letter and nine digits or letter + letter + eight digits (old resident form) */

/* The broker's CA as loaded once per command: the anchors certificates are recognised by. */
typedef struct ecm_anchors ecm_anchors;

/* Loads a PEM bundle. ca_file NULL or "" gives NULL with ECM_OK: no broker configured, so certificates are
 * recognised by their subject alone (the development default without an RA). subject_ou (NULL: any) is the
 * broker's OU where brokers share a CA (its profile's subject_ou). */
ecm_code ecm_anchors_load(const char *ca_file, const char *subject_ou, ecm_anchors **out, ecm_error *err);
void ecm_anchors_free(ecm_anchors *a);
/* 1 when cert chains to the anchors (untrusted may hold intermediates; NULL is fine) and, when the anchors have a
 * subject_ou, its subject has that OU. The time is not checked: an expired certificate is still somebody's.
 * Always 1 with anchors NULL. */
int ecm_anchors_issued(const ecm_anchors *a, X509 *cert, STACK_OF(X509) *untrusted);

/* The ID in the subject, upper case, check digit verified: the serialNumber attribute when present, else the CN
 * when it is the ID alone or the ID followed by '-' (the forms brokers use, e.g. "A123456789-00-00::PCC005").
 * When both are present they must agree. 1 and out filled, or 0 (out empty): no customer's. */
int ecm_cert_subject_id(const X509 *cert, char out[ECM_ID_LEN + 1]);

/* The owner of a certificate: ecm_cert_subject_id of a certificate that ecm_anchors_issued, and not a CA. */
int ecm_cert_owner(const ecm_anchors *a, X509 *cert, STACK_OF(X509) *untrusted, char out[ECM_ID_LEN + 1]);

/* 1 when cert is id's (id compared upper-cased); id NULL never matches. */
int ecm_cert_is_customers(const ecm_anchors *a, X509 *cert, STACK_OF(X509) *untrusted, const char *id);

/* "A12****789": what a screen or an error shows of an ID that is not the logged-in customer's. */
void ecm_id_mask(const char *id, char out[ECM_ID_LEN + 1]);

#endif
