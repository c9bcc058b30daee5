/* Base64 for EST bodies, through OpenSSL's encoder and decoder. Servers differ in wrapping (64 or 76),
 * line ends (LF, CRLF), trailing newlines and even stray NULs: the decoder keeps only the alphabet.
 * What a user confirms before it is signed takes the strict decoder instead (ecm_base64_decode_canonical). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "ecm/crypto.h"

char *
ecm_base64_wrapped(const unsigned char *data, size_t len, size_t *out_len)
{
	BIO *b64 = BIO_new(BIO_f_base64()), *mem = BIO_new(BIO_s_mem());
	char *p = NULL, *out = NULL;
	long n;

	if (b64 == NULL || mem == NULL) {
		BIO_free(b64);
		BIO_free(mem);
		return NULL;
	}
	BIO_push(b64, mem); /* 64 characters a line, each ended by "\n": what strict servers want */
	if (BIO_write(b64, data, (int)len) == (int)len && BIO_flush(b64) == 1 &&
	    (n = BIO_get_mem_data(mem, &p)) > 0 && (out = malloc((size_t)n + 1)) != NULL) {
		memcpy(out, p, (size_t)n);
		out[n] = '\0';
		*out_len = (size_t)n;
	}
	BIO_free_all(b64);
	return out;
}

static int
b64_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
	    c == '/' || c == '=';
}

unsigned char *
ecm_base64_decode(const char *text, size_t len, size_t *out_len)
{
	EVP_ENCODE_CTX *ctx = EVP_ENCODE_CTX_new();
	unsigned char *clean = malloc(len + 1), *out = malloc(len / 4 * 3 + 3);
	size_t i, n = 0;
	int got = 0, last = 0, ok = 0;

	if (ctx != NULL && clean != NULL && out != NULL) {
		for (i = 0; i < len; i++)
			if (b64_char((unsigned char)text[i]))
				clean[n++] = (unsigned char)text[i];
		EVP_DecodeInit(ctx);
		ok = n > 0 && EVP_DecodeUpdate(ctx, out, &got, clean, (int)n) >= 0 &&
		    EVP_DecodeFinal(ctx, out + got, &last) == 1;
	}
	EVP_ENCODE_CTX_free(ctx);
	free(clean);
	if (!ok) {
		free(out);
		return NULL;
	}
	*out_len = (size_t)(got + last);
	return out;
}

/* The alphabet, '=' only as the last one or two characters, a length that is a multiple of 4. */
static int
canonical_shape(const char *s, size_t n)
{
	size_t i, pad = 0;

	if (n == 0 || n % 4 != 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '=')
			pad++;
		else if (pad || !b64_char((unsigned char)s[i]))
			return 0;
	}
	return pad <= 2;
}

/* Exactly one text per byte string: the shape above, and the bits under the padding zero ("QR==" is refused,
 * "QQ==" is the one text of "A"), checked by encoding the bytes again. */
unsigned char *
ecm_base64_decode_canonical(const char *text, size_t *out_len)
{
	size_t n = strlen(text), len = 0;
	unsigned char *out = canonical_shape(text, n) ? ecm_base64_decode(text, n, &len) : NULL;
	unsigned char *again = out != NULL ? malloc(n + 1) : NULL;
	int same = again != NULL && len <= INT_MAX && EVP_EncodeBlock(again, out, (int)len) == (int)n &&
	    memcmp(again, text, n) == 0;

	free(again);
	if (!same) {
		if (out != NULL)
			OPENSSL_cleanse(out, len);
		free(out);
		return NULL;
	}
	*out_len = len;
	return out;
}
