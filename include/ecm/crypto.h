/* OpenSSL side of the core: keys, requests, certificates, PKCS#7 and PKCS#12. host/crypto/ implements it. */
#ifndef ECM_CRYPTO_H
#define ECM_CRYPTO_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "ecm/config.h"
#include "ecm/error.h"

/* A certificate with (optionally) its private key and the chain above it. */
typedef struct ecm_identity {
	EVP_PKEY *key;         /* NULL when the key is not at hand */
	X509 *cert;
	STACK_OF(X509) *chain; /* NULL or CA certificates, issuer first */
} ecm_identity;

void ecm_identity_free(ecm_identity *id); /* frees the members and zeroes the struct */

ecm_code ecm_key_generate(ecm_key_type type, EVP_PKEY **out, ecm_error *err);
/* DER PKCS#10 signed with SHA-256; subject C=TW, CN=<common_name> (renewal passes the current subject). */
ecm_code ecm_csr_create(EVP_PKEY *key, const char *common_name, const X509_NAME *subject, unsigned char **der,
    size_t *len, ecm_error *err);
/* Certificates of a certs-only PKCS#7 (DER). */
ecm_code ecm_pkcs7_certs(const unsigned char *der, size_t len, STACK_OF(X509) **out, ecm_error *err);
/* Upper-case hex serial without leading zeros, malloc'd. */
char *ecm_cert_serial(const X509 *cert);
/* Same issuer and serial (how every store names a certificate). */
int ecm_cert_same(const X509 *a, const X509 *b);
/* Hex serials equal, ignoring case and leading zeros. */
int ecm_serial_same(const char *a, const char *b);
/* 1 when the certificate's notAfter is in the past. */
int ecm_cert_expired(const X509 *cert);
/* "iPhone" for a CN ending in MI…, "GPhone" for MG…, else "PC". */
const char *ecm_device_from_cn(const char *cn);
/* {"serial","cn","issuer","subject","not_before","not_after","device","national_id","expired","days_left"}. */
cJSON *ecm_cert_summary(const X509 *cert);
/* One row of CHOOSE_CUSTOMER's details.candidates: {"serial","cn","device","not_before","not_after","masked_id",
 * "store","store_name"}, what a person needs to say "that one is mine". owner: the ID by the identity rule. */
cJSON *ecm_cert_candidate(const X509 *cert, const char *owner, const char *store_id, const char *store_name);

typedef enum {
	ECM_PFX_AES,   /* PBES2 / PBKDF2-HMAC-SHA256 / AES-256-CBC, SHA-256 MAC */
	ECM_PFX_COMPAT /* 3DES / SHA-1, for older Windows and macOS */
} ecm_pfx_format;

ecm_code ecm_pfx_encode(const ecm_identity *id, const char *password, long iterations, ecm_pfx_format format,
    unsigned char **der, size_t *len, ecm_error *err);
/* Reads AES and legacy (RC2-40, 3DES) files. PFX_WRONG_PASSWORD or PFX_INVALID. */
ecm_code ecm_pfx_decode(const unsigned char *der, size_t len, const char *password, ecm_identity *out,
    ecm_error *err);
/* Atomic, 0600, FILE_EXISTS unless overwrite. */
ecm_code ecm_pfx_write_file(const char *path, const ecm_identity *id, const char *password, long iterations,
    ecm_pfx_format format, int overwrite, ecm_error *err);
ecm_code ecm_pfx_read_file(const char *path, const char *password, ecm_identity *out, ecm_error *err);
/* <backup_dir>/ECM_<ID>[_<broker id>]_<YYYYMMDD of notAfter>.pfx, malloc'd (the broker named unless it is the
 * configuration file's own, ECM_BROKER_DEFAULT_ID). */
char *ecm_backup_default_path(const ecm_config *cfg, const X509 *cert);

/* Base64 through OpenSSL: encode wrapped at 64 with "\n" line ends; decode ignoring everything outside the
 * alphabet (any wrapping, CRLF, NULs). Both malloc'd (encode NUL-terminated); NULL on failure. */
char *ecm_base64_wrapped(const unsigned char *data, size_t len, size_t *out_len);
unsigned char *ecm_base64_decode(const char *text, size_t len, size_t *out_len);
/* Canonical base64 only (no other characters, padding bits zero): NULL for any other text. For bytes a person
 * confirms before they are signed, where two texts of one byte string must not exist. */
unsigned char *ecm_base64_decode_canonical(const char *text, size_t *out_len);

/* CMS SignedData (host/crypto/cms.c): SHA-256, signed attributes content-type, message-digest, signing-time, the
 * signer certificate included; the content inside unless detached. KEY_MISSING without id->key. */
ecm_code ecm_cms_sign(const ecm_identity *id, const unsigned char *data, size_t len, int detached,
    unsigned char **der, size_t *der_len, ecm_error *err);
/* BER (what NSS's encoder writes: indefinite lengths, constructed strings) to DER; the signed attributes were
 * DER already (they are what is signed) and stay byte for byte. *der OPENSSL_malloc'd. */
ecm_code ecm_cms_to_der(const unsigned char *ber, size_t len, unsigned char **der, size_t *der_len, ecm_error *err);
/* Checks a CMS SignedData: signature and digest, and with ca_file the signer's chain to it. data: the content
 * of a detached signature (else NULL). ECM_OK with *reason NULL when valid, or one of "format", "signature",
 * "digest", "chain"; an error code only when the check itself cannot run. */
ecm_code ecm_cms_verify(const unsigned char *der, size_t len, const unsigned char *data, size_t data_len,
    const char *ca_file, const char **reason, ecm_error *err);

#endif
