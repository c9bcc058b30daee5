/* host/crypto: keys, requests, certificates, PKCS#7, PKCS#12 (AES, compat, and legacy files made by the
 * openssl tool), summaries and backup names. A throwaway CA is made at test time; nothing binary is committed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cmocka.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509v3.h>

#include "ecm/crypto.h"
#include "ecm/issued.h"
#include "ecm/util.h"

typedef struct fixture {
	char dir[64];
	char ca_file[96];
	EVP_PKEY *ca_key;
	X509 *ca;
	EVP_PKEY *key; /* the customer's */
	X509 *cert;    /* A123456789-00-PC001, issued by ca */
} fixture;

static X509 *
make_cert(const char *cn, EVP_PKEY *subject_key, X509 *issuer, EVP_PKEY *issuer_key, long serial, long days)
{
	X509 *c = X509_new();
	X509_NAME *name = X509_NAME_new();

	X509_set_version(c, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(c), serial);
	X509_NAME_add_entry_by_txt(name, "C", MBSTRING_UTF8, (const unsigned char *)"TW", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(c, name);
	X509_set_issuer_name(c, issuer ? X509_get_subject_name(issuer) : name);
	X509_gmtime_adj(X509_getm_notBefore(c), -3600);
	X509_gmtime_adj(X509_getm_notAfter(c), days * 86400 + 60);
	X509_set_pubkey(c, subject_key);
	if (issuer == NULL) {
		X509V3_CTX v3;
		X509_EXTENSION *ext;
		X509V3_set_ctx_nodb(&v3);
		X509V3_set_ctx(&v3, c, c, NULL, NULL, 0);
		ext = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints, "critical,CA:TRUE");
		X509_add_ext(c, ext, -1);
		X509_EXTENSION_free(ext);
	}
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
	snprintf(f->dir, sizeof(f->dir), "/tmp/ecm-crypto-test.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->ca_file, sizeof(f->ca_file), "%s/ca.pem", f->dir);
	if (ecm_key_generate(ECM_KEY_P256, &f->ca_key, &err) != ECM_OK ||
	    ecm_key_generate(ECM_KEY_RSA2048, &f->key, &err) != ECM_OK)
		return -1;
	f->ca = make_cert("Test CA", f->ca_key, NULL, f->ca_key, 1, 3650);
	f->cert = make_cert("A123456789-00-PC001", f->key, f->ca, f->ca_key, 0x5F3A09C1, 365);
	out = fopen(f->ca_file, "w");
	if (out == NULL || !PEM_write_X509(out, f->ca))
		return -1;
	fclose(out);
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
	EVP_PKEY_free(f->ca_key);
	EVP_PKEY_free(f->key);
	X509_free(f->ca);
	X509_free(f->cert);
	free(f);
	return 0;
}

static ecm_identity
identity_of(fixture *f)
{
	ecm_identity id = { f->key, f->cert, sk_X509_new_null() };

	sk_X509_push(id.chain, f->ca);
	return id;
}

static void
keygen_each_type(void **state)
{
	EVP_PKEY *k;
	ecm_error err;
	char group[32];
	size_t len;

	(void)state;
	ecm_error_init(&err);
	assert_int_equal(ecm_key_generate(ECM_KEY_RSA2048, &k, &err), ECM_OK);
	assert_int_equal(EVP_PKEY_get_bits(k), 2048);
	assert_true(EVP_PKEY_is_a(k, "RSA"));
	EVP_PKEY_free(k);
	assert_int_equal(ecm_key_generate(ECM_KEY_RSA3072, &k, &err), ECM_OK);
	assert_int_equal(EVP_PKEY_get_bits(k), 3072);
	EVP_PKEY_free(k);
	assert_int_equal(ecm_key_generate(ECM_KEY_P256, &k, &err), ECM_OK);
	assert_true(EVP_PKEY_is_a(k, "EC"));
	assert_int_equal(EVP_PKEY_get_utf8_string_param(k, "group", group, sizeof(group), &len), 1);
	assert_string_equal(group, "prime256v1");
	EVP_PKEY_free(k);
}

static X509_REQ *
csr_of(EVP_PKEY *key, const char *cn, const X509_NAME *subject)
{
	unsigned char *der;
	const unsigned char *p;
	size_t len;
	X509_REQ *req;
	ecm_error err;

	ecm_error_init(&err);
	assert_int_equal(ecm_csr_create(key, cn, subject, &der, &len, &err), ECM_OK);
	p = der;
	req = d2i_X509_REQ(NULL, &p, (long)len);
	OPENSSL_free(der);
	assert_non_null(req);
	return req;
}

static void
csr_verifies_and_names_the_subject(void **state)
{
	fixture *f = *state;
	X509_REQ *req = csr_of(f->key, "A123456789-00-PC001", NULL);
	char buf[128];

	assert_int_equal(X509_REQ_verify(req, f->key), 1);
	X509_NAME_oneline(X509_REQ_get_subject_name(req), buf, sizeof(buf));
	assert_string_equal(buf, "/C=TW/CN=A123456789-00-PC001");
	X509_REQ_free(req);
	/* renewal: the current certificate's subject, verbatim */
	req = csr_of(f->key, "ignored", X509_get_subject_name(f->cert));
	assert_int_equal(X509_NAME_cmp(X509_REQ_get_subject_name(req), X509_get_subject_name(f->cert)), 0);
	assert_int_equal(X509_REQ_verify(req, f->key), 1);
	X509_REQ_free(req);
}

static void
round_trip(fixture *f, ecm_pfx_format format)
{
	ecm_identity id = identity_of(f), back;
	unsigned char *der;
	size_t len;
	ecm_error err;

	ecm_error_init(&err);
	assert_int_equal(ecm_pfx_encode(&id, "Backup-Pass-1", 2048, format, &der, &len, &err), ECM_OK);
	assert_int_equal(ecm_pfx_decode(der, len, "Backup-Pass-1", &back, &err), ECM_OK);
	assert_int_equal(EVP_PKEY_eq(back.key, f->key), 1);
	assert_int_equal(X509_cmp(back.cert, f->cert), 0);
	assert_int_equal(sk_X509_num(back.chain), 1);
	ecm_identity_free(&back);
	assert_int_equal(ecm_pfx_decode(der, len, "wrong-password", &back, &err), ECM_PFX_WRONG_PASSWORD);
	ecm_error_clear(&err);
	assert_int_equal(ecm_pfx_decode((const unsigned char *)"nonsense", 8, "x", &back, &err), ECM_PFX_INVALID);
	ecm_error_clear(&err);
	OPENSSL_free(der);
	sk_X509_free(id.chain);
}

static void
pfx_round_trip_aes(void **state)
{
	round_trip(*state, ECM_PFX_AES);
}

static void
pfx_round_trip_compat(void **state)
{
	round_trip(*state, ECM_PFX_COMPAT);
}

static void
write_pem(const char *path, fixture *f)
{
	FILE *out = fopen(path, "w");

	assert_non_null(out);
	assert_true(PEM_write_X509(out, f->cert));
	assert_true(PEM_write_PrivateKey(out, f->key, NULL, NULL, 0, NULL, NULL));
	fclose(out);
}

/* What older broker tools wrote: RC2-40 certificates, 3DES key, SHA-1 MAC (openssl -legacy). */
static void
pfx_reads_legacy_file(void **state)
{
	fixture *f = *state;
	char pem[128], pfx[128], pw[128], cmd[512];
	ecm_identity back;
	ecm_error err;
	FILE *out;

	ecm_error_init(&err);
	snprintf(pem, sizeof(pem), "%s/legacy.pem", f->dir);
	snprintf(pfx, sizeof(pfx), "%s/legacy.pfx", f->dir);
	snprintf(pw, sizeof(pw), "%s/legacy.pw", f->dir);
	write_pem(pem, f);
	out = fopen(pw, "w");
	assert_non_null(out);
	fputs("legacy-pass\n", out);
	fclose(out);
	snprintf(cmd, sizeof(cmd), "openssl pkcs12 -export -legacy -in '%s' -passout 'file:%s' -out '%s' 2>/dev/null",
	    pem, pw, pfx);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "openssl pkcs12 -info -noout -legacy -in '%s' -passin 'file:%s' 2>&1 | grep -q RC2",
	    pfx, pw);
	assert_int_equal(system(cmd), 0); /* really an RC2 file */
	assert_int_equal(ecm_pfx_read_file(pfx, "legacy-pass", &back, &err), ECM_OK);
	assert_int_equal(EVP_PKEY_eq(back.key, f->key), 1);
	assert_int_equal(X509_cmp(back.cert, f->cert), 0);
	ecm_identity_free(&back);
	assert_int_equal(ecm_pfx_read_file(pfx, "legacy-wrong", &back, &err), ECM_PFX_WRONG_PASSWORD);
	ecm_error_clear(&err);
}

