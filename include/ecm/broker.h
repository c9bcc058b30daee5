/* The installed brokers: one profile each (docs/protocol.md "Which broker"), read by host/core/brokers.c from the
 * profile folders and the configuration file. Each profile is a whole ecm_config (global settings from the
 * configuration file, the broker's own from the profile), so a command given a broker's profile as its
 * configuration sees that broker only. */
#ifndef ECM_BROKER_H
#define ECM_BROKER_H

#include <stddef.h>
#include "ecm/config.h"

typedef struct ecm_brokers {
	ecm_config *v; /* in load order: the configuration file's first, then each folder's sorted by file name */
	size_t n;
	struct cJSON *problems; /* [{file, key|null, message}]: the profiles left out */
} ecm_brokers;

/* Reads $ECM_BROKERS_DIR when set, else the system-wide then the per-user folder of profiles, after the
 * configuration file's own broker (when it names an RA). Never fails: a bad file is a problem, left out. */
void ecm_brokers_load(ecm_brokers *b, const ecm_config *main);
void ecm_brokers_free(ecm_brokers *b);
const ecm_config *ecm_brokers_find(const ecm_brokers *b, const char *id);
/* The broker whose sign_origins hold origin exactly; NULL when none. */
const ecm_config *ecm_brokers_for_origin(const ecm_brokers *b, const char *origin);
/* {"zh-TW": …, "en": …} */
struct cJSON *ecm_broker_names(const ecm_config *broker);
/* {id, name}: how a broker is named in a reply (CHOOSE_BROKER's list, expiry's entries). */
struct cJSON *ecm_broker_ref(const ecm_config *broker);
/* hello's brokers[] entry: id, name, origins, revoke_url, renew_days, icon (whether there is one: broker_icon). */
struct cJSON *ecm_broker_describe(const ecm_config *broker);

#endif
