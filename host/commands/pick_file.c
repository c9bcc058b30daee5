/* pick_file: the system's file dialog (include/ecm/platform.h: zenity or kdialog on Linux desktops, the common
 * dialog on Windows). {"path"}, CANCELLED, NO_DIALOG, or FILE_NAME_NOT_UTF8: the reply is JSON, which carries
 * only UTF-8, and a name mended into U+FFFD would be a path that does not exist. */
#include <stdlib.h>
#include <string.h>

#include "ecm/command.h"
#include "ecm/platform.h"
#include "ecm/utf8.h"
#include "ecm/util.h"

/* The name as far as it is readable, the rest mended (details.shown), so that the person knows which file. */
static ecm_code
not_utf8(const char *path, ecm_error *err)
{
	char *shown = ecm_utf8_dup(ecm_base_name(path));

	ecm_error_detail_str(err, "shown", shown != NULL ? shown : "");
	free(shown);
	return ecm_fail(err, ECM_FILE_NAME_NOT_UTF8,
	    "the picked file's name is not valid UTF-8: rename it or pick another");
}

static ecm_code
run_pick_file(ecm_ctx *ctx, const cJSON *args, cJSON *result, ecm_error *err)
{
	const char *mode = "open", *start = NULL, *why = NULL;
	char *path = NULL, *resolved = NULL;
	ecm_code rc;
	int status;

	if ((rc = ecm_arg_string(args, "mode", &mode, err)) != ECM_OK ||
	    (rc = ecm_arg_string(args, "default_path", &start, err)) != ECM_OK)
		return rc;
	if (strcmp(mode, "open") != 0 && strcmp(mode, "save") != 0) {
		ecm_error_detail_str(err, "field", "mode");
		return ecm_fail(err, ECM_BAD_REQUEST, "\"mode\" must be \"open\" or \"save\"");
	}
	if (start != NULL && (resolved = ecm_user_path(start)) == NULL) /* the one rule for a typed path */
		return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	status = ecm_platform_pick_file(strcmp(mode, "save") == 0, resolved, &path, &why);
	free(resolved);
	if (status == 0 && !ecm_utf8_valid(path, strlen(path)))
		rc = not_utf8(path, err);
	else if (status == 0)
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

const ecm_command ecm_cmd_pick_file = { "pick_file", run_pick_file, 0, args };
