/* Private to host/crypto/. */
#ifndef ECM_CRYPTO_INT_H
#define ECM_CRYPTO_INT_H

#include <openssl/pkcs12.h>

#include "ecm/crypto.h"

/* PKCS12_parse for a file whose MAC was already checked with pw (NULL: the empty password's encoding):
 * fills out's key, certificate (the key's, else the first) and chain. 1; 0 unreadable, out partly filled;
 * -1 when an encrypted part asks for more work than allowed (err filled, nothing decrypted with it). */
int pfx_parse_verified(PKCS12 *p12, const char *pw, ecm_identity *out, ecm_error *err);

#endif
