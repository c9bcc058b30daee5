/* PBKDF2 by the faster of the two libraries the engine links. Every `make bench` measures one PBKDF2-SHA256 of
 * 600 000 rounds by each (tests/bench/kdf_floor.c): NSS's takes ~0.17 s on the development machines, OpenSSL
 * 3.0's ~0.21 s (it copies an HMAC context on every round, docs/performance.md). So a PBES2 part of a .pfx is
 * decrypted here with a key NSS derives and a cipher OpenSSL runs. Anything else — the PKCS#12 PBEs, scrypt,
 * parameters OpenSSL would refuse — goes to OpenSSL's own functions, which accept and refuse what they always
 * did. The MAC's key stays OpenSSL's too: its PKCS#12 KDF is the faster one there (about twice NSS's speed).
 *
 * NSS's softoken keeps the last three PBKDF2 results, with their passwords, to answer a repeat at once: after a
 * file is read or written, pfx_kdf_forget pushes them out with throwaway derivations (which wipe what they
 * replace), so the password does not stay in its memory until NSS shuts down. */
#include <string.h>

#include <nss.h>
#include <pk11pub.h>
#include <secoid.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "ecm/secmem.h"
#include "ecm/store.h"
#include "pfx_int.h"

#define NSS_KDF_CACHE 3 /* KDF2_CACHE_COUNT in NSS's lowpbe.c */

static int nss_kdf; /* set on the caller's thread before any task starts: read-only while they run */

void
pfx_kdf_ready(void)
{
	ecm_error err;

	if (nss_kdf)
		return;
	ecm_error_init(&err);
	nss_kdf = ecm_nss_start(&err) == ECM_OK;
	ecm_error_clear(&err);
}

static SECOidTag
nss_prf(int nid)
{
	switch (nid) {
	case NID_hmacWithSHA1: return SEC_OID_HMAC_SHA1;
	case NID_hmacWithSHA224: return SEC_OID_HMAC_SHA224;
	case NID_hmacWithSHA256: return SEC_OID_HMAC_SHA256;
	case NID_hmacWithSHA384: return SEC_OID_HMAC_SHA384;
	case NID_hmacWithSHA512: return SEC_OID_HMAC_SHA512;
	default: return SEC_OID_UNKNOWN;
	}
}

static int
nss_pbkdf2(const char *pw, size_t pwlen, const ASN1_OCTET_STRING *salt, int iter, SECOidTag prf,
    unsigned char *key, int keylen)
{
	SECItem s = { siBuffer, (unsigned char *)ASN1_STRING_get0_data(salt), (unsigned)ASN1_STRING_length(salt) };
	SECItem p = { siBuffer, (unsigned char *)(pw != NULL ? pw : ""), (unsigned)pwlen };
	SECAlgorithmID *alg = PK11_CreatePBEV2AlgorithmID(SEC_OID_PKCS5_PBKDF2, prf, prf, keylen, iter, &s);
	PK11SlotInfo *slot = alg != NULL ? PK11_GetInternalSlot() : NULL;
	PK11SymKey *k = slot != NULL ? PK11_PBEKeyGen(slot, alg, &p, PR_FALSE, NULL) : NULL;
	SECItem *v = k != NULL && PK11_ExtractKeyValue(k) == SECSuccess ? PK11_GetKeyData(k) : NULL;
	int ok = v != NULL && v->len == (unsigned)keylen;

	if (ok)
		memcpy(key, v->data, (size_t)keylen);
	if (k != NULL)
		PK11_FreeSymKey(k); /* wipes its copy */
	if (slot != NULL)
		PK11_FreeSlot(slot);
	if (alg != NULL)
		SECOID_DestroyAlgorithmID(alg, PR_TRUE);
	return ok;
}

void
pfx_kdf_forget(void)
{
	unsigned char pw[16], salt_bytes[16], key[16];
	ASN1_OCTET_STRING *salt = ASN1_OCTET_STRING_new();
	int i;

	for (i = 0; nss_kdf && salt != NULL && i < NSS_KDF_CACHE; i++)
		if (RAND_bytes(pw, sizeof(pw)) == 1 && RAND_bytes(salt_bytes, sizeof(salt_bytes)) == 1 &&
		    ASN1_OCTET_STRING_set(salt, salt_bytes, sizeof(salt_bytes)))
			(void)nss_pbkdf2((const char *)pw, sizeof(pw), salt, 1, SEC_OID_HMAC_SHA256, key, sizeof(key));
	ASN1_OCTET_STRING_free(salt);
	ecm_wipe(key, sizeof(key));
}

/* The cipher set up with pbe2's IV and the key derived from pw: 1; -1 when the parameters are not the plain
 * PBES2/PBKDF2/CBC case (left to OpenSSL), 0 when the derivation failed. */
