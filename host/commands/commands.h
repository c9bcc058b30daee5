/* Every command handler, one file each in this folder. Listed in host/core/commands.c. */
#ifndef ECM_COMMANDS_H
#define ECM_COMMANDS_H

#include "ecm/command.h"

extern const ecm_command ecm_cmd_hello;
extern const ecm_command ecm_cmd_logout;

#endif