static void
pfx_file_is_0600_and_not_overwritten(void **state)
{
	fixture *f = *state;
	ecm_identity id = identity_of(f);
	char path[128], cmd[512];
	struct stat st;
	ecm_error err;

	ecm_error_init(&err);
	snprintf(path, sizeof(path), "%s/backup.pfx", f->dir);
	assert_int_equal(ecm_pfx_write_file(path, &id, "Backup-Pass-1", 2048, ECM_PFX_AES, 0, &err), ECM_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(ecm_pfx_write_file(path, &id, "Backup-Pass-1", 2048, ECM_PFX_AES, 0, &err), ECM_FILE_EXISTS);
	ecm_error_clear(&err);
	assert_int_equal(ecm_pfx_write_file(path, &id, "Backup-Pass-1", 2048, ECM_PFX_AES, 1, &err), ECM_OK);
	snprintf(cmd, sizeof(cmd), "echo Backup-Pass-1 > '%s/bpw' && openssl pkcs12 -info -nokeys -in '%s' "
	    "-passin 'file:%s/bpw' 2>&1 | grep -q 'PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256'",
	    f->dir, path, f->dir);
	assert_int_equal(system(cmd), 0);
	sk_X509_free(id.chain);
}

static const char *
str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	assert_true(cJSON_IsString(v));
	return v->valuestring;
}

