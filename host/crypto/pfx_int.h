/* Private to host/crypto/: the work bounds of a .pfx read (pfx_bounds.c), checked by pfx.c before the work. */
#ifndef ECM_PFX_INT_H
#define ECM_PFX_INT_H

#include <openssl/pkcs12.h>

#include "ecm/error.h"

/* MAC, PBE and PBKDF2 iteration counts above this are refused (PFX_INVALID, details.reason "iterations"). Real
 * files use 2048 (old Windows) to 600 000 (ours); ten million already takes seconds. */
#define ECM_PFX_MAX_ITERATIONS 10000000

/* The MAC's iteration count, from the structure: call before PKCS12_verify_mac. */
ecm_code ecm_pfx_check_mac_work(const PKCS12 *p12, ecm_error *err);
/* One encrypted part's PBE, PBES2/PBKDF2 or scrypt parameters: call before decrypting with them. */
ecm_code ecm_pfx_check_alg_work(const X509_ALGOR *alg, ecm_error *err);

#endif
