/* Commands that take a .pfx from the request (query, import). */
#ifndef ECM_PFX_ARGS_H
#define ECM_PFX_ARGS_H

#include "ecm/command.h"
#include "ecm/crypto.h"

/* {path | data (base64), password} -> identity. PFX_WRONG_PASSWORD / PFX_INVALID / FILE_* / BAD_REQUEST. */
ecm_code pfx_from_args(const cJSON *args, ecm_identity *out, ecm_error *err);
/* The fields pfx_from_args reads, for a command's declared arguments. */
#define PFX_ARGS \
	{ "path", ECM_ARG_STRING, ECM_ARG_PATH_MAX, NULL }, \
	{ "data", ECM_ARG_STRING, 0, NULL }, \
	{ "password", ECM_ARG_STRING | ECM_ARG_SECRET, ECM_ARG_SECRET_MAX, NULL }

#endif
