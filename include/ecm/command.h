/* What a command handler sees. One file per command under host/commands/; the table is host/core/commands.c. */
#ifndef ECM_COMMAND_H
#define ECM_COMMAND_H

#include <cjson/cJSON.h>
#include "ecm/config.h"
#include "ecm/core.h"
#include "ecm/error.h"
#include "ecm/session.h"

typedef struct ecm_ctx {
	const ecm_config *config;
	const ecm_error *config_error; /* set when the configuration file was bad */
	ecm_session *session;          /* login state of this connection */
	const cJSON *id;               /* the request's id, echoed in progress events */
	ecm_emit_fn emit;
	void *emit_user;
} ecm_ctx;

/* Fills result (an empty object) and returns ECM_OK, or returns ecm_fail(err, ...). */
typedef ecm_code (*ecm_handler_fn)(ecm_ctx *ctx, const cJSON *args, cJSON *result, ecm_error *err);

enum {
	ECM_CMD_NEEDS_LOGIN = 1u << 0,  /* refused with NOT_LOGGED_IN before the handler runs */
	ECM_CMD_NEEDS_SERVER = 1u << 1, /* refused with CONFIG_MISSING / CONFIG_INVALID when no RA is configured */
	ECM_CMD_ENDS_LOGIN = 1u << 2,   /* the previous login ends before anything is checked (login: even a
	                                 * refused one leaves nobody logged in) */
};

typedef struct ecm_command {
	const char *name;
	ecm_handler_fn run;
	unsigned flags;
	const char *const *secret_args; /* args the `ecm` CLI must prompt for, never take from argv; NULL-ended */
} ecm_command;

/* NULL with err set: UNKNOWN_COMMAND, or INTERNAL when the engine holding it cannot be loaded. */
const ecm_command *ecm_command_find(const char *name, ecm_error *err);
/* Every command's name, without loading anything: NULL past the end. */
const char *ecm_command_name(size_t index);
/* The command at index (loads the engine when it lives there); NULL past the end or with err set. */
const ecm_command *ecm_command_at(size_t index, ecm_error *err);

/* Sends {"id":…,"progress":{"step":step,"done":done,"total":total}}. */
void ecm_progress(ecm_ctx *ctx, const char *step, int done, int total);

/* Argument readers: each returns ECM_OK or BAD_REQUEST naming the field. A missing optional field leaves *out. */
ecm_code ecm_arg_string(const cJSON *args, const char *name, int required, const char **out, ecm_error *err);
ecm_code ecm_arg_bool(const cJSON *args, const char *name, int *out, ecm_error *err);
ecm_code ecm_arg_int(const cJSON *args, const char *name, long min, long max, long *out, ecm_error *err);
ecm_code ecm_arg_object(const cJSON *args, const char *name, int required, const cJSON **out, ecm_error *err);
ecm_code ecm_arg_string_array(const cJSON *args, const char *name, const cJSON **out, ecm_error *err);

#endif
