/* Windows certificate store (CryptoAPI), CurrentUser\My: what Edge, Chrome and Brave use on Windows.
 * Compiled only on Windows (make windows); run under Wine by tests/windows/wincrypt.t.
 * Import goes through a one-time PKCS#12 (3DES/SHA-1, which every Windows reads) with a random password and
 * PFXImportCertStore; export through PFXExportCertStoreEx. Keys are imported exportable so backup works. */
#include <windows.h>
#include <wincrypt.h>
#include <ncrypt.h>

#include <stdlib.h>
#include <string.h>

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

static ecm_code
export_identity(PCCERT_CONTEXT c, ecm_identity *out, ecm_error *err)
{
	HCERTSTORE mem = CertOpenStore(CERT_STORE_PROV_MEMORY, 0, 0, 0, NULL);
	CRYPT_DATA_BLOB blob = { 0, NULL };
	char pw[40];
	WCHAR wpw[40];
	ecm_code rc = ECM_STORE_FAILED;

	if (mem == NULL || one_time_password(pw, sizeof(pw), wpw, 40) != 0 ||
	    !CertAddCertificateContextToStore(mem, c, CERT_STORE_ADD_ALWAYS, NULL) ||
	    !PFXExportCertStoreEx(mem, &blob, wpw, NULL, EXPORT_PRIVATE_KEYS) ||
	    (blob.pbData = malloc(blob.cbData)) == NULL ||
	    !PFXExportCertStoreEx(mem, &blob, wpw, NULL, EXPORT_PRIVATE_KEYS))
		rc = win_fail(err, ECM_KEY_MISSING, "the private key cannot be exported");
	else
		rc = ecm_pfx_decode(blob.pbData, blob.cbData, pw, out, err);
	if (blob.pbData != NULL)
		SecureZeroMemory(blob.pbData, blob.cbData);
	free(blob.pbData);
	if (mem != NULL)
		CertCloseStore(mem, 0);
	SecureZeroMemory(pw, sizeof(pw));
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
