/* Issued certificates: reading the EST answer and describing it to the UI (host/crypto/issued.c checks it). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "ecm/crypto.h"
#include "ecm/identity.h"

void
ecm_identity_free(ecm_identity *id)
{
	if (id == NULL)
		return;
	EVP_PKEY_free(id->key);
	X509_free(id->cert);
	sk_X509_pop_free(id->chain, X509_free);
	memset(id, 0, sizeof(*id));
}

ecm_code
ecm_pkcs7_certs(const unsigned char *der, size_t len, STACK_OF(X509) **out, ecm_error *err)
{
	const unsigned char *p = der;
	PKCS7 *p7 = d2i_PKCS7(NULL, &p, (long)len);
	STACK_OF(X509) *certs = NULL;
	int i;

	*out = NULL;
	if (p7 != NULL && PKCS7_type_is_signed(p7) && p7->d.sign != NULL)
		certs = p7->d.sign->cert;
	if (certs == NULL || sk_X509_num(certs) == 0) {
		PKCS7_free(p7);
		ERR_clear_error();
		return ecm_fail(err, ECM_RA_BAD_RESPONSE, "the answer is not a certs-only PKCS#7 with certificates");
	}
	*out = sk_X509_new_null();
	for (i = 0; *out != NULL && i < sk_X509_num(certs); i++) {
		X509 *c = sk_X509_value(certs, i);
		if (!X509_up_ref(c))
			c = NULL;
		if (c == NULL || !sk_X509_push(*out, c)) {
			X509_free(c); /* the reference taken for a push that failed */
			sk_X509_pop_free(*out, X509_free);
			*out = NULL;
		}
	}
	PKCS7_free(p7);
	if (*out == NULL)
		return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	return ECM_OK;
}

char *
ecm_cert_serial(const X509 *cert)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
	char *hex, *start, *out;

	if (bn == NULL)
		return NULL;
	hex = BN_bn2hex(bn);
	BN_free(bn);
	if (hex == NULL)
		return NULL;
	/* BN_bn2hex pads to whole bytes ("0ECC01"); the contract has no leading zeros, so serials compare as text. */
	start = hex;
	while (start[0] == '0' && start[1] != '\0')
		start++;
	out = strdup(start);
	OPENSSL_free(hex);
	return out;
}

static char *
cert_cn(const X509 *cert)
{
	X509_NAME *name = X509_get_subject_name(cert);
	int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
	unsigned char *utf8 = NULL;
	char *out;

	if (i < 0 || ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i))) < 0)
		return NULL;
	out = strdup((const char *)utf8);
	OPENSSL_free(utf8);
	return out;
}

const char *
ecm_device_from_cn(const char *cn)
{
	const char *last = cn != NULL ? strrchr(cn, '-') : NULL;

	last = last != NULL ? last + 1 : "";
	if (strncmp(last, "MI", 2) == 0)
		return "iPhone";
	if (strncmp(last, "MG", 2) == 0)
		return "GPhone";
	return "PC";
}

static void
add_name(cJSON *o, const char *key, const X509_NAME *name)
{
	BIO *mem = BIO_new(BIO_s_mem());
	char *p = NULL, *s = NULL;
	long n;

	if (mem != NULL && X509_NAME_print_ex(mem, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0 &&
	    (n = BIO_get_mem_data(mem, &p)) >= 0)
		s = strndup(p != NULL ? p : "", (size_t)n);
	cJSON_AddStringToObject(o, key, s != NULL ? s : "");
	free(s);
	BIO_free(mem);
}

static void
add_time(cJSON *o, const char *key, const ASN1_TIME *t)
{
	struct tm tm;
	char buf[32] = "";

	if (ASN1_TIME_to_tm(t, &tm) == 1)
		strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	cJSON_AddStringToObject(o, key, buf);
}

/* Whole days from now to notAfter, negative once expired. */
static int
days_left(const ASN1_TIME *not_after)
{
	int days = 0, secs = 0;

	if (ASN1_TIME_diff(&days, &secs, NULL, not_after) != 1)
		return 0;
	return secs < 0 && days <= 0 ? days - 1 : days;
}

cJSON *
ecm_cert_summary(const X509 *cert)
{
	cJSON *o = cJSON_CreateObject();
	char *serial = ecm_cert_serial(cert), *cn = cert_cn(cert), id[ECM_ID_LEN + 1], masked[ECM_ID_LEN + 1];

	/* The subject's ID by the one rule (include/ecm/identity.h); "" when it names none. */
	if (ecm_cert_subject_id(cert, id) != 1)
		id[0] = '\0';
	ecm_id_mask(id, masked);
	cJSON_AddStringToObject(o, "serial", serial ? serial : "");
	cJSON_AddStringToObject(o, "cn", cn ? cn : "");
	cJSON_AddStringToObject(o, "national_id", id);
	cJSON_AddStringToObject(o, "masked_id", masked);
	add_name(o, "issuer", X509_get_issuer_name(cert));
	add_name(o, "subject", X509_get_subject_name(cert));
	cJSON_AddStringToObject(o, "device", ecm_device_from_cn(cn));
	add_time(o, "not_before", X509_get0_notBefore(cert));
	add_time(o, "not_after", X509_get0_notAfter(cert));
	cJSON_AddNumberToObject(o, "days_left", days_left(X509_get0_notAfter(cert)));
	cJSON_AddBoolToObject(o, "expired", X509_cmp_current_time(X509_get0_notAfter(cert)) < 0);
	free(serial);
	free(cn);
	return o;
}

cJSON *
ecm_cert_candidate(const X509 *cert, const char *owner, const char *store_id, const char *store_name)
{
	static const char *const fields[] = { "serial", "cn", "device", "not_before", "not_after" };
	cJSON *sum = ecm_cert_summary(cert), *c = cJSON_CreateObject();
	char masked[ECM_ID_LEN + 1];
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		cJSON_AddItemToObject(c, fields[i], cJSON_DetachItemFromObjectCaseSensitive(sum, fields[i]));
	ecm_id_mask(owner, masked);
	cJSON_AddStringToObject(c, "masked_id", masked);
	cJSON_AddStringToObject(c, "store", store_id);
	cJSON_AddStringToObject(c, "store_name", store_name);
	cJSON_Delete(sum);
	return c;
}
