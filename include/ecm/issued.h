/* The one check of a certificate the RA issued, before anything keeps it (host/crypto/issued.c). apply, renew and
 * a resumed (202) request all end in it: a misbehaving or compromised RA signs with the pinned CA, so the TLS pin
 * alone says nothing about what it sends back. */
#ifndef ECM_ISSUED_H
#define ECM_ISSUED_H

#include <openssl/x509.h>

#include "ecm/crypto.h"

/* An EST answer holds the certificate and its chain: a few certificates. More is refused unread. */
#define ECM_ISSUED_CERTS_MAX 10
/* How far ahead of the reference time a fresh certificate's notBefore may be: clocks differ a little. */
#define ECM_ISSUED_SKEW_S 300

/* What was asked for. now: the reference time, the later of ours and the RA's last known clock (a fresh
 * certificate starts at the RA's). */
typedef struct ecm_issued_request {
	EVP_PKEY *key;          /* the key generated here */
	const char *national_id; /* the customer the request was made for */
	const char *ca_file;    /* the configured anchors (ra_ca_file) */
	const char *subject_ou; /* NULL, or the OU the broker's certificates carry (its profile's subject_ou) */
	long long now;
} ecm_issued_request;

/* From the RA's certificates (untouched), the one carrying req->key, checked: subject (the customer's by the
 * identity rule, a CN of plain characters), validity, not a CA, keyUsage digitalSignature, EKU (where present)
 * client authentication, e-mail protection or document signing, chain to the anchors. On success out->cert and
 * out->chain hold that certificate and the verified path above it, nothing else from the answer (out->key is
 * left to the caller). Otherwise ISSUED_CERT_INVALID with details.reason: too_many_certificates, key, subject,
 * not_yet_valid, expired, ca, key_usage, eku, chain (and details.serial once the certificate is known). */
ecm_code ecm_issued_take(STACK_OF(X509) *certs, const ecm_issued_request *req, ecm_identity *out, ecm_error *err);

/* ISSUED_CERT_INVALID/too_many_certificates when an answer holds more than ECM_ISSUED_CERTS_MAX. */
ecm_code ecm_issued_count(int n, ecm_error *err);

#endif
