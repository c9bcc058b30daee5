/* One HTTPS exchange with the RA over the session's curl handle (host/ra/conn.c): pinned CA, TLS >= 1.2,
 * timeouts, Basic auth, optional mTLS with the key held in memory. Nothing here logs a header, a body or a
 * credential, and nothing of a request (credentials, body, headers, client key) stays set on the handle after it. */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <openssl/pem.h>

#include "ecm/log.h"
#include "ecm/secmem.h"
#include "ra_int.h"

#define REPLY_MAX (1024u * 1024u)
#define HEADERS_MAX (64u * 1024u) /* all header lines of one answer; an RA sends a few hundred bytes */

static int curl_loaded;

void
ra_curl_cleanup(void)
{
	if (curl_loaded)
		curl_global_cleanup();
	curl_loaded = 0;
}

ecm_code
ra_load_curl(ecm_error *err)
{
	if (curl_loaded)
		return ECM_OK;
	/* curl's copies of the credentials and headers are wiped when it frees them (host/core/wipe_alloc.c) */
	if (curl_global_init_mem(CURL_GLOBAL_DEFAULT, ecm_wipe_malloc, ecm_wipe_free, ecm_wipe_realloc, ecm_wipe_strdup,
	    ecm_wipe_calloc) != CURLE_OK)
		return ecm_fail(err, ECM_INTERNAL, "cannot initialise libcurl");
	curl_loaded = 1;
	return ECM_OK;
}

static size_t
collect_body(char *data, size_t size, size_t n, void *user)
{
	ra_reply *rp = user;
	size_t len = size * n;
	unsigned char *grown;

	if (rp->len + len > REPLY_MAX)
		return 0; /* CURLE_WRITE_ERROR: an RA does not send a megabyte */
	grown = realloc(rp->body, rp->len + len + 1);
	if (grown == NULL)
		return 0;
	memcpy(grown + rp->len, data, len);
	rp->body = grown;
	rp->len += len;
	rp->body[rp->len] = '\0';
	return len;
}

/* Counts the answer's header bytes: thousands of header lines are refused as a bad answer (CURLE_WRITE_ERROR),
 * not buffered. One single line over curl's own limit fails inside curl instead (see transport_error). */
static size_t
count_header(char *data, size_t size, size_t n, void *user)
{
	ra_reply *rp = user;
	size_t len = size * n;

	(void)data;
	if (rp->header_len + len > HEADERS_MAX)
		return 0;
	rp->header_len += len;
	return len;
}

void
ra_reply_free(ra_reply *rp)
{
	free(rp->body);
	memset(rp, 0, sizeof(*rp));
}

/* The client identity as PEM in memory for CURLOPT_SSLCERT_BLOB / SSLKEY_BLOB. */
typedef struct pem_pair {
	BIO *cert;
	BIO *key;
} pem_pair;

static void
pem_pair_free(pem_pair *pp)
{
	char *p = NULL;
	long n;

	if (pp->key != NULL && (n = BIO_get_mem_data(pp->key, &p)) > 0)
		OPENSSL_cleanse(p, (size_t)n); /* the private key in clear */
	BIO_free(pp->key);
	BIO_free(pp->cert);
	pp->key = pp->cert = NULL;
}

static int
set_blob(CURL *h, CURLoption opt, BIO *bio)
{
	struct curl_blob blob;
	char *p = NULL;
	long n = BIO_get_mem_data(bio, &p);

	if (n <= 0)
		return -1;
	blob.data = p;
	blob.len = (size_t)n;
	blob.flags = CURL_BLOB_NOCOPY; /* curl reads our buffer, which we wipe ourselves */
	return curl_easy_setopt(h, opt, &blob) == CURLE_OK ? 0 : -1;
}

static ecm_code
set_client_identity(CURL *h, const ecm_identity *id, pem_pair *pp, ecm_error *err)
{
	pp->cert = BIO_new(BIO_s_mem());
	pp->key = BIO_new(BIO_s_mem());
	if (pp->cert == NULL || pp->key == NULL || !PEM_write_bio_X509(pp->cert, id->cert) ||
	    !PEM_write_bio_PrivateKey(pp->key, id->key, NULL, NULL, 0, NULL, NULL) ||
	    set_blob(h, CURLOPT_SSLCERT_BLOB, pp->cert) != 0 || set_blob(h, CURLOPT_SSLKEY_BLOB, pp->key) != 0)
		return ecm_fail(err, ECM_INTERNAL, "cannot hand the client certificate to curl");
	curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
	curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
	return ECM_OK;
}

