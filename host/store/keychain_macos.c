/* macOS login Keychain (Security framework): Safari, Chrome, Edge and Brave on macOS. Compiled only on macOS;
 * not built or run in CI here (see docs/protocol.md, Stores: what is tested where).
 * Import goes through a one-time PKCS#12 (3DES/SHA-1, which every macOS reads) and SecPKCS12Import; export
 * through SecItemExport of the identity; delete with SecItemDelete. */
#include <Security/Security.h>
#include <Security/CMSEncoder.h>
#include <CoreFoundation/CoreFoundation.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>
#include <openssl/x509.h>

#include "store_int.h"

#define KC_PFX_ITERATIONS 2048

static ecm_code
kc_fail(ecm_error *err, ecm_code code, const char *what, OSStatus st)
{
	ecm_error_detail_num(err, "osstatus", (double)st);
	return ecm_fail(err, code, "Keychain: %s (OSStatus %d)", what, (int)st);
}

static ecm_code
kc_open(const ecm_store_info *info, const char *password, void **handle, ecm_error *err)
{
	(void)info;
	(void)password;
	(void)err;
	*handle = (void *)1; /* the user's default keychain search list; nothing to hold */
	return ECM_OK;
}

static void
kc_close(void *handle)
{
	(void)handle;
}

static X509 *
to_x509(SecCertificateRef c)
{
	CFDataRef data = SecCertificateCopyData(c);
	const unsigned char *p;
	X509 *x;

	if (data == NULL)
		return NULL;
	p = CFDataGetBytePtr(data);
	x = d2i_X509(NULL, &p, (long)CFDataGetLength(data));
	CFRelease(data);
	return x;
}

/* Every certificate (CFArray of SecCertificateRef) or NULL. */
static CFArrayRef
all_certs(void)
{
	const void *keys[] = { kSecClass, kSecMatchLimit, kSecReturnRef };
	const void *vals[] = { kSecClassCertificate, kSecMatchLimitAll, kCFBooleanTrue };
	CFDictionaryRef q = CFDictionaryCreate(NULL, keys, vals, 3, &kCFTypeDictionaryKeyCallBacks,
	    &kCFTypeDictionaryValueCallBacks);
	CFTypeRef out = NULL;

	if (SecItemCopyMatching(q, &out) != errSecSuccess)
		out = NULL;
	CFRelease(q);
	return (CFArrayRef)out;
}

static int
has_key(SecCertificateRef c)
{
	SecIdentityRef ident = NULL;

	if (SecIdentityCreateWithCertificate(NULL, c, &ident) != errSecSuccess)
		return 0;
	CFRelease(ident);
	return 1;
}

static ecm_code
kc_list(void *handle, ecm_store_items *out, ecm_error *err)
{
	CFArrayRef certs = all_certs();
	CFIndex i, n = certs ? CFArrayGetCount(certs) : 0;

	(void)handle;
	out->n = 0;
	out->v = calloc(n ? (size_t)n : 1, sizeof(*out->v));
	if (out->v == NULL) {
		if (certs)
			CFRelease(certs);
		return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	}
	for (i = 0; i < n; i++) {
		SecCertificateRef c = (SecCertificateRef)CFArrayGetValueAtIndex(certs, i);
		X509 *x = to_x509(c);
		if (x == NULL)
			continue;
		out->v[out->n].cert = x;
		out->v[out->n].has_key = has_key(c);
		out->n++;
	}
	if (certs)
		CFRelease(certs);
	return ECM_OK;
}

/* The keychain's certificate for which (retained), or NULL. */
static SecCertificateRef
find_ref(const X509 *which)
{
	CFArrayRef certs = all_certs();
	CFIndex i, n = certs ? CFArrayGetCount(certs) : 0;
	SecCertificateRef found = NULL;

	for (i = 0; i < n && found == NULL; i++) {
		SecCertificateRef c = (SecCertificateRef)CFArrayGetValueAtIndex(certs, i);
		X509 *x = to_x509(c);
		if (x != NULL && ecm_cert_same(x, which))
			found = (SecCertificateRef)CFRetain(c);
		X509_free(x);
	}
	if (certs)
		CFRelease(certs);
	return found;
}

