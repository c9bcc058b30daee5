/* Windows certificate store (CryptoAPI), CurrentUser\My: what Edge, Chrome and Brave use on Windows.
 * Compiled only on Windows (make windows); run under Wine by tests/windows/wincrypt.t.
 * Import goes through a one-time PKCS#12 (3DES/SHA-1, which every Windows reads) with a random password and
 * PFXImportCertStore; keys are imported exportable so backup works. Export reads the key itself (CryptExportKey,
 * or NCryptExportKey for CNG keys) and leaves the PKCS#12 to the writer every OS shares (AES-256 + PBKDF2). */
#include <windows.h>
#include <wincrypt.h>
#include <ncrypt.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "store_int.h"

#define WIN_PFX_ITERATIONS 2048

typedef struct win_store {
	HCERTSTORE my;
} win_store;

/* code: GetLastError() (or an NCrypt status) taken right after the call that failed, before anything else
 * (the error detail's allocation among them) can overwrite it. */
static ecm_code
win_fail_code(ecm_error *err, ecm_code code, const char *what, DWORD winerr)
{
	ecm_error_detail_num(err, "windows_error", (double)winerr);
	return ecm_fail(err, code, "Windows certificate store: %s (error %lu)", what, (unsigned long)winerr);
}

/* Called as the failing call's next step: the argument is evaluated before win_fail_code runs. */
#define win_fail(err, code, what) win_fail_code((err), (code), (what), GetLastError())

static ecm_code
win_open(const ecm_store_info *info, const char *password, void **handle, ecm_error *err)
{
	win_store *s = calloc(1, sizeof(*s));

	(void)info;
	(void)password;
	*handle = NULL;
	if (s == NULL)
		return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	s->my = CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0, CERT_SYSTEM_STORE_CURRENT_USER, L"MY");
	if (s->my == NULL) {
		free(s);
		return win_fail(err, ECM_STORE_FAILED, "cannot open CurrentUser\\My");
	}
	*handle = s;
	return ECM_OK;
}

static void
win_close(void *handle)
{
	win_store *s = handle;

	if (s == NULL)
		return;
	CertCloseStore(s->my, 0);
	free(s);
}

static X509 *
to_x509(PCCERT_CONTEXT c)
{
	const unsigned char *p = c->pbCertEncoded;

	return d2i_X509(NULL, &p, (long)c->cbCertEncoded);
}

static int
has_key(PCCERT_CONTEXT c)
{
	DWORD size = 0;

	return CertGetCertificateContextProperty(c, CERT_KEY_PROV_INFO_PROP_ID, NULL, &size) ? 1 : 0;
}

/* The store's context for which (caller frees with CertFreeCertificateContext), or NULL. */
static PCCERT_CONTEXT
find_ctx(HCERTSTORE store, const X509 *which)
{
	PCCERT_CONTEXT c = NULL;

	while ((c = CertEnumCertificatesInStore(store, c)) != NULL) {
		X509 *x = to_x509(c);
		int same = x != NULL && ecm_cert_same(x, which);
		X509_free(x);
		if (same)
			return c; /* the enumeration's reference becomes the caller's */
	}
	return NULL;
}

static ecm_code
win_list(void *handle, ecm_store_items *out, ecm_error *err)
{
	win_store *s = handle;
	PCCERT_CONTEXT c = NULL;
	ecm_store_item *v;

	out->v = NULL;
	out->n = 0;
	while ((c = CertEnumCertificatesInStore(s->my, c)) != NULL) {
		X509 *x = to_x509(c);
		if (x == NULL)
			continue;
		v = realloc(out->v, (out->n + 1) * sizeof(*v));
		if (v == NULL) {
			X509_free(x);
			CertFreeCertificateContext(c);
			ecm_store_items_free(out);
			return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
		}
		out->v = v;
		out->v[out->n].cert = x;
		out->v[out->n].has_key = has_key(c);
		out->n++;
	}
	return ECM_OK;
}

