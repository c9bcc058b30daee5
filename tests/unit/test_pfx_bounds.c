/* A .pfx cannot make the host work without bound: MAC and PBE/PBKDF2 iteration counts over 10 000 000 are
 * refused (PFX_INVALID, details.reason "iterations") before any of that work starts. The files are built here
 * with a cheap count and then given a huge one in the structure (no key derivation runs while building them);
 * alarm() turns the old behaviour (minutes of PBKDF2) into a failure instead of a hang. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "ecm/crypto.h"

#define PW "Bounds-Pass-1"
#define HUGE_ITER 2147483647L

typedef struct fixture {
	EVP_PKEY *key;
	X509 *cert;
} fixture;

static int
setup(void **state)
{
	static fixture f;
	X509_NAME *name;

	f.key = EVP_EC_gen("P-256");
	f.cert = X509_new();
	name = X509_get_subject_name(f.cert);
	ASN1_INTEGER_set(X509_get_serialNumber(f.cert), 7);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)"A123456789-00-PC001", -1, -1,
	    0);
	X509_set_issuer_name(f.cert, name);
	X509_gmtime_adj(X509_getm_notBefore(f.cert), 0);
	X509_gmtime_adj(X509_getm_notAfter(f.cert), 86400);
	X509_set_pubkey(f.cert, f.key);
	X509_sign(f.cert, f.key, EVP_sha256());
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	fixture *f = *state;

	EVP_PKEY_free(f->key);
	X509_free(f->cert);
	return 0;
}

static PKCS12 *
cheap_pfx(const fixture *f)
{
	PKCS12 *p12 = PKCS12_create_ex(PW, "t", f->key, f->cert, NULL, NID_aes_256_cbc, NID_aes_256_cbc, 1000, -1, 0,
	    NULL, NULL);

	assert_non_null(p12);
	assert_int_equal(PKCS12_set_mac(p12, PW, -1, NULL, 0, 1000, EVP_sha256()), 1);
	return p12;
}

static ecm_code
decode(PKCS12 *p12, ecm_error *err, double *seconds)
{
	unsigned char *der = NULL;
	int len = i2d_PKCS12(p12, &der);
	ecm_identity id;
	struct timespec a, b;
	ecm_code rc;

	assert_true(len > 0);
	alarm(60);
	clock_gettime(CLOCK_MONOTONIC, &a);
	rc = ecm_pfx_decode(der, (size_t)len, PW, &id, err);
	clock_gettime(CLOCK_MONOTONIC, &b);
	alarm(0);
	*seconds = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	ecm_identity_free(&id);
	OPENSSL_free(der);
	PKCS12_free(p12);
	return rc;
}

static void
assert_refused_fast(PKCS12 *p12)
{
	ecm_error err;
	double s;
	const cJSON *reason;

	ecm_error_init(&err);
	assert_int_equal(decode(p12, &err, &s), ECM_PFX_INVALID);
	reason = cJSON_GetObjectItemCaseSensitive(err.details, "reason");
	assert_true(cJSON_IsString(reason));
	assert_string_equal(reason->valuestring, "iterations");
	assert_true(s < 2.0);
	ecm_error_clear(&err);
}

static void
huge_mac_iterations_refused(void **state)
{
	PKCS12 *p12 = cheap_pfx(*state);
	const ASN1_INTEGER *iter = NULL;

	PKCS12_get0_mac(NULL, NULL, NULL, &iter, p12);
	assert_non_null(iter);
	assert_int_equal(ASN1_INTEGER_set((ASN1_INTEGER *)iter, HUGE_ITER), 1);
	assert_refused_fast(p12);
}

/* The first encrypted part's PBES2 parameters replaced by PBKDF2 with HUGE_ITER; the MAC stays valid (cheap). */
static void
huge_pbkdf2_iterations_refused(void **state)
{
	PKCS12 *p12 = cheap_pfx(*state);
	STACK_OF(PKCS7) *safes = PKCS12_unpack_authsafes(p12);
	unsigned char salt[8] = "saltsalt";
	int i, swapped = 0;

	assert_non_null(safes);
	for (i = 0; i < sk_PKCS7_num(safes) && !swapped; i++) {
		PKCS7 *p7 = sk_PKCS7_value(safes, i);
		if (OBJ_obj2nid(p7->type) != NID_pkcs7_encrypted)
			continue;
		X509_ALGOR_free(p7->d.encrypted->enc_data->algorithm);
		p7->d.encrypted->enc_data->algorithm = PKCS5_pbe2_set_iv(EVP_aes_256_cbc(), (int)HUGE_ITER, salt,
		    sizeof(salt), NULL, NID_hmacWithSHA256);
		assert_non_null(p7->d.encrypted->enc_data->algorithm);
		swapped = 1;
	}
	assert_true(swapped);
	assert_int_equal(PKCS12_pack_authsafes(p12, safes), 1);
	sk_PKCS7_pop_free(safes, PKCS7_free);
	assert_int_equal(PKCS12_set_mac(p12, PW, -1, NULL, 0, 1000, EVP_sha256()), 1);
	assert_refused_fast(p12);
}

static void
ordinary_counts_still_read(void **state)
{
	ecm_error err;
	double s;

	ecm_error_init(&err);
	assert_int_equal(decode(cheap_pfx(*state), &err, &s), ECM_OK);
	ecm_error_clear(&err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ordinary_counts_still_read),
		cmocka_unit_test(huge_mac_iterations_refused),
		cmocka_unit_test(huge_pbkdf2_iterations_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
