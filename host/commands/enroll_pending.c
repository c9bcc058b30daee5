/* The enrollment request (key + CSR) and the session's pending one. An RA that answers 202 Accepted keeps the
 * request for a person to approve; RFC 7030 4.2.3 has the client send the same CSR again later. So the request is
 * an object that outlives one apply/renew: it is parked in the session (memory only, never on disk) and resumed.
 * The session holds it as an opaque pointer plus pending_free (include/ecm/session.h): the core links no
 * OpenSSL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ecm/log.h"
#include "enroll.h"

static const char *
device_cn(const char *id, char *buf, size_t size)
{
	snprintf(buf, size, "%s-00-PC001", id);
	return buf;
}

void
enroll_pending_free(enroll_pending *p)
{
	if (p == NULL)
		return;
	EVP_PKEY_free(p->key); /* clears the private key before it is freed */
	OPENSSL_free(p->csr);
	ecm_identity_free(&p->current);
	free(p);
}

/* The session's free function: its signature is the core's, which knows no enroll_pending. */
static void
pending_free_opaque(void *p)
{
	enroll_pending_free(p);
}

/* References, not copies: the pending renewal must authenticate with the very identity it was made for, even if
 * the store changes meanwhile, and a copy of the key would be one more place to wipe. */
int
enroll_identity_ref(const ecm_identity *from, ecm_identity *to)
{
	memset(to, 0, sizeof(*to));
	if (from->key != NULL) {
		if (!EVP_PKEY_up_ref(from->key))
			return -1;
		to->key = from->key;
	}
	if (from->cert != NULL) {
		if (!X509_up_ref(from->cert))
			goto fail;
		to->cert = from->cert;
	}
	if (from->chain != NULL && (to->chain = X509_chain_up_ref(from->chain)) == NULL)
		goto fail;
	return 0;
fail:
	ecm_identity_free(to);
	return -1;
}

/* Lower-case hex SHA-256 of the DER SubjectPublicKeyInfo: what `openssl pkey -pubout -outform DER | sha256sum`
 * prints, so support (and tests) can match a pending request with the certificate issued for it. */
static void
spki_sha256(EVP_PKEY *key, char out[65])
{
	unsigned char *der = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0, i;
	int len;

	out[0] = '\0';
	len = i2d_PUBKEY(key, &der);
	if (len > 0 && EVP_Digest(der, (size_t)len, md, &md_len, EVP_sha256(), NULL) && md_len == 32)
		for (i = 0; i < md_len; i++)
			snprintf(out + 2 * i, 3, "%02x", md[i]);
	OPENSSL_free(der);
}

ecm_code
enroll_pending_new(ecm_ctx *ctx, const ecm_identity *current, enroll_pending **out, ecm_error *err)
{
	enroll_pending *p;
	char cn[64];
	ecm_code rc;

	*out = NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	p->reenroll = current != NULL;
	if (current != NULL && enroll_identity_ref(current, &p->current) != 0) {
		rc = ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
		goto fail;
	}
	if ((rc = ecm_key_generate(ctx->config->key_type, &p->key, err)) != ECM_OK)
		goto fail;
	rc = ecm_csr_create(p->key, device_cn(ctx->session->national_id, cn, sizeof(cn)),
	    current != NULL ? X509_get_subject_name(current->cert) : NULL, &p->csr, &p->csr_len, err);
	if (rc != ECM_OK)
		goto fail;
	spki_sha256(p->key, p->spki_sha256);
	*out = p;
	return ECM_OK;
fail:
	enroll_pending_free(p);
	return rc;
}

ecm_code
enroll_pending_check(const ecm_ctx *ctx, int reenroll, ecm_error *err)
{
	const enroll_pending *p = ctx->session->pending;

	if (p != NULL && p->reenroll == reenroll)
		return ECM_OK;
	ecm_error_detail_str(err, "field", "resume");
	if (p == NULL)
		return ecm_fail(err, ECM_BAD_REQUEST, "nothing is pending in this session");
	return ecm_fail(err, ECM_BAD_REQUEST, "the pending request is %s", p->reenroll ? "a renew" : "an apply");
}

ecm_code
enroll_pending_current(const ecm_ctx *ctx, ecm_identity *out, ecm_error *err)
{
	const enroll_pending *p = ctx->session->pending;
	ecm_code rc;

	if ((rc = enroll_pending_check(ctx, 1, err)) != ECM_OK)
		return rc;
	if (enroll_identity_ref(&p->current, out) != 0)
		return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	return ECM_OK;
}

static enroll_pending *
detach(ecm_ctx *ctx)
{
	enroll_pending *p = ctx->session->pending;

	ctx->session->pending = NULL;
	ctx->session->pending_free = NULL;
	return p;
}

enroll_pending *
enroll_pending_take(ecm_ctx *ctx)
{
	enroll_pending *p = detach(ctx);
	long long now = (long long)time(NULL);

	/* Early is allowed: the RA decides, and answers 202 again if it is still waiting. */
	if (p != NULL && p->retry_at > now)
		ecm_log(ECM_LOG_INFO, "resuming an enrollment %lld s before the RA's Retry-After", p->retry_at - now);
	return p;
}

void
enroll_pending_drop(ecm_ctx *ctx)
{
	enroll_pending_free(detach(ctx));
}

/* The RA's retry_after (RA_PENDING) is already in err's details; a transport error has none: retry at once.
 * A value past a year is the RA's mistake, not a reason for undefined behaviour in the cast. */
void
enroll_pending_keep(ecm_ctx *ctx, enroll_pending *p, ecm_error *err)
{
	const cJSON *after = cJSON_GetObjectItemCaseSensitive(err->details, "retry_after");
	double s = cJSON_IsNumber(after) ? after->valuedouble : 0;

	enroll_pending_drop(ctx);
	p->retry_at = (long long)time(NULL) + (s > 0 && s < 366.0 * 86400 ? (long long)s : 0);
	ctx->session->pending = p;
	ctx->session->pending_free = pending_free_opaque;
	ecm_error_detail_str(err, "spki_sha256", p->spki_sha256);
	if (err->details != NULL)
		cJSON_AddBoolToObject(err->details, "pending", 1);
}