/* A random password, as UTF-8 (for OpenSSL) and UTF-16 (for CryptoAPI). */
static int
one_time_password(char *pw, size_t pwlen, WCHAR *wpw, size_t wlen)
{
	unsigned char raw[16];
	size_t i;

	if (pwlen < sizeof(raw) * 2 + 1 || wlen < sizeof(raw) * 2 + 1 || RAND_bytes(raw, sizeof(raw)) != 1)
		return -1;
	for (i = 0; i < sizeof(raw); i++) {
		pw[2 * i] = "0123456789abcdef"[raw[i] >> 4];
		pw[2 * i + 1] = "0123456789abcdef"[raw[i] & 15];
	}
	pw[2 * sizeof(raw)] = '\0';
	for (i = 0; i <= 2 * sizeof(raw); i++)
		wpw[i] = (WCHAR)pw[i];
	return 0;
}

/* The certificate's key container (malloc'd CRYPT_KEY_PROV_INFO), or NULL when it has none. */
static CRYPT_KEY_PROV_INFO *
key_info(PCCERT_CONTEXT c)
{
	CRYPT_KEY_PROV_INFO *info;
	DWORD size = 0;

	if (!CertGetCertificateContextProperty(c, CERT_KEY_PROV_INFO_PROP_ID, NULL, &size) || size == 0)
		return NULL;
	info = malloc(size);
	if (info != NULL && !CertGetCertificateContextProperty(c, CERT_KEY_PROV_INFO_PROP_ID, info, &size)) {
		free(info);
		info = NULL;
	}
	return info;
}

/* What a refused export means: the key is marked not exportable (the import wizard's default), or lives where
 * nothing leaves (a smart card, a TPM). Anything else is the store failing. */
static ecm_code
export_failed(ecm_error *err, DWORD e)
{
	if (e == (DWORD)NTE_BAD_KEY_STATE || e == (DWORD)NTE_PERM || e == (DWORD)NTE_NOT_SUPPORTED) {
		ecm_error_detail_num(err, "windows_error", (double)e);
		return ecm_fail(err, ECM_KEY_NOT_EXPORTABLE,
		    "the certificate's private key is marked not exportable in CurrentUser\\My (error 0x%08lx)",
		    (unsigned long)e);
	}
	return win_fail_code(err, ECM_STORE_FAILED, "the private key cannot be read", e);
}

/* A CryptoAPI container's key as a PRIVATEKEYBLOB, which OpenSSL reads (b2i_PrivateKey). Wine records PFX keys
 * with dwKeySpec 3: the exchange key first, then the signature key. */
static ecm_code
capi_key(const CRYPT_KEY_PROV_INFO *info, EVP_PKEY **out, ecm_error *err)
{
	HCRYPTPROV prov = 0;
	HCRYPTKEY key = 0;
	BYTE *blob = NULL;
	DWORD len = 0;
	const unsigned char *p;
	ecm_code rc;

	if (!CryptAcquireContextW(&prov, info->pwszContainerName, info->pwszProvName, info->dwProvType,
	    info->dwFlags & CRYPT_MACHINE_KEYSET))
		return win_fail(err, ECM_KEY_MISSING, "cannot open the certificate's key container");
	if (!(info->dwKeySpec != AT_SIGNATURE && CryptGetUserKey(prov, AT_KEYEXCHANGE, &key)) &&
	    !CryptGetUserKey(prov, AT_SIGNATURE, &key))
		rc = win_fail(err, ECM_KEY_MISSING, "the key container holds no key");
	else if (!CryptExportKey(key, 0, PRIVATEKEYBLOB, 0, NULL, &len))
		rc = export_failed(err, GetLastError());
	else if ((blob = malloc(len)) == NULL)
		rc = ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	else if (!CryptExportKey(key, 0, PRIVATEKEYBLOB, 0, blob, &len))
		rc = export_failed(err, GetLastError());
	else {
		p = blob;
		*out = b2i_PrivateKey(&p, (long)len);
		rc = *out != NULL ? ECM_OK : ecm_fail(err, ECM_STORE_FAILED, "the exported key is unreadable");
	}
	if (blob != NULL)
		SecureZeroMemory(blob, len);
	free(blob);
	if (key != 0)
		CryptDestroyKey(key);
	CryptReleaseContext(prov, 0);
	return rc;
}

/* A CNG (KSP) key as PKCS#8 encrypted under a one-time password: the one form CNG hands out for keys that are
 * exportable but not plaintext-exportable (what a .pfx import gives), RSA and EC alike. PBE-SHA1-3DES is what
 * CNG's PKCS#8 export takes; the result lives only in memory and is re-encrypted by the PKCS#12 writer. */
