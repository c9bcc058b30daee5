/* A .pfx names its own work factors: the MAC's iteration count and, for every encrypted part, its PBE/PBKDF2
 * iterations (or scrypt costs). A file claiming 2^31-1 iterations would keep the host busy for minutes before it
 * could even say "wrong password", so each count is read from the parsed structure and bounded before
 * PKCS12_verify_mac, PKCS12_parse or any decryption runs with it. */
#include <stdint.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "ecm/crypto.h"
#include "pfx_int.h"

#define NESTED_MAX 4 /* safeContentsBag inside safeContentsBag: real files have none */

static ecm_code
too_much(ecm_error *err, const char *what, int64_t value)
{
	ecm_error_detail_str(err, "reason", "iterations");
	ecm_error_detail_num(err, "max_iterations", ECM_PFX_MAX_ITERATIONS);
	ecm_error_detail_num(err, "iterations", (double)value);
	return ecm_fail(err, ECM_PFX_INVALID, "the PKCS#12 file asks for %lld %s iterations (at most %d)",
	    (long long)value, what, ECM_PFX_MAX_ITERATIONS);
}

/* Absent means the DER default (1). */
static ecm_code
check_count(const ASN1_INTEGER *n, const char *what, ecm_error *err)
{
	int64_t v = 1;

	if (n != NULL && ASN1_INTEGER_get_int64(&v, n) != 1) {
		ERR_clear_error();
		return too_much(err, what, INT64_MAX);
	}
	if (v < 1 || v > ECM_PFX_MAX_ITERATIONS)
		return too_much(err, what, v);
	return ECM_OK;
}

static ecm_code
malformed(ecm_error *err)
{
	ERR_clear_error();
	ecm_error_detail_str(err, "reason", "pbe_parameters");
	return ecm_fail(err, ECM_PFX_INVALID, "the PKCS#12 file has unreadable encryption parameters");
}

/* scrypt's work is N * r * p; bounded like the PBKDF2 iterations. */
static ecm_code
check_scrypt(const ASN1_TYPE *param, ecm_error *err)
{
	SCRYPT_PARAMS *sp = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(SCRYPT_PARAMS), param);
	uint64_t n = 0, r = 0, p = 0;
	ecm_code rc = ECM_OK;

	if (sp == NULL || ASN1_INTEGER_get_uint64(&n, sp->costParameter) != 1 ||
	    ASN1_INTEGER_get_uint64(&r, sp->blockSize) != 1 ||
	    ASN1_INTEGER_get_uint64(&p, sp->parallelizationParameter) != 1)
		rc = malformed(err);
	else if (n > ECM_PFX_MAX_ITERATIONS || r > 64 || p > 64 || n * r * p > ECM_PFX_MAX_ITERATIONS)
		rc = too_much(err, "scrypt", (int64_t)(n * (r ? r : 1) * (p ? p : 1)));
	SCRYPT_PARAMS_free(sp);
	return rc;
}

static ecm_code
check_pbes2(const ASN1_TYPE *param, ecm_error *err)
{
	PBE2PARAM *p2 = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM), param);
	PBKDF2PARAM *kdf = NULL;
	ecm_code rc;

	if (p2 == NULL || p2->keyfunc == NULL)
		rc = malformed(err);
	else if (OBJ_obj2nid(p2->keyfunc->algorithm) == NID_id_scrypt)
		rc = check_scrypt(p2->keyfunc->parameter, err);
	else if (OBJ_obj2nid(p2->keyfunc->algorithm) != NID_id_pbkdf2 ||
	    (kdf = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBKDF2PARAM), p2->keyfunc->parameter)) == NULL)
		rc = malformed(err);
	else
		rc = check_count(kdf->iter, "PBKDF2", err);
	PBKDF2PARAM_free(kdf);
	PBE2PARAM_free(p2);
	return rc;
}

