/* pick_file: the system's file dialog (include/ecm/platform.h: zenity or kdialog on Linux desktops, the common
 * dialog on Windows). {"path"}, CANCELLED, or NO_DIALOG. */
#include <stdlib.h>
#include <string.h>

#include "ecm/command.h"
#include "ecm/platform.h"

static ecm_code
run_pick_file(ecm_ctx *ctx, const cJSON *args, cJSON *result, ecm_error *err)
{
	const char *mode = "open", *start = NULL, *why = NULL;
	char *path = NULL;
	ecm_code rc;
	int status;

	if ((rc = ecm_arg_string(args, "mode", 0, &mode, err)) != ECM_OK ||
	    (rc = ecm_arg_string(args, "default_path", 0, &start, err)) != ECM_OK)
		return rc;
	if (strcmp(mode, "open") != 0 && strcmp(mode, "save") != 0) {
		ecm_error_detail_str(err, "field", "mode");
		return ecm_fail(err, ECM_BAD_REQUEST, "\"mode\" must be \"open\" or \"save\"");
	}
	status = ecm_platform_pick_file(strcmp(mode, "save") == 0, start, &path, &why);
	if (status == 0)
		cJSON_AddStringToObject(result, "path", path);
	else if (status == 1)
		rc = ecm_fail(err, ECM_CANCELLED, "the dialog was cancelled");
	else
		rc = ecm_fail(err, ECM_NO_DIALOG, "%s", why);
	free(path);
	return rc;
}

static const ecm_arg_spec args[] = {
	{ "mode", ECM_ARG_STRING, ECM_ARG_NAME_MAX, NULL },
	{ "default_path", ECM_ARG_STRING, ECM_ARG_PATH_MAX, NULL },
	ECM_ARG_END,
};

const ecm_command ecm_cmd_pick_file = { "pick_file", run_pick_file, 0, NULL, args };
