/* host/crypto/identity.c: whose certificate this is. A throwaway broker CA and a foreign CA are made at test time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "ecm/crypto.h"
#include "ecm/identity.h"

typedef struct fixture {
	char dir[64];
	char ca_file[96];
	EVP_PKEY *key;
	X509 *ca, *foreign;
	EVP_PKEY *ca_key, *foreign_key;
	ecm_anchors *anchors;
} fixture;

static void
add_ext(X509 *c, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;

	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, issuer, c, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	X509_add_ext(c, ext, -1);
	X509_EXTENSION_free(ext);
}

/* attrs: "CN=..." and/or "serialNumber=..." separated by '|'. issuer NULL: self-signed CA. */
static X509 *
make_cert(const char *attrs, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key, int ca)
{
	X509 *c = X509_new();
	X509_NAME *name = X509_NAME_new();
	char buf[256], *save = NULL, *part;

	X509_set_version(c, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(c), 7);
	X509_NAME_add_entry_by_txt(name, "C", MBSTRING_UTF8, (const unsigned char *)"TW", -1, -1, 0);
	snprintf(buf, sizeof(buf), "%s", attrs);
	for (part = strtok_r(buf, "|", &save); part != NULL; part = strtok_r(NULL, "|", &save)) {
		char *eq = strchr(part, '=');
		*eq = '\0';
		X509_NAME_add_entry_by_txt(name, part, MBSTRING_UTF8, (const unsigned char *)eq + 1, -1, -1, 0);
	}
	X509_set_subject_name(c, name);
	X509_set_issuer_name(c, issuer ? X509_get_subject_name(issuer) : name);
	X509_gmtime_adj(X509_getm_notBefore(c), -86400 * 400);
	X509_gmtime_adj(X509_getm_notAfter(c), -86400); /* expired: still somebody's */
	X509_set_pubkey(c, key);
	if (ca)
		add_ext(c, issuer ? issuer : c, NID_basic_constraints, "critical,CA:TRUE");
	X509_sign(c, issuer_key, EVP_sha256());
	X509_NAME_free(name);
	return c;
}

static int
setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	ecm_error err;
	FILE *out;

	ecm_error_init(&err);
	snprintf(f->dir, sizeof(f->dir), "/tmp/ecm-identity-test.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->ca_file, sizeof(f->ca_file), "%s/ca.pem", f->dir);
	if (ecm_key_generate(ECM_KEY_P256, &f->ca_key, &err) != ECM_OK ||
	    ecm_key_generate(ECM_KEY_P256, &f->foreign_key, &err) != ECM_OK ||
	    ecm_key_generate(ECM_KEY_P256, &f->key, &err) != ECM_OK)
		return -1;
	f->ca = make_cert("CN=Broker CA", f->ca_key, NULL, f->ca_key, 1);
	f->foreign = make_cert("CN=Broker CA", f->foreign_key, NULL, f->foreign_key, 1); /* same name, other key */
	out = fopen(f->ca_file, "w");
	if (out == NULL || !PEM_write_X509(out, f->ca))
		return -1;
	fclose(out);
	if (ecm_anchors_load(f->ca_file, NULL, &f->anchors, &err) != ECM_OK || f->anchors == NULL)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	fixture *f = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	ecm_anchors_free(f->anchors);
	EVP_PKEY_free(f->ca_key);
	EVP_PKEY_free(f->foreign_key);
	EVP_PKEY_free(f->key);
	X509_free(f->ca);
	X509_free(f->foreign);
	free(f);
	return 0;
}

/* The owner of a certificate with these attributes issued by the broker CA ("" when nobody's). */
static const char *
owner_of(fixture *f, const char *attrs, int broker)
{
	static char id[ECM_ID_LEN + 1];
	X509 *c = make_cert(attrs, f->key, broker ? f->ca : f->foreign, broker ? f->ca_key : f->foreign_key, 0);

	if (!ecm_cert_owner(f->anchors, c, NULL, id))
		id[0] = '\0';
	X509_free(c);
	return id;
}

