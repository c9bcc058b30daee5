/* Private to host/store/: what one backend shares with a helper file. Commands use include/ecm/store.h only;
 * certificate comparisons are in include/ecm/crypto.h. */
#ifndef ECM_STORE_INT_H
#define ECM_STORE_INT_H

#include "ecm/crypto.h"
#include "ecm/store.h"

/* NSS backends only (nss_cms.c): CMS SignedData by NSS's libsmime with c's key, found in c's slot. */
struct CERTCertificateStr;
ecm_code store_nss_cms_sign(struct CERTCertificateStr *c, const unsigned char *data, size_t len, int detached,
    unsigned char **der, size_t *der_len, ecm_error *err);

#endif
