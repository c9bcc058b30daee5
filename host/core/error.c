#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ecm/error.h"
#include "ecm/utf8.h"

static const char *const code_names[] = {
#define ECM_CODE_NAME(name, text) #name,
	ECM_CODE_LIST(ECM_CODE_NAME)
#undef ECM_CODE_NAME
};

static const char *const code_texts[] = {
#define ECM_CODE_TEXT(name, text) text,
	ECM_CODE_LIST(ECM_CODE_TEXT)
#undef ECM_CODE_TEXT
};

const char *
ecm_code_name(ecm_code code)
{
	if ((int)code < 0 || code >= ECM_CODE_COUNT)
		return "INTERNAL";
	return code_names[code];
}

const char *
ecm_code_text(ecm_code code)
{
	if ((int)code < 0 || code >= ECM_CODE_COUNT)
		return code_texts[ECM_INTERNAL];
	return code_texts[code];
}

void
ecm_error_init(ecm_error *err)
{
	err->code = ECM_OK;
	err->message[0] = '\0';
	err->details = NULL;
}

void
ecm_error_clear(ecm_error *err)
{
	cJSON_Delete(err->details);
	ecm_error_init(err);
}

ecm_code
ecm_fail(ecm_error *err, ecm_code code, const char *fmt, ...)
{
	char full[sizeof(err->message) * 4]; /* longer than any message kept: the cut is never in the copy */
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(full, sizeof(full), fmt, ap);
	va_end(ap);
	/* A message carries request and RA text: cut on a character boundary, ill-formed bytes replaced. */
	ecm_utf8_copy(err->message, sizeof(err->message), full, strlen(full));
	err->code = code;
	return code;
}

static cJSON *
details_object(ecm_error *err)
{
	if (err->details == NULL)
		err->details = cJSON_CreateObject();
	return err->details;
}

void
ecm_error_detail_str(ecm_error *err, const char *key, const char *value)
{
	cJSON *d = details_object(err);
	char *valid;

	if (d == NULL || value == NULL)
		return;
	valid = ecm_utf8_dup(value);
	cJSON_DeleteItemFromObjectCaseSensitive(d, key);
	cJSON_AddStringToObject(d, key, valid != NULL ? valid : "");
	free(valid);
}

void
ecm_error_detail_num(ecm_error *err, const char *key, double value)
{
	cJSON *d = details_object(err);

	if (d != NULL) {
		cJSON_DeleteItemFromObjectCaseSensitive(d, key);
		cJSON_AddNumberToObject(d, key, value);
	}
}
