/* The account-API answer parsers (host/ra/status.c ra_check_status, host/ra/api.c ra_json_object) and what the
 * commands read from an answer (enroll_server_cert, ecm_ra_parse_time), on
 * "<status>[ <retry-after>[ <content-type>]]\n<body>": the HTTP status, Retry-After and Content-Type curl reported,
 * then the body. Checked: 200/201/204 pass, 202 is RA_PENDING with details.retry_after, other statuses are errors
 * with a code of our own list (5xx RA_SERVER_ERROR, an unknown RA code RA_REJECTED) and details.http_status; the
 * server's words kept (details.ra_message, from a JSON "message" or a text/plain body) are valid UTF-8 of at most
 * 512 bytes; a body that passes is a JSON object. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "commands/enroll.h"
#include "ra/ra_int.h"
#include "fuzz_common.h"

/* The first line: status, optional Retry-After seconds, optional media type. Returns the offset of the body. */
static size_t
head(const uint8_t *data, size_t size, ra_reply *rp)
{
	char line[160] = "";
	const uint8_t *nl = memchr(data, '\n', size);
	size_t n = nl != NULL ? (size_t)(nl - data) : 0;

	rp->status = 200;
	rp->retry_after = -1;
	if (nl == NULL || n >= sizeof(line))
		return 0;
	memcpy(line, data, n);
	if (sscanf(line, "%3ld %6ld %127s", &rp->status, &rp->retry_after, rp->content_type) < 1)
		rp->status = 200;
	return n + 1;
}

static int
is_our_code(ecm_code rc)
{
	return rc > ECM_OK && rc < ECM_CODE_COUNT;
}

static void
check_status(const ra_reply *rp, ecm_code rc, const ecm_error *err)
{
	long s = rp->status;
	const cJSON *words;

	if (s == 200 || s == 201 || s == 204) {
		FUZZ_CHECK(rc == ECM_OK, "200/201/204 pass");
		return;
	}
	FUZZ_CHECK(is_our_code(rc), "every other status is an error of our list");
	if (s == 202) {
		FUZZ_CHECK(rc == ECM_RA_PENDING, "202 is RA_PENDING");
		FUZZ_CHECK(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(err->details, "retry_after")),
		    "RA_PENDING says when to ask again");
		return;
	}
	FUZZ_CHECK(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(err->details, "http_status")),
	    "an error says the HTTP status");
	words = cJSON_GetObjectItemCaseSensitive(err->details, "ra_message");
	FUZZ_CHECK(words == NULL || (cJSON_IsString(words) && strlen(words->valuestring) <= 512 &&
	    fuzz_utf8_valid(words->valuestring, strlen(words->valuestring))),
	    "the server's words are valid UTF-8 of at most 512 bytes");
	FUZZ_CHECK(fuzz_utf8_valid(err->message, strlen(err->message)), "the message is valid UTF-8");
	if (s >= 500)
		FUZZ_CHECK(rc == ECM_RA_SERVER_ERROR, "5xx is RA_SERVER_ERROR");
	if (s < 400)
		FUZZ_CHECK(rc == ECM_RA_BAD_RESPONSE, "another 1xx-3xx is RA_BAD_RESPONSE (no redirect is followed)");
}

static void
check_record(const cJSON *ra_cert, long long now)
{
	cJSON *row = enroll_server_cert(ra_cert, now);
	const cJSON *days = cJSON_GetObjectItemCaseSensitive(row, "days_left");

	FUZZ_CHECK(cJSON_IsObject(row), "a certificate record becomes an object");
	FUZZ_CHECK(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(row, "national_id")), "it has a national_id");
	FUZZ_CHECK(days == NULL || cJSON_IsNumber(days), "days_left is a number when present");
	cJSON_free(cJSON_PrintUnformatted(row));
	cJSON_Delete(row);
}

/* What login, list, terms and otp_request read from an answer. */
static void
read_answer(const cJSON *answer)
{
	const cJSON *now = cJSON_GetObjectItemCaseSensitive(answer, "now");
	const cJSON *cur = cJSON_GetObjectItemCaseSensitive(answer, "current_pc_cert");
	const cJSON *certs = cJSON_GetObjectItemCaseSensitive(answer, "certificates"), *c;
	long long t = cJSON_IsString(now) ? ecm_ra_parse_time(now->valuestring) : -1;

	/* Before 1970 is negative, as unreadable is -1: every caller takes any t < 0 as unreadable. */
	if (cJSON_IsObject(cur))
		check_record(cur, t >= 0 ? t : 0);
	if (cJSON_IsArray(certs))
		cJSON_ArrayForEach(c, certs)
			check_record(c, t >= 0 ? t : 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ra_reply rp;
	size_t off;
	cJSON *answer = NULL;
	ecm_error err;
	ecm_code rc;

	memset(&rp, 0, sizeof(rp));
	off = head(data, size, &rp);
	rp.len = size - off;
	rp.body = malloc(rp.len + 1); /* as the transport hands it over: NUL after the body */
	FUZZ_CHECK(rp.body != NULL, "malloc");
	memcpy(rp.body, data + off, rp.len);
	rp.body[rp.len] = '\0';
	ecm_error_init(&err);
	rc = ra_check_status(&rp, &err);
	check_status(&rp, rc, &err);
	if (rc == ECM_OK) {
		rc = ra_json_object(&rp, &answer, &err);
		FUZZ_CHECK(rc == ECM_OK ? cJSON_IsObject(answer) : answer == NULL && rc == ECM_RA_BAD_RESPONSE,
		    "a body is a JSON object or RA_BAD_RESPONSE");
		read_answer(answer);
	}
	cJSON_Delete(answer);
	ecm_error_clear(&err);
	free(rp.body);
	return 0;
}
