/* Private to host/store/ and the store commands: helpers shared by the backends. */
#ifndef ECM_STORE_INT_H
#define ECM_STORE_INT_H

#include "ecm/crypto.h"
#include "ecm/store.h"

/* Hex serials equal, ignoring case and leading zeros. */
int store_same_serial(const char *a, const char *b);
/* Same issuer and serial. */
int store_same_cert(const X509 *a, const X509 *b);
/* 1 when the certificate's notAfter is in the past. */
int store_cert_expired(const X509 *cert);
/* A .pfx from a request: {path | data (base64), password}. PFX_* / FILE_* / BAD_REQUEST. */
ecm_code store_pfx_from_args(const cJSON *args, ecm_identity *out, ecm_error *err);

/* NSS backends only (nss_cms.c): CMS SignedData by NSS's libsmime with c's key, found in c's slot. */
struct CERTCertificateStr;
ecm_code store_nss_cms_sign(struct CERTCertificateStr *c, const unsigned char *data, size_t len, int detached,
    unsigned char **der, size_t *der_len, ecm_error *err);

#endif
