/* Every command handler, one file each in this folder. Listed in host/core/commands.c. */
#ifndef ECM_COMMANDS_H
#define ECM_COMMANDS_H

#include "ecm/command.h"

extern const ecm_command ecm_cmd_hello;
extern const ecm_command ecm_cmd_logout;
extern const ecm_command ecm_cmd_login;
extern const ecm_command ecm_cmd_terms;
extern const ecm_command ecm_cmd_otp_request;
extern const ecm_command ecm_cmd_list;
extern const ecm_command ecm_cmd_revoke_url;
extern const ecm_command ecm_cmd_apply;
extern const ecm_command ecm_cmd_renew;
/* stores (host/store/) */
extern const ecm_command ecm_cmd_stores;
extern const ecm_command ecm_cmd_query;
extern const ecm_command ecm_cmd_import;
extern const ecm_command ecm_cmd_backup;
extern const ecm_command ecm_cmd_install;
extern const ecm_command ecm_cmd_cleanup;
extern const ecm_command ecm_cmd_pick_file;

#endif
