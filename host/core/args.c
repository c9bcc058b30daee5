#include <math.h>

#include "ecm/command.h"

static ecm_code
wrong_type(ecm_error *err, const char *name, const char *want)
{
	ecm_error_detail_str(err, "field", name);
	return ecm_fail(err, ECM_BAD_REQUEST, "\"%s\" must be %s", name, want);
}

static const cJSON *
field(const cJSON *args, const char *name)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(args, name);

	return cJSON_IsNull(item) ? NULL : item;
}

ecm_code
ecm_arg_string(const cJSON *args, const char *name, int required, const char **out, ecm_error *err)
{
	const cJSON *item = field(args, name);

	if (item == NULL)
		return required ? wrong_type(err, name, "given") : ECM_OK;
	if (!cJSON_IsString(item))
		return wrong_type(err, name, "a string");
	if (required && item->valuestring[0] == '\0')
		return wrong_type(err, name, "a non-empty string");
	*out = item->valuestring;
	return ECM_OK;
}

ecm_code
ecm_arg_bool(const cJSON *args, const char *name, int *out, ecm_error *err)
{
	const cJSON *item = field(args, name);

	if (item == NULL)
		return ECM_OK;
	if (!cJSON_IsBool(item))
		return wrong_type(err, name, "true or false");
	*out = cJSON_IsTrue(item);
	return ECM_OK;
}

ecm_code
ecm_arg_int(const cJSON *args, const char *name, long min, long max, long *out, ecm_error *err)
{
	const cJSON *item = field(args, name);

	if (item == NULL)
		return ECM_OK;
	if (!cJSON_IsNumber(item) || floor(item->valuedouble) != item->valuedouble ||
	    item->valuedouble < (double)min || item->valuedouble > (double)max)
		return wrong_type(err, name, "a whole number in range");
	*out = (long)item->valuedouble;
	return ECM_OK;
}

ecm_code
ecm_arg_object(const cJSON *args, const char *name, int required, const cJSON **out, ecm_error *err)
{
	const cJSON *item = field(args, name);

	if (item == NULL)
		return required ? wrong_type(err, name, "given") : ECM_OK;
	if (!cJSON_IsObject(item))
		return wrong_type(err, name, "an object");
	*out = item;
	return ECM_OK;
}

ecm_code
ecm_arg_string_array(const cJSON *args, const char *name, const cJSON **out, ecm_error *err)
{
	const cJSON *item = field(args, name), *e;

	if (item == NULL)
		return ECM_OK;
	if (!cJSON_IsArray(item))
		return wrong_type(err, name, "a list of strings");
	cJSON_ArrayForEach(e, item)
		if (!cJSON_IsString(e))
			return wrong_type(err, name, "a list of strings");
	*out = item;
	return ECM_OK;
}
