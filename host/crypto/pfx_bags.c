/* PKCS12_parse without its MAC check, through OpenSSL's own bag API. ecm_pfx_decode checks the MAC first (it has
 * to learn which password encoding the file used); PKCS12_parse would check it again, one more PBKDF2 run: a
 * quarter of the work of reading a file at 600k iterations. The rest is what PKCS12_parse does: decrypt the
 * safes, take the first private key, the certificate that matches it, and the others as the chain. Each
 * encrypted part's work factor is bounded (pfx_bounds.c) right before it is decrypted, in this one walk.
 *
 * The decryptions the walk will meet first — each encrypted safe and each shrouded key of a plain safe — can
 * start before it (pfx_prefetch_start), each on its own core while the caller checks the MAC: those whose work
 * factor is within bounds only, so that the walk still refuses the others where it meets them, and nothing is
 * accepted or refused differently. The walk takes a started decryption's result where it would have decrypted. */
#include <stdlib.h>

#include <openssl/err.h>
#include <openssl/pkcs12.h>

#include "crypto_int.h"
#include "pfx_int.h"

/* One decryption started ahead: an encrypted safe (p7 -> bags) or a shrouded key (bag -> p8). */
typedef struct pfx_job {
	pfx_task task; /* first: the task is the job */
	const char *pw;
	PKCS7 *p7;
	STACK_OF(PKCS12_SAFEBAG) *bags;
	const PKCS12_SAFEBAG *bag;
	PKCS8_PRIV_KEY_INFO *p8;
	int taken;
} pfx_job;

struct pfx_prefetch {
	STACK_OF(PKCS7) *safes;
	STACK_OF(PKCS12_SAFEBAG) **bags; /* by safe: plain ones unpacked, encrypted ones once their job is done */
	pfx_job jobs[PFX_TASKS_MAX];
	int njobs, slots;
};

/* What one walk over the bags needs; bounded set when a work factor was refused (err filled). */
typedef struct bag_walk {
	const char *pw;
	EVP_PKEY **key;
	STACK_OF(X509) *certs;
	ecm_error *err;
	int bounded;
	pfx_prefetch *pre; /* NULL: everything decrypted here */
} bag_walk;

/* PKCS12_unpack_p7encdata and PKCS12_decrypt_skey, a PBES2 part's key derived by NSS (pfx_kdf.c). */
static STACK_OF(PKCS12_SAFEBAG) *
unpack_encrypted(PKCS7 *p7, const char *pw)
{
	const PKCS7_ENC_CONTENT *enc = p7->d.encrypted != NULL ? p7->d.encrypted->enc_data : NULL;
	STACK_OF(PKCS12_SAFEBAG) *bags = NULL;
	const unsigned char *p;
	unsigned char *plain;
	int len, rc = enc != NULL ? pfx_pbes2_decrypt(enc->algorithm, pw, enc->enc_data, &plain, &len) : -1;

	if (rc < 0)
		return PKCS12_unpack_p7encdata(p7, pw, -1);
	if (rc == 1) {
		p = plain;
		bags = (STACK_OF(PKCS12_SAFEBAG) *)ASN1_item_d2i(NULL, &p, len, ASN1_ITEM_rptr(PKCS12_SAFEBAGS));
		OPENSSL_clear_free(plain, (size_t)len); /* a plain keyBag may be in it */
	}
	return bags;
}

static PKCS8_PRIV_KEY_INFO *
decrypt_shrouded(const PKCS12_SAFEBAG *bag, const char *pw)
{
	const X509_ALGOR *alg;
	const ASN1_OCTET_STRING *data;
	PKCS8_PRIV_KEY_INFO *p8 = NULL;
	const unsigned char *p;
	unsigned char *plain;
	int len, rc;

	X509_SIG_get0(PKCS12_SAFEBAG_get0_pkcs8(bag), &alg, &data);
	if ((rc = pfx_pbes2_decrypt(alg, pw, data, &plain, &len)) < 0)
		return PKCS12_decrypt_skey(bag, pw, -1);
	if (rc == 1) {
		p = plain;
		p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, len);
		OPENSSL_clear_free(plain, (size_t)len);
	}
	return p8;
}

static void
run_job(pfx_task *t)
{
	pfx_job *j = (pfx_job *)t;

	if (j->p7 != NULL)
		j->bags = unpack_encrypted(j->p7, j->pw);
	else
		j->p8 = decrypt_shrouded(j->bag, j->pw);
}

/* Queues p7 or bag when its work is allowed and a slot is free; later ones wait for the walk. */
static void
add_job(pfx_prefetch *pre, const char *pw, PKCS7 *p7, const PKCS12_SAFEBAG *bag, const X509_ALGOR *alg)
{
	ecm_error scratch;
	pfx_job *j;

	if (pre->njobs >= pre->slots)
		return;
	ecm_error_init(&scratch);
	if (ecm_pfx_check_alg_work(alg, &scratch) == ECM_OK) {
		j = &pre->jobs[pre->njobs++];
		j->task.run = run_job;
		j->pw = pw;
		j->p7 = p7;
		j->bag = bag;
	}
	ecm_error_clear(&scratch);
	ERR_clear_error();
}

static const X509_ALGOR *encryption_of(const PKCS7 *p7);

static void
add_key_jobs(pfx_prefetch *pre, const char *pw, const STACK_OF(PKCS12_SAFEBAG) *bags)
{
	const PKCS12_SAFEBAG *bag;
	const X509_ALGOR *alg;
	int i;

	for (i = 0; i < sk_PKCS12_SAFEBAG_num(bags); i++) {
		bag = sk_PKCS12_SAFEBAG_value(bags, i);
		if (PKCS12_SAFEBAG_get_nid(bag) != NID_pkcs8ShroudedKeyBag)
			continue;
		X509_SIG_get0(PKCS12_SAFEBAG_get0_pkcs8(bag), &alg, NULL);
		add_job(pre, pw, NULL, bag, alg);
	}
}

