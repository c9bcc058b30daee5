/* Certificate stores: one table of operations per backend, private to host/store/ (store_int.h), one file per
 * backend (nss.c, pfx.c, keychain_macos.c, wincrypt_windows.c). Callers use this header's accessors, which check
 * ecm_store_supports (as curl's Curl_ssl_* keep struct Curl_ssl private), and never #ifdef on the OS. */
#ifndef ECM_STORE_H
#define ECM_STORE_H

#include <stddef.h>
#include <openssl/x509.h>

#include "ecm/config.h"
#include "ecm/crypto.h"
#include "ecm/error.h"
#include "ecm/identity.h"

/* What a backend can do, read only through ecm_store_supports(). Every backend can list and find (and hand out
 * the key), and every open may answer STORE_PASSWORD_REQUIRED: those need no bit. */
enum {
	ECM_STORE_CAN_DELETE = 1u << 0, /* remove() works */
	ECM_STORE_CAN_IMPORT = 1u << 1, /* import() works */
	ECM_STORE_CAN_SIGN = 1u << 2,   /* sign() works: the store signs with its own key */
};

/* One store found on this machine (discovery fills it; nothing is opened yet). */
typedef struct ecm_store_info {
	char *id;      /* stable: "nss:pki", "firefox:home:abcd.default-release", "keychain:login", "windows:my" */
	char *browser; /* human-readable: "Chrome, Chromium, Edge, Brave, Vivaldi", "Firefox (snap)", … */
	char *profile; /* Firefox profile name, or NULL */
	char *path;    /* NSS database folder, keychain or store name */
	int primary;   /* where query looks and import goes */
	int exists;    /* the database is there already (NSS: cert9.db); else opening creates it */
	int read_only; /* set before open by a command that only reads: nothing is created or written (a store
	                * that does not exist yet opens as an empty one) */
	const struct ecm_store_backend *backend; /* opaque: host/store/store_int.h */
} ecm_store_info;

/* A certificate in a store. owner: ecm_cert_owner's ID, filled by ecm_store_list_owned only ("" otherwise). */
typedef struct ecm_store_item {
	X509 *cert;
	int has_key;
	char owner[ECM_ID_LEN + 1];
} ecm_store_item;

typedef struct ecm_store_items {
	ecm_store_item *v;
	size_t n;
} ecm_store_items;

void ecm_store_items_free(ecm_store_items *items);

/* The one way to ask what a store's backend can do (ECM_STORE_CAN_*), as curl's Curl_ssl_supports. */
int ecm_store_supports(const ecm_store_info *info, unsigned cap);
/* The backend's name as the `stores` reply shows it: "nss", "pfx", "keychain", "windows". */
const char *ecm_store_kind(const ecm_store_info *info);
/* A .pfx file as a store (info->path = path; nothing is copied: path must outlive info). */
void ecm_store_pfx_info(ecm_store_info *info, const char *path);

/* Discovery: every store of this user (HOME from the environment). The primary store comes first. */
typedef struct ecm_store_list {
	ecm_store_info *v;
	size_t n;
} ecm_store_list;

ecm_code ecm_stores_discover(ecm_store_list *out, ecm_error *err);
void ecm_store_list_free(ecm_store_list *list);
const ecm_store_info *ecm_store_list_find(const ecm_store_list *list, const char *id);

/* An opened store. */
typedef struct ecm_store {
	const ecm_store_info *info;
	void *handle;
} ecm_store;

ecm_code ecm_store_open(const ecm_store_info *info, const char *password, ecm_store *out, ecm_error *err);
void ecm_store_close(ecm_store *s);

/* What an opened store holds. Every certificate; *_owned: only customers' ones (ecm_cert_owner with anchors:
 * not a CA, chains to the broker's CA, a valid ID in the subject), item.owner filled. */
ecm_code ecm_store_list_items(ecm_store *s, ecm_store_items *out, ecm_error *err);
ecm_code ecm_store_list_owned(ecm_store *s, const ecm_anchors *anchors, ecm_store_items *out, ecm_error *err);
/* By issuer + serial: out->cert, and out->key when want_key (KEY_MISSING without). NO_CERTIFICATE. */
ecm_code ecm_store_find(ecm_store *s, const X509 *which, int want_key, ecm_identity *out, ecm_error *err);
/* Key + certificate (+ chain); *already = 1 when both were present. STORE_FAILED when the store cannot import. */
ecm_code ecm_store_import(ecm_store *s, const ecm_identity *id, int *already, ecm_error *err);
/* The certificate with which's issuer + serial (and its key), from this store only. STORE_FAILED when the store
 * cannot delete. */