static DWORD
cng_export_p8(NCRYPT_KEY_HANDLE key, const WCHAR *wpw, BYTE **p8, DWORD *len)
{
	/* PKCS12PBEParams: SEQUENCE { salt OCTET STRING (8), iterations INTEGER 2048 } */
	BYTE params[] = { 0x30, 0x0e, 0x04, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x02, 0x08, 0x00 };
	char oid[] = szOID_PKCS_12_pbeWithSHA1And3KeyTripleDES;
	NCryptBuffer b[3];
	NCryptBufferDesc desc = { NCRYPTBUFFER_VERSION, 3, b };
	SECURITY_STATUS st;

	if (RAND_bytes(params + 4, 8) != 1)
		return (DWORD)NTE_FAIL;
	b[0].cbBuffer = (ULONG)((wcslen(wpw) + 1) * sizeof(WCHAR));
	b[0].BufferType = NCRYPTBUFFER_PKCS_SECRET;
	b[0].pvBuffer = (PVOID)wpw;
	b[1].cbBuffer = (ULONG)sizeof(oid);
	b[1].BufferType = NCRYPTBUFFER_PKCS_ALG_OID;
	b[1].pvBuffer = oid;
	b[2].cbBuffer = (ULONG)sizeof(params);
	b[2].BufferType = NCRYPTBUFFER_PKCS_ALG_PARAM;
	b[2].pvBuffer = params;
	*p8 = NULL;
	st = NCryptExportKey(key, 0, NCRYPT_PKCS8_PRIVATE_KEY_BLOB, &desc, NULL, 0, len, 0);
	if (st != ERROR_SUCCESS)
		return (DWORD)st;
	if ((*p8 = malloc(*len)) == NULL)
		return (DWORD)NTE_NO_MEMORY;
	st = NCryptExportKey(key, 0, NCRYPT_PKCS8_PRIVATE_KEY_BLOB, &desc, *p8, *len, len, 0);
	return (DWORD)st;
}

static ecm_code
cng_key(const CRYPT_KEY_PROV_INFO *info, EVP_PKEY **out, ecm_error *err)
{
	NCRYPT_PROV_HANDLE prov = 0;
	NCRYPT_KEY_HANDLE key = 0;
	BYTE *p8 = NULL;
	DWORD len = 0, e;
	X509_SIG *sig = NULL;
	PKCS8_PRIV_KEY_INFO *inf = NULL;
	const unsigned char *p;
	char pw[40];
	WCHAR wpw[40];
	ecm_code rc;

	if ((e = (DWORD)NCryptOpenStorageProvider(&prov, info->pwszProvName, 0)) != ERROR_SUCCESS ||
	    (e = (DWORD)NCryptOpenKey(prov, &key, info->pwszContainerName, info->dwKeySpec,
	    info->dwFlags & NCRYPT_MACHINE_KEY_FLAG)) != ERROR_SUCCESS)
		rc = win_fail_code(err, ECM_KEY_MISSING, "cannot open the certificate's CNG key", e);
	else if (one_time_password(pw, sizeof(pw), wpw, 40) != 0)
		rc = ecm_fail(err, ECM_INTERNAL, "no randomness");
	else if ((e = cng_export_p8(key, wpw, &p8, &len)) != ERROR_SUCCESS)
		rc = export_failed(err, e);
	else {
		p = p8;
		if ((sig = d2i_X509_SIG(NULL, &p, (long)len)) != NULL &&
		    (inf = PKCS8_decrypt(sig, pw, (int)strlen(pw))) != NULL)
			*out = EVP_PKCS82PKEY(inf);
		rc = *out != NULL ? ECM_OK : ecm_fail(err, ECM_STORE_FAILED, "the exported key is unreadable");
	}
	PKCS8_PRIV_KEY_INFO_free(inf);
	X509_SIG_free(sig);
	if (p8 != NULL)
		SecureZeroMemory(p8, len);
	free(p8);
	SecureZeroMemory(pw, sizeof(pw));
	SecureZeroMemory(wpw, sizeof(wpw));
	if (key != 0)
		NCryptFreeObject(key);
	if (prov != 0)
		NCryptFreeObject(prov);
	return rc;
}

/* The certificate with its key read out of the store (no PFXExportCertStoreEx: a stub in Wine, 3DES/SHA-1 on
 * Windows): the caller's PKCS#12 writer makes the same backup file as on every other OS. */
