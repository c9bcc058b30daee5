/* Private to host/store/: what one backend shares with a helper file. Commands use include/ecm/store.h only;
 * certificate comparisons are in include/ecm/crypto.h. */
#ifndef ECM_STORE_INT_H
#define ECM_STORE_INT_H

#include "ecm/crypto.h"
#include "ecm/store.h"

/* One backend's operations. Reached from outside host/store/ only through the accessors of ecm/store.h (store.c),
 * which check ecm_store_supports first. */
typedef struct ecm_store_backend {
	const char *name; /* "nss", "pfx", "keychain", "windows" */
	unsigned caps;    /* ECM_STORE_CAN_* */
	/* password: NULL, or the store's password from the request. *handle is backend state. */
	ecm_code (*open)(const ecm_store_info *info, const char *password, void **handle, ecm_error *err);
	ecm_code (*list)(void *handle, ecm_store_items *out, ecm_error *err);
	/* By issuer + serial. out->cert always; out->key when want_key (KEY_MISSING if absent). NO_CERTIFICATE. */
	ecm_code (*find)(void *handle, const X509 *which, int want_key, ecm_identity *out, ecm_error *err);
	/* Key + certificate (+ chain). *already = 1 when certificate and key were both present (nothing written). */
	ecm_code (*import)(void *handle, const ecm_identity *id, int *already, ecm_error *err);
	/* Removes the certificate with which's issuer + serial (and its key) from this store only. */
	ecm_code (*remove)(void *handle, const X509 *which, ecm_error *err);
	void (*close)(void *handle);
	/* CMS SignedData over data (see ecm_cms_sign) with the key of which's certificate, inside the store.
	 * *der is OPENSSL_malloc'd. NO_CERTIFICATE, KEY_MISSING, STORE_FAILED. */
	ecm_code (*sign)(void *handle, const X509 *which, const unsigned char *data, size_t len, int detached,
	    unsigned char **der, size_t *der_len, ecm_error *err);
} ecm_store_backend;

extern const ecm_store_backend ecm_store_nss;
extern const ecm_store_backend ecm_store_pfx; /* info->path is the file; import writes it (AES) */

/* NSS backends only (nss_cms.c): CMS SignedData by NSS's libsmime with c's key, found in c's slot. */
struct CERTCertificateStr;
ecm_code store_nss_cms_sign(struct CERTCertificateStr *c, const unsigned char *data, size_t len, int detached,
    unsigned char **der, size_t *der_len, ecm_error *err);

#endif
