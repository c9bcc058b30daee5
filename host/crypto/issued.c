/* The one check of an issued certificate (include/ecm/issued.h). Each failure names a stable reason, so that the
 * UI and support can tell a wrong customer from a clock problem; nothing from the answer is kept unless it is the
 * certificate itself or the verified path above it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "ecm/identity.h"
#include "ecm/issued.h"

/* Document signing: RFC 9336 id-kp-documentSigning, and Microsoft's, which Taiwanese CAs have used. */
static const char *const DOC_SIGNING[] = { "1.3.6.1.5.5.7.3.36", "1.3.6.1.4.1.311.10.3.12" };

static ecm_code
invalid(ecm_error *err, const char *reason, const char *why)
{
	ERR_clear_error();
	ecm_error_detail_str(err, "reason", reason);
	return ecm_fail(err, ECM_ISSUED_CERT_INVALID, "the issued certificate is refused: %s", why);
}

ecm_code
ecm_issued_count(int n, ecm_error *err)
{
	if (n <= ECM_ISSUED_CERTS_MAX)
		return ECM_OK;
	ecm_error_detail_num(err, "count", n);
	ecm_error_detail_num(err, "max", ECM_ISSUED_CERTS_MAX);
	return invalid(err, "too_many_certificates", "the answer holds more certificates than a chain needs");
}

/* The CN is shown, used in store nicknames and file names: letters, digits and "-:._" only (what brokers'
 * CNs hold, e.g. "A123456789-00-00::PCC005"), never "..", so no U+202E, no path, no control character. */
static int
cn_plain(const X509 *cert)
{
	const X509_NAME *name = X509_get_subject_name(cert);
	int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
	unsigned char *cn = NULL;
	int n, k, ok;

	if (i < 0)
		return 1; /* the ID is then in serialNumber, which the identity rule reads strictly */
	if ((n = ASN1_STRING_to_UTF8(&cn, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)))) <= 0)
		return 0;
	for (k = 0, ok = 1; k < n && ok; k++)
		ok = (cn[k] >= 'A' && cn[k] <= 'Z') || (cn[k] >= 'a' && cn[k] <= 'z') || (cn[k] >= '0' && cn[k] <= '9') ||
		    strchr("-:._", cn[k]) != NULL;
	ok = ok && strstr((const char *)cn, "..") == NULL;
	OPENSSL_free(cn);
	return ok;
}

static int
subject_ok(const X509 *cert, const char *national_id)
{
	char id[ECM_ID_LEN + 1];

	return national_id != NULL && ecm_cert_subject_id(cert, id) && strcasecmp(id, national_id) == 0 &&
	    cn_plain(cert);
}

static int
eku_ok(X509 *cert)
{
	EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(cert, NID_ext_key_usage, NULL, NULL);
	char oid[64];
	int i, nid, ok = 0;
	size_t d;

	if (eku == NULL)
		return X509_get_ext_by_NID(cert, NID_ext_key_usage, -1) < 0; /* absent: fine; unreadable: not */
	for (i = 0; i < sk_ASN1_OBJECT_num(eku) && !ok; i++) {
		ASN1_OBJECT *o = sk_ASN1_OBJECT_value(eku, i);
		nid = OBJ_obj2nid(o);
		ok = nid == NID_client_auth || nid == NID_email_protect || nid == NID_anyExtendedKeyUsage;
		if (!ok && OBJ_obj2txt(oid, sizeof(oid), o, 1) > 0)
			for (d = 0; d < sizeof(DOC_SIGNING) / sizeof(DOC_SIGNING[0]); d++)
				ok = ok || strcmp(oid, DOC_SIGNING[d]) == 0;
	}
	EXTENDED_KEY_USAGE_free(eku);
	return ok;
}

/* What the certificate says of itself; the chain comes after. */
static ecm_code
check_cert(X509 *cert, const ecm_issued_request *req, ecm_error *err)
{
	time_t ahead = (time_t)(req->now + ECM_ISSUED_SKEW_S), now = (time_t)req->now;
	uint32_t flags;

	if (!subject_ok(cert, req->national_id))
		return invalid(err, "subject", "its subject is not the customer's this request was made for");
	if (X509_cmp_time(X509_get0_notBefore(cert), &ahead) >= 0)
		return invalid(err, "not_yet_valid", "it is not valid yet");
	if (X509_cmp_time(X509_get0_notAfter(cert), &now) <= 0)
		return invalid(err, "expired", "it has expired");
	flags = X509_get_extension_flags(cert);
	if ((flags & EXFLAG_INVALID) != 0 || X509_check_ca(cert) != 0)
		return invalid(err, "ca", "it is a CA certificate, not a customer's");
	if ((flags & EXFLAG_KUSAGE) == 0 || (X509_get_key_usage(cert) & KU_DIGITAL_SIGNATURE) == 0)
		return invalid(err, "key_usage", "its key usage does not allow signatures");
	if (!eku_ok(cert))
		return invalid(err, "eku", "its extended key usage allows neither client authentication, e-mail "
		    "protection nor document signing");
	return ECM_OK;
}

