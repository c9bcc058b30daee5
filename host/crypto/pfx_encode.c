/* Writing a backup: the certificate safe and the shrouded key are each encrypted under a PBKDF2 run of their own
 * (600 000 iterations by default; NSS's, the faster here: pfx_kdf.c), independent of each other, so the two run
 * at once on two cores; the MAC, which covers both, comes after. The file is the one PKCS12_create_ex would
 * build: the key's certificate (friendlyName, localKeyID) and the chain in an encrypted safe, the key (same two
 * attributes) shrouded in a plain one. */
#include <stdlib.h>

#include <openssl/err.h>
#include <openssl/pkcs12.h>

#include "ecm/crypto.h"
#include "ecm/identity.h"
#include "pfx_int.h"

/* One of the two safes, built on its own task. */
typedef struct safe_task {
	pfx_task task; /* first: the task is the safe */
	const ecm_identity *id;
	const char *password, *name;
	int nid, iterations;
	unsigned char keyid[EVP_MAX_MD_SIZE];
	unsigned int keyid_len;
	PKCS7 *safe; /* the result; NULL when it could not be built */
} safe_task;

static int
label_bag(PKCS12_SAFEBAG *bag, const safe_task *s)
{
	return bag != NULL && (s->name == NULL || PKCS12_add_friendlyname(bag, s->name, -1)) &&
	    PKCS12_add_localkeyid(bag, (unsigned char *)s->keyid, (int)s->keyid_len);
}

/* PKCS12_pack_p7encdata_ex, a PBES2 safe's key derived by NSS (pfx_kdf.c). */
static PKCS7 *
pack_encrypted(const safe_task *s, STACK_OF(PKCS12_SAFEBAG) *bags)
{
	unsigned char *der = NULL;
	int len = ASN1_item_i2d((const ASN1_VALUE *)bags, &der, ASN1_ITEM_rptr(PKCS12_SAFEBAGS));
	X509_ALGOR *alg = NULL;
	ASN1_OCTET_STRING *data = NULL;
	PKCS7 *p7 = NULL;
	int rc = len > 0 ? pfx_pbes2_encrypt(s->nid, s->iterations, s->password, der, len, &alg, &data) : 0;

	OPENSSL_clear_free(der, len > 0 ? (size_t)len : 0);
	if (rc < 0)
		return PKCS12_pack_p7encdata_ex(s->nid, s->password, -1, NULL, 0, s->iterations, bags, NULL, NULL);
	if (rc == 1 && (p7 = PKCS7_new()) != NULL && PKCS7_set_type(p7, NID_pkcs7_encrypted)) {
		X509_ALGOR_free(p7->d.encrypted->enc_data->algorithm);
		ASN1_OCTET_STRING_free(p7->d.encrypted->enc_data->enc_data);
		p7->d.encrypted->enc_data->algorithm = alg;
		p7->d.encrypted->enc_data->enc_data = data;
		return p7;
	}
	PKCS7_free(p7);
	X509_ALGOR_free(alg);
	ASN1_OCTET_STRING_free(data);
	return NULL;
}

/* PKCS12_add_key_ex's shrouded key bag, the same way. */
static PKCS12_SAFEBAG *
add_shrouded_key(const safe_task *s, STACK_OF(PKCS12_SAFEBAG) **bags)
{
	PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(s->id->key);
	unsigned char *der = NULL;
	int len = p8 != NULL ? i2d_PKCS8_PRIV_KEY_INFO(p8, &der) : 0;
	X509_ALGOR *alg = NULL, *sig_alg;
	ASN1_OCTET_STRING *data = NULL, *sig_data;
	X509_SIG *sig = NULL;
	PKCS12_SAFEBAG *bag = NULL;
	int rc = len > 0 ? pfx_pbes2_encrypt(s->nid, s->iterations, s->password, der, len, &alg, &data) : 0;

	PKCS8_PRIV_KEY_INFO_free(p8);
	OPENSSL_clear_free(der, len > 0 ? (size_t)len : 0);
	if (rc < 0)
		return PKCS12_add_key_ex(bags, s->id->key, 0, s->iterations, s->nid, s->password, NULL, NULL);
	if (rc == 1 && (sig = X509_SIG_new()) != NULL) {
		X509_SIG_getm(sig, &sig_alg, &sig_data);
		if (X509_ALGOR_copy(sig_alg, alg) && ASN1_STRING_copy(sig_data, data) &&
		    (bag = PKCS12_SAFEBAG_create0_pkcs8(sig)) != NULL)
			sig = NULL;
	}
	if (bag != NULL && (*bags != NULL || (*bags = sk_PKCS12_SAFEBAG_new_null()) != NULL) &&
	    sk_PKCS12_SAFEBAG_push(*bags, bag) <= 0) {
		PKCS12_SAFEBAG_free(bag);
		bag = NULL;
	}
	X509_SIG_free(sig);
	X509_ALGOR_free(alg);
	ASN1_OCTET_STRING_free(data);
	return bag;
}

