/* The engine's one exit: give back what its commands initialised on first use. */
#include "ecm/ra.h"
#include "ecm/store.h"
#include "commands.h"

void
ecm_engine_release(void)
{
	ecm_store_shutdown();
	ecm_ra_global_cleanup();
}
