#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "ecm/config.h"
#include "ecm/json.h"
#include "ecm/platform.h"
#include "ecm/util.h"

#define CONFIG_MAX_BYTES (256u * 1024u)

static const char *const default_callers[] = { ECM_CHROME_ORIGIN, ECM_FIREFOX_ID };

void
ecm_config_defaults(ecm_config *cfg)
{
	size_t i, n = sizeof(default_callers) / sizeof(default_callers[0]);

	memset(cfg, 0, sizeof(*cfg));
	cfg->key_type = ECM_KEY_RSA2048;
	cfg->pkcs12_iterations = 600000;
	cfg->connect_timeout_s = 10;
	cfg->request_timeout_s = 60;
	cfg->renew_days = ECM_RENEW_DAYS_DEFAULT;
	cfg->backup_dir = ecm_home_dir();
	cfg->allowed_callers = calloc(n, sizeof(char *));
	if (cfg->allowed_callers == NULL)
		return;
	for (i = 0; i < n; i++)
		cfg->allowed_callers[i] = strdup(default_callers[i]);
	cfg->allowed_callers_count = n;
}

static void
free_callers(ecm_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->allowed_callers_count; i++)
		free(cfg->allowed_callers[i]);
	free(cfg->allowed_callers);
	cfg->allowed_callers = NULL;
	cfg->allowed_callers_count = 0;
}

void
ecm_config_free(ecm_config *cfg)
{
	free(cfg->source);
	free(cfg->est_url);
	free(cfg->api_url);
	free(cfg->ra_ca_file);
	free(cfg->ra_tls_ca_file);
	free(cfg->ra_client_cert_file);
	free(cfg->ra_client_key_file);
	free(cfg->revoke_url);
	free(cfg->backup_dir);
	free_callers(cfg);
	ecm_config_free_sign_origins(cfg);
	free(cfg->broker_id);
	free(cfg->name_zh);
	free(cfg->name_en);
	free(cfg->subject_ou);
	free(cfg->icon_file);
	memset(cfg, 0, sizeof(*cfg));
}

/* Frees and forgets one string setting. */
static void
drop(char **field)
{
	free(*field);
	*field = NULL;
}

void
ecm_config_drop_broker(ecm_config *cfg)
{
	char **const fields[] = { &cfg->est_url, &cfg->api_url, &cfg->ra_ca_file, &cfg->ra_tls_ca_file,
		&cfg->ra_client_cert_file, &cfg->ra_client_key_file, &cfg->revoke_url, &cfg->broker_id, &cfg->name_zh,
		&cfg->name_en, &cfg->subject_ou, &cfg->icon_file };
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		drop(fields[i]);
	ecm_config_free_sign_origins(cfg);
}

const char *
ecm_key_type_name(ecm_key_type type)
{
	switch (type) {
	case ECM_KEY_RSA3072:
		return "rsa3072";
	case ECM_KEY_P256:
		return "p256";
	case ECM_KEY_RSA2048:
	default:
		return "rsa2048";
	}
}

static ecm_code
bad_key(ecm_error *err, const char *file, const char *key, const char *why)
{
	ecm_fail(err, ECM_CONFIG_INVALID, "%s: \"%s\" %s", file, key, why);
	ecm_error_detail_str(err, "file", file);
	ecm_error_detail_str(err, "key", key);
	return ECM_CONFIG_INVALID;
}

static ecm_code
read_url(const cJSON *item, const char *file, char **out, ecm_error *err)
{
	if (!cJSON_IsString(item) || strncmp(item->valuestring, "https://", 8) != 0 ||
	    strlen(item->valuestring) < 9)
		return bad_key(err, file, item->string, "must be an https:// URL");
	free(*out);
	*out = strdup(item->valuestring);
	return ECM_OK;
}

/* A relative ra_ca_file is relative to the configuration file's folder. */
static char *
resolve_beside(const char *file, const char *path)
{
	char *dir, *joined;

	if (ecm_path_is_absolute(path) || (dir = ecm_dir_of(file)) == NULL)
		return strdup(path);
	joined = ecm_path_join(dir, path);
	free(dir);
	return joined;
}