/* Only the CA bundle of the configuration is trusted: the blob, and no system CA path. Every option that keeps
 * the connection pinned is checked: a libcurl that refused one would otherwise trust the system store, an older
 * TLS or another host without a word. No redirect is followed (ra_check_status turns a 3xx into an error). */
ecm_code
ra_set_tls(CURL *h, const ecm_config *cfg, unsigned char *ca, size_t ca_len, ecm_error *err)
{
	struct curl_blob blob = { ca, ca_len, CURL_BLOB_COPY };
	CURLcode capath = curl_easy_setopt(h, CURLOPT_CAPATH, NULL);

	/* NOT_BUILT_IN: this TLS backend has no CA path at all, so there is nothing to switch off. */
	if (curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &blob) != CURLE_OK ||
	    (capath != CURLE_OK && capath != CURLE_NOT_BUILT_IN) ||
	    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https") != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)REPLY_MAX) != CURLE_OK)
		return ecm_fail(err, ECM_INTERNAL, "libcurl refuses the TLS settings the RA needs");
	curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, cfg->connect_timeout_s);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, cfg->request_timeout_s);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	return ECM_OK;
}

static char *
join_url(const char *base, const char *path)
{
	size_t bl = strlen(base);
	char *trimmed = strndup(base, bl > 0 && base[bl - 1] == '/' ? bl - 1 : bl), *url;

	if (trimmed == NULL)
		return NULL;
	url = malloc(strlen(trimmed) + strlen(path) + 1);
	if (url != NULL) {
		strcpy(url, trimmed);
		strcat(url, path);
	}
	free(trimmed);
	return url;
}

static void
slist_wipe_free(struct curl_slist *list)
{
	struct curl_slist *l;

	for (l = list; l != NULL; l = l->next)
		ecm_wipe(l->data, strlen(l->data));
	curl_slist_free_all(list);
}

static struct curl_slist *
build_headers(const ra_request *rq)
{
	struct curl_slist *list = curl_slist_append(NULL, "Accept: */*");
	const char *const *h;
	char line[160];

	if (list != NULL && rq->content_type != NULL) {
		snprintf(line, sizeof(line), "Content-Type: %s", rq->content_type);
		list = curl_slist_append(list, line);
	}
	for (h = rq->headers; list != NULL && h != NULL && *h != NULL; h++)
		list = curl_slist_append(list, *h);
	list = list != NULL ? curl_slist_append(list, "Expect:") : NULL; /* no 100-continue round trip */
	return list;
}

static ecm_code
transport_error(CURLcode cc, const char *url, ecm_error *err)
{
	ecm_code code;

	switch (cc) {
	case CURLE_OPERATION_TIMEDOUT:
		code = ECM_RA_TIMEOUT;
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_ISSUER_ERROR:
		code = ECM_RA_TLS_FAILED;
		break;
	case CURLE_WRITE_ERROR: /* collect_body refused more than REPLY_MAX, count_header more than HEADERS_MAX */
	case CURLE_FILESIZE_EXCEEDED:
	case CURLE_UNSUPPORTED_PROTOCOL: /* bytes that are not HTTP ("HTTP/0.9", which curl refuses) */
	case CURLE_OUT_OF_MEMORY:        /* libcurl before 8.6 says so for a header line over its 100 KB limit */
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_BAD_CONTENT_ENCODING:
		code = ECM_RA_BAD_RESPONSE;
		break;
	default: /* refused, unresolvable, reset, closed before answering */
		code = ECM_RA_UNREACHABLE;
		break;
	}
	ecm_error_detail_str(err, "url", url);
	ecm_error_detail_str(err, "curl", curl_easy_strerror(cc));
	return ecm_fail(err, code, "%s: %s", url, curl_easy_strerror(cc));
}

static void
read_reply_info(CURL *h, ra_reply *rp)
{
	char *ct = NULL;
	curl_off_t retry = -1;

	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &rp->status);
	if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct != NULL)
		snprintf(rp->content_type, sizeof(rp->content_type), "%s", ct);
	/* Seconds or an HTTP date, both turned into seconds by curl. */
	if (curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, &retry) == CURLE_OK && retry > 0)
		rp->retry_after = (long)retry;
}