static int
pbes2_setup(EVP_CIPHER_CTX *ctx, const PBE2PARAM *pbe2, const char *pw, int enc)
{
	PBKDF2PARAM *kdf = NULL;
	const EVP_CIPHER *cipher = EVP_get_cipherbynid(OBJ_obj2nid(pbe2->encryption->algorithm));
	unsigned char key[EVP_MAX_KEY_LENGTH];
	int keylen, rc = -1;
	SECOidTag prf;

	if (cipher == NULL || EVP_CIPHER_get_mode(cipher) != EVP_CIPH_CBC_MODE || pbe2->keyfunc == NULL ||
	    OBJ_obj2nid(pbe2->keyfunc->algorithm) != NID_id_pbkdf2 ||
	    (kdf = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBKDF2PARAM), pbe2->keyfunc->parameter)) == NULL)
		goto done;
	prf = nss_prf(kdf->prf != NULL ? OBJ_obj2nid(kdf->prf->algorithm) : NID_hmacWithSHA1);
	if (prf == SEC_OID_UNKNOWN || kdf->salt == NULL || kdf->salt->type != V_ASN1_OCTET_STRING ||
	    ASN1_INTEGER_get(kdf->iter) < 1 || !EVP_CipherInit_ex(ctx, cipher, NULL, NULL, NULL, enc) ||
	    EVP_CIPHER_asn1_to_param(ctx, pbe2->encryption->parameter) <= 0)
		goto done;
	keylen = EVP_CIPHER_CTX_get_key_length(ctx);
	if (keylen <= 0 || keylen > (int)sizeof(key) ||
	    (kdf->keylength != NULL && ASN1_INTEGER_get(kdf->keylength) != keylen))
		goto done;
	rc = nss_pbkdf2(pw, pw != NULL ? strlen(pw) : 0, kdf->salt->value.octet_string,
	    (int)ASN1_INTEGER_get(kdf->iter), prf, key, keylen) && EVP_CipherInit_ex(ctx, NULL, NULL, key, NULL, enc);
	ecm_wipe(key, sizeof(key));
done:
	PBKDF2PARAM_free(kdf);
	ERR_clear_error();
	return rc;
}

/* alg's PBES2 parameters, set up for one en- or decryption of in: 1 with *out (OPENSSL_malloc'd, wiped when it
 * fails), 0 when it failed, -1 when the parameters are for OpenSSL's own functions. */
static int
pbes2_run(const X509_ALGOR *alg, const char *pw, int enc, const unsigned char *in, int inlen, unsigned char **out,
    int *outlen)
{
	PBE2PARAM *pbe2 = NULL;
	EVP_CIPHER_CTX *ctx = NULL;
	size_t size = (size_t)inlen + EVP_MAX_BLOCK_LENGTH;
	int rc = -1, n = 0, fin = 0;

	*out = NULL;
	*outlen = 0;
	if (!nss_kdf || alg == NULL || in == NULL || OBJ_obj2nid(alg->algorithm) != NID_pbes2 ||
	    (pbe2 = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM), alg->parameter)) == NULL ||
	    (ctx = EVP_CIPHER_CTX_new()) == NULL || (rc = pbes2_setup(ctx, pbe2, pw, enc)) != 1)
		goto done;
	rc = 0;
	if ((*out = OPENSSL_malloc(size)) != NULL && EVP_CipherUpdate(ctx, *out, &n, in, inlen) &&
	    EVP_CipherFinal_ex(ctx, *out + n, &fin)) {
		*outlen = n + fin;
		rc = 1;
	} else if (*out != NULL) {
		OPENSSL_clear_free(*out, size);
		*out = NULL;
	}
done:
	EVP_CIPHER_CTX_free(ctx);
	PBE2PARAM_free(pbe2);
	ERR_clear_error();
	return rc;
}

int
pfx_pbes2_decrypt(const X509_ALGOR *alg, const char *pw, const ASN1_OCTET_STRING *in, unsigned char **out,
    int *outlen)
{
	*out = NULL;
	*outlen = 0;
	if (in == NULL)
		return -1;
	return pbes2_run(alg, pw, 0, ASN1_STRING_get0_data(in), ASN1_STRING_length(in), out, outlen);
}

int
pfx_pbes2_encrypt(int cipher_nid, int iterations, const char *pw, const unsigned char *in, int inlen,
    X509_ALGOR **alg, ASN1_OCTET_STRING **out)
{
	const EVP_CIPHER *cipher = EVP_get_cipherbynid(cipher_nid);
	unsigned char *data;
	int len, rc = 0;

	*alg = NULL;
	*out = NULL;
	if (!nss_kdf || cipher == NULL)
		return -1;
	/* What PKCS12's own PBES2 writes: random salt and IV, the default PRF (HMAC-SHA256). */
	if ((*alg = PKCS5_pbe2_set_iv_ex(cipher, iterations, NULL, 0, NULL, -1, NULL)) == NULL ||
	    (rc = pbes2_run(*alg, pw, 1, in, inlen, &data, &len)) != 1 || (*out = ASN1_OCTET_STRING_new()) == NULL) {
		if (*out == NULL && rc == 1)
			OPENSSL_free(data); /* ciphertext */
		X509_ALGOR_free(*alg);
		*alg = NULL;
		ERR_clear_error();
		return 0;
	}
	ASN1_STRING_set0(*out, data, len);
	return 1;
}
