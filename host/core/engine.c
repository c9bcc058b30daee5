/* Where engine commands come from. Linked whole (tests, fuzzers, Safari, Windows, macOS): directly. In ecm-host
 * and ecm on Linux (ECM_ENGINE_DLOPEN): from libecm-engine.so, loaded on the first command that needs it, so
 * that hello and logout never map OpenSSL, curl or NSS, and so that libraries those drag in can be told not to
 * initialise before they are loaded. The engine is looked for beside the executable (ecm-host, and a build
 * tree) and then in ../lib/ecert-manager (ecm installed in bin/). Both paths come from /proc/self/exe only —
 * never from the environment or the working folder. */
#include <stdlib.h>

#include "ecm/command.h"
#include "ecm/util.h"

#ifdef ECM_ENGINE_DLOPEN
#include <dlfcn.h>
#include <unistd.h>

#define ENGINE_FILE "libecm-engine.so"

static void *engine;

/* Under the executable's folder: beside it (ecm-host; a build tree), then as installed for ecm in bin/. */
static const char *const engine_places[] = { ENGINE_FILE, "../lib/ecert-manager/" ENGINE_FILE };

/* The first of engine_places that exists; the first if none does, for the error to name. */
static char *
engine_path(void)
{
	char *dir = ecm_exe_dir(), *path = NULL;
	size_t i;

	if (dir == NULL)
		return NULL;
	for (i = 0; i < sizeof(engine_places) / sizeof(engine_places[0]) && path == NULL; i++) {
		path = ecm_path_join(dir, engine_places[i]);
		if (path != NULL && access(path, F_OK) != 0) {
			free(path);
			path = NULL;
		}
	}
	if (path == NULL)
		path = ecm_path_join(dir, engine_places[0]);
	free(dir);
	return path;
}

static ecm_code
load_engine(ecm_error *err)
{
	char *path;

	if (engine != NULL)
		return ECM_OK;
	path = engine_path();
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
