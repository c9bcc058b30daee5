/* A .pfx file as a (one-identity) store: read AES and legacy files; import writes a new AES file (0600, never
 * over an existing one). Used by query (a file instead of the primary store) and by renew's `current`. */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

#define PFX_STORE_ITERATIONS 600000

typedef struct pfx_store {
	const ecm_store_info *info;
	char *password;
	ecm_identity id; /* cert NULL when the file does not exist yet */
} pfx_store;

static void
pfx_close(void *handle)
{
	pfx_store *s = handle;

	if (s == NULL)
		return;
	ecm_identity_free(&s->id);
	if (s->password != NULL)
		OPENSSL_clear_free(s->password, strlen(s->password));
	free(s);
}

static ecm_code
pfx_open(const ecm_store_info *info, const char *password, void **handle, ecm_error *err)
{
	pfx_store *s = calloc(1, sizeof(*s));
	ecm_code rc;

	*handle = NULL;
	if (s == NULL)
		return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	s->info = info;
	s->password = OPENSSL_strdup(password ? password : "");
	rc = info->exists ? ecm_pfx_read_file(info->path, s->password, &s->id, err) : ECM_OK;
	if (rc != ECM_OK || s->password == NULL) {
		pfx_close(s);
		return rc != ECM_OK ? rc : ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	}
	*handle = s;
	return ECM_OK;
}

static ecm_code
pfx_list(void *handle, ecm_store_items *out, ecm_error *err)
{
	pfx_store *s = handle;

	out->n = 0;
	out->v = calloc(1, sizeof(*out->v));
	if (out->v == NULL)
		return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	if (s->id.cert == NULL)
		return ECM_OK;
	X509_up_ref(s->id.cert);
	out->v[0].cert = s->id.cert;
	out->v[0].has_key = s->id.key != NULL;
	out->n = 1;
	return ECM_OK;
}

static ecm_code
pfx_find(void *handle, const X509 *which, int want_key, ecm_identity *out, ecm_error *err)
{
	pfx_store *s = handle;

	memset(out, 0, sizeof(*out));
	if (s->id.cert == NULL || !ecm_cert_same(s->id.cert, which))
		return ecm_fail(err, ECM_NO_CERTIFICATE, "the certificate is not in %s", s->info->path);
	if (want_key && s->id.key == NULL)
		return ecm_fail(err, ECM_KEY_MISSING, "%s holds no private key", s->info->path);
	X509_up_ref(s->id.cert);
	out->cert = s->id.cert;
	if (want_key) {
		EVP_PKEY_up_ref(s->id.key);
		out->key = s->id.key;
	}
	if (s->id.chain != NULL)
		out->chain = X509_chain_up_ref(s->id.chain);
	return ECM_OK;
}

static ecm_code
pfx_import(void *handle, const ecm_identity *id, int *already, ecm_error *err)
{
	pfx_store *s = handle;

	*already = s->id.cert != NULL && ecm_cert_same(s->id.cert, id->cert) && s->id.key != NULL;
	if (*already)
		return ECM_OK;
	return ecm_pfx_write_file(s->info->path, id, s->password, PFX_STORE_ITERATIONS, ECM_PFX_AES, 0, err);
}

/* The key is in this process anyway (the file was decrypted at open): OpenSSL's CMS_sign. */
static ecm_code
pfx_sign(void *handle, const X509 *which, const unsigned char *data, size_t len, int detached, unsigned char **der,
    size_t *der_len, ecm_error *err)
{
	pfx_store *s = handle;

	if (s->id.cert == NULL || !ecm_cert_same(s->id.cert, which))
		return ecm_fail(err, ECM_NO_CERTIFICATE, "the certificate is not in %s", s->info->path);
	return ecm_cms_sign(&s->id, data, len, detached, der, der_len, err);
}

const ecm_store_backend ecm_store_pfx = {
	"pfx",
	ECM_STORE_CAN_IMPORT | ECM_STORE_CAN_SIGN,
	pfx_open,
	pfx_list,
	pfx_find,
	pfx_import,
	NULL,
	pfx_close,
	pfx_sign,
};
