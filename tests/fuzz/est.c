/* The EST answer parser (host/ra/est.c: ra_est_certs) on the body of a 200 answer to simpleenroll/simplereenroll:
 * base64 in any layout or raw DER, certs-only PKCS#7. An answer it accepts holds at least one certificate, and
 * what the host then derives from each (summary, serial, default backup name) holds together. */
#include <stdlib.h>
#include <string.h>

#include "ecm/crypto.h"
#include "ra/ra_int.h"
#include "fuzz_common.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ra_reply rp = { .status = 200, .len = size, .content_type = "application/pkcs7-mime", .retry_after = -1 };
	STACK_OF(X509) *certs = NULL;
	ecm_error err;
	ecm_code rc;
	int i;

	rp.body = malloc(size + 1); /* as the transport hands it over: NUL after the body */
	FUZZ_CHECK(rp.body != NULL, "malloc");
	memcpy(rp.body, data, size);
	rp.body[size] = '\0';
	ecm_error_init(&err);
	rc = ra_est_certs(&rp, &certs, &err);
	if (rc == ECM_OK) {
		FUZZ_CHECK(certs != NULL && sk_X509_num(certs) > 0, "an accepted answer holds a certificate");
		for (i = 0; i < sk_X509_num(certs); i++)
			fuzz_check_cert(sk_X509_value(certs, i));
	} else {
		FUZZ_CHECK(certs == NULL, "nothing handed out on failure");
		FUZZ_CHECK(rc == ECM_RA_BAD_RESPONSE || rc == ECM_OUT_OF_MEMORY, "an unreadable answer is RA_BAD_RESPONSE");
	}
	sk_X509_pop_free(certs, X509_free);
	ecm_error_clear(&err);
	free(rp.body);
	return 0;
}
