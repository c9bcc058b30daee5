/* The installed brokers (include/ecm/broker.h): the configuration file's broker, then every *.json profile of the
 * profile folders, each file all or nothing. A bad file, or a second file with an id already loaded, is a problem
 * naming the file and the key and is left out; the others work. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ecm/broker.h"
#include "ecm/log.h"
#include "ecm/platform.h"
#include "ecm/util.h"

#define PROFILES_MAX 64

static void
add_problem(ecm_brokers *b, const char *file, const char *key, const char *message)
{
	cJSON *p = cJSON_CreateObject();

	cJSON_AddStringToObject(p, "file", file);
	cJSON_AddItemToObject(p, "key", key ? cJSON_CreateString(key) : cJSON_CreateNull());
	cJSON_AddStringToObject(p, "message", message);
	cJSON_AddItemToArray(b->problems, p);
	ecm_log(ECM_LOG_WARN, "broker profile left out: %s", message);
}

/* Takes cfg (moved, not copied) unless its id is taken: first wins. */
static void
add_broker(ecm_brokers *b, ecm_config *cfg)
{
	ecm_config *v;
	char why[128];

	if (ecm_brokers_find(b, cfg->broker_id) != NULL || b->n >= PROFILES_MAX ||
	    (v = realloc(b->v, (b->n + 1) * sizeof(*v))) == NULL) {
		snprintf(why, sizeof(why), "%s: another profile already has the id \"%s\" (or too many profiles)",
		    cfg->source, cfg->broker_id);
		add_problem(b, cfg->source, "id", why);
		ecm_config_free(cfg);
		return;
	}
	b->v = v;
	b->v[b->n++] = *cfg;
}

static void
load_file(ecm_brokers *b, const char *path, const ecm_config *main)
{
	const cJSON *key;
	ecm_config cfg;
	ecm_error err;

	ecm_error_init(&err);
	if (ecm_config_load_profile(&cfg, path, main, &err) == ECM_OK)
		add_broker(b, &cfg);
	else {
		key = cJSON_GetObjectItemCaseSensitive(err.details, "key");
		add_problem(b, path, cJSON_IsString(key) ? key->valuestring : NULL, err.message);
	}
	ecm_error_clear(&err);
}

static int
profile_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 5 && strcmp(name + n - 5, ".json") == 0;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.json of dir, sorted by file name so that "first wins" is the same on every computer. */
static void
load_folder(ecm_brokers *b, const char *dir, const ecm_config *main)
{
	char *names[PROFILES_MAX], *path;
	struct dirent *e;
	size_t n = 0, i;
	DIR *d;

	if (dir == NULL || (d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL && n < PROFILES_MAX)
		if (profile_name(e->d_name) && (names[n] = strdup(e->d_name)) != NULL)
			n++;
	closedir(d);
	qsort(names, n, sizeof(names[0]), by_name);
	for (i = 0; i < n; i++) {
		if ((path = ecm_path_join(dir, names[i])) != NULL)
			load_file(b, path, main);
		free(path);
		free(names[i]);
	}
}

/* <folder of the file a finder gives>/brokers */
static void
load_beside(ecm_brokers *b, char *(*finder)(void), const ecm_config *main)
{
	char *file = finder(), *dir = file ? ecm_dir_of(file) : NULL, *folder = dir ? ecm_path_join(dir, "brokers") : NULL;

	load_folder(b, folder, main);
	free(folder);
	free(dir);
	free(file);
}

static void
load_legacy(ecm_brokers *b, const ecm_config *main)
{
	ecm_config cfg;
	ecm_error err;

	ecm_error_init(&err);
	if (main->est_url != NULL && ecm_config_legacy_profile(&cfg, main, &err) == ECM_OK)
		add_broker(b, &cfg);
	ecm_error_clear(&err);
}

void
ecm_brokers_load(ecm_brokers *b, const ecm_config *main)
{
	const char *env = getenv("ECM_BROKERS_DIR");

	memset(b, 0, sizeof(*b));
	b->problems = cJSON_CreateArray();
	load_legacy(b, main);
	if (env != NULL && env[0] != '\0') {
		load_folder(b, env, main);
		return;
	}
	load_beside(b, ecm_platform_system_config, main);
	load_beside(b, ecm_config_user_path, main);
}

void
ecm_brokers_free(ecm_brokers *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		ecm_config_free(&b->v[i]);
	free(b->v);
	cJSON_Delete(b->problems);
	memset(b, 0, sizeof(*b));
}

const ecm_config *
ecm_brokers_find(const ecm_brokers *b, const char *id)
{
	size_t i;

	for (i = 0; id != NULL && i < b->n; i++)
		if (strcmp(b->v[i].broker_id, id) == 0)
			return &b->v[i];
	return NULL;
}

const ecm_config *
ecm_brokers_for_origin(const ecm_brokers *b, const char *origin)
{
	size_t i;

	for (i = 0; origin != NULL && i < b->n; i++)
		if (ecm_config_allows_sign_origin(&b->v[i], origin))
			return &b->v[i];
	return NULL;
}

cJSON *
ecm_broker_names(const ecm_config *broker)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "zh-TW", broker->name_zh ? broker->name_zh : "");
	cJSON_AddStringToObject(o, "en", broker->name_en ? broker->name_en : "");
	return o;
}

cJSON *
ecm_broker_ref(const ecm_config *broker)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "id", broker->broker_id ? broker->broker_id : "");
	cJSON_AddItemToObject(o, "name", ecm_broker_names(broker));
	return o;
}

cJSON *
ecm_broker_describe(const ecm_config *broker)
{
	cJSON *o = ecm_broker_ref(broker);

	cJSON_AddItemToObject(o, "origins", cJSON_CreateStringArray((const char *const *)broker->sign_origins,
	    (int)broker->sign_origins_count));
	cJSON_AddItemToObject(o, "revoke_url",
	    broker->revoke_url ? cJSON_CreateString(broker->revoke_url) : cJSON_CreateNull());
	cJSON_AddNumberToObject(o, "renew_days", (double)broker->renew_days);
	cJSON_AddBoolToObject(o, "icon", broker->icon_file != NULL); /* the image itself: broker_icon */
	return o;
}