static void
cn_forms(void **state)
{
	fixture *f = *state;

	assert_string_equal(owner_of(f, "CN=A123456789-00-00::PCC005", 1), "A123456789");
	assert_string_equal(owner_of(f, "CN=A123456789", 1), "A123456789");
	assert_string_equal(owner_of(f, "CN=a123456789-00-MI001", 1), "A123456789"); /* upper-cased */
	assert_string_equal(owner_of(f, "CN=AC01234567-00-PC001", 1), "AC01234567"); /* old resident form */
	assert_string_equal(owner_of(f, "CN=A800000005-00-PC001", 1), "A800000005"); /* new resident form */
	assert_string_equal(owner_of(f, "CN=A123456788-00-PC001", 1), "");           /* check digit */
	assert_string_equal(owner_of(f, "CN=A1234567890-00", 1), "");                /* eleven characters */
	assert_string_equal(owner_of(f, "CN=A123456789X", 1), "");                   /* no '-' after the ID */
	assert_string_equal(owner_of(f, "CN=Wang A123456789", 1), "");
}

static void
serial_number_attribute(void **state)
{
	fixture *f = *state;

	assert_string_equal(owner_of(f, "CN=王小明|serialNumber=F131104093", 1), "F131104093");
	assert_string_equal(owner_of(f, "CN=F131104093-00-PC001|serialNumber=F131104093", 1), "F131104093");
	/* the two disagree: nobody's */
	assert_string_equal(owner_of(f, "CN=A123456789-00-PC001|serialNumber=F131104093", 1), "");
	assert_string_equal(owner_of(f, "CN=A123456789-00-PC001|serialNumber=F1311040930", 1), "");
	/* two CNs: nobody's */
	assert_string_equal(owner_of(f, "CN=A123456789-00|CN=F131104093-00", 1), "");
}

static void
only_the_broker_ca(void **state)
{
	fixture *f = *state;
	X509 *ca_signed_ca;
	char id[ECM_ID_LEN + 1];

	assert_string_equal(owner_of(f, "CN=A123456789-00-PC001", 0), ""); /* same CA name, other key */
	ca_signed_ca = make_cert("CN=A123456789-00-PC001", f->key, f->ca, f->ca_key, 1);
	assert_false(ecm_cert_owner(f->anchors, ca_signed_ca, NULL, id)); /* a CA is nobody's */
	assert_string_equal(id, "");
	X509_free(ca_signed_ca);
}

static void
is_customers(void **state)
{
	fixture *f = *state;
	X509 *c = make_cert("CN=A123456789-00-PC001", f->key, f->ca, f->ca_key, 0);

	assert_true(ecm_cert_is_customers(f->anchors, c, NULL, "A123456789"));
	assert_true(ecm_cert_is_customers(f->anchors, c, NULL, "a123456789"));
	assert_false(ecm_cert_is_customers(f->anchors, c, NULL, "F131104093"));
	assert_false(ecm_cert_is_customers(f->anchors, c, NULL, "A12345678"));
	assert_false(ecm_cert_is_customers(f->anchors, c, NULL, NULL));
	/* no broker CA configured: the subject alone decides */
	assert_true(ecm_cert_is_customers(NULL, c, NULL, "A123456789"));
	X509_free(c);
}

static void
masks(void **state)
{
	char out[ECM_ID_LEN + 1];

	(void)state;
	ecm_id_mask("A123456789", out);
	assert_string_equal(out, "A12****789");
	ecm_id_mask("a123456789", out);
	assert_string_equal(out, "A12****789");
	ecm_id_mask("A1234", out);
	assert_string_equal(out, "");
	ecm_id_mask(NULL, out);
	assert_string_equal(out, "");
}

static void
anchors_without_ca(void **state)
{
	ecm_anchors *a = (ecm_anchors *)1;
	ecm_error err;

	(void)state;
	ecm_error_init(&err);
	assert_int_equal(ecm_anchors_load(NULL, NULL, &a, &err), ECM_OK);
	assert_null(a);
	assert_int_equal(ecm_anchors_load("/nonexistent/ca.pem", NULL, &a, &err), ECM_CONFIG_INVALID);
	assert_null(a);
	ecm_error_clear(&err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cn_forms),
		cmocka_unit_test(serial_number_attribute),
		cmocka_unit_test(only_the_broker_ca),
		cmocka_unit_test(is_customers),
		cmocka_unit_test(masks),
		cmocka_unit_test(anchors_without_ca),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