static void
summary_fields(void **state)
{
	fixture *f = *state;
	cJSON *s = ecm_cert_summary(f->cert);
	char *serial = ecm_cert_serial(f->cert);

	assert_string_equal(serial, "5F3A09C1");
	free(serial);
	assert_string_equal(str(s, "serial"), "5F3A09C1");
	assert_string_equal(str(s, "cn"), "A123456789-00-PC001");
	assert_string_equal(str(s, "national_id"), "A123456789");
	assert_string_equal(str(s, "device"), "PC");
	assert_string_equal(str(s, "subject"), "CN=A123456789-00-PC001,C=TW");
	assert_string_equal(str(s, "issuer"), "CN=Test CA,C=TW");
	assert_int_equal(strlen(str(s, "not_after")), 20);
	assert_true(str(s, "not_after")[19] == 'Z' && str(s, "not_after")[10] == 'T');
	assert_int_equal(cJSON_GetObjectItem(s, "days_left")->valueint, 365);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(s, "expired")));
	cJSON_Delete(s);
	assert_string_equal(ecm_device_from_cn("B220134565-00-MI001"), "iPhone");
	assert_string_equal(ecm_device_from_cn("B220134565-00-MG001"), "GPhone");
	assert_string_equal(ecm_device_from_cn("A123456789-00-00::PCC005"), "PC");
}

static void
expired_summary(void **state)
{
	fixture *f = *state;
	X509 *old = make_cert("A123456789-00-MI001", f->key, f->ca, f->ca_key, 7, -3);
	cJSON *s = ecm_cert_summary(old);

	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(s, "expired")));
	assert_true(cJSON_GetObjectItem(s, "days_left")->valueint < 0);
	assert_string_equal(str(s, "device"), "iPhone");
	cJSON_Delete(s);
	X509_free(old);
}

static void
default_backup_path(void **state)
{
	fixture *f = *state;
	ecm_config cfg;
	char want[64];
	char *path;
	time_t t = time(NULL) + 365 * 86400 + 60;
	struct tm tm;

	memset(&cfg, 0, sizeof(cfg));
	cfg.backup_dir = "/home/u/PSCCA";
	gmtime_r(&t, &tm);
	strftime(want, sizeof(want), "/home/u/PSCCA/ECM_A123456789_%Y%m%d.pfx", &tm);
	path = ecm_backup_default_path(&cfg, f->cert);
	assert_string_equal(path, want);
	free(path);
}

