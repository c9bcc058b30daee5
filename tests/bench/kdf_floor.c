/* kdf_floor ITERATIONS: one PBKDF2-HMAC-SHA256 of ITERATIONS (a 32-byte key, as AES-256 takes) by each library
 * the engine links, timed alone: "openssl=<wall s> nss=<wall s>". Reading a .pfx costs two of these and a MAC;
 * with them run at once the fastest possible read is about one, the floor `make bench` prints. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <nss.h>
#include <pk11pub.h>
#include <secoid.h>

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	static const char pw[] = "Bench-Pass-1";
	unsigned char salt[16] = "kdf-floor-salt!", key[32];
	SECItem s = { siBuffer, salt, sizeof(salt) }, p = { siBuffer, (unsigned char *)pw, sizeof(pw) - 1 };
	int iter = argc > 1 ? atoi(argv[1]) : 600000;
	SECAlgorithmID *alg;
	PK11SlotInfo *slot;
	PK11SymKey *k;
	double t, ossl, nss;

	t = now();
	if (PKCS5_PBKDF2_HMAC(pw, (int)strlen(pw), salt, sizeof(salt), iter, EVP_sha256(), sizeof(key), key) != 1)
		return 1;
	ossl = now() - t;
	if (NSS_NoDB_Init(NULL) != SECSuccess || (slot = PK11_GetInternalSlot()) == NULL)
		return 1;
	alg = PK11_CreatePBEV2AlgorithmID(SEC_OID_PKCS5_PBKDF2, SEC_OID_HMAC_SHA256, SEC_OID_HMAC_SHA256,
	    sizeof(key), iter, &s);
	t = now();
	k = alg != NULL ? PK11_PBEKeyGen(slot, alg, &p, PR_FALSE, NULL) : NULL;
	if (k == NULL || PK11_ExtractKeyValue(k) != SECSuccess || PK11_GetKeyData(k)->len != sizeof(key) ||
	    memcmp(PK11_GetKeyData(k)->data, key, sizeof(key)) != 0)
		return 1; /* both must derive the same key, or one of the timings is of something else */
	nss = now() - t;
	printf("openssl=%.4f nss=%.4f\n", ossl, nss);
	PK11_FreeSymKey(k);
	SECOID_DestroyAlgorithmID(alg, PR_TRUE);
	PK11_FreeSlot(slot);
	return NSS_Shutdown() == SECSuccess ? 0 : 1;
}
