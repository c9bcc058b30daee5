/* Every command, one file each in this folder; the table is table.c, here too.
 * Light commands need only the core. Engine commands need OpenSSL, curl or NSS: on Linux, ecm-host keeps them in
 * libecm-engine.so and loads it on first use, so that hello (every popup opening) stays cheap. */
#ifndef ECM_COMMANDS_H
#define ECM_COMMANDS_H

#include "ecm/command.h"

#define ECM_LIGHT_COMMANDS(X) \
	X(hello) \
	X(logout)

#define ECM_ENGINE_COMMANDS(X) \
	X(login) \
	X(terms) \
	X(otp_request) \
	X(list) \
	X(revoke_url) \
	X(broker_icon) \
	X(apply) \
	X(renew) \
	X(save_issued) \
	X(stores) \
	X(query) \
	X(expiry) \
	X(import) \
	X(backup) \
	X(install) \
	X(cleanup) \
	X(pick_file) \
	X(session) \
	X(sign) \
	X(ra_check)

#define ECM_DECLARE_COMMAND(name) extern const ecm_command ecm_cmd_##name;
ECM_LIGHT_COMMANDS(ECM_DECLARE_COMMAND)
ECM_ENGINE_COMMANDS(ECM_DECLARE_COMMAND)
#undef ECM_DECLARE_COMMAND

#endif