static ecm_code
export_identity(PCCERT_CONTEXT c, ecm_identity *out, ecm_error *err)
{
	CRYPT_KEY_PROV_INFO *info = key_info(c);
	ecm_code rc;

	if (info == NULL)
		return ecm_fail(err, ECM_KEY_MISSING, "the certificate's key is not in CurrentUser\\My");
	rc = info->dwProvType != 0 ? capi_key(info, &out->key, err) : cng_key(info, &out->key, err);
	free(info);
	if (rc == ECM_OK && (out->cert = to_x509(c)) == NULL)
		rc = ecm_fail(err, ECM_INTERNAL, "unreadable certificate");
	if (rc == ECM_OK && X509_check_private_key(out->cert, out->key) != 1)
		rc = ecm_fail(err, ECM_KEY_MISSING, "the store's key does not match the certificate");
	if (rc != ECM_OK)
		ecm_identity_free(out);
	return rc;
}

static ecm_code
win_find(void *handle, const X509 *which, int want_key, ecm_identity *out, ecm_error *err)
{
	win_store *s = handle;
	PCCERT_CONTEXT c = find_ctx(s->my, which);
	ecm_code rc;

	memset(out, 0, sizeof(*out));
	if (c == NULL)
		return ecm_fail(err, ECM_NO_CERTIFICATE, "the certificate is not in CurrentUser\\My");
	if (want_key)
		rc = has_key(c) ? export_identity(c, out, err) :
		    ecm_fail(err, ECM_KEY_MISSING, "the certificate's key is not in CurrentUser\\My");
	else
		rc = (out->cert = to_x509(c)) != NULL ? ECM_OK : ecm_fail(err, ECM_INTERNAL, "unreadable certificate");
	CertFreeCertificateContext(c);
	return rc;
}

/* Adds every certificate with a key from the imported temporary store to My. */
static ecm_code
add_to_my(win_store *s, HCERTSTORE tmp, ecm_error *err)
{
	PCCERT_CONTEXT c = NULL;
	int added = 0;

	while ((c = CertEnumCertificatesInStore(tmp, c)) != NULL) {
		if (!has_key(c))
			continue;
		if (!CertAddCertificateContextToStore(s->my, c, CERT_STORE_ADD_REPLACE_EXISTING, NULL)) {
			CertFreeCertificateContext(c);
			return win_fail(err, ECM_STORE_FAILED, "cannot add the certificate");
		}
		added++;
	}
	return added ? ECM_OK : ecm_fail(err, ECM_STORE_FAILED, "the imported file held no certificate with a key");
}

static ecm_code
win_import(void *handle, const ecm_identity *id, int *already, ecm_error *err)
{
	win_store *s = handle;
	PCCERT_CONTEXT existing = find_ctx(s->my, id->cert);
	unsigned char *der = NULL;
	size_t len = 0;
	CRYPT_DATA_BLOB blob;
	HCERTSTORE tmp;
	char pw[40];
	WCHAR wpw[40];
	ecm_code rc;

	*already = existing != NULL && has_key(existing);
	if (existing != NULL)
		CertFreeCertificateContext(existing);
	if (*already)
		return ECM_OK;
	if (one_time_password(pw, sizeof(pw), wpw, 40) != 0)
		return ecm_fail(err, ECM_INTERNAL, "no randomness");
	rc = ecm_pfx_encode(id, pw, WIN_PFX_ITERATIONS, ECM_PFX_COMPAT, &der, &len, err);
	if (rc != ECM_OK)
		return rc;
	blob.cbData = (DWORD)len;
	blob.pbData = der;
	tmp = PFXImportCertStore(&blob, wpw, CRYPT_USER_KEYSET | CRYPT_EXPORTABLE);
	OPENSSL_clear_free(der, len);
	SecureZeroMemory(pw, sizeof(pw));
	SecureZeroMemory(wpw, sizeof(wpw));
	if (tmp == NULL)
		return win_fail(err, ECM_STORE_FAILED, "PFXImportCertStore failed");
	rc = add_to_my(s, tmp, err);
	CertCloseStore(tmp, 0);
	return rc;
}

