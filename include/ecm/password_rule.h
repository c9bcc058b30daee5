/* The one rule for a backup (.pfx) password, defined here and nowhere else: apply, renew and backup check it,
 * hello announces it so that every front end shows and checks the same rule as the user types. */
#ifndef ECM_PASSWORD_RULE_H
#define ECM_PASSWORD_RULE_H

#include "ecm/error.h"

#define ECM_PASSWORD_MIN_LENGTH 8

struct cJSON;

/* ECM_OK, or PASSWORD_TOO_WEAK with details.rule ("min_length", "letter", "digit" or "national_id") and
 * details.min_length. national_id may be NULL (logged out): that part is then not checked. */
ecm_code ecm_password_rule_check(const char *password, const char *national_id, ecm_error *err);
/* {min_length, needs: ["letter", "digit"], not_national_id: true} into obj. */
void ecm_password_rule_describe(struct cJSON *obj);

#endif
