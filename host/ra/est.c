/* EST (RFC 7030) enrollment at est_url. Strict in what we send (wrapped base64 ending in a newline,
 * Content-Transfer-Encoding: base64), lenient in what we accept (any base64 layout, PEM, or plain DER) as long
 * as the answer says it is PKCS#7. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "ecm/issued.h"
#include "ecm/secmem.h"
#include "ra_int.h"

/* PEM armour ("-----BEGIN PKCS7-----", some servers' answer) through OpenSSL's PEM reader: the letters of the
 * armour lines are base64 letters too, and would otherwise be decoded with the rest. */
static ecm_code
decode_pem(const ra_reply *rp, STACK_OF(X509) **certs, ecm_error *err)
{
	BIO *bio = BIO_new_mem_buf(rp->body, (int)rp->len);
	char *name = NULL, *header = NULL;
	unsigned char *der = NULL;
	long len = 0;
	ecm_code rc;

	if (bio == NULL || PEM_read_bio(bio, &name, &header, &der, &len) != 1 ||
	    (strcmp(name, PEM_STRING_PKCS7) != 0 && strcmp(name, "CMS") != 0))
		rc = ecm_fail(err, ECM_RA_BAD_RESPONSE, "the EST answer's PEM block is not a PKCS#7");
	else
		rc = ecm_pkcs7_certs(der, (size_t)len, certs, err);
	ERR_clear_error();
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(der);
	BIO_free(bio);
	return rc;
}

/* The certs-only PKCS#7 of a 200 answer, which must say it is one (application/pkcs7-mime, RFC 7030 4.2.3):
 * base64 in whatever layout (64 or 76 columns, LF or CRLF), PEM-armoured, or binary DER from a lax server. */
ecm_code
ra_est_certs(const ra_reply *rp, STACK_OF(X509) **certs, ecm_error *err)
{
	unsigned char *der;
	size_t len;
	ecm_code rc;

	if (!ra_content_type_is(rp, "application/pkcs7-mime") && !ra_content_type_is(rp, "application/x-pkcs7-mime")) {
		ecm_error_detail_str(err, "content_type", rp->content_type);
		return ecm_fail(err, ECM_RA_BAD_RESPONSE, "the EST answer is not application/pkcs7-mime");
	}
	if (rp->len > 0 && rp->body[0] == 0x30) {
		rc = ecm_pkcs7_certs(rp->body, rp->len, certs, err);
		if (rc == ECM_OK)
			return rc;
		ecm_error_clear(err);
	}
	if (memmem(rp->body, rp->len, "-----BEGIN ", 11) != NULL)
		return decode_pem(rp, certs, err);
	der = ecm_base64_decode((const char *)rp->body, rp->len, &len);
	if (der == NULL)
		return ecm_fail(err, ECM_RA_BAD_RESPONSE, "the EST answer is not base64");
	rc = ecm_pkcs7_certs(der, len, certs, err);
	free(der);
	return rc;
}

/* "Name: value" for a value the user typed (OTP, terms version). A control character (CR, LF) would end the
 * header and start one of the caller's choosing, and a cut value would be sent as another: both are refused. */
static int
header_line(char *buf, size_t size, const char *name, const char *value)
{
	const char *v;
	int n;

	for (v = value; *v != '\0'; v++)
		if ((unsigned char)*v < 0x20 || *v == 0x7f)
			return -1;
	n = snprintf(buf, size, "%s: %s", name, value);
	return n >= 0 && (size_t)n < size ? 0 : -1;
}

static ecm_code
bad_field(const char *field, ecm_error *err)
{
	ecm_error_detail_str(err, "field", field);
	return ecm_fail(err, ECM_BAD_REQUEST, "\"%s\" holds characters a request header cannot carry", field);
}

ecm_code
ra_est_enroll(ecm_session *session, const ecm_config *cfg, const ecm_ra_auth *auth,
    const ecm_ra_enroll *req, STACK_OF(X509) **certs, ecm_error *err)
{
	char otp[96], terms[160];
	const char *headers[] = { "Content-Transfer-Encoding: base64", otp, terms, NULL };
	ra_request rq = { "POST", cfg->est_url, req->reenroll ? "/simplereenroll" : "/simpleenroll",
		"application/pkcs10", NULL, 0, headers, !req->reenroll };
	ra_conn *conn;
	ra_reply rp;
	size_t b64_len = 0;
	char *b64;
	ecm_code rc;

	*certs = NULL;
	if ((rc = ra_conn_get(session, cfg, &conn, err)) != ECM_OK)
		return rc;
	if (header_line(otp, sizeof(otp), "X-ECM-OTP", req->otp != NULL ? req->otp : "") != 0) {
		ecm_wipe(otp, sizeof(otp));
		return bad_field("otp", err);
	}
	if (header_line(terms, sizeof(terms), "X-ECM-Terms-Version",
	    req->terms_version != NULL ? req->terms_version : "") != 0) {
		ecm_wipe(otp, sizeof(otp));
		return bad_field("terms_version", err);
	}
	b64 = ecm_base64_wrapped(req->csr_der, req->csr_len, &b64_len);
	if (b64 == NULL) {
		ecm_wipe(otp, sizeof(otp));
		return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	}
	rq.body = b64;
	rq.body_len = b64_len;
	rc = ra_perform(conn, cfg, auth, &rq, &rp, err);
	ecm_wipe(otp, sizeof(otp));
	free(b64);
	if (rc == ECM_OK)
		rc = ra_check_status(&rp, err);
	if (rc == ECM_OK)
		rc = ra_est_certs(&rp, certs, err);
	if (rc == ECM_OK && (rc = ecm_issued_count(sk_X509_num(*certs), err)) != ECM_OK) {
		sk_X509_pop_free(*certs, X509_free); /* refused unread: no chain is built from a heap of them */
		*certs = NULL;
	}
	ra_reply_free(&rp);
	return rc;
}
