/* The configuration parser (host/core/config.c) on any file, read as the configuration file and as a broker
 * profile (the same readers): it loads or says CONFIG_INVALID / BROKER_PROFILE_INVALID with the file, and what it
 * loads keeps every rule of docs/config.example.json (all three RA settings or none, https URLs, numbers in range,
 * non-empty callers, a backup folder) and docs/protocol.md "Which broker" (a profile: an id, both names, an RA).
 * The file sits in a scratch folder beside "ra-ca.pem", so a relative ra_ca_file can name a file that exists
 * (the parser only checks that it can be read). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ecm/config.h"
#include "fuzz_common.h"

static char file[4096];

static int
https(const char *url)
{
	return url != NULL && strncmp(url, "https://", 8) == 0 && url[8] != '\0';
}

static void
check_loaded(const ecm_config *cfg)
{
	int any = cfg->est_url || cfg->api_url || cfg->ra_ca_file;
	size_t i;

	FUZZ_CHECK(!any || (https(cfg->est_url) && https(cfg->api_url) && cfg->ra_ca_file != NULL),
	    "an RA is configured whole, over https, or not at all");
	FUZZ_CHECK(cfg->revoke_url == NULL || https(cfg->revoke_url), "revoke_url is https");
	FUZZ_CHECK(cfg->pkcs12_iterations >= 2048 && cfg->pkcs12_iterations <= 10000000, "pkcs12_iterations in range");
	FUZZ_CHECK(cfg->connect_timeout_s >= 1 && cfg->connect_timeout_s <= 600, "connect_timeout_s in range");
	FUZZ_CHECK(cfg->request_timeout_s >= 1 && cfg->request_timeout_s <= 3600, "request_timeout_s in range");
	FUZZ_CHECK(cfg->key_type == ECM_KEY_RSA2048 || cfg->key_type == ECM_KEY_RSA3072 || cfg->key_type == ECM_KEY_P256,
	    "a known key type");
	FUZZ_CHECK(cfg->backup_dir != NULL && cfg->backup_dir[0] != '\0', "a backup folder");
	for (i = 0; i < cfg->allowed_callers_count; i++)
		FUZZ_CHECK(cfg->allowed_callers[i] != NULL && cfg->allowed_callers[i][0] != '\0', "non-empty callers");
}

static void
check_profile(const ecm_config *cfg)
{
	size_t i, n = strlen(cfg->broker_id ? cfg->broker_id : "");

	check_loaded(cfg);
	FUZZ_CHECK(cfg->est_url != NULL, "a profile names an RA");
	FUZZ_CHECK(n >= 1 && n <= 32 && cfg->broker_id[0] != '-', "a profile has an id of 1 to 32 characters");
	for (i = 0; i < n; i++)
		FUZZ_CHECK((cfg->broker_id[i] >= 'a' && cfg->broker_id[i] <= 'z') ||
		    (cfg->broker_id[i] >= '0' && cfg->broker_id[i] <= '9') || cfg->broker_id[i] == '-', "id: a-z 0-9 -");
	FUZZ_CHECK(cfg->name_zh != NULL && cfg->name_zh[0] && cfg->name_en != NULL && cfg->name_en[0], "both names");
	FUZZ_CHECK(cfg->renew_days >= 1 && cfg->renew_days <= 365, "renew_days in range");
}

/* The same bytes as a broker profile: loads whole, or BROKER_PROFILE_INVALID naming the file. */
static void
as_profile(void)
{
	ecm_config globals, cfg;
	ecm_error err;
	ecm_code rc;

	ecm_config_defaults(&globals);
	ecm_error_init(&err);
	rc = ecm_config_load_profile(&cfg, file, &globals, &err);
	if (rc == ECM_OK) {
		check_profile(&cfg);
		ecm_config_free(&cfg);
	} else {
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(err.details, "file");
		FUZZ_CHECK(rc == ECM_BROKER_PROFILE_INVALID || rc == ECM_OUT_OF_MEMORY, "a bad profile is BROKER_PROFILE_INVALID");
		FUZZ_CHECK(rc != ECM_BROKER_PROFILE_INVALID || (cJSON_IsString(f) && strcmp(f->valuestring, file) == 0),
		    "BROKER_PROFILE_INVALID names the file");
	}
	ecm_config_free(&globals);
	ecm_error_clear(&err);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = fuzz_scratch("config");
	static const char ca[] = "a CA bundle: the parser only checks that it can be read\n";

	(void)argc;
	(void)argv;
	fuzz_write_file(fuzz_path(dir, "ra-ca.pem"), ca, sizeof(ca) - 1);
	snprintf(file, sizeof(file), "%s", fuzz_path(dir, "config.json"));
	setenv("HOME", dir, 1); /* "~" in backup_dir */
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ecm_config cfg;
	ecm_error err;
	ecm_code rc;

	fuzz_write_file(file, data, size);
	ecm_error_init(&err);
	rc = ecm_config_load_file(&cfg, file, &err);
	if (rc == ECM_OK) {
		check_loaded(&cfg);
	} else {
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(err.details, "file");
		FUZZ_CHECK(rc == ECM_CONFIG_INVALID || rc == ECM_OUT_OF_MEMORY, "a bad file is CONFIG_INVALID");
		FUZZ_CHECK(rc != ECM_CONFIG_INVALID || (cJSON_IsString(f) && strcmp(f->valuestring, file) == 0),
		    "CONFIG_INVALID names the file");
		FUZZ_CHECK(err.message[0] != '\0', "and says why");
	}
	ecm_config_free(&cfg);
	ecm_error_clear(&err);
	as_profile();
	return 0;
}
