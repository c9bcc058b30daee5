/* Private to host/crypto/. */
#ifndef ECM_CRYPTO_INT_H
#define ECM_CRYPTO_INT_H

#include <openssl/pkcs12.h>

#include "ecm/crypto.h"

/* The decryptions a walk of p12 will meet first, started on other cores (pfx_bags.c): each encrypted safe and
 * each shrouded key of a plain safe whose work is within bounds. NULL when nothing could be prepared. */
typedef struct pfx_prefetch pfx_prefetch;
pfx_prefetch *pfx_prefetch_start(PKCS12 *p12, const char *pw);
/* Waits for what still runs and frees every result the walk did not take. NULL is fine. */
void pfx_prefetch_free(pfx_prefetch *pre);

/* PKCS12_parse for a file whose MAC was already checked with pw (NULL: the empty password's encoding):
 * fills out's key, certificate (the key's, else the first) and chain. 1; 0 unreadable, out partly filled;
 * -1 when an encrypted part asks for more work than allowed (err filled, nothing decrypted with it).
 * pre (from pfx_prefetch_start with the same p12 and pw, or NULL): decryptions already under way; one walk
 * takes its results, a second needs a new one or none. */
int pfx_parse_verified(PKCS12 *p12, const char *pw, pfx_prefetch *pre, ecm_identity *out, ecm_error *err);

#endif
