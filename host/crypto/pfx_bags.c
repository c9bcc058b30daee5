/* PKCS12_parse without its MAC check, through OpenSSL's own bag API. ecm_pfx_decode checks the MAC first (it has
 * to learn which password encoding the file used); PKCS12_parse would check it again, one more PBKDF2 run: a
 * quarter of the work of reading a file at 600k iterations. The rest is what PKCS12_parse does: decrypt the
 * safes, take the first private key, the certificate that matches it, and the others as the chain. Each
 * encrypted part's work factor is bounded (pfx_bounds.c) right before it is decrypted, in this one walk. */
#include <openssl/err.h>
#include <openssl/pkcs12.h>

#include "crypto_int.h"
#include "pfx_int.h"

/* What one walk over the bags needs; bounded set when a work factor was refused (err filled). */
typedef struct bag_walk {
	const char *pw;
	EVP_PKEY **key;
	STACK_OF(X509) *certs;
	ecm_error *err;
	int bounded;
} bag_walk;

static int read_bags(const STACK_OF(PKCS12_SAFEBAG) *bags, bag_walk *w, int depth);

/* 1 when alg's work may be done; 0 (w->bounded set) when it is refused. */
static int
work_allowed(const X509_ALGOR *alg, bag_walk *w)
{
	if (ecm_pfx_check_alg_work(alg, w->err) == ECM_OK)
		return 1;
	w->bounded = 1;
	return 0;
}

static int
read_bag(const PKCS12_SAFEBAG *bag, bag_walk *w, int depth)
{
	EVP_PKEY **key = w->key;
	const X509_ALGOR *alg;
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
		X509_SIG_get0(PKCS12_SAFEBAG_get0_pkcs8(bag), &alg, NULL);
		if (!work_allowed(alg, w))
			return 0;
		p8 = PKCS12_decrypt_skey(bag, w->pw, -1);
		*key = p8 != NULL ? EVP_PKCS82PKEY(p8) : NULL;
		PKCS8_PRIV_KEY_INFO_free(p8);
		return *key != NULL;
	case NID_certBag:
		if (PKCS12_SAFEBAG_get_bag_nid(bag) != NID_x509Certificate)
			return 1; /* SDSI certificates: ignored, as PKCS12_parse does */
		x = PKCS12_SAFEBAG_get1_cert(bag);
		if (x != NULL && sk_X509_push(w->certs, x) > 0)
			return 1;
		X509_free(x);
		return 0;
	case NID_safeContentsBag:
		return depth < 3 && read_bags(PKCS12_SAFEBAG_get0_safes(bag), w, depth + 1);
	default:
		return 1; /* CRLs, secrets: not ours */
	}
}

static int
read_bags(const STACK_OF(PKCS12_SAFEBAG) *bags, bag_walk *w, int depth)
{
	int i;

	for (i = 0; i < sk_PKCS12_SAFEBAG_num(bags); i++)
		if (!read_bag(sk_PKCS12_SAFEBAG_value(bags, i), w, depth))
			return 0;
	return 1;
}

/* NULL (refused as malformed) when the encrypted part lacks its parameters. */
static const X509_ALGOR *
encryption_of(const PKCS7 *p7)
{
	return p7->d.encrypted != NULL && p7->d.encrypted->enc_data != NULL ? p7->d.encrypted->enc_data->algorithm : NULL;
}

static int
read_safes(PKCS12 *p12, bag_walk *w)
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
			bags = work_allowed(encryption_of(p7), w) ? PKCS12_unpack_p7encdata(p7, w->pw, -1) : NULL;
		else
			continue;
		ok = bags != NULL && read_bags(bags, w, 0);
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
pfx_parse_verified(PKCS12 *p12, const char *pw, ecm_identity *out, ecm_error *err)
{
	bag_walk w = { pw, &out->key, sk_X509_new_null(), err, 0 };
	int ok = w.certs != NULL && read_safes(p12, &w) && sort_certs(w.certs, out);

	sk_X509_pop_free(w.certs, X509_free);
	return w.bounded ? -1 : ok;
}
