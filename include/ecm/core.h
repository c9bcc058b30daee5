/* The core: one entry point every front end (native host, `ecm`, Safari handler) calls. */
#ifndef ECM_CORE_H
#define ECM_CORE_H

#include <stddef.h>
#include "ecm/error.h"

#define ECM_VERSION "0.1.0"
#define ECM_PROTOCOL_VERSION 1

typedef struct ecm_core ecm_core;

/* Called for each progress event and once for the reply: one complete JSON object, not NUL-owned by the callee. */
typedef void (*ecm_emit_fn)(const char *message_json, size_t len, void *user);

/* Loads the configuration (a bad file is remembered and reported by every command that needs it).
 * Returns NULL only when out of memory. */
ecm_core *ecm_core_new(ecm_error *err);

/* This core answers a browser (ecm-host, the Safari handler): commands for the command line only
 * (ECM_CMD_LOCAL_ONLY) do not exist for it. */
void ecm_core_serve_browser(ecm_core *core);

/* Handles one request and emits its progress events and exactly one reply. Never fails: errors are replies. */
void ecm_core_handle(ecm_core *core, const char *request_json, size_t len, ecm_emit_fn emit, void *user);

/* Whether the configuration lets this caller in (Chrome origin or Firefox extension ID). */
int ecm_core_caller_allowed(const ecm_core *core, const char *caller);

/* Wipes the session's credentials and releases NSS and curl if a command loaded them. */
void ecm_core_free(ecm_core *core);

/* An error reply for a request that never reached the core (framing, caller check). Free with cJSON_free():
 * cJSON allocates through the wiping allocator (ecm/secmem.h). */
char *ecm_core_error_reply(ecm_code code, const char *message);

#endif
