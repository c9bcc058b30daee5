/* The RA client as commands see it (include/ecm/ra.h). Linked whole (ecm tests, fuzzers, Safari, Windows, macOS):
 * straight to the transport's table. In the engine on Linux (ECM_RA_DLOPEN): the transport is libecm-ra.so, loaded
 * beside the engine on the first request, so that commands that never talk to the RA (import, install, list,
 * backup, sign…) never map libcurl and the two dozen libraries Debian's libcurl brings (docs/performance.md).
 * Its path comes from where the engine itself was loaded (dladdr), never from the environment. */
#include <stdlib.h>
#include <string.h>

#include "ecm/util.h"
#include "entry.h"

#ifdef ECM_RA_DLOPEN
#include <dlfcn.h>

#define RA_FILE "libecm-ra.so"

static const ecm_ra_entry_points *loaded;

/* libecm-ra.so in the folder this engine was loaded from. */
static char *
transport_path(void)
{
	Dl_info self;
	char *dir, *path;

	if (dladdr((void *)&transport_path, &self) == 0 || self.dli_fname == NULL)
		return NULL;
	dir = ecm_dir_of(self.dli_fname);
	path = dir != NULL ? ecm_path_join(dir, RA_FILE) : NULL;
	free(dir);
	return path;
}

static const ecm_ra_entry_points *
entry(ecm_error *err)
{
	char *path;
	void *lib;

	if (loaded != NULL)
		return loaded;
	path = transport_path();
	if (path == NULL) {
		ecm_fail(err, ECM_INTERNAL, "cannot locate %s", RA_FILE);
		return NULL;
	}
	lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	loaded = lib != NULL ? dlsym(lib, ECM_RA_ENTRY_SYMBOL) : NULL;
	if (loaded == NULL) {
		ecm_error_detail_str(err, "path", path);
		ecm_fail(err, ECM_INTERNAL, "cannot load %s: %s", path, lib == NULL ? dlerror() : "no entry points");
	}
	free(path);
	/* No dlclose: the session's connection (session->ra) and curl's exit handlers live in it. */
	return loaded;
}

void
ecm_ra_global_cleanup(void)
{
	if (loaded != NULL)
		loaded->cleanup();
}

#else

static const ecm_ra_entry_points *
entry(ecm_error *err)
{
	(void)err;
	return &ecm_ra_entry;
}

void
ecm_ra_global_cleanup(void)
{
	ecm_ra_entry.cleanup();
}

#endif

ecm_code
ecm_ra_api(ecm_session *session, const ecm_config *cfg, const ecm_ra_auth *auth, const char *method,
    const char *path, const cJSON *body, cJSON **out, ecm_error *err)
{
	const ecm_ra_entry_points *e = entry(err);

	*out = NULL;
	return e != NULL ? e->api(session, cfg, auth, method, path, body, out, err) : err->code;
}

ecm_code
ecm_ra_est_enroll(ecm_session *session, const ecm_config *cfg, const ecm_ra_auth *auth,
    const ecm_ra_enroll *req, STACK_OF(X509) **certs, ecm_error *err)
{
	const ecm_ra_entry_points *e = entry(err);

	*certs = NULL;
	return e != NULL ? e->est_enroll(session, cfg, auth, req, certs, err) : err->code;
}

ecm_code
ecm_ra_raw_exchange(ecm_session *session, const ecm_config *cfg, const ecm_ra_auth *auth,
    const ecm_ra_raw_request *rq, ecm_ra_raw *out, ecm_error *err)
{
	const ecm_ra_entry_points *e = entry(err);

	memset(out, 0, sizeof(*out));
	out->retry_after = -1;
	return e != NULL ? e->raw(session, cfg, auth, rq, out, err) : err->code;
}

void
ecm_ra_raw_free(ecm_ra_raw *raw)
{
	free(raw->body);
	memset(raw, 0, sizeof(*raw));
}