ecm_code ecm_store_remove(ecm_store *s, const X509 *which, ecm_error *err);

/* Discovers the stores and opens the primary one. list is filled either way (free it after closing). */
ecm_code ecm_store_open_primary(ecm_store_list *list, const char *password, ecm_store *out, ecm_error *err);
/* The same for commands that only read (query, backup, renew's current identity): read_only set, so a missing
 * database is not created and an existing one is not written (works on a read-only home folder). */
ecm_code ecm_store_open_primary_ro(ecm_store_list *list, const char *password, ecm_store *out, ecm_error *err);

/* The customer's certificate in the store (include/ecm/identity.h decides whose; id is required): with serial,
 * that one; else one with a key first, then still valid, then the newest. want_key also exports the key
 * (KEY_MISSING without one). *has_key (may be NULL) tells whether the store holds its key. NO_CERTIFICATE
 * (details: store, masked_id) when the customer has none here. */
ecm_code ecm_store_pick_identity(ecm_store *s, const ecm_anchors *anchors, const char *id, const char *serial,
    int want_key, ecm_identity *out, int *has_key, ecm_error *err);

/* The customer's certificate with this serial from the first store found that holds it (read only), up-ref'd,
 * or NULL: what an apply with replace_existing supersedes, to be removed once its successor is installed. */
X509 *ecm_stores_find_owned(const ecm_anchors *anchors, const char *id, const char *serial);

/* Installs id into one store (open, import, close). *already = 1 when certificate and key were there. */
ecm_code ecm_store_install_one(const ecm_store_info *info, const ecm_identity *id, const char *password, int *already,
    ecm_error *err);
/* For renew: removes old from this store when installed (the new certificate) is present there. 1 when removed.
 * password: the store's, or NULL. */
int ecm_store_replace(const ecm_store_info *info, const char *password, const X509 *installed, const X509 *old);

/* The customer's identity (certificate + key; serial NULL: the best pick) from the primary store, read only.
 * NO_CERTIFICATE / KEY_MISSING. */
ecm_code ecm_store_primary_identity(const ecm_anchors *anchors, const char *id, const char *serial,
    ecm_identity *out, ecm_error *err);

/* Signing (host/store/sign.c). The certificate that signs, among the customers' certificates of the store by the
 * one rule (identity.h, anchors from ecm_anchors_load): with serial, that one (and it must be national_id's when
 * that is given); else the newest of national_id; else the newest of the only customer with a certificate here.
 * Refused with the reason a customer can act on: NO_CERTIFICATE (details.masked_id when an ID was named),
 * CHOOSE_CUSTOMER (several customers and nobody named; details.candidates), CERT_EXPIRED, CERT_SUPERSEDED (a newer
 * certificate of the same customer is in the store; details.newer_serial), KEY_MISSING. *out is up-ref'd and owner
 * set to its customer's ID; on a refusal *out is still set when a certificate was found (to name it), else NULL. */
struct ecm_anchors;
ecm_code ecm_store_pick_signer(ecm_store *s, const struct ecm_anchors *anchors, const char *national_id,
    const char *serial, X509 **out, char owner[11], ecm_error *err);
/* "Chrome/Chromium", "Firefox profile “name”": a store as a person knows it. */
void ecm_store_display_name(const ecm_store_info *info, char *buf, size_t size);
/* The backend's sign(); STORE_FAILED when it has none. */
ecm_code ecm_store_sign(ecm_store *s, const X509 *which, const unsigned char *data, size_t len, int detached,
    unsigned char **der, size_t *der_len, ecm_error *err);

/* Starts NSS without a database (once; the stores then open theirs): also for its PBKDF2 (host/crypto/pfx_kdf.c). */
ecm_code ecm_nss_start(ecm_error *err);
/* Releases NSS if a store command loaded it (called once from ecm_core_free). */
void ecm_store_shutdown(void);

#endif
