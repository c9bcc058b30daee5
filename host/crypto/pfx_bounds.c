/* A .pfx names its own work factors: the MAC's iteration count and, for every encrypted part, its PBE/PBKDF2
 * iterations (or scrypt costs). A file claiming 2^31-1 iterations would keep the host busy for minutes before it
 * could even say "wrong password", so each count is read from the parsed structure and bounded before
 * PKCS12_verify_mac or any decryption runs with it (the bag reader, pfx_bags.c, asks before each one). */
#include <stdint.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "ecm/crypto.h"
#include "pfx_int.h"

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
ecm_code
ecm_pfx_check_alg_work(const X509_ALGOR *alg, ecm_error *err)
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

ecm_code
ecm_pfx_check_mac_work(const PKCS12 *p12, ecm_error *err)
{
	const ASN1_INTEGER *iter = NULL;

	if (!PKCS12_mac_present(p12))
		return ECM_OK;
	PKCS12_get0_mac(NULL, NULL, NULL, &iter, p12);
	return check_count(iter, "MAC", err);
}