static int
one_time_password(char *pw, size_t len)
{
	unsigned char raw[16];
	size_t i;

	if (len < sizeof(raw) * 2 + 1 || RAND_bytes(raw, sizeof(raw)) != 1)
		return -1;
	for (i = 0; i < sizeof(raw); i++) {
		pw[2 * i] = "0123456789abcdef"[raw[i] >> 4];
		pw[2 * i + 1] = "0123456789abcdef"[raw[i] & 15];
	}
	pw[2 * sizeof(raw)] = '\0';
	return 0;
}

static ecm_code
export_identity(SecCertificateRef c, ecm_identity *out, ecm_error *err)
{
	SecIdentityRef ident = NULL;
	SecItemImportExportKeyParameters params;
	CFStringRef pass;
	CFDataRef data = NULL;
	char pw[40];
	OSStatus st;
	ecm_code rc;

	if ((st = SecIdentityCreateWithCertificate(NULL, c, &ident)) != errSecSuccess)
		return kc_fail(err, ECM_KEY_MISSING, "the certificate's key is not in the keychain", st);
	if (one_time_password(pw, sizeof(pw)) != 0) {
		CFRelease(ident);
		return ecm_fail(err, ECM_INTERNAL, "no randomness");
	}
	pass = CFStringCreateWithCString(NULL, pw, kCFStringEncodingUTF8);
	memset(&params, 0, sizeof(params));
	params.version = SEC_KEY_IMPORT_EXPORT_PARAMS_VERSION;
	params.passphrase = pass;
	st = SecItemExport(ident, kSecFormatPKCS12, 0, &params, &data);
	CFRelease(pass);
	CFRelease(ident);
	if (st != errSecSuccess)
		rc = kc_fail(err, ECM_KEY_MISSING, "the private key cannot be exported", st);
	else
		rc = ecm_pfx_decode(CFDataGetBytePtr(data), (size_t)CFDataGetLength(data), pw, out, err);
	if (data != NULL)
		CFRelease(data);
	memset(pw, 0, sizeof(pw));
	return rc;
}

static ecm_code
kc_find(void *handle, const X509 *which, int want_key, ecm_identity *out, ecm_error *err)
{
	SecCertificateRef c = find_ref(which);
	ecm_code rc;

	(void)handle;
	memset(out, 0, sizeof(*out));
	if (c == NULL)
		return ecm_fail(err, ECM_NO_CERTIFICATE, "the certificate is not in the keychain");
	if (want_key)
		rc = export_identity(c, out, err);
	else
		rc = (out->cert = to_x509(c)) != NULL ? ECM_OK : ecm_fail(err, ECM_INTERNAL, "unreadable certificate");
	CFRelease(c);
	return rc;
}

static ecm_code
kc_import(void *handle, const ecm_identity *id, int *already, ecm_error *err)
{
	SecCertificateRef existing = find_ref(id->cert);
	unsigned char *der = NULL;
	size_t len = 0;
	char pw[40];
	CFDataRef data;
	CFStringRef pass;
	CFDictionaryRef opts;
	CFArrayRef items = NULL;
	OSStatus st;
	ecm_code rc;

	(void)handle;
	*already = existing != NULL && has_key(existing);
	if (existing != NULL)
		CFRelease(existing);
	if (*already)
		return ECM_OK;
	if (one_time_password(pw, sizeof(pw)) != 0)
		return ecm_fail(err, ECM_INTERNAL, "no randomness");
	if ((rc = ecm_pfx_encode(id, pw, KC_PFX_ITERATIONS, ECM_PFX_COMPAT, &der, &len, err)) != ECM_OK)
		return rc;
	data = CFDataCreate(NULL, der, (CFIndex)len);
	OPENSSL_clear_free(der, len);
	pass = CFStringCreateWithCString(NULL, pw, kCFStringEncodingUTF8);
	memset(pw, 0, sizeof(pw));
	{
		const void *keys[] = { kSecImportExportPassphrase };
		const void *vals[] = { pass };
		opts = CFDictionaryCreate(NULL, keys, vals, 1, &kCFTypeDictionaryKeyCallBacks,
		    &kCFTypeDictionaryValueCallBacks);
	}
	st = SecPKCS12Import(data, opts, &items); /* imports into the default (login) keychain */
	CFRelease(opts);
	CFRelease(pass);
	CFRelease(data);
	if (items != NULL)
		CFRelease(items);
	if (st == errSecDuplicateItem)
		return ECM_OK;
	if (st != errSecSuccess)
		return kc_fail(err, st == errSecAuthFailed ? ECM_STORE_LOCKED : ECM_STORE_FAILED,
		    "SecPKCS12Import failed", st);
	return ECM_OK;
}

