/* The session's one connection to the RA. A curl handle keeps its connections open between transfers, so one
 * handle for the whole session means one TCP connection and one TLS handshake for login, terms, OTP, enrollment
 * and the account refresh, instead of one each. What does not change between requests is set here, once: the
 * pinned CA (read once), TLS limits, timeouts, the user agent. The handle holds no credential between requests
 * (ra_perform clears them after each), so it may outlive a login; logout closes it (ecm_session_clear), and so
 * does a request for another broker than the one it was made for. */
#include <stdlib.h>
#include <sys/stat.h>

#include <openssl/pem.h>

#include "ecm/core.h"
#include "ecm/util.h"
#include "ecm/platform.h"
#include "ra_int.h"

#define CA_FILE_MAX (1024u * 1024u)
#define CLIENT_FILE_MAX (256u * 1024u)

static void
conn_free(void *p)
{
	ra_conn *c = p;

	curl_easy_cleanup(c->h); /* closes the connection */
	ecm_identity_free(&c->client);
	free(c);
}

/* ra_tls_ca_file when a broker's EST endpoint has a public TLS certificate, else ra_ca_file (both roles). */
static const char *
tls_anchor(const ecm_config *cfg)
{
	return cfg->ra_tls_ca_file != NULL ? cfg->ra_tls_ca_file : cfg->ra_ca_file;
}

static ecm_code
conn_setup(ra_conn *c, const ecm_config *cfg, ecm_error *err)
{
	const char *file = tls_anchor(cfg);
	unsigned char *ca;
	size_t ca_len;
	ecm_code rc;

	rc = ecm_read_file(file, CA_FILE_MAX, &ca, &ca_len, err);
	if (rc != ECM_OK) {
		ecm_error_detail_str(err, "file", file);
		return ecm_fail(err, ECM_CONFIG_INVALID, "the RA's CA bundle %s cannot be read", file);
	}
	rc = ra_set_tls(c->h, cfg, ca, ca_len, err); /* curl keeps its own copy */
	free(ca);
	if (rc == ECM_OK)
		curl_easy_setopt(c->h, CURLOPT_USERAGENT, "e-Cert-Manager/" ECM_VERSION);
	return rc;
}

ecm_code
ra_conn_get(ecm_session *s, const ecm_config *cfg, ra_conn **out, ecm_error *err)
{
	ra_conn *c;
	ecm_code rc;

	if (s->ra != NULL && ((ra_conn *)s->ra)->cfg == cfg) {
		*out = s->ra;
		return ECM_OK;
	}
	/* Another broker's (a session may log in at one, then another): its pinned CA and client identity are not
	 * this broker's, so it goes. */
	if (s->ra != NULL && s->ra_free != NULL)
		s->ra_free(s->ra);
	s->ra = NULL;
	if ((rc = ra_load_curl(err)) != ECM_OK)
		return rc;
	c = calloc(1, sizeof(*c));
	if (c == NULL || (c->h = curl_easy_init()) == NULL) {
		free(c);
		return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	}
	if ((rc = conn_setup(c, cfg, err)) != ECM_OK) {
		conn_free(c);
		return rc;
	}
	c->cfg = cfg;
	s->ra = c;
	s->ra_free = conn_free;
	*out = c;
	return ECM_OK;
}

static ecm_code
bad_client(const char *key, const char *file, const char *why, ecm_error *err)
{
	ecm_error_detail_str(err, "key", key);
	ecm_error_detail_str(err, "file", file);
	return ecm_fail(err, ECM_CONFIG_INVALID, "%s %s %s", key, file, why);
}

/* A PEM file through OpenSSL: the certificate, or the private key (which nobody else may read, as ssh asks). */
static ecm_code
read_pem(const char *key, const char *file, int private, ecm_identity *id, ecm_error *err)
{
	unsigned char *text = NULL;
	size_t len = 0;
	BIO *bio;

	if (private && !ecm_platform_private_to_user(file))
		return bad_client(key, file, "may be read by others: chmod 600", err);
	if (ecm_read_file(file, CLIENT_FILE_MAX, &text, &len, err) != ECM_OK) {
		ecm_error_clear(err);
		return bad_client(key, file, "cannot be read", err);
	}
	bio = BIO_new_mem_buf(text, (int)len);
	if (private)
		id->key = bio != NULL ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
	else
		id->cert = bio != NULL ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	OPENSSL_clear_free(text, len);
	if (private ? id->key == NULL : id->cert == NULL)
		return bad_client(key, file, private ? "holds no unencrypted PEM private key" : "holds no PEM certificate",
		    err);
	return ECM_OK;
}

ecm_code
ra_conn_client(ra_conn *c, const ecm_config *cfg, const ecm_identity **id, ecm_error *err)
{
	ecm_identity loaded = { NULL, NULL, NULL };
	ecm_code rc;

	*id = NULL;
	if (cfg->ra_client_cert_file == NULL)
		return ECM_OK;
	if (c->client.cert == NULL) {
		rc = read_pem("ra_client_cert_file", cfg->ra_client_cert_file, 0, &loaded, err);
		if (rc == ECM_OK)
			rc = read_pem("ra_client_key_file", cfg->ra_client_key_file, 1, &loaded, err);
		if (rc == ECM_OK && X509_check_private_key(loaded.cert, loaded.key) != 1)
			rc = bad_client("ra_client_key_file", cfg->ra_client_key_file,
			    "is not the key of ra_client_cert_file", err);
		if (rc != ECM_OK) {
			ecm_identity_free(&loaded);
			return rc;
		}
		c->client = loaded;
	}
	*id = &c->client;
	return ECM_OK;
}
