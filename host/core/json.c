#include <stdio.h>
#include <string.h>

#include "ecm/json.h"
#include "ecm/utf8.h"

#define NAME_SHOWN_MAX 64 /* bytes of a field name echoed in details.field */

static ecm_code
refuse(ecm_error *err, const char *field, const char *why)
{
	ecm_error_detail_str(err, "field", field);
	return ecm_fail(err, ECM_BAD_REQUEST, "%s", why);
}

void
ecm_json_path_append(char *path, size_t cap, const char *name)
{
	size_t used = strlen(path);

	if (used > 0 && used + 1 < cap) {
		path[used++] = '.';
		path[used] = '\0';
	}
	used += ecm_utf8_copy(path + used, cap - used, name, (size_t)ecm_utf8_prec(name, NAME_SHOWN_MAX));
	if (strlen(name) > NAME_SHOWN_MAX && used + 3 < cap)
		strcat(path, "\xE2\x80\xA6"); /* … */
}

/* Finds the first key or string that is not UTF-8 and names it (dotted path; "[i]" for list elements). */
static int
find_bad_utf8(const cJSON *item, char *path, size_t cap)
{
	const cJSON *child;
	size_t mark = strlen(path);
	int i = 0;

	for (child = item->child; child != NULL; child = child->next, i++) {
		if (child->string != NULL) {
			ecm_json_path_append(path, cap, child->string);
			if (!ecm_utf8_valid(child->string, strlen(child->string)))
				return 1;
		} else {
			char index[24];
			snprintf(index, sizeof(index), "[%d]", i);
			strncat(path, index, cap - strlen(path) - 1);
		}
		if (cJSON_IsString(child) && !ecm_utf8_valid(child->valuestring, strlen(child->valuestring)))
			return 1;
		if (find_bad_utf8(child, path, cap))
			return 1;
		path[mark] = '\0';
	}
	return 0;
}

/* A \u0000 escape: "\u0000" preceded by an odd run of backslashes (an even run is a literal backslash).
 * Outside strings cJSON would have refused the text already. */
static int
has_nul_escape(const char *text, size_t len)
{
	size_t i, back;

	for (i = 1; i + 5 <= len; i++) {
		if (text[i] != 'u' || strncmp(text + i + 1, "0000", 4) != 0)
			continue;
		for (back = 0; back < i && text[i - 1 - back] == '\\'; back++)
			;
		if (back % 2 == 1)
			return 1;
	}
	return 0;
}

/* A control character other than white space: JSON allows none unescaped, cJSON would take them in strings. */
static int
has_raw_control(const char *text, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)text[i] < 0x20 && text[i] != '\t' && text[i] != '\n' && text[i] != '\r')
			return 1;
	return 0;
}

ecm_code
ecm_json_parse(const char *text, size_t len, cJSON **out, ecm_error *err)
{
	const char *end = NULL;
	char path[256] = "";
	cJSON *root;

	*out = NULL;
	root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (root == NULL)
		return refuse(err, "request", "the request is not valid JSON");
	while (end != NULL && (size_t)(end - text) < len && strchr(" \t\r\n", *end) != NULL && *end != '\0')
		end++;
	if (end == NULL || (size_t)(end - text) != len) {
		cJSON_Delete(root);
		return refuse(err, "request", "the request has data after its JSON value");
	}
	if (find_bad_utf8(root, path, sizeof(path)) || !ecm_utf8_valid(text, len)) {
		cJSON_Delete(root);
		/* args' own fields are named as the handlers name them: "backup.path", not "args.backup.path" */
		return refuse(err, strncmp(path, "args.", 5) == 0 ? path + 5 : path[0] ? path : "request",
		    "the request is not valid UTF-8");
	}
	if (has_nul_escape(text, len) || has_raw_control(text, len)) {
		cJSON_Delete(root);
		return refuse(err, "request", "the request has a \\u0000 or an unescaped control character");
	}
	*out = root;
	return ECM_OK;
}

static void
sanitize_string(char **s)
{
	char *fixed;

	if (*s == NULL || ecm_utf8_valid(*s, strlen(*s)))
		return;
	fixed = cJSON_malloc(strlen(*s) * 3 + 1);
	if (fixed == NULL) {
		**s = '\0'; /* out of memory: an empty string is still valid */
		return;
	}
	ecm_utf8_copy(fixed, strlen(*s) * 3 + 1, *s, strlen(*s));
	cJSON_free(*s);
	*s = fixed;
}

void
ecm_json_sanitize(cJSON *item)
{
	cJSON *child;

	if (item == NULL)
		return;
	for (child = item->child; child != NULL; child = child->next) {
		if ((child->type & cJSON_StringIsConst) == 0)
			sanitize_string(&child->string);
		if (cJSON_IsString(child) && (child->type & cJSON_IsReference) == 0)
			sanitize_string(&child->valuestring);
		ecm_json_sanitize(child);
	}
}
