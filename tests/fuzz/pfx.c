/* The host's own .pfx read path (host/crypto/pfx.c: ecm_pfx_read_file, as import, query and renew use it) on any
 * file, with the password the seeds were made with ("fuzzpass") and, when that is wrong, the empty one. A file it
 * accepts has a certificate whose summary and default backup name hold together; one with a key is written again
 * by ecm_pfx_encode (as backup does, in both formats) and reads back as the same certificate and key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "ecm/crypto.h"
#include "fuzz_common.h"

#define FUZZ_PFX_PASSWORD "fuzzpass"

static char file[4096];

static void
check_round_trip(const ecm_identity *id, ecm_pfx_format format)
{
	ecm_identity again;
	unsigned char *der = NULL;
	size_t len = 0;
	ecm_error err;

	ecm_error_init(&err);
	/* Backups use pkcs12_iterations (at least 2048); 1 keeps the fuzzer fast and the structure the same. */
	if (ecm_pfx_encode(id, FUZZ_PFX_PASSWORD, 1, format, &der, &len, &err) != ECM_OK) {
		ecm_error_clear(&err); /* a key OpenSSL reads but cannot write (e.g. an odd curve) is INTERNAL */
		return;
	}
	FUZZ_CHECK(ecm_pfx_decode(der, len, FUZZ_PFX_PASSWORD, &again, &err) == ECM_OK, "a backup we wrote reads");
	FUZZ_CHECK(X509_cmp(again.cert, id->cert) == 0, "the same certificate comes back");
	FUZZ_CHECK(again.key != NULL && EVP_PKEY_eq(again.key, id->key) == 1, "the same key comes back");
	ecm_identity_free(&again);
	OPENSSL_free(der);
	ecm_error_clear(&err);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(file, sizeof(file), "%s", fuzz_path(fuzz_scratch("pfx"), "in.pfx"));
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ecm_identity id;
	ecm_error err;
	ecm_code rc;

	fuzz_write_file(file, data, size);
	ecm_error_init(&err);
	rc = ecm_pfx_read_file(file, FUZZ_PFX_PASSWORD, &id, &err);
	if (rc == ECM_PFX_WRONG_PASSWORD) {
		ecm_error_clear(&err);
		ecm_error_init(&err);
		rc = ecm_pfx_read_file(file, "", &id, &err);
	}
	if (rc == ECM_OK) {
		FUZZ_CHECK(id.cert != NULL, "an accepted file holds a certificate");
		fuzz_check_cert(id.cert);
		if (id.key != NULL && X509_check_private_key(id.cert, id.key) == 1) {
			check_round_trip(&id, ECM_PFX_AES);
			check_round_trip(&id, ECM_PFX_COMPAT);
		}
	} else {
		FUZZ_CHECK(rc == ECM_PFX_INVALID || rc == ECM_PFX_WRONG_PASSWORD || rc == ECM_FILE_READ_FAILED ||
		    rc == ECM_OUT_OF_MEMORY, "an unreadable file is PFX_INVALID or PFX_WRONG_PASSWORD");
		FUZZ_CHECK(id.cert == NULL && id.key == NULL && id.chain == NULL, "nothing handed out on failure");
	}
	ecm_identity_free(&id);
	ecm_error_clear(&err);
	return 0;
}