static ecm_code
read_callers(const cJSON *item, const char *file, ecm_config *cfg, ecm_error *err)
{
	const cJSON *c;
	size_t n = 0;

	if (!cJSON_IsArray(item))
		return bad_key(err, file, item->string, "must be a list of strings");
	cJSON_ArrayForEach(c, item) {
		if (!cJSON_IsString(c) || c->valuestring[0] == '\0')
			return bad_key(err, file, item->string, "must be a list of non-empty strings");
		if (strncmp(c->valuestring, "chrome-extension://", 19) == 0 &&
		    c->valuestring[strlen(c->valuestring) - 1] != '/')
			return bad_key(err, file, item->string, "has a chrome-extension:// origin without the final '/'");
		n++;
	}
	free_callers(cfg);
	cfg->allowed_callers = calloc(n ? n : 1, sizeof(char *));
	if (cfg->allowed_callers == NULL)
		return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	cJSON_ArrayForEach(c, item)
		cfg->allowed_callers[cfg->allowed_callers_count++] = strdup(c->valuestring);
	return ECM_OK;
}

static ecm_code
read_key_type(const cJSON *item, const char *file, ecm_config *cfg, ecm_error *err)
{
	const char *v = cJSON_IsString(item) ? item->valuestring : "";

	if (strcmp(v, "rsa2048") == 0)
		cfg->key_type = ECM_KEY_RSA2048;
	else if (strcmp(v, "rsa3072") == 0)
		cfg->key_type = ECM_KEY_RSA3072;
	else if (strcmp(v, "p256") == 0)
		cfg->key_type = ECM_KEY_P256;
	else
		return bad_key(err, file, item->string, "must be \"rsa2048\", \"rsa3072\" or \"p256\"");
	return ECM_OK;
}

/* Range first, on the double: casting a double outside long's range to long is undefined behaviour. */
static ecm_code
read_long(const cJSON *item, const char *file, long min, long max, long *out, ecm_error *err)
{
	char why[96];
	double v = cJSON_IsNumber(item) ? item->valuedouble : 0;

	if (!cJSON_IsNumber(item) || !(v >= (double)min && v <= (double)max) || floor(v) != v) {
		snprintf(why, sizeof(why), "must be a whole number from %ld to %ld", min, max);
		return bad_key(err, file, item->string, why);
	}
	*out = (long)v;
	return ECM_OK;
}

static ecm_code
read_path(const cJSON *item, const char *file, int beside_file, char **out, ecm_error *err)
{
	if (!cJSON_IsString(item) || item->valuestring[0] == '\0')
		return bad_key(err, file, item->string, "must be a path");
	free(*out);
	*out = beside_file ? resolve_beside(file, item->valuestring) : ecm_user_path(item->valuestring);
	if (*out == NULL)
		return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	return ECM_OK;
}

#define NAME_MAX_BYTES 64

/* A short non-empty string (a name, an OU): the reply and the screen show it as it is. */
static ecm_code
read_text(const cJSON *item, const char *file, const char *key, char **out, ecm_error *err)
{
	char why[64];

	if (!cJSON_IsString(item) || item->valuestring[0] == '\0' || strlen(item->valuestring) > NAME_MAX_BYTES) {
		snprintf(why, sizeof(why), "must be a non-empty string of at most %d bytes", NAME_MAX_BYTES);
		return bad_key(err, file, key, why);
	}
	free(*out);
	if ((*out = strdup(item->valuestring)) == NULL)
		return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	return ECM_OK;
}

/* The broker's id names packages, storage keys and the protocol's "broker": [a-z0-9][a-z0-9-]{0,31}. */
static ecm_code
read_broker_id(const cJSON *item, const char *file, ecm_config *cfg, ecm_error *err)
{
	const char *v = cJSON_IsString(item) ? item->valuestring : "";
	size_t i, n = strlen(v);

	for (i = 0; i < n; i++)
		if (!((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= '0' && v[i] <= '9') || (i > 0 && v[i] == '-')))
			break;
	if (n == 0 || n > 32 || i < n)
		return bad_key(err, file, item->string, "must be 1 to 32 of a-z, 0-9 and '-', not starting with '-'");
	return read_text(item, file, item->string, &cfg->broker_id, err);
}

