#include <math.h>
#include <string.h>

#include "ecm/command.h"
#include "ecm/json.h"

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
ecm_arg_string(const cJSON *args, const char *name, const char **out, ecm_error *err)
{
	const cJSON *item = field(args, name);

	if (item == NULL)
		return ECM_OK;
	if (!cJSON_IsString(item))
		return wrong_type(err, name, "a string");
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
ecm_arg_object(const cJSON *args, const char *name, const cJSON **out, ecm_error *err)
{
	const cJSON *item = field(args, name);

	if (item == NULL)
		return ECM_OK;
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

/* ---- the declared arguments, checked in one place before any handler runs */

static ecm_code
refuse(ecm_error *err, const char *path, const char *why)
{
	ecm_error_detail_str(err, "field", path);
	return ecm_fail(err, ECM_BAD_REQUEST, "\"%s\" %s", path, why);
}

static ecm_code
check_string(const cJSON *item, size_t max_len, const char *path, ecm_error *err)
{
	if (!cJSON_IsString(item))
		return refuse(err, path, "must be a string");
	if (max_len != 0 && strlen(item->valuestring) > max_len)
		return refuse(err, path, "is too long");
	return ECM_OK;
}

static ecm_code check_object(const ecm_arg_spec *spec, const cJSON *obj, char *path, size_t cap, ecm_error *err);

static ecm_code
check_list(const cJSON *item, const ecm_arg_spec *s, int is_map, const char *path, ecm_error *err)
{
	const cJSON *e, *other;
	int n = 0;
	ecm_code rc;

	if (is_map ? !cJSON_IsObject(item) : !cJSON_IsArray(item))
		return refuse(err, path, is_map ? "must be an object of strings" : "must be a list of strings");
	cJSON_ArrayForEach(e, item) {
		if (++n > ECM_ARG_ITEMS_MAX)
			return refuse(err, path, "has too many entries");
		if ((rc = check_string(e, s->max_len, path, err)) != ECM_OK)
			return rc;
		for (other = item->child; is_map && other != e; other = other->next)
			if (strcmp(other->string, e->string) == 0)
				return refuse(err, path, "names an entry twice");
	}
	return ECM_OK;
}

static ecm_code
check_field(const ecm_arg_spec *s, const cJSON *item, char *path, size_t cap, ecm_error *err)
{
	if (cJSON_IsNull(item))
		return ECM_OK; /* null is "not given" (see field() above) */
	switch (s->type & ECM_ARG_TYPE_MASK) {
	case ECM_ARG_STRING:
		return check_string(item, s->max_len, path, err);
	case ECM_ARG_BOOL:
		return cJSON_IsBool(item) ? ECM_OK : refuse(err, path, "must be true or false");
	case ECM_ARG_INT:
		return cJSON_IsNumber(item) ? ECM_OK : refuse(err, path, "must be a number");
	case ECM_ARG_OBJECT:
		return cJSON_IsObject(item) ? check_object(s->fields, item, path, cap, err)
					    : refuse(err, path, "must be an object");
	case ECM_ARG_STRING_LIST:
		return check_list(item, s, 0, path, err);
	case ECM_ARG_STRING_MAP:
		return check_list(item, s, 1, path, err);
	}
	return refuse(err, path, "has no declared type");
}

/* Every member must be declared, once. A bit per declared field keeps duplicates O(n). */
static ecm_code
check_object(const ecm_arg_spec *spec, const cJSON *obj, char *path, size_t cap, ecm_error *err)
{
	unsigned long long seen = 0;
	size_t mark = strlen(path), i;
	const cJSON *item;
	ecm_code rc;

	cJSON_ArrayForEach(item, obj) {
		for (i = 0; spec != NULL && spec[i].name != NULL && strcmp(spec[i].name, item->string) != 0; i++)
			;
		ecm_json_path_append(path, cap, item->string);
		if (spec == NULL || spec[i].name == NULL)
			return refuse(err, path, "is not an argument of this command");
		if (i < 64 && (seen & (1ull << i)) != 0)
			return refuse(err, path, "is given twice");
		if (i < 64)
			seen |= 1ull << i;
		if ((rc = check_field(&spec[i], item, path, cap, err)) != ECM_OK)
			return rc;
		path[mark] = '\0';
	}
	return ECM_OK;
}

ecm_code
ecm_args_check(const ecm_arg_spec *spec, const cJSON *args, ecm_error *err)
{
	char path[256] = "";

	return args == NULL ? ECM_OK : check_object(spec, args, path, sizeof(path), err);
}

/* ---- required fields: checked once the command may run (after the login and server checks) */

/* The field is named by its leaf, with the words the handlers' own readers used when each checked this itself. */
ecm_code
ecm_arg_require(const cJSON *args, const char *name, ecm_error *err)
{
	const cJSON *item = field(args, name);

	if (item == NULL)
		return wrong_type(err, name, "given");
	if (cJSON_IsString(item) && item->valuestring[0] == '\0')
		return wrong_type(err, name, "a non-empty string");
	return ECM_OK;
}

static ecm_code
check_required(const ecm_arg_spec *spec, const cJSON *obj, ecm_error *err)
{
	const cJSON *item;
	ecm_code rc;

	for (; spec != NULL && spec->name != NULL; spec++) {
		item = field(obj, spec->name);
		if ((spec->type & ECM_ARG_REQUIRED) != 0 && (rc = ecm_arg_require(obj, spec->name, err)) != ECM_OK)
			return rc;
		if ((spec->type & ECM_ARG_TYPE_MASK) == ECM_ARG_OBJECT && cJSON_IsObject(item) &&
		    (rc = check_required(spec->fields, item, err)) != ECM_OK)
			return rc;
	}
	return ECM_OK;
}

ecm_code
ecm_args_check_required(const ecm_arg_spec *spec, const cJSON *args, ecm_error *err)
{
	return check_required(spec, args, err);
}

/* ---- secret fields, for the CLI: derived from the same rows */

static size_t
collect_secrets(const ecm_arg_spec *spec, char *path, size_t cap, ecm_arg_secret *out, size_t n, size_t max)
{
	size_t mark = strlen(path);

	for (; spec != NULL && spec->name != NULL && n < max; spec++) {
		ecm_json_path_append(path, cap, spec->name);
		if ((spec->type & ECM_ARG_SECRET) != 0 && strlen(path) < sizeof(out[n].path)) {
			memcpy(out[n].path, path, strlen(path) + 1);
			out[n++].is_map = (spec->type & ECM_ARG_TYPE_MASK) == ECM_ARG_STRING_MAP;
		}
		if ((spec->type & ECM_ARG_TYPE_MASK) == ECM_ARG_OBJECT)
			n = collect_secrets(spec->fields, path, cap, out, n, max);
		path[mark] = '\0';
	}
	return n;
}

size_t
ecm_args_secrets(const ecm_arg_spec *spec, ecm_arg_secret *out, size_t max)
{
	char path[256] = "";

	return collect_secrets(spec, path, sizeof(path), out, 0, max);
}
