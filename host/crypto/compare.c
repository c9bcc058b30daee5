/* Certificate comparisons, shared by the store backends and the commands: a certificate is named by issuer +
 * serial (never by nickname or label), serials compare as numbers written in hex. */
#include <string.h>
#include <strings.h>

#include <openssl/x509.h>

#include "ecm/crypto.h"

int
ecm_cert_expired(const X509 *cert)
{
	return X509_cmp_current_time(X509_get0_notAfter(cert)) < 0;
}

static const char *
skip_zeros(const char *s)
{
	while (s[0] == '0' && s[1] != '\0')
		s++;
	return s;
}

int
ecm_serial_same(const char *a, const char *b)
{
	return strcasecmp(skip_zeros(a), skip_zeros(b)) == 0;
}

int
ecm_cert_same(const X509 *a, const X509 *b)
{
	return ASN1_INTEGER_cmp(X509_get0_serialNumber(a), X509_get0_serialNumber(b)) == 0 &&
	    X509_NAME_cmp(X509_get_issuer_name(a), X509_get_issuer_name(b)) == 0;
}
