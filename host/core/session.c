#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "ecm/secmem.h"
#include "ecm/session.h"

int
ecm_session_logged_in(const ecm_session *s)
{
	return s->national_id != NULL && s->password != NULL;
}

int
ecm_session_set(ecm_session *s, const char *national_id, const char *password)
{
	ecm_session_end_login(s);
	s->national_id = strdup(national_id);
	s->password = ecm_secret_dup(password);
	if (s->national_id == NULL || s->password == NULL) {
		ecm_session_end_login(s);
		return -1;
	}
	return 0;
}

/* Everything a login brought: an issued, unsaved identity and the RA connection stay. */
void
ecm_session_end_login(ecm_session *s)
{
	free(s->national_id);
	ecm_secret_free(s->password);
	cJSON_Delete(s->account);
	/* The engine is never unloaded (host/core/engine.c), so pending_free is still there at exit. */
	if (s->pending != NULL && s->pending_free != NULL)
		s->pending_free(s->pending);
	s->national_id = NULL;
	s->password = NULL;
	s->account = NULL;
	s->pending = NULL;
	s->pending_free = NULL;
	s->broker[0] = '\0';
}

void
ecm_session_clear(ecm_session *s)
{
	ecm_session_end_login(s);
	if (s->issued != NULL && s->issued_free != NULL)
		s->issued_free(s->issued);
	s->issued = NULL;
	s->issued_free = NULL;
	s->issued_serial[0] = '\0';
	s->issued_broker[0] = '\0';
	if (s->ra != NULL && s->ra_free != NULL)
		s->ra_free(s->ra);
	s->ra = NULL;
	s->ra_free = NULL;
}

cJSON *
ecm_session_issued_unsaved(const ecm_session *s)
{
	cJSON *o;

	if (s->issued == NULL)
		return cJSON_CreateNull();
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "serial", s->issued_serial);
	cJSON_AddStringToObject(o, "broker", s->issued_broker);
	return o;
}

/* Letter codes A..Z as the two-digit numbers the checksum uses (I, O, W, X... are not in order). */
static int
letter_value(char c)
{
	static const char order[] = "ABCDEFGHJKLMNPQRSTUVXYWZIO";
	const char *p = strchr(order, c);

	return p != NULL && c != '\0' ? (int)(p - order) + 10 : -1;
}

int
ecm_national_id_valid(const char *id)
{
	static const int weights[] = { 8, 7, 6, 5, 4, 3, 2, 1, 1 };
	int v, second, sum, i;

	if (id == NULL || strlen(id) != 10)
		return 0;
	v = letter_value(id[0]);
	if (v < 0)
		return 0;
	if (strchr("1289", id[1]) != NULL)
		second = id[1] - '0';
	else if (id[1] >= 'A' && id[1] <= 'D') /* the old resident certificate: the letter's value, last digit */
		second = letter_value(id[1]) % 10;
	else
		return 0;
	sum = v / 10 + (v % 10) * 9 + second * weights[0];
	for (i = 2; i < 10; i++) {
		if (!isdigit((unsigned char)id[i]))
			return 0;
		sum += (id[i] - '0') * weights[i - 1];
	}
	return sum % 10 == 0;
}
