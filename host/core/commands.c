/* The one table from command name to handler. Unknown names are refused in one place: ecm_command_find. */
#include <string.h>

#include "ecm/command.h"
#include "../commands/commands.h"

static const ecm_command *const table[] = {
	&ecm_cmd_hello,
	&ecm_cmd_logout,
	&ecm_cmd_login,
	&ecm_cmd_terms,
	&ecm_cmd_otp_request,
	&ecm_cmd_list,
	&ecm_cmd_revoke_url,
	&ecm_cmd_apply,
	&ecm_cmd_renew,
	&ecm_cmd_stores,
	&ecm_cmd_query,
	&ecm_cmd_import,
	&ecm_cmd_backup,
	&ecm_cmd_install,
	&ecm_cmd_cleanup,
	&ecm_cmd_pick_file,
};

const ecm_command *
ecm_command_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(table[i]->name, name) == 0)
			return table[i];
	return NULL;
}

const ecm_command *
ecm_command_at(size_t index)
{
	return index < sizeof(table) / sizeof(table[0]) ? table[index] : NULL;
}