/* The verified path above cert, anchor included: the chain kept. */
static STACK_OF(X509) *
path_above(X509_STORE_CTX *vctx)
{
	STACK_OF(X509) *path = X509_STORE_CTX_get1_chain(vctx);
	X509 *leaf;

	if (path != NULL && (leaf = sk_X509_shift(path)) != NULL)
		X509_free(leaf);
	return path;
}

/* Every certificate of the anchors file is an anchor (PARTIAL_CHAIN, as curl does for TLS): a broker may give its
 * issuing intermediate alone, or beside its root, and the RA may leave the intermediate out of its answer. The
 * rest of the answer is only a pool to build from. Checked at the reference time, or at the end of the skew when
 * the certificate starts within it. */
static ecm_code
verify_chain(X509 *cert, STACK_OF(X509) *pool, const ecm_issued_request *req, STACK_OF(X509) **chain,
    ecm_error *err)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *vctx = X509_STORE_CTX_new();
	time_t now = (time_t)req->now;
	int ok = 0;

	if (store != NULL && vctx != NULL && req->ca_file != NULL && req->ca_file[0] != '\0' &&
	    X509_STORE_load_file(store, req->ca_file) == 1 &&
	    X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN) == 1 &&
	    X509_STORE_CTX_init(vctx, store, cert, pool) == 1) {
		if (X509_cmp_time(X509_get0_notBefore(cert), &now) > 0)
			now += ECM_ISSUED_SKEW_S;
		X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(vctx), now);
		ok = X509_verify_cert(vctx) == 1 && (*chain = path_above(vctx)) != NULL;
	}
	if (!ok)
		ecm_error_detail_str(err, "verify_error",
		    X509_verify_cert_error_string(vctx != NULL ? X509_STORE_CTX_get_error(vctx) : 0));
	X509_STORE_CTX_free(vctx);
	X509_STORE_free(store);
	return ok ? ECM_OK : invalid(err, "chain", "it does not chain to the broker's CA");
}

/* The identity rule, as every other command will read this certificate: the customer's, with the kept chain. */
static ecm_code
check_owner(X509 *cert, STACK_OF(X509) *chain, const ecm_issued_request *req, ecm_error *err)
{
	ecm_anchors *anchors = NULL;
	int ours;

	if (ecm_anchors_load(req->ca_file, req->subject_ou, &anchors, err) != ECM_OK)
		return invalid(err, "chain", "the broker's CA cannot be read");
	ours = ecm_cert_is_customers(anchors, cert, chain, req->national_id);
	ecm_anchors_free(anchors);
	return ours ? ECM_OK : invalid(err, "subject", "it is not the customer's by the identity rule");
}

static void
name_serial(X509 *cert, ecm_error *err)
{
	char *serial = ecm_cert_serial(cert);

	if (serial != NULL)
		ecm_error_detail_str(err, "serial", serial);
	free(serial);
}

ecm_code
ecm_issued_take(STACK_OF(X509) *certs, const ecm_issued_request *req, ecm_identity *out, ecm_error *err)
{
	STACK_OF(X509) *chain = NULL;
	X509 *cert = NULL;
	ecm_code rc;
	int i;

	if ((rc = ecm_issued_count(sk_X509_num(certs), err)) != ECM_OK)
		return rc;
	for (i = 0; i < sk_X509_num(certs) && cert == NULL; i++)
		if (EVP_PKEY_eq(X509_get0_pubkey(sk_X509_value(certs, i)), req->key) == 1)
			cert = sk_X509_value(certs, i);
	if (cert == NULL)
		return invalid(err, "key", "no certificate in the answer carries the key made for this request");
	name_serial(cert, err);
	if ((rc = check_cert(cert, req, err)) != ECM_OK || (rc = verify_chain(cert, certs, req, &chain, err)) != ECM_OK)
		return rc;
	if ((rc = check_owner(cert, chain, req, err)) != ECM_OK || !X509_up_ref(cert)) {
		sk_X509_pop_free(chain, X509_free);
		return rc != ECM_OK ? rc : ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	}
	out->cert = cert;
	out->chain = chain;
	return ECM_OK;
}
