/* The engine's one entry and one exit: the wiping allocators before its commands run, and giving back what its
 * commands initialised on first use. */
#include "ecm/ra.h"
#include "ecm/secmem.h"
#include "ecm/store.h"
#include "commands.h"

/* Runs when the engine is loaded (dlopen by ecm-host) or, linked whole (ecm), before main. cJSON has one
 * instance per process and the core set its hooks already: this is a no-op unless a front end loads the engine
 * without the core's wipe_alloc.o. OpenSSL is left with its own allocator: our code hands it memory from
 * malloc (ecm_read_file) and frees with OPENSSL_clear_free, which a header-tracking allocator cannot take;
 * its PKCS#12 code clears the password copies it makes (OPENSSL_clear_free in PKCS12_key_gen_utf8). */
__attribute__((constructor)) static void
engine_start(void)
{
	ecm_wipe_alloc_install();
}

void
ecm_engine_release(void)
{
	ecm_store_shutdown();
	ecm_ra_global_cleanup();
}