/* Whether another certificate left in the store still uses this key container (a re-issue on the same key). */
static int
key_still_used(HCERTSTORE my, const CRYPT_KEY_PROV_INFO *gone)
{
	PCCERT_CONTEXT c = NULL;
	int used = 0;

	while (!used && (c = CertEnumCertificatesInStore(my, c)) != NULL) {
		CRYPT_KEY_PROV_INFO *info = key_info(c);
		used = info != NULL && info->pwszContainerName != NULL && gone->pwszContainerName != NULL &&
		    wcscmp(info->pwszContainerName, gone->pwszContainerName) == 0;
		free(info);
	}
	if (c != NULL)
		CertFreeCertificateContext(c);
	return used;
}

/* Deletes the key container: CNG keys (dwProvType 0) through NCrypt, older CSP keys through CryptAcquireContext.
 * ERROR_SUCCESS, or the error code of the call that failed. */
static DWORD
delete_key(const CRYPT_KEY_PROV_INFO *info)
{
	NCRYPT_PROV_HANDLE prov = 0;
	NCRYPT_KEY_HANDLE key = 0;
	HCRYPTPROV legacy = 0;
	SECURITY_STATUS st;

	if (info->dwProvType != 0)
		return CryptAcquireContextW(&legacy, info->pwszContainerName, info->pwszProvName, info->dwProvType,
		    CRYPT_DELETEKEYSET | (info->dwFlags & CRYPT_MACHINE_KEYSET)) ? ERROR_SUCCESS : GetLastError();
	st = NCryptOpenStorageProvider(&prov, info->pwszProvName, 0);
	if (st != ERROR_SUCCESS)
		return (DWORD)st;
	st = NCryptOpenKey(prov, &key, info->pwszContainerName, info->dwKeySpec, 0);
	if (st == ERROR_SUCCESS) {
		st = NCryptDeleteKey(key, 0); /* frees key only when it succeeds */
		if (st != ERROR_SUCCESS)
			NCryptFreeObject(key);
	}
	NCryptFreeObject(prov);
	return (DWORD)st;
}

/* The certificate first, then its key (unless another certificate still uses it): a failure on the way never
 * leaves a certificate whose key is gone. */
static ecm_code
win_remove(void *handle, const X509 *which, ecm_error *err)
{
	win_store *s = handle;
	PCCERT_CONTEXT c = find_ctx(s->my, which);
	CRYPT_KEY_PROV_INFO *info;
	ecm_code rc = ECM_OK;
	DWORD e;

	if (c == NULL)
		return ecm_fail(err, ECM_NO_CERTIFICATE, "the certificate is not in CurrentUser\\My");

	info = key_info(c);
	/* CertDeleteCertificateFromStore frees the context it is given, even on failure. */
	if (!CertDeleteCertificateFromStore(c))
		rc = win_fail(err, ECM_STORE_FAILED, "cannot delete the certificate");
	else if (info != NULL && !key_still_used(s->my, info) && (e = delete_key(info)) != ERROR_SUCCESS)
		rc = win_fail_code(err, ECM_STORE_FAILED, "the certificate is gone but its key could not be deleted", e);
	free(info);
	return rc;
}

/* A key in a legacy CryptoAPI container (PROV_RSA_FULL: what PFXImportCertStore writes without CNG) cannot hash
 * SHA-256 (NTE_BAD_ALGID). The same container opened through the RSA + AES provider can: a standalone copy of the
 * certificate carries that handle as its key context, so CryptSignMessage signs with the same key. CNG keys and
 * PROV_RSA_AES containers are used as they are (*copy NULL). */
static HCRYPTPROV
sha256_capable(PCCERT_CONTEXT c, PCCERT_CONTEXT *copy)
{
	CRYPT_KEY_PROV_INFO *info = key_info(c);
	CERT_KEY_CONTEXT kc;
	HCRYPTPROV prov = 0;

	*copy = NULL;
	if (info == NULL || info->dwProvType != PROV_RSA_FULL) {
		free(info);
		return 0;
	}
	if (CryptAcquireContextW(&prov, info->pwszContainerName, MS_ENH_RSA_AES_PROV_W, PROV_RSA_AES,
	    info->dwFlags & CRYPT_MACHINE_KEYSET) &&
	    (*copy = CertCreateCertificateContext(c->dwCertEncodingType, c->pbCertEncoded, c->cbCertEncoded)) != NULL) {
		memset(&kc, 0, sizeof(kc));
		kc.cbSize = sizeof(kc);
		kc.hCryptProv = prov;
		/* Wine records PFX keys with dwKeySpec 3; a container holds an exchange and/or a signature key */
		kc.dwKeySpec = info->dwKeySpec == AT_SIGNATURE ? AT_SIGNATURE : AT_KEYEXCHANGE;
		if (!CertSetCertificateContextProperty(*copy, CERT_KEY_CONTEXT_PROP_ID, 0, &kc)) {
			CertFreeCertificateContext(*copy);
			*copy = NULL;
		}
	}
	if (*copy == NULL && prov != 0) {
		CryptReleaseContext(prov, 0);
		prov = 0;
	}
	free(info);
	return prov;
}

