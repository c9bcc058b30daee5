/* CMS SignedData for the `sign` command (RFC 5652): SHA-256, signed attributes content-type, message-digest and
 * signing-time, the signer certificate included. OpenSSL side: signing with a key at hand (.pfx) and the local
 * verification the self-test runs. The NSS, Windows and Keychain backends build the same structure with their
 * own libraries, the key never leaving them. */
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ecm/crypto.h"

static ecm_code
to_der(CMS_ContentInfo *cms, unsigned char **der, size_t *len, ecm_error *err)
{
	int n = i2d_CMS_ContentInfo(cms, der);

	if (n <= 0)
		return ecm_fail(err, ECM_INTERNAL, "cannot encode the signature");
	*len = (size_t)n;
	return ECM_OK;
}

ecm_code
ecm_cms_sign(const ecm_identity *id, const unsigned char *data, size_t len, int detached, unsigned char **der,
    size_t *der_len, ecm_error *err)
{
	unsigned flags = CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP | (detached ? CMS_DETACHED : 0);
	BIO *in = BIO_new_mem_buf(data, (int)len);
	CMS_ContentInfo *cms = in ? CMS_sign(NULL, NULL, NULL, NULL, flags) : NULL;
	ecm_code rc = ECM_INTERNAL;

	*der = NULL;
	*der_len = 0;
	if (id->key == NULL) {
		rc = ecm_fail(err, ECM_KEY_MISSING, "no private key to sign with");
	} else if (cms != NULL && CMS_add1_signer(cms, id->cert, id->key, EVP_sha256(), CMS_BINARY) != NULL &&
	    CMS_final(cms, in, NULL, flags) == 1) {
		rc = to_der(cms, der, der_len, err);
	} else {
		rc = ecm_fail(err, ECM_INTERNAL, "OpenSSL cannot sign (%lu)", ERR_get_error());
	}
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	ERR_clear_error();
	return rc;
}

ecm_code
ecm_cms_to_der(const unsigned char *ber, size_t len, unsigned char **der, size_t *der_len, ecm_error *err)
{
	const unsigned char *p = ber;
	CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
	ecm_code rc;

	*der = NULL;
	*der_len = 0;
	if (cms == NULL || p != ber + len) {
		CMS_ContentInfo_free(cms);
		ERR_clear_error();
		return ecm_fail(err, ECM_INTERNAL, "the store's signature is not a CMS structure");
	}
	rc = to_der(cms, der, der_len, err);
	CMS_ContentInfo_free(cms);
	return rc;
}

static X509_STORE *
ca_store(const char *ca_file)
{
	X509_STORE *st = X509_STORE_new();

	/* Any purpose: brokers' certificates carry clientAuth (for renewal over TLS) and signing is what the CA
	 * issued them for; the S/MIME purpose OpenSSL checks by default would refuse every one. */
	if (st != NULL && X509_STORE_load_file(st, ca_file) == 1 && X509_STORE_set_purpose(st, X509_PURPOSE_ANY) == 1)
		return st;
	X509_STORE_free(st);
	return NULL;
}

/* Why a verification failed, in the words the self-test shows. */
static const char *
verify_reason(void)
{
	unsigned long e = ERR_peek_last_error();

	if (ERR_GET_LIB(e) == ERR_LIB_CMS && ERR_GET_REASON(e) == CMS_R_CERTIFICATE_VERIFY_ERROR)
		return "chain";
	if (ERR_GET_LIB(e) == ERR_LIB_CMS && ERR_GET_REASON(e) == CMS_R_CONTENT_VERIFY_ERROR)
		return "digest";
	return "signature";
}

ecm_code
ecm_cms_verify(const unsigned char *der, size_t len, const unsigned char *data, size_t data_len,
    const char *ca_file, const char **reason, ecm_error *err)
{
	const unsigned char *p = der;
	CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
	X509_STORE *st = ca_file ? ca_store(ca_file) : NULL;
	BIO *content = data ? BIO_new_mem_buf(data, (int)data_len) : NULL;
	unsigned flags = CMS_BINARY | (ca_file ? 0 : CMS_NO_SIGNER_CERT_VERIFY);
	ecm_code rc = ECM_OK;

	*reason = NULL;
	if (cms == NULL)
		*reason = "format";
	else if (ca_file != NULL && st == NULL)
		rc = ecm_fail(err, ECM_FILE_READ_FAILED, "cannot read the CA file %s", ca_file);
	else if (CMS_verify(cms, NULL, st, CMS_is_detached(cms) ? content : NULL, NULL, flags) != 1)
		*reason = verify_reason();
	BIO_free(content);
	X509_STORE_free(st);
	CMS_ContentInfo_free(cms);
	ERR_clear_error();
	return rc;
}