/* Review fix: the ID in the default name comes from the certificate's CN; a CN with '/' or ".." must not move
 * the backup out of backup_dir. */
static void
default_backup_path_stays_in_backup_dir(void **state)
{
	fixture *f = *state;
	ecm_config cfg;
	X509 *odd = make_cert("../../../tmp/evil/x-00-PC001", f->key, f->ca, f->ca_key, 7, 30);
	char *path;

	memset(&cfg, 0, sizeof(cfg));
	cfg.backup_dir = "/home/u/PSCCA";
	path = ecm_backup_default_path(&cfg, odd);
	assert_non_null(path);
	assert_int_equal(strncmp(path, "/home/u/PSCCA/ECM_", 18), 0);
	assert_null(strchr(path + strlen("/home/u/PSCCA/"), '/'));
	assert_null(strstr(path, ".."));
	free(path);
	X509_free(odd);
}

/* A copy of cert with extension nid = value added, signed again by key. */
static X509 *
with_ext(X509 *cert, int nid, const char *value, EVP_PKEY *key)
{
	X509 *c = X509_dup(cert);
	X509V3_CTX v3;
	X509_EXTENSION *ext;

	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, NULL, c, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	X509_add_ext(c, ext, -1);
	X509_EXTENSION_free(ext);
	X509_sign(c, key, EVP_sha256());
	return c;
}

/* ecm_issued_take on certs (references taken): the code and, on failure, details.reason. */
static const char *
take(fixture *f, EVP_PKEY *key, X509 **certs, int n, ecm_identity *out)
{
	static char reason[64];
	STACK_OF(X509) *sk = sk_X509_new_null();
	ecm_issued_request want = { key, "a123456789", f->ca_file, NULL, (long long)time(NULL) };
	ecm_error err;
	ecm_code rc;
	int i;

	for (i = 0; i < n; i++) {
		X509_up_ref(certs[i]);
		sk_X509_push(sk, certs[i]);
	}
	ecm_error_init(&err);
	rc = ecm_issued_take(sk, &want, out, &err);
	snprintf(reason, sizeof(reason), "%s", rc == ECM_OK ? "ok" :
	    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(err.details, "reason")));
	assert_true(rc == ECM_OK || rc == ECM_ISSUED_CERT_INVALID);
	ecm_error_clear(&err);
	sk_X509_pop_free(sk, X509_free);
	return reason;
}

/* The one check of an issued certificate: only the certificate and its verified chain are kept. */
static void
issued_checked(void **state)
{
	fixture *f = *state;
	EVP_PKEY *other_key, *other_ca_key;
	X509 *other_ca, *bare = make_cert("A123456789-00-PC001", f->key, f->ca, f->ca_key, 9, 365);
	X509 *leaf = with_ext(bare, NID_key_usage, "critical,digitalSignature", f->ca_key), *foreign, *server, *many[11], *mixed[3];
	ecm_identity out = { NULL, NULL, NULL };
	ecm_error err;
	int i;

	ecm_error_init(&err);
	assert_int_equal(ecm_key_generate(ECM_KEY_P256, &other_key, &err), ECM_OK);
	assert_int_equal(ecm_key_generate(ECM_KEY_P256, &other_ca_key, &err), ECM_OK);
	other_ca = make_cert("Test CA", other_ca_key, NULL, other_ca_key, 1, 3650);
	mixed[0] = other_ca;
	mixed[1] = leaf;
	mixed[2] = f->ca;
	assert_string_equal(take(f, f->key, mixed, 3, &out), "ok");
	assert_int_equal(X509_cmp(out.cert, leaf), 0);
	assert_int_equal(sk_X509_num(out.chain), 1); /* the unrelated root stays out */
	assert_int_equal(X509_cmp(sk_X509_value(out.chain, 0), f->ca), 0);
	ecm_identity_free(&out);
	assert_string_equal(take(f, other_key, &leaf, 1, &out), "key");
	assert_string_equal(take(f, f->key, &bare, 1, &out), "key_usage");
	server = with_ext(leaf, NID_ext_key_usage, "serverAuth", f->ca_key);
	assert_string_equal(take(f, f->key, &server, 1, &out), "eku");
	X509_free(server);
	server = with_ext(leaf, NID_ext_key_usage, "1.3.6.1.5.5.7.3.36", f->ca_key); /* document signing */
	assert_string_equal(take(f, f->key, &server, 1, &out), "ok");
	ecm_identity_free(&out);
	X509_free(server);
	foreign = make_cert("A123456789-00-PC001", f->key, other_ca, other_ca_key, 9, 365);
	X509_free(bare);
	bare = with_ext(foreign, NID_key_usage, "critical,digitalSignature", other_ca_key);
	assert_string_equal(take(f, f->key, &bare, 1, &out), "chain");
	for (i = 0; i < 11; i++)
		many[i] = leaf;
	assert_string_equal(take(f, f->key, many, 11, &out), "too_many_certificates");
	assert_null(out.cert);
	X509_free(foreign);
	X509_free(bare);
	X509_free(leaf);
	X509_free(other_ca);
	EVP_PKEY_free(other_ca_key);
	EVP_PKEY_free(other_key);
}