pfx_prefetch *
pfx_prefetch_start(PKCS12 *p12, const char *pw)
{
	pfx_prefetch *pre = calloc(1, sizeof(*pre));
	PKCS7 *p7;
	int i, n;

	if (pre == NULL)
		return NULL;
	pre->slots = pfx_task_slots();
	pre->safes = PKCS12_unpack_authsafes(p12);
	n = sk_PKCS7_num(pre->safes);
	if (pre->safes == NULL || n < 1 || (pre->bags = calloc((size_t)n, sizeof(*pre->bags))) == NULL) {
		ERR_clear_error();
		pfx_prefetch_free(pre);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		p7 = sk_PKCS7_value(pre->safes, i);
		if (PKCS7_type_is_data(p7) && (pre->bags[i] = PKCS12_unpack_p7data(p7)) != NULL)
			add_key_jobs(pre, pw, pre->bags[i]);
		else if (PKCS7_type_is_encrypted(p7))
			add_job(pre, pw, p7, NULL, encryption_of(p7));
	}
	for (i = 0; i < pre->njobs; i++)
		pfx_task_start(&pre->jobs[i].task);
	return pre;
}

static void
finish_jobs(pfx_prefetch *pre)
{
	int i;

	for (i = 0; i < pre->njobs; i++)
		pfx_task_finish(&pre->jobs[i].task);
}

void
pfx_prefetch_free(pfx_prefetch *pre)
{
	int i;

	if (pre == NULL)
		return;
	finish_jobs(pre);
	for (i = 0; i < pre->njobs; i++) {
		sk_PKCS12_SAFEBAG_pop_free(pre->jobs[i].bags, PKCS12_SAFEBAG_free);
		PKCS8_PRIV_KEY_INFO_free(pre->jobs[i].p8);
	}
	for (i = 0; pre->bags != NULL && i < sk_PKCS7_num(pre->safes); i++)
		sk_PKCS12_SAFEBAG_pop_free(pre->bags[i], PKCS12_SAFEBAG_free);
	free(pre->bags);
	sk_PKCS7_pop_free(pre->safes, PKCS7_free);
	free(pre);
}

/* The job started for p7 or bag, waited for; NULL when none was. */
static pfx_job *
job_of(pfx_prefetch *pre, const PKCS7 *p7, const PKCS12_SAFEBAG *bag)
{
	int i;

	for (i = 0; pre != NULL && i < pre->njobs; i++)
		if (!pre->jobs[i].taken &&
		    ((p7 != NULL && pre->jobs[i].p7 == p7) || (bag != NULL && pre->jobs[i].bag == bag))) {
			pfx_task_finish(&pre->jobs[i].task);
			pre->jobs[i].taken = 1;
			return &pre->jobs[i];
		}
	return NULL;
}

static PKCS8_PRIV_KEY_INFO *
decrypt_key(const PKCS12_SAFEBAG *bag, bag_walk *w)
{
	pfx_job *j = job_of(w->pre, NULL, bag);
	PKCS8_PRIV_KEY_INFO *p8;

	if (j == NULL)
		return decrypt_shrouded(bag, w->pw);
	p8 = j->p8;
	j->p8 = NULL;
	return p8;
}

static STACK_OF(PKCS12_SAFEBAG) *
decrypt_safe(PKCS7 *p7, bag_walk *w)
{
	pfx_job *j = job_of(w->pre, p7, NULL);
	STACK_OF(PKCS12_SAFEBAG) *bags;

	if (j == NULL)
		return unpack_encrypted(p7, w->pw);
	bags = j->bags;
	j->bags = NULL;
	return bags;
}

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
		p8 = depth == 0 ? decrypt_key(bag, w) : decrypt_shrouded(bag, w->pw);
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

/* A plain safe's bags: those the prefetch unpacked stay its own (*own 0), so that no later bag can take the address
 * of one whose key is decrypted ahead. */
static STACK_OF(PKCS12_SAFEBAG) *
plain_safe(PKCS7 *p7, int i, bag_walk *w, int *own)
{
	*own = w->pre == NULL || w->pre->bags[i] == NULL;
	return *own ? PKCS12_unpack_p7data(p7) : w->pre->bags[i];
}

static int
read_safes(PKCS12 *p12, bag_walk *w)
{
	STACK_OF(PKCS7) *safes = w->pre != NULL ? w->pre->safes : PKCS12_unpack_authsafes(p12);
	STACK_OF(PKCS12_SAFEBAG) *bags;
	PKCS7 *p7;
	int i, own = 1, ok = safes != NULL;

	for (i = 0; ok && i < sk_PKCS7_num(safes); i++) {
		p7 = sk_PKCS7_value(safes, i);
		if (PKCS7_type_is_data(p7))
			bags = plain_safe(p7, i, w, &own);
		else if (PKCS7_type_is_encrypted(p7))
			bags = work_allowed(encryption_of(p7), w) ? decrypt_safe(p7, w) : NULL;
		else
			continue;
		ok = bags != NULL && read_bags(bags, w, 0);
		if (own)
			sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
		own = 1;
	}
	if (w->pre == NULL)
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
pfx_parse_verified(PKCS12 *p12, const char *pw, pfx_prefetch *pre, ecm_identity *out, ecm_error *err)
{
	bag_walk w = { pw, &out->key, sk_X509_new_null(), err, 0, pre };
	int ok = w.certs != NULL && read_safes(p12, &w) && sort_certs(w.certs, out);

	sk_X509_pop_free(w.certs, X509_free);
	return w.bounded ? -1 : ok;
}