/* One AlgorithmIdentifier of an encrypted part: PBES2 (PBKDF2 or scrypt) or a PKCS#12 / PKCS#5 v1 PBE. */
static ecm_code
check_pbe(const X509_ALGOR *alg, ecm_error *err)
{
	PBEPARAM *pbe;
	ecm_code rc;

	if (alg == NULL)
		return malformed(err);
	if (OBJ_obj2nid(alg->algorithm) == NID_pbes2)
		return check_pbes2(alg->parameter, err);
	if ((pbe = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBEPARAM), alg->parameter)) == NULL)
		return malformed(err);
	rc = check_count(pbe->iter, "PBE", err);
	PBEPARAM_free(pbe);
	return rc;
}

static ecm_code
check_bags(const STACK_OF(PKCS12_SAFEBAG) *bags, int depth, ecm_error *err)
{
	const X509_ALGOR *alg;
	int i;
	ecm_code rc = ECM_OK;

	if (depth > NESTED_MAX)
		return malformed(err);
	for (i = 0; rc == ECM_OK && i < sk_PKCS12_SAFEBAG_num(bags); i++) {
		const PKCS12_SAFEBAG *bag = sk_PKCS12_SAFEBAG_value(bags, i);
		switch (PKCS12_SAFEBAG_get_nid(bag)) {
		case NID_pkcs8ShroudedKeyBag:
			X509_SIG_get0(PKCS12_SAFEBAG_get0_pkcs8(bag), &alg, NULL);
			rc = check_pbe(alg, err);
			break;
		case NID_safeContentsBag:
			rc = check_bags(PKCS12_SAFEBAG_get0_safes(bag), depth + 1, err);
			break;
		default:
			break;
		}
	}
	return rc;
}

/* An encrypted part is opened (with its bounded PBE) only to bound the key bags inside it. A wrong password
 * leaves its bags unread here; PKCS12_parse then fails on it without running any unchecked count. */
static ecm_code
check_authsafe(PKCS7 *p7, const char *password, ecm_error *err)
{
	STACK_OF(PKCS12_SAFEBAG) *bags = NULL;
	int nid = OBJ_obj2nid(p7->type), len = password != NULL ? (int)strlen(password) : 0;
	ecm_code rc = ECM_OK;

	if (nid == NID_pkcs7_encrypted) {
		if (p7->d.encrypted == NULL || p7->d.encrypted->enc_data == NULL)
			return malformed(err);
		if ((rc = check_pbe(p7->d.encrypted->enc_data->algorithm, err)) != ECM_OK)
			return rc;
		bags = PKCS12_unpack_p7encdata(p7, password, len);
	} else if (nid == NID_pkcs7_data) {
		bags = PKCS12_unpack_p7data(p7);
	}
	if (bags != NULL)
		rc = check_bags(bags, 0, err);
	sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
	ERR_clear_error();
	return rc;
}

ecm_code
ecm_pfx_check_mac_work(const PKCS12 *p12, ecm_error *err)
{
	const ASN1_INTEGER *iter = NULL;

	if (!PKCS12_mac_present(p12))
		return ECM_OK;
	PKCS12_get0_mac(NULL, NULL, NULL, &iter, p12);
	return check_count(iter, "MAC", err);
}

ecm_code
ecm_pfx_check_pbe_work(const PKCS12 *p12, const char *password, ecm_error *err)
{
	STACK_OF(PKCS7) *safes = PKCS12_unpack_authsafes(p12);
	ecm_code rc = ECM_OK;
	int i;

	if (safes == NULL) {
		ERR_clear_error();
		return ECM_OK; /* nothing PKCS12_parse could decrypt either: it reports the file as unreadable */
	}
	for (i = 0; rc == ECM_OK && i < sk_PKCS7_num(safes); i++)
		rc = check_authsafe(sk_PKCS7_value(safes, i), password, err);
	sk_PKCS7_pop_free(safes, PKCS7_free);
	return rc;
}
