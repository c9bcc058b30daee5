/* Private to host/crypto/: the work bounds of a .pfx read (pfx_bounds.c), checked by pfx.c before the work, and
 * the tasks that run a file's independent key derivations at once (pfx_tasks.c). */
#ifndef ECM_PFX_INT_H
#define ECM_PFX_INT_H

#include <pthread.h>

#include <openssl/pkcs12.h>

#include "ecm/error.h"

/* MAC, PBE and PBKDF2 iteration counts above this are refused (PFX_INVALID, details.reason "iterations"). Real
 * files use 2048 (old Windows) to 600 000 (ours); ten million already takes seconds. */
#define ECM_PFX_MAX_ITERATIONS 10000000

/* The MAC's iteration count, from the structure: call before PKCS12_verify_mac. */
ecm_code ecm_pfx_check_mac_work(const PKCS12 *p12, ecm_error *err);
/* One encrypted part's PBE, PBES2/PBKDF2 or scrypt parameters: call before decrypting with them. */
ecm_code ecm_pfx_check_alg_work(const X509_ALGOR *alg, ecm_error *err);

/* PBKDF2 by NSS where it is faster (pfx_kdf.c). pfx_kdf_ready on the caller's thread before tasks start;
 * pfx_kdf_forget once a file is read or written. */
void pfx_kdf_ready(void);
void pfx_kdf_forget(void);
/* A PBES2/PBKDF2/CBC part decrypted with NSS's PBKDF2: 1 (*out OPENSSL_malloc'd, *outlen bytes); 0 when it does
 * not decrypt; -1 when it is another kind, for OpenSSL's own functions. */
int pfx_pbes2_decrypt(const X509_ALGOR *alg, const char *pw, const ASN1_OCTET_STRING *in, unsigned char **out,
    int *outlen);
/* in encrypted as PKCS#12's PBES2 does it (cipher_nid, a random salt and IV, HMAC-SHA256), the key from NSS: 1 with
 * *alg and *out; 0 when it failed; -1 when cipher_nid is no PBES2 cipher or NSS is not there. */
int pfx_pbes2_encrypt(int cipher_nid, int iterations, const char *pw, const unsigned char *in, int inlen,
    X509_ALGOR **alg, ASN1_OCTET_STRING **out);

/* One derivation (and what it decrypts or encrypts) to run beside others: embedded first in a caller's struct. */
typedef struct pfx_task {
	void (*run)(struct pfx_task *);
	pthread_t thread;
	int started, finished;
} pfx_task;

/* At most this many tasks of one file run at once (also bounded by the cores online: pfx_task_slots). */
#define PFX_TASKS_MAX 8

int pfx_task_slots(void);
/* Starts t->run on a thread of its own; without one (none to be had), pfx_task_finish runs it. */
void pfx_task_start(pfx_task *t);
/* Waits for t (or runs it here): its results are then the caller's. Once only; later calls return at once. */
void pfx_task_finish(pfx_task *t);

#endif
