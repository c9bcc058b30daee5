/* A .pfx named by a request, {path | data (base64), password}: argument reading belongs to the commands, not to
 * the store layer (which only decodes PKCS#12 through host/crypto). */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "pfx_args.h"

static ecm_code
decode_base64(const char *b64, unsigned char **out, size_t *len, ecm_error *err)
{
	size_t in = strlen(b64), cap = in / 4 * 3 + 3;
	unsigned char *buf = malloc(cap + 1);
	EVP_ENCODE_CTX *ctx = EVP_ENCODE_CTX_new();
	int n = 0, fin = 0;

	if (buf == NULL || ctx == NULL) {
		free(buf);
		EVP_ENCODE_CTX_free(ctx);
		return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	}
	EVP_DecodeInit(ctx);
	if (EVP_DecodeUpdate(ctx, buf, &n, (const unsigned char *)b64, (int)in) < 0 ||
	    EVP_DecodeFinal(ctx, buf + n, &fin) < 0) {
		free(buf);
		EVP_ENCODE_CTX_free(ctx);
		ecm_error_detail_str(err, "field", "data");
		return ecm_fail(err, ECM_BAD_REQUEST, "\"data\" is not base64");
	}
	EVP_ENCODE_CTX_free(ctx);
	*out = buf;
	*len = (size_t)(n + fin);
	return ECM_OK;
}

ecm_code
pfx_from_args(const cJSON *args, ecm_identity *out, ecm_error *err)
{
	const char *path = NULL, *data = NULL, *password = "";
	unsigned char *der = NULL;
	size_t len = 0;
	ecm_code rc;

	memset(out, 0, sizeof(*out));
	if ((rc = ecm_arg_string(args, "path", &path, err)) != ECM_OK ||
	    (rc = ecm_arg_string(args, "data", &data, err)) != ECM_OK ||
	    (rc = ecm_arg_string(args, "password", &password, err)) != ECM_OK)
		return rc;
	if ((path == NULL) == (data == NULL)) {
		ecm_error_detail_str(err, "field", "path");
		return ecm_fail(err, ECM_BAD_REQUEST, "give either \"path\" or \"data\"");
	}
	if (path != NULL)
		return ecm_pfx_read_file(path, password, out, err);
	if ((rc = decode_base64(data, &der, &len, err)) != ECM_OK)
		return rc;
	rc = ecm_pfx_decode(der, len, password, out, err);
	OPENSSL_clear_free(der, len);
	return rc;
}
