/* PKCS12_parse without its MAC check, through OpenSSL's own bag API. ecm_pfx_decode checks the MAC first (it has
 * to learn which password encoding the file used); PKCS12_parse would check it again, one more PBKDF2 run: a
 * quarter of the work of reading a file at 600k iterations. The rest is what PKCS12_parse does: decrypt the
 * safes, take the first private key, the certificate that matches it, and the others as the chain. */
#include <openssl/err.h>
#include <openssl/pkcs12.h>

#include "crypto_int.h"

static int read_bags(const STACK_OF(PKCS12_SAFEBAG) *bags, const char *pw, EVP_PKEY **key, STACK_OF(X509) *certs,
    int depth);

static int
read_bag(const PKCS12_SAFEBAG *bag, const char *pw, EVP_PKEY **key, STACK_OF(X509) *certs, int depth)
{
	PKCS8_PRIV_KEY_INFO *p8;
	X509 *x;

	switch (PKCS12_SAFEBAG_get_nid(bag)) {
	case NID_keyBag:
		if (*key == NULL)
			*key = EVP_PKCS82PKEY(PKCS12_SAFEBAG_get0_p8inf(bag));
		return *key != NULL;
	case NID_pkcs8ShroudedKeyBag:
		if (*key != NULL)
			return 1;
		p8 = PKCS12_decrypt_skey(bag, pw, -1);
		*key = p8 != NULL ? EVP_PKCS82PKEY(p8) : NULL;
		PKCS8_PRIV_KEY_INFO_free(p8);
		return *key != NULL;
	case NID_certBag:
		if (PKCS12_SAFEBAG_get_bag_nid(bag) != NID_x509Certificate)
			return 1; /* SDSI certificates: ignored, as PKCS12_parse does */
		x = PKCS12_SAFEBAG_get1_cert(bag);
		if (x != NULL && sk_X509_push(certs, x) > 0)
			return 1;
		X509_free(x);
		return 0;
	case NID_safeContentsBag:
		return depth < 3 && read_bags(PKCS12_SAFEBAG_get0_safes(bag), pw, key, certs, depth + 1);
	default:
		return 1; /* CRLs, secrets: not ours */
	}
}

static int
read_bags(const STACK_OF(PKCS12_SAFEBAG) *bags, const char *pw, EVP_PKEY **key, STACK_OF(X509) *certs, int depth)
{
	int i;

	for (i = 0; i < sk_PKCS12_SAFEBAG_num(bags); i++)
		if (!read_bag(sk_PKCS12_SAFEBAG_value(bags, i), pw, key, certs, depth))
			return 0;
	return 1;
}

static int
read_safes(PKCS12 *p12, const char *pw, EVP_PKEY **key, STACK_OF(X509) *certs)
{
	STACK_OF(PKCS7) *safes = PKCS12_unpack_authsafes(p12);
	STACK_OF(PKCS12_SAFEBAG) *bags;
	PKCS7 *p7;
	int i, ok = safes != NULL;

	for (i = 0; ok && i < sk_PKCS7_num(safes); i++) {
		p7 = sk_PKCS7_value(safes, i);
		if (PKCS7_type_is_data(p7))
			bags = PKCS12_unpack_p7data(p7);
		else if (PKCS7_type_is_encrypted(p7))
			bags = PKCS12_unpack_p7encdata(p7, pw, -1);
		else
			continue;
		ok = bags != NULL && read_bags(bags, pw, key, certs, 0);
		sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
	}
	sk_PKCS7_pop_free(safes, PKCS7_free);
	return ok;
}

/* The certificate of the key, then the rest (in file order) as the chain. */
static int
sort_certs(STACK_OF(X509) *certs, ecm_identity *out)
{
	X509 *x;
	int i;

	for (i = 0; out->key != NULL && out->cert == NULL && i < sk_X509_num(certs); i++) {
		ERR_set_mark();
		if (X509_check_private_key(sk_X509_value(certs, i), out->key) == 1)
			out->cert = sk_X509_delete(certs, i);
		ERR_pop_to_mark();
	}
	if (out->cert == NULL && out->key == NULL && sk_X509_num(certs) > 0)
		out->cert = sk_X509_shift(certs); /* a file without a key: its first certificate */
	out->chain = sk_X509_new_null();
	while (out->chain != NULL && (x = sk_X509_shift(certs)) != NULL)
		if (!sk_X509_push(out->chain, x)) {
			X509_free(x);
			return 0;
		}
	return out->chain != NULL && out->cert != NULL;
}

int
pfx_parse_verified(PKCS12 *p12, const char *pw, ecm_identity *out)
{
	STACK_OF(X509) *certs = sk_X509_new_null();
	int ok = certs != NULL && read_safes(p12, pw, &out->key, certs) && sort_certs(certs, out);

	sk_X509_pop_free(certs, X509_free);
	return ok;
}
