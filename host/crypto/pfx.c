/* PKCS#12 backups: written modern (AES/PBKDF2/SHA-256) or compat (3DES/SHA-1), read in every flavour. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>

#include "ecm/crypto.h"
#include "ecm/identity.h"
#include "ecm/util.h"
#include "pfx_int.h"
#include "crypto_int.h"

#define PFX_MAX_BYTES (1024u * 1024u)

/* RC2-40 and DES live in the legacy provider. Loading it makes the default provider implicit no more,
 * so both are loaded, once, and only when a file needs them; and unloaded at exit, before OpenSSL's own clean-up,
 * which in 3.0 leaves the legacy provider's child library context behind (tests/lsan.supp). */
static OSSL_PROVIDER *default_provider, *legacy_provider;

static void
unload_providers(void)
{
	if (legacy_provider != NULL)
		OSSL_PROVIDER_unload(legacy_provider);
	if (default_provider != NULL)
		OSSL_PROVIDER_unload(default_provider);
	legacy_provider = default_provider = NULL;
}

static void
load_legacy_provider(void)
{
	static int loaded;

	if (loaded)
		return;
	loaded = 1;
	default_provider = OSSL_PROVIDER_load(NULL, "default");
	legacy_provider = default_provider != NULL ? OSSL_PROVIDER_load(NULL, "legacy") : NULL;
	if (legacy_provider == NULL)
		ERR_clear_error();
	atexit(unload_providers);
}

/* Which password the MAC was made with: as given, or NULL for an empty one (both encodings exist).
 * 0 when neither matches: the password is wrong. */
static int
mac_password(PKCS12 *p12, const char *password, const char **pw)
{
	*pw = password;
	if (!PKCS12_mac_present(p12) || PKCS12_verify_mac(p12, password, -1))
		return 1;
	*pw = NULL;
	return password[0] == '\0' && PKCS12_verify_mac(p12, NULL, 0);
}

/* password is what the MAC was checked with (mac_password): the bags are read without checking it again. */

ecm_code
ecm_pfx_decode(const unsigned char *der, size_t len, const char *password, ecm_identity *out, ecm_error *err)
{
	const unsigned char *p = der;
	PKCS12 *p12 = d2i_PKCS12(NULL, &p, (long)len);
	pfx_prefetch *pre;
	const char *pw;
	int ok;

	memset(out, 0, sizeof(*out));
	if (p12 == NULL) {
		ERR_clear_error();
		return ecm_fail(err, ECM_PFX_INVALID, "not a PKCS#12 file");
	}
	if (ecm_pfx_check_mac_work(p12, err) != ECM_OK) {
		PKCS12_free(p12);
		return err->code;
	}
	/* The bags' decryptions run beside the MAC check, except with an empty password: which of its two encodings
	 * the file used is known only once the MAC is checked. */
	pfx_kdf_ready();
	pre = PKCS12_mac_present(p12) && password[0] == '\0' ? NULL : pfx_prefetch_start(p12, password);
	if (!mac_password(p12, password, &pw)) {
		pfx_prefetch_free(pre);
		pfx_kdf_forget();
		PKCS12_free(p12);
		ERR_clear_error();
		return ecm_fail(err, ECM_PFX_WRONG_PASSWORD, "wrong password for the PKCS#12 file");
	}
	ok = pfx_parse_verified(p12, pw, pre, out, err);
	pfx_prefetch_free(pre);
	if (ok == 0) { /* RC2/3DES parts need the legacy provider */
		ecm_identity_free(out);
		load_legacy_provider();
		ok = pfx_parse_verified(p12, pw, NULL, out, err);
	}
	PKCS12_free(p12);
	pfx_kdf_forget();
	ERR_clear_error();
	if (ok < 0) {
		ecm_identity_free(out);
		return err->code;
	}
	if (ok == 0) {
		ecm_identity_free(out);
		return ecm_fail(err, ECM_PFX_INVALID, "the PKCS#12 file holds no readable certificate");
	}
	return ECM_OK;
}

ecm_code
ecm_pfx_write_file(const char *path, const ecm_identity *id, const char *password, long iterations,
    ecm_pfx_format format, int overwrite, ecm_error *err)
{
	unsigned char *der;
	size_t len;
	ecm_code rc;

	rc = ecm_pfx_encode(id, password, iterations, format, &der, &len, err);
	if (rc != ECM_OK)
		return rc;
	rc = ecm_write_file_atomic(path, der, len, overwrite, err);
	OPENSSL_clear_free(der, len);
	return rc;
}

ecm_code
ecm_pfx_read_file(const char *path, const char *password, ecm_identity *out, ecm_error *err)
{
	char *full = ecm_user_path(path); /* a path a request named: the one rule (relative and ~ against home) */
	unsigned char *der;
	size_t len;
	ecm_code rc;

	memset(out, 0, sizeof(*out));
	if (full == NULL)
		return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	rc = ecm_read_file(full, PFX_MAX_BYTES, &der, &len, err);
	if (rc == ECM_OK) {
		rc = ecm_pfx_decode(der, len, password, out, err);
		if (rc != ECM_OK)
			ecm_error_detail_str(err, "path", full);
		OPENSSL_clear_free(der, len);
	}
	free(full);
	return rc;
}

/* The ID comes from the certificate's subject (already strict); only letters and digits
 * reach the file name, so a CN like "../../x" cannot move the backup out of backup_dir. */
static void
name_part(char *out, size_t size, const char *id)
{
	size_t i;

	if (id == NULL || id[0] == '\0')
		id = "CERT";
	for (i = 0; id[i] != '\0' && i + 1 < size; i++)
		out[i] = isalnum((unsigned char)id[i]) ? id[i] : '_';
	out[i] = '\0';
}

char *
ecm_backup_default_path(const ecm_config *cfg, const X509 *cert)
{
	char id[ECM_ID_LEN + 1], name[128], part[33], broker[40] = "", date[16] = "00000000";
	struct tm tm;

	if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) == 1)
		strftime(date, sizeof(date), "%Y%m%d", &tm);
	/* The owner's ID as the one rule reads it (the certificate of a file being written is the customer's). */
	if (ecm_cert_subject_id(cert, id) != 1)
		id[0] = '\0';
	name_part(part, sizeof(part), id);
	/* one customer's files from two brokers, side by side in one folder, say whose broker each is */
	if (cfg->broker_id != NULL && strcmp(cfg->broker_id, ECM_BROKER_DEFAULT_ID) != 0) {
		broker[0] = '_';
		name_part(broker + 1, sizeof(broker) - 1, cfg->broker_id);
	}
	snprintf(name, sizeof(name), "ECM_%s%s_%s.pfx", part, broker, date);
	if (cfg->backup_dir == NULL)
		return NULL;
	return ecm_path_join(cfg->backup_dir, name);
}
