/* The store results as the protocol shows them (docs/protocol.md, Stores): the commands' side of host/store,
 * which returns C structures only. Also the request's store selection (`stores`, `password_for`). */
#include <stdlib.h>
#include <string.h>

#include "ecm/command.h"
#include "install.h"
#include "ecm/utf8.h"

cJSON *
ecm_store_info_json(const ecm_store_info *s)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "id", s->id);
	cJSON_AddStringToObject(o, "kind", ecm_store_kind(s));
	cJSON_AddStringToObject(o, "browser", s->browser);
	cJSON_AddItemToObject(o, "profile", s->profile ? cJSON_CreateString(s->profile) : cJSON_CreateNull());
	cJSON_AddStringToObject(o, "path", s->path);
	cJSON_AddBoolToObject(o, "primary", s->primary);
	cJSON_AddBoolToObject(o, "exists", s->exists);
	return o;
}

ecm_code
ecm_store_choice_args(const cJSON *args, const cJSON **only_stores, const cJSON **passwords, ecm_error *err)
{
	ecm_code rc;

	*only_stores = *passwords = NULL;
	if ((rc = ecm_arg_string_array(args, "stores", only_stores, err)) != ECM_OK ||
	    (rc = ecm_arg_object(args, "password_for", passwords, err)) != ECM_OK)
		return rc;
	if (*only_stores != NULL && cJSON_GetArraySize(*only_stores) == 0) {
		ecm_error_detail_str(err, "field", "stores");
		return ecm_fail(err, ECM_BAD_REQUEST, "\"stores\" names no store: leave it out to mean every store");
	}
	return ECM_OK;
}

int
ecm_store_chosen(const cJSON *only, const char *id)
{
	const cJSON *e;

	if (only == NULL)
		return 1;
	cJSON_ArrayForEach(e, only)
		if (cJSON_IsString(e) && strcmp(e->valuestring, id) == 0)
			return 1;
	return 0;
}

const char *
ecm_store_password_for(const cJSON *passwords, const char *id)
{
	const cJSON *p = passwords ? cJSON_GetObjectItemCaseSensitive(passwords, id) : NULL;

	return cJSON_IsString(p) ? p->valuestring : NULL;
}

static cJSON *
result_head(cJSON *results, const ecm_store_info *info, const char *id)
{
	cJSON *r = cJSON_CreateObject();

	cJSON_AddStringToObject(r, "store", info ? info->id : id);
	cJSON_AddItemToObject(r, "browser", info ? cJSON_CreateString(info->browser) : cJSON_CreateNull());
	cJSON_AddItemToObject(r, "profile", info && info->profile ? cJSON_CreateString(info->profile) : cJSON_CreateNull());
	cJSON_AddItemToArray(results, r);
	return r;
}

static void
result_failed(cJSON *r, const ecm_error *e)
{
	cJSON *o;

	cJSON_AddStringToObject(r, "status", "failed");
	o = cJSON_AddObjectToObject(r, "error");
	cJSON_AddStringToObject(o, "code", ecm_code_name(e->code));
	cJSON_AddStringToObject(o, "message", e->message);
}

static void
install_one(const ecm_store_info *info, const ecm_identity *id, const char *password, cJSON *results)
{
	cJSON *r = result_head(results, info, NULL);
	ecm_error e;
	int already = 0;

	ecm_error_init(&e);
	if (ecm_store_install_one(info, id, password, &already, &e) != ECM_OK)
		result_failed(r, &e);
	else
		cJSON_AddStringToObject(r, "status", already ? "already_present" : "installed");
	ecm_error_clear(&e);
}

static void
unknown_stores(const ecm_store_list *list, const cJSON *only, cJSON *results)
{
	const cJSON *e;
	ecm_error err;

	cJSON_ArrayForEach(e, only) {
		if (!cJSON_IsString(e) || ecm_store_list_find(list, e->valuestring) != NULL)
			continue;
		ecm_error_init(&err);
		ecm_fail(&err, ECM_STORE_NOT_FOUND, "no store \"%.*s\"", ecm_utf8_prec(e->valuestring, 200), e->valuestring);
		result_failed(result_head(results, NULL, e->valuestring), &err);
		ecm_error_clear(&err);
	}
}

ecm_code
ecm_install_everywhere(const ecm_config *cfg, const ecm_identity *id, const cJSON *only_stores,
    const cJSON *passwords, cJSON *results, ecm_error *err)
{
	return ecm_install_from(cfg, id, NULL, only_stores, passwords, results, err);
}

ecm_code
ecm_install_from(const ecm_config *cfg, const ecm_identity *id, const char *source_id, const cJSON *only_stores,
    const cJSON *passwords, cJSON *results, ecm_error *err)
{
	ecm_store_list list;
	ecm_code rc;
	size_t i;

	(void)cfg;
	if (id == NULL || id->cert == NULL || id->key == NULL)
		return ecm_fail(err, ECM_KEY_MISSING, "nothing to install: certificate and key are needed");
	if ((rc = ecm_stores_discover(&list, err)) != ECM_OK)
		return rc;
	for (i = 0; i < list.n; i++) {
		if (!ecm_store_chosen(only_stores, list.v[i].id))
			continue;
		if (source_id != NULL && strcmp(source_id, list.v[i].id) == 0)
			cJSON_AddStringToObject(result_head(results, &list.v[i], NULL), "status", "already_present");
		else
			install_one(&list.v[i], id, ecm_store_password_for(passwords, list.v[i].id), results);
	}
	if (only_stores != NULL)
		unknown_stores(&list, only_stores, results);
	ecm_store_list_free(&list);
	return ECM_OK;
}

ecm_code
ecm_remove_superseded(const X509 *installed, const X509 *old, const cJSON *passwords, cJSON *removed, ecm_error *err)
{
	ecm_store_list list;
	ecm_code rc;
	size_t i;
	char *serial;

	if (ecm_cert_same(installed, old))
		return ECM_OK;
	if ((rc = ecm_stores_discover(&list, err)) != ECM_OK)
		return rc;
	serial = ecm_cert_serial(old);
	for (i = 0; i < list.n; i++) {
		if (!ecm_store_replace(&list.v[i], ecm_store_password_for(passwords, list.v[i].id), installed, old) ||
		    removed == NULL)
			continue;
		cJSON *r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "store", list.v[i].id);
		cJSON_AddStringToObject(r, "serial", serial ? serial : "");
		cJSON_AddItemToArray(removed, r);
	}
	free(serial);
	ecm_store_list_free(&list);
	return ECM_OK;
}