static void
build_cert_safe(pfx_task *t)
{
	safe_task *s = (safe_task *)t;
	STACK_OF(PKCS12_SAFEBAG) *bags = NULL;
	int i, ok = label_bag(PKCS12_add_cert(&bags, s->id->cert), s);

	for (i = 0; ok && i < sk_X509_num(s->id->chain); i++)
		ok = PKCS12_add_cert(&bags, sk_X509_value(s->id->chain, i)) != NULL;
	if (ok)
		s->safe = pack_encrypted(s, bags);
	sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
}

static void
build_key_safe(pfx_task *t)
{
	safe_task *s = (safe_task *)t;
	STACK_OF(PKCS12_SAFEBAG) *bags = NULL;

	if (label_bag(add_shrouded_key(s, &bags), s))
		s->safe = PKCS12_pack_p7data(bags);
	sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
}

/* Both safes, the certificate's on another core while this one shrouds the key; NULL when either failed. */
static PKCS12 *
build_safes(const safe_task *base)
{
	safe_task certs = *base, key = *base;
	STACK_OF(PKCS7) *safes = sk_PKCS7_new_null();
	PKCS12 *p12 = NULL;

	certs.task.run = build_cert_safe;
	key.task.run = build_key_safe;
	pfx_task_start(&certs.task);
	build_key_safe(&key.task);
	pfx_task_finish(&certs.task);
	if (safes != NULL && certs.safe != NULL && key.safe != NULL && sk_PKCS7_push(safes, certs.safe) > 0) {
		certs.safe = NULL;
		if (sk_PKCS7_push(safes, key.safe) > 0) {
			key.safe = NULL;
			p12 = PKCS12_add_safes_ex(safes, 0, NULL, NULL);
		}
	}
	PKCS7_free(certs.safe);
	PKCS7_free(key.safe);
	sk_PKCS7_pop_free(safes, PKCS7_free);
	return p12;
}

static ecm_code
encode_fail(PKCS12 *p12, ecm_error *err)
{
	PKCS12_free(p12);
	ERR_clear_error();
	return ecm_fail(err, ECM_INTERNAL, "cannot build the PKCS#12 file");
}

ecm_code
ecm_pfx_encode(const ecm_identity *id, const char *password, long iterations, ecm_pfx_format format,
    unsigned char **der, size_t *len, ecm_error *err)
{
	int aes = format == ECM_PFX_AES;
	safe_task base = { .id = id, .password = password, .iterations = (int)iterations };
	char name[ECM_ID_LEN + 1];
	PKCS12 *p12 = NULL;
	int n;

	*der = NULL;
	*len = 0;
	base.nid = aes ? NID_aes_256_cbc : NID_pbe_WithSHA1And3_Key_TripleDES_CBC;
	pfx_kdf_ready();
	/* As PKCS12_create_ex: a key that is not the certificate's makes no file. */
	if (id->cert != NULL && id->key != NULL && X509_check_private_key(id->cert, id->key) == 1 &&
	    X509_digest(id->cert, EVP_sha1(), base.keyid, &base.keyid_len)) {
		base.name = ecm_cert_subject_id(id->cert, name) ? name : NULL; /* the friendly name: whose */
		p12 = build_safes(&base);
	}
	pfx_kdf_forget();
	if (p12 == NULL)
		return encode_fail(p12, err);
	if (!PKCS12_set_mac(p12, password, -1, NULL, 0, (int)iterations, aes ? EVP_sha256() : EVP_sha1()))
		return encode_fail(p12, err);
	n = i2d_PKCS12(p12, der);
	PKCS12_free(p12);
	if (n <= 0) {
		*der = NULL;
		return encode_fail(NULL, err);
	}
	*len = (size_t)n;
	return ECM_OK;
}
