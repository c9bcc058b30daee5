/* ecm: the command line for support staff and scripts, over the same core as the browser host. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecm/command.h"
#include "ecm/core.h"
#include "ecm/secmem.h"
#include "ecm/platform.h"
#include "cli.h"

static void
usage(FILE *out)
{
	const char *name;
	size_t i;

	fprintf(out, "usage: ecm session            JSON requests on stdin, one per line\n"
		     "       ecm [--broker ID] COMMAND [--field value …] [--id ID] [--password-file F]\n"
		     "       ecm --version | help\n\ncommands:");
	for (i = 0; (name = ecm_command_name(i)) != NULL; i++)
		fprintf(out, " %s", name);
	fprintf(out, "\n");
	for (i = 0; ecm_cli_flows[i].name != NULL; i++)
		fprintf(out, "  ecm %s\n", ecm_cli_flows[i].usage);
	fprintf(out, "Secrets are asked for on the terminal, or read from --password-file / --FIELD-file.\n");
}

static int
run(ecm_cli *cli, int argc, char **argv)
{
	size_t i;

	if (strcmp(argv[0], "session") == 0)
		return ecm_cli_session(cli);
	for (i = 0; ecm_cli_flows[i].name != NULL; i++)
		if (strcmp(argv[0], ecm_cli_flows[i].name) == 0)
			return ecm_cli_flows[i].run(cli, argc, argv);
	return ecm_cli_generic(cli, argc, argv);
}

int
main(int argc, char **argv)
{
	ecm_cli cli = { NULL, 0, NULL };
	ecm_error err;
	int rc;

	ecm_secure_process(); /* first: no core dumps, no ptrace, wiping allocators */
	(void)ecm_platform_utf8_args(&argc, &argv); /* Windows: 王小明.pfx, not ???.pfx */
	if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("ecm %s (protocol %d)\n", ECM_VERSION, ECM_PROTOCOL_VERSION);
		return 0;
	}
	ecm_platform_stdio_init();
	ecm_error_init(&err);
	cli.core = ecm_core_new(&err);
	if (cli.core == NULL) {
		fprintf(stderr, "ecm: %s\n", err.message);
		return 1;
	}
	cli.quiet = getenv("ECM_QUIET") != NULL;
	if (argc > 3 && strcmp(argv[1], "--broker") == 0) {
		cli.broker = argv[2];
		argc -= 2;
		argv += 2;
	}
	rc = run(&cli, argc - 1, argv + 1);
	ecm_core_free(cli.core);
	return rc;
}
