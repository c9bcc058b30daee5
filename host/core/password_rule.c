/* The backup password rule (include/ecm/password_rule.h). Characters are counted as bytes of UTF-8: a password
 * of Chinese characters reaches the length sooner, never later, than it looks. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "ecm/password_rule.h"

static int
has_class(const char *pw, int (*is)(int))
{
	for (; *pw != '\0'; pw++)
		if (is((unsigned char)*pw))
			return 1;
	return 0;
}

static ecm_code
refuse(ecm_error *err, const char *rule, const char *why)
{
	ecm_error_detail_str(err, "rule", rule);
	ecm_error_detail_num(err, "min_length", ECM_PASSWORD_MIN_LENGTH);
	return ecm_fail(err, ECM_PASSWORD_TOO_WEAK, "the backup password %s", why);
}

/* The national ID is ASCII (a letter and digits): compared without case, byte by byte. */
static int
contains_id(const char *password, const char *id)
{
	size_t n = strlen(id), i;
	const char *p;

	for (p = password; *p != '\0'; p++) {
		for (i = 0; i < n && p[i] != '\0' && tolower((unsigned char)p[i]) == tolower((unsigned char)id[i]); i++)
			;
		if (i == n)
			return 1;
	}
	return 0;
}

ecm_code
ecm_password_rule_check(const char *password, const char *national_id, ecm_error *err)
{
	if (strlen(password) < ECM_PASSWORD_MIN_LENGTH)
		return refuse(err, "min_length", "needs at least 8 characters");
	if (!has_class(password, isalpha))
		return refuse(err, "letter", "needs a letter");
	if (!has_class(password, isdigit))
		return refuse(err, "digit", "needs a digit");
	if (national_id != NULL && national_id[0] != '\0' && contains_id(password, national_id))
		return refuse(err, "national_id", "must not contain the national ID");
	return ECM_OK;
}

void
ecm_password_rule_describe(cJSON *obj)
{
	cJSON *needs = cJSON_AddArrayToObject(obj, "needs");

	cJSON_AddNumberToObject(obj, "min_length", ECM_PASSWORD_MIN_LENGTH);
	cJSON_AddItemToArray(needs, cJSON_CreateString("letter"));
	cJSON_AddItemToArray(needs, cJSON_CreateString("digit"));
	cJSON_AddBoolToObject(obj, "not_national_id", 1);
}
