/* The one rule for whose certificate this is (include/ecm/identity.h). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "ecm/identity.h"
#include "ecm/session.h"

struct ecm_anchors {
	X509_STORE *store;
	char *subject_ou; /* NULL, or the OU the broker's certificates carry */
};

ecm_code
ecm_anchors_load(const char *ca_file, const char *subject_ou, ecm_anchors **out, ecm_error *err)
{
	ecm_anchors *a;

	*out = NULL;
	if (ca_file == NULL || ca_file[0] == '\0')
		return ECM_OK;
	a = calloc(1, sizeof(*a));
	if (a == NULL || (a->store = X509_STORE_new()) == NULL ||
	    (subject_ou != NULL && (a->subject_ou = strdup(subject_ou)) == NULL)) {
		ecm_anchors_free(a);
		return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	}
	if (X509_STORE_load_file(a->store, ca_file) != 1 ||
	    X509_STORE_set_flags(a->store, X509_V_FLAG_PARTIAL_CHAIN | X509_V_FLAG_NO_CHECK_TIME) != 1) {
		ERR_clear_error();
		ecm_anchors_free(a);
		return ecm_fail(err, ECM_CONFIG_INVALID, "the broker's CA file cannot be read");
	}
	*out = a;
	return ECM_OK;
}

void
ecm_anchors_free(ecm_anchors *a)
{
	if (a == NULL)
		return;
	X509_STORE_free(a->store);
	free(a->subject_ou);
	free(a);
}

/* Brokers sharing a CA tell their certificates apart by an OU of the subject: one of them must be exactly ou. */
static int
ou_matches(X509 *cert, const char *ou)
{
	const X509_NAME *name = X509_get_subject_name(cert);
	unsigned char *utf8;
	int i = -1, n, ok = 0;

	while (!ok && (i = X509_NAME_get_index_by_NID(name, NID_organizationalUnitName, i)) >= 0) {
		utf8 = NULL;
		n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
		ok = n >= 0 && (size_t)n == strlen(ou) && memcmp(utf8, ou, (size_t)n) == 0;
		OPENSSL_free(utf8);
	}
	return ok;
}

int
ecm_anchors_issued(const ecm_anchors *a, X509 *cert, STACK_OF(X509) *untrusted)
{
	X509_STORE_CTX *ctx;
	int ok = 0;

	if (a == NULL)
		return 1;
	if (a->subject_ou != NULL && !ou_matches(cert, a->subject_ou))
		return 0;
	if ((ctx = X509_STORE_CTX_new()) == NULL)
		return 0;
	if (X509_STORE_CTX_init(ctx, a->store, cert, untrusted) == 1)
		ok = X509_verify_cert(ctx) == 1;
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

/* The text of the first attribute nid as UTF-8 into buf; 0 when absent, repeated or too long. */
static int
attribute(const X509_NAME *name, int nid, char *buf, size_t size)
{
	int i = X509_NAME_get_index_by_NID(name, nid, -1);
	unsigned char *utf8 = NULL;
	int n, ok;

	if (i < 0)
		return 0;
	if (X509_NAME_get_index_by_NID(name, nid, i) >= 0)
		return -1; /* two of them: whose would it be? */
	n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
	ok = n >= 0 && (size_t)n < size && memchr(utf8, '\0', (size_t)n) == NULL;
	if (ok)
		memcpy(buf, utf8, (size_t)n + 1);
	OPENSSL_free(utf8);
	return ok ? 1 : -1;
}

/* The ID at the start of text, ending at its end or at a '-'; upper-cased and checked. */
static int
id_of(const char *text, char out[ECM_ID_LEN + 1])
{
	size_t n = strcspn(text, "-"), i;

	if (n != ECM_ID_LEN)
		return 0;
	for (i = 0; i < n; i++)
		out[i] = (char)toupper((unsigned char)text[i]);
	out[n] = '\0';
	if (ecm_national_id_valid(out))
		return 1;
	out[0] = '\0';
	return 0;
}

int
ecm_cert_subject_id(const X509 *cert, char out[ECM_ID_LEN + 1])
{
	const X509_NAME *name = X509_get_subject_name(cert);
	char cn[256], sn[64], from_cn[ECM_ID_LEN + 1] = "", from_sn[ECM_ID_LEN + 1] = "";
	int has_cn = attribute(name, NID_commonName, cn, sizeof(cn));
	int has_sn = attribute(name, NID_serialNumber, sn, sizeof(sn));

	out[0] = '\0';
	if (has_cn < 0 || has_sn < 0)
		return 0;
	if (has_sn && (strlen(sn) != ECM_ID_LEN || !id_of(sn, from_sn)))
		return 0;
	if (has_cn && !id_of(cn, from_cn) && !has_sn)
		return 0;
	if (has_sn && from_cn[0] != '\0' && strcmp(from_cn, from_sn) != 0)
		return 0;
	memcpy(out, has_sn ? from_sn : from_cn, ECM_ID_LEN + 1);
	return out[0] != '\0';
}

int
ecm_cert_owner(const ecm_anchors *a, X509 *cert, STACK_OF(X509) *untrusted, char out[ECM_ID_LEN + 1])
{
	out[0] = '\0';
	if (cert == NULL || X509_check_ca(cert) != 0)
		return 0;
	if (!ecm_cert_subject_id(cert, out))
		return 0;
	if (ecm_anchors_issued(a, cert, untrusted))
		return 1;
	out[0] = '\0';
	return 0;
}

int
ecm_cert_is_customers(const ecm_anchors *a, X509 *cert, STACK_OF(X509) *untrusted, const char *id)
{
	char owner[ECM_ID_LEN + 1], want[ECM_ID_LEN + 1];

	if (id == NULL || !id_of(id, want) || strlen(id) != ECM_ID_LEN)
		return 0;
	return ecm_cert_owner(a, cert, untrusted, owner) && strcmp(owner, want) == 0;
}

void
ecm_id_mask(const char *id, char out[ECM_ID_LEN + 1])
{
	size_t n = id != NULL ? strlen(id) : 0, i;

	if (n != ECM_ID_LEN) {
		out[0] = '\0';
		return;
	}
	for (i = 0; i < n; i++)
		out[i] = i >= 3 && i < 7 ? '*' : (char)toupper((unsigned char)id[i]);
	out[n] = '\0';
}
