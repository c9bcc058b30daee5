/* The host's configuration: which RA, which callers, which key and backup settings. */
#ifndef ECM_CONFIG_H
#define ECM_CONFIG_H

#include <stddef.h>
#include "ecm/error.h"

#define ECM_CHROME_ORIGIN "chrome-extension://mainajikbmfkgohgpkhpgioaimbggpmo/"
#define ECM_FIREFOX_ID "ecert-manager@ecertmanager.org"

#define ECM_BROKER_DEFAULT_ID "default" /* the configuration file's own broker when it names none */
#define ECM_RENEW_DAYS_DEFAULT 30 /* a profile's renew_days when it does not say */

typedef enum { ECM_KEY_RSA2048, ECM_KEY_RSA3072, ECM_KEY_P256 } ecm_key_type;

typedef struct ecm_config {
	char *source; /* the file it came from; NULL for built-in defaults */
	char *est_url;
	char *api_url;
	char *ra_ca_file;          /* anchors the issued certificates' chain, and TLS unless ra_tls_ca_file is set */
	char *ra_tls_ca_file;      /* NULL, or anchors the RA's TLS certificate only (a public TLS certificate) */
	char *ra_client_cert_file; /* NULL, or PEM certificate presented on simpleenroll (RFC 7030 3.3.2) */
	char *ra_client_key_file;  /* its PEM private key (0600), set together with ra_client_cert_file */
	char *revoke_url;
	char **allowed_callers;
	size_t allowed_callers_count;
	ecm_key_type key_type;
	long pkcs12_iterations;
	char *backup_dir; /* never NULL after loading: defaults to the home folder */
	long connect_timeout_s;
	long request_timeout_s;
	char **sign_origins; /* exact web origins allowed to ask for a signature (host/core/sign_origins.c) */
	size_t sign_origins_count;
	/* The broker (include/ecm/broker.h): NULL/0 in the global configuration, set in every broker profile. */
	char *broker_id;      /* [a-z0-9][a-z0-9-]{0,31} */
	char *name_zh;        /* the broker's name in zh-TW and in English */
	char *name_en;
	char *subject_ou;     /* NULL, or the subject OU this broker's certificates carry (brokers sharing a CA) */
	long renew_days;      /* days before expiry renewal is offered when the RA does not say */
	char *icon_file;      /* NULL, or a PNG (at most 64 KiB) */
} ecm_config;

/* Finds and loads the configuration: $ECM_CONFIG, per-user, system-wide, next to the binary;
 * none found means built-in defaults (no RA configured). */
ecm_code ecm_config_load(ecm_config *cfg, ecm_error *err);
ecm_code ecm_config_load_file(ecm_config *cfg, const char *path, ecm_error *err);
/* A broker profile (docs/protocol.md "Which broker"), read by the same readers, all or nothing: the global
 * settings are copied from globals, the broker's from the file. BROKER_PROFILE_INVALID with details file, key. */
ecm_code ecm_config_load_profile(ecm_config *cfg, const char *path, const ecm_config *globals, ecm_error *err);
/* The configuration file as a broker profile of its own (broker_id, broker_name; defaults "default" and the
 * product's name), when it names an RA. */
ecm_code ecm_config_legacy_profile(ecm_config *cfg, const ecm_config *main, ecm_error *err);
/* Leaves only the global settings: the broker's moved to its profile. */
void ecm_config_drop_broker(ecm_config *cfg);
void ecm_config_defaults(ecm_config *cfg);
void ecm_config_free(ecm_config *cfg);

int ecm_config_allows_caller(const ecm_config *cfg, const char *caller);
/* sign_origins: a list of "scheme://host[:port]" origins, lower-case, no path; replaces the list. */
struct cJSON;
ecm_code ecm_config_read_sign_origins(const struct cJSON *item, const char *file, ecm_config *cfg, ecm_error *err);
void ecm_config_free_sign_origins(ecm_config *cfg);
/* 1 when origin is exactly one of sign_origins. */
int ecm_config_allows_sign_origin(const ecm_config *cfg, const char *origin);
const char *ecm_key_type_name(ecm_key_type type);
/* The per-user configuration path this platform uses (malloc'd), for messages and installers. */
char *ecm_config_user_path(void);

#endif