/* {"zh-TW": "...", "en": "..."}: both, nothing else. */
static ecm_code
read_names(const cJSON *item, const char *file, ecm_config *cfg, ecm_error *err)
{
	const cJSON *zh = cJSON_GetObjectItemCaseSensitive(item, "zh-TW");
	const cJSON *en = cJSON_GetObjectItemCaseSensitive(item, "en");
	ecm_code rc;

	if (!cJSON_IsObject(item) || zh == NULL || en == NULL || cJSON_GetArraySize(item) != 2)
		return bad_key(err, file, item->string, "must be {\"zh-TW\": \"...\", \"en\": \"...\"}");
	if ((rc = read_text(zh, file, item->string, &cfg->name_zh, err)) != ECM_OK)
		return rc;
	return read_text(en, file, item->string, &cfg->name_en, err);
}

/* Which settings a file may hold: the configuration file (global, and one broker's as today), a broker
 * profile (its broker's only), or both. */
enum { IN_MAIN = 1, IN_PROFILE = 2, IN_BOTH = 3 };

static ecm_code
read_broker_item(const cJSON *item, const char *file, unsigned in, ecm_config *cfg, ecm_error *err)
{
	const char *k = item->string;

	if (strcmp(k, "broker_id") == 0 && (in & IN_MAIN))
		return read_broker_id(item, file, cfg, err);
	if (strcmp(k, "broker_name") == 0 && (in & IN_MAIN))
		return read_names(item, file, cfg, err);
	if (strcmp(k, "id") == 0 && (in & IN_PROFILE))
		return read_broker_id(item, file, cfg, err);
	if (strcmp(k, "name") == 0 && (in & IN_PROFILE))
		return read_names(item, file, cfg, err);
	if (strcmp(k, "icon") == 0 && (in & IN_PROFILE))
		return read_path(item, file, 1, &cfg->icon_file, err);
	if (strcmp(k, "subject_ou") == 0)
		return read_text(item, file, k, &cfg->subject_ou, err);
	if (strcmp(k, "renew_days") == 0)
		return read_long(item, file, 1, 365, &cfg->renew_days, err);
	if (k[0] == '_' || strcmp(k, "comment") == 0)
		return ECM_OK;
	return bad_key(err, file, k, "is not a known setting");
}

/* The settings of one broker, in the configuration file and in a profile alike. */
static ecm_code
read_item(const cJSON *item, const char *file, unsigned in, ecm_config *cfg, ecm_error *err)
{
	const char *k = item->string;

	if (strcmp(k, "est_url") == 0)
		return read_url(item, file, &cfg->est_url, err);
	if (strcmp(k, "api_url") == 0)
		return read_url(item, file, &cfg->api_url, err);
	if (strcmp(k, "revoke_url") == 0)
		return read_url(item, file, &cfg->revoke_url, err);
	if (strcmp(k, "ra_ca_file") == 0)
		return read_path(item, file, 1, &cfg->ra_ca_file, err);
	if (strcmp(k, "ra_tls_ca_file") == 0)
		return read_path(item, file, 1, &cfg->ra_tls_ca_file, err);
	if (strcmp(k, "ra_client_cert_file") == 0)
		return read_path(item, file, 1, &cfg->ra_client_cert_file, err);
	if (strcmp(k, "ra_client_key_file") == 0)
		return read_path(item, file, 1, &cfg->ra_client_key_file, err);
	if (strcmp(k, "sign_origins") == 0)
		return ecm_config_read_sign_origins(item, file, cfg, err);
	if (strcmp(k, "key_type") == 0)
		return read_key_type(item, file, cfg, err);
	if ((in & IN_MAIN) == 0)
		return read_broker_item(item, file, in, cfg, err);
	if (strcmp(k, "backup_dir") == 0)
		return read_path(item, file, 0, &cfg->backup_dir, err);
	if (strcmp(k, "allowed_callers") == 0)
		return read_callers(item, file, cfg, err);
	if (strcmp(k, "pkcs12_iterations") == 0)
		return read_long(item, file, 2048, 10000000, &cfg->pkcs12_iterations, err);
	if (strcmp(k, "connect_timeout_s") == 0)
		return read_long(item, file, 1, 600, &cfg->connect_timeout_s, err);
	if (strcmp(k, "request_timeout_s") == 0)
		return read_long(item, file, 1, 3600, &cfg->request_timeout_s, err);
	return read_broker_item(item, file, in, cfg, err);
}

