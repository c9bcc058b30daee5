/* Private to host/commands/: installing everywhere and removing the superseded certificate, with results as
 * protocol JSON — the commands' side of the store layer (store_results.c); include/ecm/store.h stays free of
 * replies. */
#ifndef ECM_INSTALL_H
#define ECM_INSTALL_H

#include <cjson/cJSON.h>

#include "ecm/config.h"
#include "ecm/store.h"

/* {"id","kind","browser","profile","path","primary","exists"} of one store (the `stores` reply). */
cJSON *ecm_store_info_json(const ecm_store_info *info);

/* Where a command writes, as install, apply, renew and cleanup all take it (docs/protocol.md, Stores): `stores`,
 * the store ids to write to (absent: every store found), and `password_for`, {store id: password} for the
 * stores protected by one (a Firefox master password). Declared in each command's argument table. */
#define ECM_STORE_CHOICE_ARGS \
	{ "stores", ECM_ARG_STRING_LIST, ECM_ARG_PATH_MAX, NULL }, \
	{ "password_for", ECM_ARG_STRING_MAP | ECM_ARG_SECRET, ECM_ARG_SECRET_MAX, NULL }
/* Reads them (either may stay NULL). An empty `stores` would write nowhere: BAD_REQUEST (field "stores"). */
ecm_code ecm_store_choice_args(const cJSON *args, const cJSON **only_stores, const cJSON **passwords,
    ecm_error *err);
/* 1 when only_stores (NULL: all) names the store id. */
int ecm_store_chosen(const cJSON *only_stores, const char *id);
/* The password the request gives for store id, or NULL. */
const char *ecm_store_password_for(const cJSON *passwords, const char *id);

/* Installs id into every store found (only_stores: NULL or a JSON array of store ids; passwords: NULL or a JSON
 * object id -> store password). Appends one {"store","browser","profile","status","error"?} per store to
 * results. Fails only when nothing could be attempted (e.g. discovery failed); per-store failures are results. */
ecm_code ecm_install_everywhere(const ecm_config *cfg, const ecm_identity *id, const cJSON *only_stores,
    const cJSON *passwords, cJSON *results, ecm_error *err);
/* The same for an identity read from the store source_id: that store is reported already_present without
 * being opened again (each store is opened once per command). */
ecm_code ecm_install_from(const ecm_config *cfg, const ecm_identity *id, const char *source_id,
    const cJSON *only_stores, const cJSON *passwords, cJSON *results, ecm_error *err);

/* For renew: in every store where `installed` (the new certificate) is present now, remove `old` (passwords: as
 * ecm_install_everywhere). Appends {"store","serial"} for each removal to removed (may be NULL). */
ecm_code ecm_remove_superseded(const X509 *installed, const X509 *old, const cJSON *passwords, cJSON *removed,
    ecm_error *err);

#endif
