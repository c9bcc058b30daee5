/* Key pairs and certificate requests. The key type comes from the configuration, never from the RA. */
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "ecm/crypto.h"

static ecm_code
keygen_fail(EVP_PKEY_CTX *pctx, ecm_error *err)
{
	EVP_PKEY_CTX_free(pctx);
	ERR_clear_error();
	return ecm_fail(err, ECM_INTERNAL, "key generation failed");
}

ecm_code
ecm_key_generate(ecm_key_type type, EVP_PKEY **out, ecm_error *err)
{
	EVP_PKEY_CTX *pctx;
	int ok;

	*out = NULL;
	pctx = EVP_PKEY_CTX_new_from_name(NULL, type == ECM_KEY_P256 ? "EC" : "RSA", NULL);
	if (pctx == NULL || EVP_PKEY_keygen_init(pctx) <= 0)
		return keygen_fail(pctx, err);
	if (type == ECM_KEY_P256)
		ok = EVP_PKEY_CTX_set_group_name(pctx, "P-256") > 0;
	else
		ok = EVP_PKEY_CTX_set_rsa_keygen_bits(pctx, type == ECM_KEY_RSA3072 ? 3072 : 2048) > 0;
	if (!ok || EVP_PKEY_generate(pctx, out) <= 0)
		return keygen_fail(pctx, err);
	EVP_PKEY_CTX_free(pctx);
	return ECM_OK;
}

static int
set_subject(X509_REQ *req, const char *common_name, const X509_NAME *subject)
{
	X509_NAME *name;
	int ok;

	if (subject != NULL)
		return X509_REQ_set_subject_name(req, subject);
	name = X509_NAME_new();
	ok = name != NULL &&
	    X509_NAME_add_entry_by_txt(name, "C", MBSTRING_UTF8, (const unsigned char *)"TW", -1, -1, 0) &&
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)common_name, -1, -1, 0) &&
	    X509_REQ_set_subject_name(req, name);
	X509_NAME_free(name);
	return ok;
}

ecm_code
ecm_csr_create(EVP_PKEY *key, const char *common_name, const X509_NAME *subject, unsigned char **der,
    size_t *len, ecm_error *err)
{
	X509_REQ *req = X509_REQ_new();
	int n = -1;

	*der = NULL;
	*len = 0;
	if (req != NULL && X509_REQ_set_version(req, 0) && set_subject(req, common_name, subject) &&
	    X509_REQ_set_pubkey(req, key) && X509_REQ_sign(req, key, EVP_sha256()) > 0)
		n = i2d_X509_REQ(req, der);
	X509_REQ_free(req);
	if (n <= 0) {
		*der = NULL;
		ERR_clear_error();
		return ecm_fail(err, ECM_INTERNAL, "cannot create the certificate request");
	}
	*len = (size_t)n;
	return ECM_OK;
}