#define ICON_MAX_BYTES (64u * 1024u)

/* The icon is shown as it is: a PNG, small. */
static ecm_code
check_icon(const char *icon, const char *file, ecm_error *err)
{
	static const unsigned char png[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	unsigned char *data = NULL;
	size_t len = 0;
	ecm_error ignored;
	int ok;

	ecm_error_init(&ignored);
	ok = ecm_read_file(icon, ICON_MAX_BYTES, &data, &len, &ignored) == ECM_OK && len > sizeof(png) &&
	    memcmp(data, png, sizeof(png)) == 0;
	free(data);
	ecm_error_clear(&ignored);
	return ok ? ECM_OK : bad_key(err, file, "icon", "must name a readable PNG file of at most 64 KiB");
}

static ecm_code
check_complete(const ecm_config *cfg, const char *file, unsigned in, ecm_error *err)
{
	int any = cfg->est_url || cfg->api_url || cfg->ra_ca_file || in == IN_PROFILE;

	if (in == IN_PROFILE && cfg->broker_id == NULL)
		return bad_key(err, file, "id", "is missing");
	if (in == IN_PROFILE && cfg->name_zh == NULL)
		return bad_key(err, file, "name", "is missing");
	if (cfg->icon_file != NULL && check_icon(cfg->icon_file, file, err) != ECM_OK)
		return err->code;
	if (!any)
		return ECM_OK;
	if (cfg->est_url == NULL)
		return bad_key(err, file, "est_url", "is missing");
	if (cfg->api_url == NULL)
		return bad_key(err, file, "api_url", "is missing");
	if (cfg->ra_ca_file == NULL)
		return bad_key(err, file, "ra_ca_file", "is missing");
	if (access(cfg->ra_ca_file, R_OK) != 0)
		return bad_key(err, file, "ra_ca_file", "names a file that cannot be read");
	if (cfg->ra_tls_ca_file != NULL && access(cfg->ra_tls_ca_file, R_OK) != 0)
		return bad_key(err, file, "ra_tls_ca_file", "names a file that cannot be read");
	if ((cfg->ra_client_cert_file == NULL) != (cfg->ra_client_key_file == NULL))
		return bad_key(err, file, cfg->ra_client_cert_file ? "ra_client_key_file" : "ra_client_cert_file",
		    "is missing (a client certificate needs its key, and a key its certificate)");
	return ECM_OK;
}

static ecm_code
invalid_file(ecm_error *err, const char *path, const char *why)
{
	ecm_fail(err, ECM_CONFIG_INVALID, "%s: %s", path, why);
	ecm_error_detail_str(err, "file", path);
	return ECM_CONFIG_INVALID;
}

/* Reads every setting of the file into cfg (already holding the defaults); stops at the first bad one. */
static ecm_code
parse_file(ecm_config *cfg, const char *path, unsigned in, ecm_error *err)
{
	unsigned char *text = NULL;
	size_t len = 0;
	cJSON *root, *item;
	ecm_code rc;

	if (ecm_read_file(path, CONFIG_MAX_BYTES, &text, &len, err) != ECM_OK)
		return invalid_file(err, path, "cannot be read");
	rc = ecm_json_parse((const char *)text, len, &root, err);
	free(text);
	if (rc != ECM_OK || !cJSON_IsObject(root)) {
		cJSON_Delete(root);
		ecm_error_clear(err);
		return invalid_file(err, path, "not one JSON object in UTF-8");
	}
	rc = ECM_OK;
	cJSON_ArrayForEach(item, root) {
		rc = read_item(item, path, in, cfg, err);
		if (rc != ECM_OK)
			break;
	}
	cJSON_Delete(root);
	if (rc == ECM_OK)
		rc = check_complete(cfg, path, in, err);
	return rc;
}

/* All or nothing: the file is read into a fresh configuration, which replaces the defaults only when every
 * setting in it is good. A bad file leaves the built-in defaults (callers included) and the error. */
ecm_code
ecm_config_load_file(ecm_config *cfg, const char *path, ecm_error *err)
{
	ecm_config next;
	ecm_code rc;

	ecm_config_defaults(&next);
	rc = parse_file(&next, path, IN_MAIN, err);
	if (rc != ECM_OK) {
		ecm_config_free(&next);
		ecm_config_defaults(&next);
	}
	next.source = strdup(path);
	*cfg = next;
	return rc;
}

static ecm_code
copy_string(const char *from, char **to, ecm_error *err)
{
	free(*to);
	*to = NULL;
	if (from != NULL && (*to = strdup(from)) == NULL)
		return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	return ECM_OK;
}

/* What every broker shares: the configuration file's global settings. */
static ecm_code
copy_globals(ecm_config *to, const ecm_config *from, ecm_error *err)
{
	size_t i;

	to->key_type = from->key_type;
	to->pkcs12_iterations = from->pkcs12_iterations;
	to->connect_timeout_s = from->connect_timeout_s;
	to->request_timeout_s = from->request_timeout_s;
	free_callers(to);
	if ((to->allowed_callers = calloc(from->allowed_callers_count + 1, sizeof(char *))) == NULL)
		return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	for (i = 0; i < from->allowed_callers_count; i++)
		if ((to->allowed_callers[to->allowed_callers_count++] = strdup(from->allowed_callers[i])) == NULL)
			return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	return copy_string(from->backup_dir, &to->backup_dir, err);
}

/* A profile's problem has its own code; the message and details (file, key) are the readers'. */
ecm_code
ecm_config_load_profile(ecm_config *cfg, const char *path, const ecm_config *globals, ecm_error *err)
{
	ecm_code rc;

	ecm_config_defaults(cfg);
	rc = copy_globals(cfg, globals, err);
	if (rc == ECM_OK)
		rc = parse_file(cfg, path, IN_PROFILE, err);
	if (rc == ECM_OK)
		rc = copy_string(path, &cfg->source, err);
	if (rc == ECM_CONFIG_INVALID)
		err->code = rc = ECM_BROKER_PROFILE_INVALID;
	if (rc != ECM_OK)
		ecm_config_free(cfg);
	return rc;
}

ecm_code
ecm_config_legacy_profile(ecm_config *cfg, const ecm_config *main, ecm_error *err)
{
	ecm_code rc;

	ecm_config_defaults(cfg);
	if (main->source == NULL)
		return ECM_OK;
	ecm_config_free(cfg);
	if ((rc = ecm_config_load_file(cfg, main->source, err)) != ECM_OK)
		return rc;
	if ((cfg->broker_id == NULL && (rc = copy_string(ECM_BROKER_DEFAULT_ID, &cfg->broker_id, err)) != ECM_OK) ||
	    (cfg->name_zh == NULL && (rc = copy_string("憑證e總管", &cfg->name_zh, err)) != ECM_OK) ||
	    (cfg->name_en == NULL && (rc = copy_string("e-Cert Manager", &cfg->name_en, err)) != ECM_OK))
		ecm_config_free(cfg);
	return rc;
}

char *
ecm_config_user_path(void)
{
	return ecm_platform_user_config();
}

static char *
beside_binary_path(void)
{
	char *dir = ecm_exe_dir(), *path;

	if (dir == NULL)
		return NULL;
	path = ecm_path_join(dir, "config.json");
	free(dir);
	return path;
}

ecm_code
ecm_config_load(ecm_config *cfg, ecm_error *err)
{
	const char *env = getenv("ECM_CONFIG");
	char *(*const finders[])(void) = { ecm_config_user_path, ecm_platform_system_config, beside_binary_path };
	size_t i;

	if (env != NULL && env[0] != '\0')
		return ecm_config_load_file(cfg, env, err);
	for (i = 0; i < sizeof(finders) / sizeof(finders[0]); i++) {
		char *path = finders[i]();
		if (path != NULL && access(path, F_OK) == 0) {
			ecm_code rc = ecm_config_load_file(cfg, path, err);
			free(path);
			return rc;
		}
		free(path);
	}
	ecm_config_defaults(cfg);
	return ECM_OK;
}

int
ecm_config_allows_caller(const ecm_config *cfg, const char *caller)
{
	size_t i;

	if (caller == NULL)
		return 0;
	for (i = 0; i < cfg->allowed_callers_count; i++)
		if (cfg->allowed_callers[i] != NULL && strcmp(cfg->allowed_callers[i], caller) == 0)
			return 1;
	return 0;
}
