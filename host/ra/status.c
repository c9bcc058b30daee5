/* An RA's answer to our codes. The RA's error body {"code","message",…} names the code; a code we do not
 * know is RA_REJECTED, never passed through, so the UI only ever sees codes of docs/protocol.md. A 401 or 403
 * whose body does not name one of ours is not a wrong password: a real EST server says so when it wants a client
 * certificate or other credentials, often in text/plain, and those words are kept for support staff. */
#include <stdlib.h>
#include <string.h>

#include "ecm/utf8.h"
#include "ra_int.h"

/* RA codes that mean the same as ours, by name. */
static const ecm_code same_name[] = {
	ECM_WRONG_PASSWORD, ECM_ACCOUNT_LOCKED, ECM_OTP_INVALID, ECM_OTP_EXPIRED, ECM_TERMS_NOT_ACCEPTED,
	ECM_CSR_REJECTED, ECM_CLIENT_CERT_REQUIRED, ECM_SUBJECT_MISMATCH, ECM_NOT_IN_RENEWAL_WINDOW,
	ECM_CERT_EXPIRED, ECM_CERT_REVOKED, ECM_REVOKE_LIMIT,
};

static ecm_code
code_from_ra(const char *name, long status)
{
	size_t i;

	if (status >= 500)
		return ECM_RA_SERVER_ERROR;
	for (i = 0; name != NULL && i < sizeof(same_name) / sizeof(same_name[0]); i++)
		if (strcmp(name, ecm_code_name(same_name[i])) == 0)
			return same_name[i];
	if (status == 401)
		return ECM_RA_AUTH_REQUIRED;
	if (status == 403)
		return ECM_RA_FORBIDDEN;
	return ECM_RA_REJECTED;
}

/* Copies the numbers the UI shows (attempts left, window, retry) into details. */
static void
copy_details(const cJSON *body, ecm_error *err)
{
	static const char *const keys[] = { "attempts_left", "window_days", "retry_after" };
	const cJSON *v;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		v = cJSON_GetObjectItemCaseSensitive(body, keys[i]);
		if (cJSON_IsNumber(v))
			ecm_error_detail_num(err, keys[i], v->valuedouble);
	}
}

static ecm_code
pending(const ra_reply *rp, ecm_error *err)
{
	ecm_error_detail_num(err, "retry_after", rp->retry_after > 0 ? (double)rp->retry_after : 60);
	return ecm_fail(err, ECM_RA_PENDING, "the RA holds the request for approval");
}

#define WORDS_MAX 512   /* details.ra_message */
#define MESSAGE_WORDS 160 /* of the 256-byte message */

/* The server's words: the "message" of a JSON body, or a text/plain body (RFC 7030 4.2.3). NULL when none. */
static const unsigned char *
server_words(const ra_reply *rp, const cJSON *msg, size_t *len)
{
	if (cJSON_IsString(msg)) {
		*len = strlen(msg->valuestring);
		return (const unsigned char *)msg->valuestring;
	}
	if (rp->body != NULL && rp->len > 0 && ra_content_type_is(rp, "text/plain")) {
		*len = rp->len;
		return rp->body;
	}
	return NULL;
}

static void
fail_with_words(const ra_reply *rp, ecm_code c, const unsigned char *words, size_t len, ecm_error *err)
{
	char *kept = words != NULL ? ra_text_clip(words, len, WORDS_MAX) : NULL;
	char *shown = words != NULL ? ra_text_clip(words, len, MESSAGE_WORDS) : NULL;

	if (kept != NULL && kept[0] != '\0')
		ecm_error_detail_str(err, "ra_message", kept);
	ecm_fail(err, c, "RA answered %ld%s%s", rp->status, shown != NULL && shown[0] ? ": " : "",
	    shown != NULL ? shown : "");
	free(kept);
	free(shown);
}

/* The wrong password that used the last attempt has locked the account: the person is told that, not
 * "0 attempts left" (issue 22 item 4). */
static ecm_code
locked_now(ecm_code c, const cJSON *body)
{
	const cJSON *left = cJSON_GetObjectItemCaseSensitive(body, "attempts_left");

	return c == ECM_WRONG_PASSWORD && cJSON_IsNumber(left) && left->valuedouble <= 0 ? ECM_ACCOUNT_LOCKED : c;
}

ecm_code
ra_check_status(const ra_reply *rp, ecm_error *err)
{
	const unsigned char *words;
	const cJSON *code, *msg;
	size_t len = 0;
	cJSON *body;
	ecm_code c;

	if (rp->status == 200 || rp->status == 201 || rp->status == 204)
		return ECM_OK;
	if (rp->status == 202)
		return pending(rp, err);
	if (rp->status < 400) { /* other 2xx, or a redirect: we follow none */
		ecm_error_detail_num(err, "http_status", (double)rp->status);
		return ecm_fail(err, ECM_RA_BAD_RESPONSE, "RA answered %ld", rp->status);
	}
	body = rp->body != NULL ? cJSON_ParseWithLength((const char *)rp->body, rp->len) : NULL;
	code = cJSON_GetObjectItemCaseSensitive(body, "code");
	msg = cJSON_GetObjectItemCaseSensitive(body, "message");
	c = code_from_ra(cJSON_IsString(code) ? code->valuestring : NULL, rp->status);
	c = locked_now(c, body);
	copy_details(body, err);
	ecm_error_detail_num(err, "http_status", (double)rp->status);
	if (cJSON_IsString(code))
		ecm_error_detail_str(err, "ra_code", code->valuestring);
	words = server_words(rp, msg, &len);
	fail_with_words(rp, c, words, len, err);
	cJSON_Delete(body);
	return c;
}
