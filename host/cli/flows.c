/* Guided flows with their own dialogue. Every other subcommand goes through ecm_cli_generic. */
#include <stddef.h>

#include "cli.h"

int ecm_cli_apply(ecm_cli *cli, int argc, char **argv); /* host/cli/enroll_flow.c */
int ecm_cli_renew(ecm_cli *cli, int argc, char **argv);
int ecm_cli_install(ecm_cli *cli, int argc, char **argv); /* host/cli/install_flow.c */
int ecm_cli_ra_check(ecm_cli *cli, int argc, char **argv); /* host/cli/ra_check.c */

const ecm_cli_flow ecm_cli_flows[] = {
	{ "apply", "apply --id ID [--password-file F] [--backup-path P] [--backup-password-file F] [--otp-file F] "
		   "[--accept-terms] [--wait-approval] [--overwrite] [--compat] [--replace-existing]", ecm_cli_apply },
	{ "renew", "renew --id ID [same as apply] [--current-pfx P --current-password-file F]", ecm_cli_renew },
	{ "install", "install [--stores ID,ID…] [--store-passwords-file F]   (F: STORE-ID<TAB>PASSWORD lines)",
	  ecm_cli_install },
	{ "brokers", "brokers   (the installed broker profiles, and the files left out: exit status 1 when any)",
	  ecm_cli_brokers },
	{ "ra-check", "ra-check --profile FILE [--id ID --password-file F] [--otp-file F]", ecm_cli_ra_check },
	{ NULL, NULL, NULL },
};