/* Basic credentials, and the TLS client identity: the caller's (simplereenroll), the configured one
 * (simpleenroll), or none. A connection that carried a client identity is closed after its request, so that
 * the copy of the key curl keeps with it goes too and no later request rides on that authentication. */
static ecm_code
set_auth(ra_conn *c, const ecm_config *cfg, const ecm_ra_auth *auth, const ra_request *rq, pem_pair *pp,
    ecm_error *err)
{
	const ecm_identity *client = auth != NULL ? auth->client : NULL;
	ecm_code rc;

	if (auth != NULL && auth->user != NULL) {
		curl_easy_setopt(c->h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(c->h, CURLOPT_USERNAME, auth->user);
		curl_easy_setopt(c->h, CURLOPT_PASSWORD, auth->password != NULL ? auth->password : "");
	}
	if (client == NULL && rq->configured_client && (rc = ra_conn_client(c, cfg, &client, err)) != ECM_OK)
		return rc;
	if (client == NULL)
		return ECM_OK;
	curl_easy_setopt(c->h, CURLOPT_FORBID_REUSE, 1L);
	return set_client_identity(c->h, client, pp, err);
}

/* Takes back from the handle everything that belonged to one request. */
static void
forget_request(CURL *h)
{
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, NULL);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, NULL);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, NULL);
	curl_easy_setopt(h, CURLOPT_USERNAME, NULL);
	curl_easy_setopt(h, CURLOPT_PASSWORD, NULL);
	curl_easy_setopt(h, CURLOPT_SSLCERT_BLOB, NULL);
	curl_easy_setopt(h, CURLOPT_SSLKEY_BLOB, NULL);
	curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 0L);
}

static ecm_code
setup(ra_conn *c, const ecm_config *cfg, const ecm_ra_auth *auth, const ra_request *rq, ra_reply *rp,
    pem_pair *pp, ecm_error *err)
{
	curl_easy_setopt(c->h, CURLOPT_WRITEFUNCTION, collect_body);
	curl_easy_setopt(c->h, CURLOPT_WRITEDATA, rp);
	curl_easy_setopt(c->h, CURLOPT_HEADERFUNCTION, count_header);
	curl_easy_setopt(c->h, CURLOPT_HEADERDATA, rp);
	if (strcmp(rq->method, "POST") == 0) {
		curl_easy_setopt(c->h, CURLOPT_POST, 1L);
		curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, rq->body != NULL ? rq->body : "");
		curl_easy_setopt(c->h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
	} else {
		curl_easy_setopt(c->h, CURLOPT_HTTPGET, 1L);
	}
	return set_auth(c, cfg, auth, rq, pp, err);
}

ecm_code
ra_perform(ra_conn *c, const ecm_config *cfg, const ecm_ra_auth *auth, const ra_request *rq, ra_reply *rp,
    ecm_error *err)
{
	pem_pair pp = { NULL, NULL };
	struct curl_slist *headers = NULL;
	char *url = NULL;
	CURLcode cc;
	ecm_code rc;

	memset(rp, 0, sizeof(*rp));
	rp->retry_after = -1;
	url = join_url(rq->base, rq->path);
	headers = build_headers(rq);
	if (url == NULL || headers == NULL) {
		rc = ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
		goto out;
	}
	curl_easy_setopt(c->h, CURLOPT_URL, url);
	curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, headers);
	if ((rc = setup(c, cfg, auth, rq, rp, &pp, err)) != ECM_OK)
		goto out;
	ecm_log(ECM_LOG_DEBUG, "RA %s %s", rq->method, url);
	cc = curl_easy_perform(c->h);
	if (cc != CURLE_OK) {
		ra_reply_free(rp);
		rc = transport_error(cc, url, err);
		goto out;
	}
	read_reply_info(c->h, rp);
	ecm_log(ECM_LOG_DEBUG, "RA answered %ld", rp->status);
out:
	forget_request(c->h); /* before the buffers it points at go */
	pem_pair_free(&pp);
	slist_wipe_free(headers);
	free(url);
	return rc;
}
