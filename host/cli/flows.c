/* Guided flows with their own dialogue. Every other subcommand goes through ecm_cli_generic. */
#include <stddef.h>

#include "cli.h"

const ecm_cli_flow ecm_cli_flows[] = {
	{ NULL, NULL, NULL },
};
