/* The `ecm` command line: support staff and scripts drive the same core the browser does. */
#ifndef ECM_CLI_H
#define ECM_CLI_H

#include <cjson/cJSON.h>
#include "ecm/core.h"

typedef struct ecm_cli {
	ecm_core *core;
	int quiet;          /* no progress lines on stderr */
	const char *broker; /* --broker ID: every request names this broker (docs/protocol.md "Which broker") */
} ecm_cli;

/* Sends one request through the core and returns its reply (caller deletes). args is consumed.
 * Progress events go to stderr as "step done/total". */
cJSON *ecm_cli_call(ecm_cli *cli, const char *cmd, cJSON *args);
int ecm_cli_reply_ok(const cJSON *reply);
const cJSON *ecm_cli_result(const cJSON *reply);
/* Prints "ecm: CODE: message" on stderr and returns 1. */
int ecm_cli_report_error(const cJSON *reply);

/* A secret from `file` (first line) when given, else from the terminal without echo. NULL on failure.
 * The result is ecm_secret memory: free with ecm_secret_free. */
char *ecm_cli_read_secret(const char *prompt, const char *file);
/* A visible answer from the terminal (malloc'd), NULL at end of input. */
char *ecm_cli_ask(const char *prompt);

/* The message in the user's language (host/cli/lang.c): zh-TW under a Chinese locale, else the English given.
 * format_arg: the compiler checks printf formats against the English literal. */
const char *ecm_cli_tr(const char *english) __attribute__((format_arg(1)));
/* y, yes, 是, 同意. */
int ecm_cli_yes(const char *answer);

/* Logs in with id and a password read per ecm_cli_read_secret. 0 or 1 (error printed). */
int ecm_cli_login(ecm_cli *cli, const char *national_id, const char *password_file);

/* A guided flow with its own dialogue (apply, renew, …): argv[0] is the subcommand. */
typedef struct ecm_cli_flow {
	const char *name;
	const char *usage;
	int (*run)(ecm_cli *cli, int argc, char **argv);
} ecm_cli_flow;

extern const ecm_cli_flow ecm_cli_flows[]; /* host/cli/flows.c; ends with a NULL name */

int ecm_cli_brokers(ecm_cli *cli, int argc, char **argv);   /* host/cli/brokers.c */
int ecm_cli_session(ecm_cli *cli);                          /* host/cli/session.c */
int ecm_cli_generic(ecm_cli *cli, int argc, char **argv);   /* host/cli/generic.c */

#endif