static ecm_code
kc_remove(void *handle, const X509 *which, ecm_error *err)
{
	SecCertificateRef c = find_ref(which);
	SecIdentityRef ident = NULL;
	CFDictionaryRef q;
	OSStatus st;

	(void)handle;
	if (c == NULL)
		return ecm_fail(err, ECM_NO_CERTIFICATE, "the certificate is not in the keychain");
	/* Deleting the identity removes certificate and key; without a key, the certificate alone. */
	if (SecIdentityCreateWithCertificate(NULL, c, &ident) == errSecSuccess) {
		const void *keys[] = { kSecClass, kSecValueRef };
		const void *vals[] = { kSecClassIdentity, ident };
		q = CFDictionaryCreate(NULL, keys, vals, 2, &kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks);
	} else {
		const void *keys[] = { kSecClass, kSecValueRef };
		const void *vals[] = { kSecClassCertificate, c };
		q = CFDictionaryCreate(NULL, keys, vals, 2, &kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks);
	}
	st = SecItemDelete(q);
	CFRelease(q);
	if (ident != NULL)
		CFRelease(ident);
	CFRelease(c);
	if (st != errSecSuccess)
		return kc_fail(err, ECM_STORE_FAILED, "cannot delete the certificate", st);
	return ECM_OK;
}

/* CMSEncoder with the identity's key, inside the Keychain: SHA-256, signing-time (the encoder adds content-type
 * and message-digest), only the signer certificate; DER through OpenSSL. NOT compiled or run here (Linux). */
static ecm_code
kc_sign(void *handle, const X509 *which, const unsigned char *data, size_t len, int detached, unsigned char **der,
    size_t *der_len, ecm_error *err)
{
	SecCertificateRef c = find_ref(which);
	SecIdentityRef ident = NULL;
	CMSEncoderRef enc = NULL;
	CFDataRef out = NULL;
	OSStatus st;
	ecm_code rc;

	(void)handle;
	if (c == NULL)
		return ecm_fail(err, ECM_NO_CERTIFICATE, "the certificate is not in the keychain");
	st = SecIdentityCreateWithCertificate(NULL, c, &ident);
	CFRelease(c);
	if (st != errSecSuccess)
		return kc_fail(err, ECM_KEY_MISSING, "the certificate's key is not in the keychain", st);
	if ((st = CMSEncoderCreate(&enc)) == errSecSuccess &&
	    (st = CMSEncoderAddSigners(enc, ident)) == errSecSuccess &&
	    (st = CMSEncoderSetSignerAlgorithm(enc, kCMSEncoderDigestAlgorithmSHA256)) == errSecSuccess &&
	    (st = CMSEncoderSetHasDetachedContent(enc, detached ? true : false)) == errSecSuccess &&
	    (st = CMSEncoderAddSignedAttributes(enc, kCMSAttrSigningTime)) == errSecSuccess &&
	    (st = CMSEncoderSetCertificateChainMode(enc, kCMSCertificateSignerOnly)) == errSecSuccess &&
	    (st = CMSEncoderUpdateContent(enc, data, len)) == errSecSuccess)
		st = CMSEncoderCopyEncodedContent(enc, &out);
	if (st != errSecSuccess || out == NULL)
		rc = kc_fail(err, ECM_STORE_FAILED, "cannot sign", st);
	else
		rc = ecm_cms_to_der(CFDataGetBytePtr(out), (size_t)CFDataGetLength(out), der, der_len, err);
	if (out != NULL)
		CFRelease(out);
	if (enc != NULL)
		CFRelease(enc);
	CFRelease(ident);
	return rc;
}

const ecm_store_backend ecm_store_keychain = {
	"keychain",
	ECM_STORE_CAN_DELETE | ECM_STORE_CAN_IMPORT | ECM_STORE_CAN_SIGN,
	kc_open,
	kc_list,
	kc_find,
	kc_import,
	kc_remove,
	kc_close,
	kc_sign,
};
