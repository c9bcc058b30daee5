/* Where engine commands come from. Linked whole (ecm, tests, Safari): directly. In ecm-host on Linux
 * (ECM_ENGINE_DLOPEN): from libecm-engine.so beside the executable, loaded on the first command that needs it.
 * The path comes from /proc/self/exe only — never from the environment or the working folder. */
#include <stdlib.h>

#include "ecm/util.h"
#include "../commands/commands.h"

#ifdef ECM_ENGINE_DLOPEN
#include <dlfcn.h>

#define ENGINE_FILE "libecm-engine.so"

static void *engine;

static ecm_code
load_engine(ecm_error *err)
{
	char *dir, *path;

	if (engine != NULL)
		return ECM_OK;
	dir = ecm_exe_dir();
	path = dir ? ecm_path_join(dir, ENGINE_FILE) : NULL;
	free(dir);
	if (path == NULL)
		return ecm_fail(err, ECM_INTERNAL, "cannot locate %s", ENGINE_FILE);
	/* Debian's libcurl brings GnuTLS along (through libldap and librtmp) though its TLS is OpenSSL's; unless
	 * told not to, GnuTLS initialises itself as it is loaded (ASN.1 trees, priorities): ~0.8 MiB of memory that
	 * nothing here uses (docs/performance.md). A caller's own setting is kept. */
	setenv("GNUTLS_NO_IMPLICIT_INIT", "1", 0);
	engine = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (engine == NULL) {
		ecm_error_detail_str(err, "path", path);
		ecm_fail(err, ECM_INTERNAL, "cannot load %s: %s", path, dlerror());
	}
	free(path);
	return engine != NULL ? ECM_OK : err->code;
}

const ecm_command *
ecm_engine_command(const char *symbol, ecm_error *err)
{
	const ecm_command *c;

	if (load_engine(err) != ECM_OK)
		return NULL;
	c = dlsym(engine, symbol);
	if (c == NULL)
		ecm_fail(err, ECM_INTERNAL, "%s has no %s", ENGINE_FILE, symbol);
	return c;
}

void
ecm_engine_shutdown(void)
{
	void (*release)(void);

	if (engine == NULL)
		return;
	*(void **)&release = dlsym(engine, "ecm_engine_release");
	if (release != NULL)
		release();
	/* No dlclose: NSS and OpenSSL register exit handlers that live in the engine's libraries. */
}

#else

void
ecm_engine_shutdown(void)
{
	ecm_engine_release();
}

#endif
