/* What a command handler sees. One file per command under host/commands/; the table is host/commands/table.c.
 * The core (host/core/) calls only the lookup and the engine entry points declared at the end. */
#ifndef ECM_COMMAND_H
#define ECM_COMMAND_H

#include <cjson/cJSON.h>
#include "ecm/broker.h"
#include "ecm/config.h"
#include "ecm/core.h"
#include "ecm/error.h"
#include "ecm/session.h"

typedef struct ecm_ctx {
	const ecm_config *config;      /* the broker's profile the request is for (docs/protocol.md "Which broker"),
	                                * or the global settings alone when it is for none */
	const ecm_brokers *brokers;    /* every installed broker: for the commands that span them (expiry, sign) */
	const ecm_error *config_error; /* set when the configuration file was bad */
	ecm_session *session;          /* login state of this connection */
	const cJSON *id;               /* the request's id, echoed in progress events */
	ecm_emit_fn emit;
	void *emit_user;
} ecm_ctx;

/* Fills result (an empty object) and returns ECM_OK, or returns ecm_fail(err, ...). */
typedef ecm_code (*ecm_handler_fn)(ecm_ctx *ctx, const cJSON *args, cJSON *result, ecm_error *err);

/* The arguments a command takes, declared once, beside its handler: one row per argument says its name, type
 * and limit, and whether it is required or secret (flags or'ed into the type). The core checks them before the
 * handler runs (names, types, lengths, nested objects too; then, once the command may run, the required ones): a
 * misspelt, wrongly typed or missing argument is BAD_REQUEST with details.field, never silently ignored. The
 * `ecm` CLI takes the secret ones from a prompt or --FIELD-file, never from argv. */
typedef enum {
	ECM_ARG_STRING = 1,
	ECM_ARG_BOOL,
	ECM_ARG_INT,
	ECM_ARG_OBJECT,      /* its own fields in .fields */
	ECM_ARG_STRING_LIST, /* at most ECM_ARG_ITEMS_MAX strings */
	ECM_ARG_STRING_MAP,  /* an object of at most ECM_ARG_ITEMS_MAX string values, any names (store ids) */
} ecm_arg_type;

#define ECM_ARG_TYPE_MASK 0xffu
#define ECM_ARG_REQUIRED 0x100u /* must be given (not null; a string not empty) */
#define ECM_ARG_SECRET 0x200u   /* a password or an OTP (a map: each value is one) */

typedef struct ecm_arg_spec {
	const char *name;                  /* NULL ends a list */
	unsigned type;                     /* an ecm_arg_type, ECM_ARG_REQUIRED and ECM_ARG_SECRET or'ed in */
	size_t max_len;                    /* strings (also in lists and maps): most bytes; 0: only the frame's limit */
	const struct ecm_arg_spec *fields; /* ECM_ARG_OBJECT */
} ecm_arg_spec;

#define ECM_ARG_END { NULL, 0, 0, NULL }
#define ECM_ARG_ITEMS_MAX 1024
#define ECM_ARG_PATH_MAX 4096   /* a path (PATH_MAX on Linux) */
#define ECM_ARG_SECRET_MAX 1024 /* a password */
#define ECM_ARG_NAME_MAX 256    /* an id, a serial, a version, a mode */

/* BAD_REQUEST naming the first field that spec does not allow (args may be NULL: nothing given). */
ecm_code ecm_args_check(const ecm_arg_spec *spec, const cJSON *args, ecm_error *err);
/* BAD_REQUEST naming the first required field args lacks (in an object only when that object is given). */
ecm_code ecm_args_check_required(const ecm_arg_spec *spec, const cJSON *args, ecm_error *err);

/* A secret field of a spec, by its dotted path ("backup.password"). */
typedef struct ecm_arg_secret {
	char path[64];
	int is_map; /* ECM_ARG_STRING_MAP: a value per store, not one to prompt for */
} ecm_arg_secret;
/* The secret fields of spec, at most max of them into out; returns how many. */
size_t ecm_args_secrets(const ecm_arg_spec *spec, ecm_arg_secret *out, size_t max);

enum {
	ECM_CMD_NEEDS_LOGIN = 1u << 0,  /* refused with NOT_LOGGED_IN before the handler runs */
	ECM_CMD_NEEDS_SERVER = 1u << 1, /* refused with CONFIG_MISSING / CONFIG_INVALID when no RA is configured */
	ECM_CMD_ENDS_LOGIN = 1u << 2,   /* the previous login ends before anything is checked (login) */
	ECM_CMD_ALWAYS = 1u << 3,       /* served even when the configuration file is invalid (hello reports it) */
	ECM_CMD_LOCAL_ONLY = 1u << 4,   /* the `ecm` command line's only: a core serving a browser answers
	                                 * UNKNOWN_COMMAND (it reads files the caller names, contacts their servers) */
	ECM_CMD_NEEDS_BROKER = 1u << 5, /* acts for one broker: CHOOSE_BROKER when several are installed and the
	                                 * request names none (and its connection is logged in at none) */
};

typedef struct ecm_command {
	const char *name;
	ecm_handler_fn run;
	unsigned flags;
	const ecm_arg_spec *args; /* the arguments it takes; NULL: none */
} ecm_command;


/* Sends {"id":…,"progress":{"step":step,"done":done,"total":total}}. */
void ecm_progress(ecm_ctx *ctx, const char *step, int done, int total);

/* Argument readers: each returns ECM_OK or BAD_REQUEST naming the field. A missing field leaves *out (whether it
 * may be missing is the spec's to say: ECM_ARG_REQUIRED). */
ecm_code ecm_arg_string(const cJSON *args, const char *name, const char **out, ecm_error *err);
/* ECM_ARG_REQUIRED's rule for a field whose need depends on another (sign: origin, unless self_test). */
ecm_code ecm_arg_require(const cJSON *args, const char *name, ecm_error *err);
ecm_code ecm_arg_bool(const cJSON *args, const char *name, int *out, ecm_error *err);
ecm_code ecm_arg_int(const cJSON *args, const char *name, long min, long max, long *out, ecm_error *err);
ecm_code ecm_arg_object(const cJSON *args, const char *name, const cJSON **out, ecm_error *err);
ecm_code ecm_arg_string_array(const cJSON *args, const char *name, const cJSON **out, ecm_error *err);

/* The table (host/commands/table.c, or a test's own). ecm_command_find: NULL with err set, UNKNOWN_COMMAND or
 * INTERNAL when the engine holding it cannot be loaded. */
const ecm_command *ecm_command_find(const char *name, ecm_error *err);
/* Every command's name, without loading anything: NULL past the end. */
const char *ecm_command_name(size_t index);
/* The command at index (loads the engine when it lives there); NULL past the end or with err set. */
const ecm_command *ecm_command_at(size_t index, ecm_error *err);

/* The engine entry points (host/core/engine.c). ecm_engine_command: an engine command by its symbol, NULL with err
 * set when libecm-engine.so cannot be loaded; ecm_engine_shutdown: releases NSS and curl if the engine started
 * them, through the engine's own ecm_engine_release (host/commands/engine.c). */
const ecm_command *ecm_engine_command(const char *symbol, ecm_error *err);
void ecm_engine_shutdown(void);
void ecm_engine_release(void);

#endif