static unsigned char *
certs_only(fixture *f, int *len)
{
	PKCS7 *p7 = PKCS7_new();
	unsigned char *der = NULL;

	PKCS7_set_type(p7, NID_pkcs7_signed);
	PKCS7_content_new(p7, NID_pkcs7_data);
	PKCS7_add_certificate(p7, f->cert);
	PKCS7_add_certificate(p7, f->ca);
	*len = i2d_PKCS7(p7, &der);
	PKCS7_free(p7);
	return der;
}

/* The layouts real EST servers send: wrapped at 64 or 76, CRLF, no final newline, a stray NUL. */
static void
pkcs7_in_every_base64_layout(void **state)
{
	fixture *f = *state;
	int der_len;
	unsigned char *der = certs_only(f, &der_len), *back;
	size_t b64_len, back_len, i, j;
	char *b64 = ecm_base64_wrapped(der, (size_t)der_len, &b64_len), *messy;
	STACK_OF(X509) *certs;
	ecm_error err;

	ecm_error_init(&err);
	assert_non_null(b64);
	assert_true(b64[b64_len - 1] == '\n' && b64[64] == '\n');
	messy = malloc(b64_len * 2 + 8);
	for (i = 0, j = 0; i < b64_len; i++) {
		if (b64[i] == '\n')
			continue;
		messy[j++] = b64[i];
		if (j % 78 == 76) {
			messy[j++] = '\r';
			messy[j++] = '\n';
		}
	}
	messy[j++] = '\0'; /* counted in the length, as one server did */
	back = ecm_base64_decode(messy, j, &back_len);
	assert_non_null(back);
	assert_int_equal(back_len, der_len);
	assert_memory_equal(back, der, back_len);
	assert_int_equal(ecm_pkcs7_certs(back, back_len, &certs, &err), ECM_OK);
	assert_int_equal(sk_X509_num(certs), 2);
	assert_int_equal(X509_cmp(sk_X509_value(certs, 0), f->cert), 0);
	sk_X509_pop_free(certs, X509_free);
	assert_int_equal(ecm_pkcs7_certs((const unsigned char *)"\x30\x03\x02\x01\x01", 5, &certs, &err),
	    ECM_RA_BAD_RESPONSE);
	ecm_error_clear(&err);
	assert_null(ecm_base64_decode("!!!!", 4, &back_len));
	free(back);
	free(messy);
	free(b64);
	OPENSSL_free(der);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keygen_each_type),
		cmocka_unit_test(csr_verifies_and_names_the_subject),
		cmocka_unit_test(pfx_round_trip_aes),
		cmocka_unit_test(pfx_round_trip_compat),
		cmocka_unit_test(pfx_reads_legacy_file),
		cmocka_unit_test(pfx_file_is_0600_and_not_overwritten),
		cmocka_unit_test(summary_fields),
		cmocka_unit_test(expired_summary),
		cmocka_unit_test(default_backup_path),
		cmocka_unit_test(default_backup_path_stays_in_backup_dir),
		cmocka_unit_test(issued_checked),
		cmocka_unit_test(pkcs7_in_every_base64_layout),
	};

	return cmocka_run_group_tests_name("crypto", tests, setup, teardown);
}