/* CryptSignMessage with the certificate's own key (CSP or CNG, wherever CERT_KEY_PROV_INFO points): PKCS#7/CMS
 * SignedData, SHA-256, signing-time as an authenticated attribute (CryptoAPI adds content-type and
 * message-digest), the signer certificate included. Re-encoded through OpenSSL to the DER the protocol promises. */
static ecm_code
win_sign(void *handle, const X509 *which, const unsigned char *data, size_t len, int detached, unsigned char **der,
    size_t *der_len, ecm_error *err)
{
	win_store *s = handle;
	PCCERT_CONTEXT c = find_ctx(s->my, which), aes = NULL, signer;
	HCRYPTPROV aes_prov = 0;
	CRYPT_SIGN_MESSAGE_PARA para;
	CRYPT_ATTR_BLOB time_blob;
	CRYPT_ATTRIBUTE time_attr;
	BYTE time_der[32], *out = NULL;
	DWORD time_len = sizeof(time_der), out_len = 0, sizes[1] = { (DWORD)len };
	const BYTE *blobs[1] = { data };
	FILETIME now;
	ecm_code rc;

	if (c == NULL)
		return ecm_fail(err, ECM_NO_CERTIFICATE, "the certificate is not in CurrentUser\\My");
	if (!has_key(c)) {
		CertFreeCertificateContext(c);
		return ecm_fail(err, ECM_KEY_MISSING, "the certificate's key is not in CurrentUser\\My");
	}
	aes_prov = sha256_capable(c, &aes);
	signer = aes != NULL ? aes : c;
	GetSystemTimeAsFileTime(&now);
	memset(&para, 0, sizeof(para));
	para.cbSize = sizeof(para);
	para.dwMsgEncodingType = X509_ASN_ENCODING | PKCS_7_ASN_ENCODING;
	para.pSigningCert = signer;
	para.HashAlgorithm.pszObjId = (LPSTR)szOID_NIST_sha256;
	para.cMsgCert = 1;
	para.rgpMsgCert = &c;
	time_blob.pbData = time_der;
	time_attr.pszObjId = (LPSTR)szOID_RSA_signingTime;
	time_attr.cValue = 1;
	time_attr.rgValue = &time_blob;
	if (CryptEncodeObject(X509_ASN_ENCODING, szOID_RSA_signingTime, &now, time_der, &time_len)) {
		time_blob.cbData = time_len;
		para.cAuthAttr = 1;
		para.rgAuthAttr = &time_attr;
	}
	/* First call: the size; second: the message. */
	if (para.cAuthAttr == 0 || !CryptSignMessage(&para, detached ? TRUE : FALSE, 1, blobs, sizes, NULL, &out_len))
		rc = win_fail(err, ECM_STORE_FAILED, "cannot sign");
	else if ((out = malloc(out_len)) == NULL)
		rc = ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	else if (!CryptSignMessage(&para, detached ? TRUE : FALSE, 1, blobs, sizes, out, &out_len))
		rc = win_fail(err, ECM_STORE_FAILED, "cannot sign");
	else
		rc = ecm_cms_to_der(out, out_len, der, der_len, err);
	free(out);
	if (aes != NULL)
		CertFreeCertificateContext(aes); /* frees the key context's handle with it */
	else if (aes_prov != 0)
		CryptReleaseContext(aes_prov, 0);
	CertFreeCertificateContext(c);
	return rc;
}

const ecm_store_backend ecm_store_wincrypt = {
	"windows",
	ECM_STORE_CAN_DELETE | ECM_STORE_CAN_IMPORT | ECM_STORE_CAN_SIGN,
	win_open,
	win_list,
	win_find,
	win_import,
	win_remove,
	win_close,
	win_sign,
};
