/* The one table from command name to handler, up here with the commands so that the core knows none of them (it
 * calls ecm_command_find, declared in ecm/command.h). Unknown names are refused in one place: ecm_command_find.
 * Part of the light front ends: where the engine is loaded at run time (ECM_ENGINE_DLOPEN) its commands are
 * looked up in it on first use. A test may link a table of its own instead (tests/unit/test_table.c). */
#include <stdio.h>
#include <string.h>

#include "ecm/utf8.h"
#include "ecm/command.h"
#include "commands.h"

#define ECM_NAME(name) #name,
static const char *const names[] = { ECM_LIGHT_COMMANDS(ECM_NAME) ECM_ENGINE_COMMANDS(ECM_NAME) };
#undef ECM_NAME

#define ECM_LINKED(name) &ecm_cmd_##name,
#ifdef ECM_ENGINE_DLOPEN
#define ECM_LATER(name) NULL,
#else
#define ECM_LATER(name) &ecm_cmd_##name,
#endif
/* Filled on first use where the engine is loaded at run time. */
static const ecm_command *table[] = { ECM_LIGHT_COMMANDS(ECM_LINKED) ECM_ENGINE_COMMANDS(ECM_LATER) };
#undef ECM_LINKED
#undef ECM_LATER

#define COMMAND_COUNT (sizeof(names) / sizeof(names[0]))

static const ecm_command *
resolve(size_t i, ecm_error *err)
{
#ifdef ECM_ENGINE_DLOPEN
	char symbol[64];

	if (table[i] == NULL) {
		snprintf(symbol, sizeof(symbol), "ecm_cmd_%s", names[i]);
		table[i] = ecm_engine_command(symbol, err);
	}
#else
	(void)err;
#endif
	return table[i];
}

const ecm_command *
ecm_command_find(const char *name, ecm_error *err)
{
	size_t i;

	for (i = 0; i < COMMAND_COUNT; i++)
		if (strcmp(names[i], name) == 0)
			return resolve(i, err);
	ecm_fail(err, ECM_UNKNOWN_COMMAND, "unknown command \"%.*s\"", ecm_utf8_prec(name, 64), name);
	return NULL;
}

const char *
ecm_command_name(size_t index)
{
	return index < COMMAND_COUNT ? names[index] : NULL;
}

const ecm_command *
ecm_command_at(size_t index, ecm_error *err)
{
	const ecm_command *c;
	ecm_error ignored;

	if (index >= COMMAND_COUNT)
		return NULL;
	ecm_error_init(&ignored);
	c = resolve(index, err != NULL ? err : &ignored);
	ecm_error_clear(&ignored);
	return c;
}
