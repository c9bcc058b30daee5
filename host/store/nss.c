/* NSS databases (sql: cert9.db + key4.db): Chrome family on Linux, Firefox profiles everywhere.
 * NSS is initialised once, lazily, without a database of its own and without loading any user PKCS#11 module;
 * each store is one SECMOD_OpenUserDB slot. Identities are identified by issuer + serial, never by nickname. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cert.h>
#include <keyhi.h>
#include <nss.h>
#include <pk11pub.h>
#include <prerror.h>
#include <secasn1.h>
#include <secerr.h>
#include <utilpars.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#ifdef ECM_HAVE_SQLITE3
#include <sqlite3.h>
#endif

#include "ecm/platform.h"
#include "ecm/util.h"
#include "store_int.h"

#define NSS_RETRIES 6 /* a database another process is writing may answer busy for a moment */
#define NSS_OPEN_TRIES 2 /* each open of a locked database already waits about a second inside NSS */

typedef struct nss_store {
	PK11SlotInfo *slot;
	const ecm_store_info *info;
	int read_only; /* opened read-only (info->read_only, unless a hot journal needed a read-write open) */
} nss_store;

static int nss_up;
static unsigned nss_serial;

/* NSS keeps its databases in SQLite, in this process. By default every connection (two per store) takes a
 * lookaside arena and a bulk page-cache block up front, ~150 KB for databases of a few pages; without them the
 * peak memory of an apply is ~0.25 MiB lower (docs/performance.md). Only possible before SQLite starts: a later
 * call changes nothing and says so with a return code, ignored here because either way NSS works the same. */
static void
lean_sqlite(void)
{
#ifdef ECM_HAVE_SQLITE3
	(void)sqlite3_config(SQLITE_CONFIG_LOOKASIDE, 0, 0);
	(void)sqlite3_config(SQLITE_CONFIG_PAGECACHE, (void *)NULL, 0, 0);
#endif
}

ecm_code
ecm_nss_start(ecm_error *err)
{
	if (nss_up)
		return ECM_OK;
	lean_sqlite();
	if (NSS_Initialize("", "", "", "", NSS_INIT_NOCERTDB | NSS_INIT_NOMODDB | NSS_INIT_FORCEOPEN |
	    NSS_INIT_NOROOTINIT | NSS_INIT_OPTIMIZESPACE) != SECSuccess)
		return ecm_fail(err, ECM_STORE_FAILED, "NSS cannot start (error %d)", PORT_GetError());
	nss_up = 1;
	return ECM_OK;
}

void
ecm_store_shutdown(void)
{
	if (!nss_up)
		return;
	NSS_Shutdown();
	nss_up = 0;
}

static ecm_code
nss_fail(ecm_error *err, ecm_code code, const nss_store *s, const char *what)
{
	int e = PORT_GetError();
	const char *name = e != 0 ? PR_ErrorToName(e) : NULL, *text = e != 0 ? PORT_ErrorToString(e) : NULL;

	ecm_error_detail_str(err, "store", s->info->id);
	ecm_error_detail_num(err, "nss_error", e);
	if (name != NULL)
		ecm_error_detail_str(err, "nss_error_name", name);
	/* NSS's own words for the cause: a number alone names nothing a person or a log reader can act on. */
	return ecm_fail(err, code, "%s: %s: %s (NSS error %d%s%s)", s->info->path, what,
	    text != NULL ? text : "unknown cause", e, name ? " " : "", name ? name : "");
}

static char *
module_spec(const char *dir, int read_only)
{
	size_t n = strlen(dir) + sizeof("sql:");
	char label[32], *config = malloc(n), *qc = NULL, *ql = NULL, *spec = NULL;

	if (config == NULL)
		return NULL;
	snprintf(config, n, "sql:%s", dir); /* sized to fit: a cut path would open another folder */
	snprintf(label, sizeof(label), "ecm store %u", ++nss_serial);
	qc = NSSUTIL_Quote(config, '\'');
	ql = NSSUTIL_Quote(label, '\'');
	free(config);
	if (qc != NULL && ql != NULL) {
		n = strlen(qc) + strlen(ql) + 64;
		spec = malloc(n);
		if (spec != NULL)
			/* optimizeSpace: the small session and object tables NSS_INIT_OPTIMIZESPACE gives the first slot */
			snprintf(spec, n, "configdir=%s tokenDescription=%s flags=optimizeSpace%s", qc, ql,
			    read_only ? ",readOnly" : "");
	}
	PORT_Free(qc);
	PORT_Free(ql);
	return spec;
}

static int
file_in(const char *dir, const char *name, int mode)
{
	char *p = ecm_path_join(dir, name);
	int r = p != NULL && access(p, mode) == 0;

	free(p);
	return r;
}

/* SQLite's lock bytes (its os_unix.c: PENDING_BYTE at 1 GiB, then RESERVED and the 510 SHARED bytes): another
 * process holding any of them is using the file now — a browser writing its database. */
#define SQLITE_LOCK_START 0x40000000L
#define SQLITE_LOCK_LEN 512L

static int
file_locked(const char *dir, const char *name)
{
	char *p = ecm_path_join(dir, name);
	int locked = p != NULL && ecm_platform_range_locked(p, SQLITE_LOCK_START, SQLITE_LOCK_LEN);

	free(p);
	return locked;
}

/* Busy, not damaged: a database another process has locked. */
static int
db_locked(const char *dir)
{
	return file_locked(dir, "cert9.db") || file_locked(dir, "key4.db");
}

static void
drop_slot(nss_store *s)
{
	if (s->slot == NULL)
		return;
	SECMOD_CloseUserDB(s->slot);
	PK11_FreeSlot(s->slot);
	s->slot = NULL;
}

/* A writer killed in the middle of a transaction leaves a "hot" journal that only a read-write open rolls back
 * (SQLite's crash recovery): a read-only open of that database fails until then. */
static int
hot_journal(const char *dir)
{
	return file_in(dir, "cert9.db-journal", F_OK) || file_in(dir, "key4.db-journal", F_OK);
}

static ecm_code
open_slot(nss_store *s, ecm_error *err)
{
	char *spec;

	int existed = file_in(s->info->path, "cert9.db", F_OK), attempt;

	s->read_only = s->info->read_only && !(hot_journal(s->info->path) && file_in(s->info->path, ".", W_OK));
	if ((spec = module_spec(s->info->path, s->read_only)) == NULL)
		return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	/* A lock is held for a moment (a browser writing): a few short tries before saying STORE_LOCKED. */
	for (attempt = 0; attempt < NSS_OPEN_TRIES; attempt++) {
		s->slot = SECMOD_OpenUserDB(spec);
		if (s->slot != NULL && PK11_IsPresent(s->slot))
			break;
		drop_slot(s);
		if (!existed || !db_locked(s->info->path))
			break;
		usleep(50000u * (unsigned)(attempt + 1));
	}
	free(spec);
	if (s->slot != NULL)
		return ECM_OK;
	if (existed && db_locked(s->info->path))
		return nss_fail(err, ECM_STORE_LOCKED, s, "another program holds the database's lock");
	if (existed && !file_in(s->info->path, "cert9.db", R_OK | (s->read_only ? 0 : W_OK)))
		return nss_fail(err, ECM_STORE_LOCKED, s, "the database cannot be opened for writing");
	return nss_fail(err, existed ? ECM_STORE_CORRUPT : ECM_STORE_FAILED, s, "the database cannot be opened");
}

static ecm_code
login(nss_store *s, const char *password, ecm_error *err)
{
	/* A database never set up (no password yet) protects nothing: a read-write open sets it up with an empty
	 * password as Chrome does; a read-only one leaves it as it is. */
	if (PK11_NeedUserInit(s->slot)) {
		if (s->read_only)
			return ECM_OK;
		if (PK11_InitPin(s->slot, NULL, "") != SECSuccess)
			return nss_fail(err, ECM_STORE_FAILED, s, "cannot initialise the new database");
	}
	if (!PK11_NeedLogin(s->slot) || PK11_IsLoggedIn(s->slot, NULL))
		return ECM_OK;
	if (password == NULL) {
		ecm_error_detail_str(err, "store", s->info->id);
		return ecm_fail(err, ECM_STORE_PASSWORD_REQUIRED, "%s is protected by a password", s->info->path);
	}
	if (PK11_CheckUserPassword(s->slot, password) != SECSuccess) {
		if (PORT_GetError() == SEC_ERROR_BAD_PASSWORD) {
			ecm_error_detail_str(err, "store", s->info->id);
			return ecm_fail(err, ECM_STORE_PASSWORD_WRONG, "wrong password for %s", s->info->path);
		}
		return nss_fail(err, ECM_STORE_FAILED, s, "cannot log in");
	}
	return ECM_OK;
}

static void nss_close(void *handle);

/* A store that does not exist yet, opened only to read: empty, and still not created (slot NULL). */
static ecm_code
open_empty(const ecm_store_info *info, void **handle, ecm_error *err)
{
	nss_store *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	s->info = info;
	*handle = s;
	return ECM_OK;
}

static ecm_code
nss_open(const ecm_store_info *info, const char *password, void **handle, ecm_error *err)
{
	nss_store *s;
	ecm_code rc;

	*handle = NULL;
	if ((rc = ecm_nss_start(err)) != ECM_OK)
		return rc;
	if (info->read_only && !info->exists)
		return open_empty(info, handle, err);
	if (!info->read_only && ecm_mkdirs(info->path, 0700) != 0) {
		ecm_error_detail_str(err, "store", info->id);
		return ecm_fail(err, errno == EACCES ? ECM_STORE_LOCKED : ECM_STORE_FAILED, "cannot create %s: %s",
		    info->path, strerror(errno));
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	s->info = info;
	rc = open_slot(s, err);
	if (rc == ECM_OK)
		rc = login(s, password, err);
	if (rc != ECM_OK) {
		nss_close(s);
		return rc;
	}
	*handle = s;
	return ECM_OK;
}

static void
nss_close(void *handle)
{
	nss_store *s = handle;

	if (s == NULL)
		return;
	drop_slot(s);
	free(s);
}

static X509 *
to_x509(const CERTCertificate *c)
{
	const unsigned char *p = c->derCert.data;

	return d2i_X509(NULL, &p, (long)c->derCert.len);
}

static int
has_key(nss_store *s, CERTCertificate *c)
{
	SECKEYPrivateKey *key = PK11_FindPrivateKeyFromCert(s->slot, c, NULL);

	if (key == NULL)
		return 0;
	SECKEY_DestroyPrivateKey(key);
	return 1;
}

static ecm_code
nss_list(void *handle, ecm_store_items *out, ecm_error *err)
{
	nss_store *s = handle;
	CERTCertList *list = s->slot != NULL ? PK11_ListCertsInSlot(s->slot) : NULL;
	CERTCertListNode *node;
	size_t n = 0;

	out->v = NULL;
	out->n = 0;
	if (list == NULL)
		return ECM_OK;
	for (node = CERT_LIST_HEAD(list); !CERT_LIST_END(node, list); node = CERT_LIST_NEXT(node))
		n++;
	out->v = calloc(n ? n : 1, sizeof(*out->v));
	if (out->v == NULL) {
		CERT_DestroyCertList(list);
		return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	}
	for (node = CERT_LIST_HEAD(list); !CERT_LIST_END(node, list); node = CERT_LIST_NEXT(node)) {
		X509 *x = to_x509(node->cert);
		if (x == NULL)
			continue;
		out->v[out->n].cert = x;
		out->v[out->n].has_key = has_key(s, node->cert);
		out->n++;
	}
	CERT_DestroyCertList(list);
	return ECM_OK;
}

/* The slot's certificate with which's issuer + serial (caller destroys), or NULL. */
static CERTCertificate *
find_cert(nss_store *s, const X509 *which)
{
	CERTCertList *list = s->slot != NULL ? PK11_ListCertsInSlot(s->slot) : NULL;
	CERTCertListNode *node;
	CERTCertificate *found = NULL;

	if (list == NULL)
		return NULL;
	for (node = CERT_LIST_HEAD(list); !CERT_LIST_END(node, list) && found == NULL; node = CERT_LIST_NEXT(node)) {
		X509 *x = to_x509(node->cert);
		if (x != NULL && ecm_cert_same(x, which))
			found = CERT_DupCertificate(node->cert);
		X509_free(x);
	}
	CERT_DestroyCertList(list);
	return found;
}

/* The key leaves NSS wrapped (PBES2/AES-256 under a random one-time password) and OpenSSL unwraps it: softoken
 * keys are sensitive and refuse a plaintext export. */
static EVP_PKEY *
export_key(nss_store *s, SECKEYPrivateKey *key)
{
	unsigned char raw[24];
	char pw[sizeof(raw) * 2 + 1];
	SECItem pwitem = { siBuffer, (unsigned char *)pw, sizeof(pw) - 1 }, der = { siBuffer, NULL, 0 };
	SECKEYEncryptedPrivateKeyInfo *epki;
	const unsigned char *p;
	X509_SIG *sig = NULL;
	PKCS8_PRIV_KEY_INFO *p8 = NULL;
	EVP_PKEY *pkey = NULL;
	size_t i;

	if (PK11_GenerateRandom(raw, sizeof(raw)) != SECSuccess)
		return NULL;
	for (i = 0; i < sizeof(raw); i++)
		snprintf(pw + 2 * i, 3, "%02x", raw[i]);
	epki = PK11_ExportEncryptedPrivKeyInfoV2(s->slot, SEC_OID_PKCS5_PBES2, SEC_OID_AES_256_CBC,
	    SEC_OID_HMAC_SHA256, &pwitem, key, 1, NULL);
	if (epki != NULL && SEC_ASN1EncodeItem(NULL, &der, epki, SECKEY_EncryptedPrivateKeyInfoTemplate) != NULL) {
		p = der.data;
		sig = d2i_X509_SIG(NULL, &p, (long)der.len);
	}
	if (sig != NULL)
		p8 = PKCS8_decrypt(sig, pw, (int)strlen(pw));
	if (p8 != NULL)
		pkey = EVP_PKCS82PKEY(p8);
	PKCS8_PRIV_KEY_INFO_free(p8);
	X509_SIG_free(sig);
	SECITEM_FreeItem(&der, PR_FALSE);
	if (epki != NULL)
		SECKEY_DestroyEncryptedPrivateKeyInfo(epki, PR_TRUE);
	OPENSSL_cleanse(pw, sizeof(pw));
	OPENSSL_cleanse(raw, sizeof(raw));
	return pkey;
}

static ecm_code
nss_find(void *handle, const X509 *which, int want_key, ecm_identity *out, ecm_error *err)
{
	nss_store *s = handle;
	CERTCertificate *c = find_cert(s, which);
	SECKEYPrivateKey *key;

	memset(out, 0, sizeof(*out));
	if (c == NULL)
		return ecm_fail(err, ECM_NO_CERTIFICATE, "the certificate is not in %s", s->info->path);
	out->cert = to_x509(c);
	key = want_key ? PK11_FindPrivateKeyFromCert(s->slot, c, NULL) : NULL;
	CERT_DestroyCertificate(c);
	if (!want_key)
		return out->cert ? ECM_OK : ecm_fail(err, ECM_INTERNAL, "cannot read the certificate");
	if (key == NULL) {
		ecm_identity_free(out);
		return ecm_fail(err, ECM_KEY_MISSING, "the key of the certificate is not in %s", s->info->path);
	}
	out->key = export_key(s, key);
	SECKEY_DestroyPrivateKey(key);
	if (out->key == NULL || out->cert == NULL) {
		ecm_identity_free(out);
		return nss_fail(err, ECM_STORE_FAILED, s, "cannot export the private key");
	}
	return ECM_OK;
}

/* Plaintext PKCS#8 of the key; EC keys carry their public point (NSS refuses them without). */
static int
key_pkcs8(const EVP_PKEY *key, unsigned char **der, int *len)
{
	EVP_PKEY *dup = EVP_PKEY_dup((EVP_PKEY *)key);
	PKCS8_PRIV_KEY_INFO *p8;

	*der = NULL;
	if (dup == NULL)
		return -1;
	if (EVP_PKEY_is_a(dup, "EC"))
		EVP_PKEY_set_int_param(dup, OSSL_PKEY_PARAM_EC_INCLUDE_PUBLIC, 1);
	p8 = EVP_PKEY2PKCS8(dup);
	EVP_PKEY_free(dup);
	if (p8 == NULL)
		return -1;
	*len = i2d_PKCS8_PRIV_KEY_INFO(p8, der);
	PKCS8_PRIV_KEY_INFO_free(p8);
	return *len > 0 ? 0 : -1;
}

static CERTCertificate *
temp_cert(X509 *x)
{
	unsigned char *der = NULL;
	int len = i2d_X509(x, &der);
	SECItem item;
	CERTCertificate *c;

	if (len <= 0)
		return NULL;
	item.type = siBuffer;
	item.data = der;
	item.len = (unsigned)len;
	c = CERT_NewTempCertificate(CERT_GetDefaultCertDB(), &item, NULL, PR_FALSE, PR_TRUE);
	OPENSSL_free(der);
	return c;
}

/* 1 when a certificate of another subject in this database has the nickname: NSS gives one nickname to one
 * subject and refuses the second (SEC_ERROR_ADDING_CERT). Asked by "<token>:<nickname>" (our token names are
 * unique per store); PK11_ReadRawAttribute on a certificate would leak a slot reference. */
static int
nick_taken(nss_store *s, const char *nick, const CERTCertificate *c)
{
	const char *token = PK11_GetTokenName(s->slot);
	size_t n = strlen(token) + strlen(nick) + 2;
	char *qualified = malloc(n);
	CERTCertList *list;
	CERTCertListNode *node;
	int taken = 0;

	if (qualified == NULL)
		return 0;
	snprintf(qualified, n, "%s:%s", token, nick);
	list = PK11_FindCertsFromNickname(qualified, NULL);
	free(qualified);
	if (list == NULL)
		return 0;
	for (node = CERT_LIST_HEAD(list); !CERT_LIST_END(node, list) && !taken; node = CERT_LIST_NEXT(node))
		taken = SECITEM_CompareItem(&node->cert->derSubject, &c->derSubject) != SECEqual;
	CERT_DestroyCertList(list);
	return taken;
}

/* The CN, as the browsers show it; when another subject has it already (two layouts of one customer's name),
 * the CN and the serial, so that each certificate has a nickname of its own. */
static char *
nickname(nss_store *s, const X509 *cert, const CERTCertificate *c)
{
	cJSON *sum = ecm_cert_summary(cert);
	const cJSON *cn = cJSON_GetObjectItemCaseSensitive(sum, "cn"), *serial;
	const char *base = cJSON_IsString(cn) && cn->valuestring[0] ? cn->valuestring : "e-Cert";
	char *nick = strdup(base);
	size_t len;

	if (nick != NULL && nick_taken(s, nick, c)) {
		serial = cJSON_GetObjectItemCaseSensitive(sum, "serial");
		len = strlen(base) + strlen(serial->valuestring) + 4;
		free(nick);
		if ((nick = malloc(len)) != NULL)
			snprintf(nick, len, "%s #%s", base, serial->valuestring);
	}
	cJSON_Delete(sum);
	return nick;
}

static void
import_chain(nss_store *s, STACK_OF(X509) *chain)
{
	int i;

	for (i = 0; chain != NULL && i < sk_X509_num(chain); i++) {
		CERTCertificate *ca = temp_cert(sk_X509_value(chain, i));
		char *nick;
		if (ca == NULL)
			continue;
		nick = CERT_MakeCANickname(ca);
		if (PK11_FindCertInSlot(s->slot, ca, NULL) == CK_INVALID_HANDLE)
			PK11_ImportCert(s->slot, ca, CK_INVALID_HANDLE, nick, PR_FALSE);
		PORT_Free(nick);
		CERT_DestroyCertificate(ca);
	}
}

/* The public-key object pk12util writes beside the private key: without it a database with a password cannot
 * tell, before it is unlocked, that the certificate is a user certificate (certutil shows no "u,u,u").
 * Best effort: the certificate and key are usable without it. */
static void
import_public_key(nss_store *s, CERTCertificate *c)
{
	SECKEYPublicKey *pub = CERT_ExtractPublicKey(c);

	if (pub == NULL)
		return;
	(void)PK11_ImportPublicKey(s->slot, pub, PR_TRUE);
	SECKEY_DestroyPublicKey(pub);
}

static void delete_key(nss_store *s, SECKEYPrivateKey *key);

/* Key, then certificate. When the certificate is refused, the key this attempt added goes again (a key that was
 * here before stays): a failed install leaves nothing behind. */
static SECStatus
import_once(nss_store *s, CERTCertificate *c, SECItem *p8, const char *nick)
{
	SECItem nick_item = { siBuffer, (unsigned char *)nick, (unsigned)strlen(nick) };
	SECKEYPrivateKey *key = NULL, *before = PK11_FindKeyByDERCert(s->slot, c, NULL);
	SECStatus rv;
	int e;

	if (before != NULL)
		SECKEY_DestroyPrivateKey(before);
	rv = PK11_ImportDERPrivateKeyInfoAndReturnKey(s->slot, p8, &nick_item, NULL, PR_TRUE, PR_TRUE, KU_ALL, &key,
	    NULL);
	if (rv != SECSuccess)
		return rv;
	rv = PK11_ImportCert(s->slot, c, key->pkcs11ID, nick, PR_FALSE);
	if (rv == SECSuccess) {
		SECKEY_DestroyPrivateKey(key);
		import_public_key(s, c);
	} else if (before == NULL) {
		e = PORT_GetError();
		delete_key(s, key); /* frees key */
		PORT_SetError(e);
	} else {
		SECKEY_DestroyPrivateKey(key);
	}
	return rv;
}

static int
present_with_key(nss_store *s, const X509 *cert)
{
	CERTCertificate *c = find_cert(s, cert);
	int r = c != NULL && has_key(s, c);

	if (c != NULL)
		CERT_DestroyCertificate(c);
	return r;
}

static int
busy_error(int e)
{
	return e == SEC_ERROR_BAD_DATABASE || e == SEC_ERROR_ADDING_CERT || e == SEC_ERROR_PKCS11_DEVICE_ERROR || e == SEC_ERROR_LOCKED_PASSWORD ||
	    e == SEC_ERROR_READ_ONLY || e == SEC_ERROR_PKCS11_GENERAL_ERROR;
}

static ecm_code
nss_import(void *handle, const ecm_identity *id, int *already, ecm_error *err)
{
	nss_store *s = handle;
	CERTCertificate *c, *existing = find_cert(s, id->cert);
	unsigned char *der = NULL;
	int len = 0, attempt;
	SECItem p8;
	SECStatus rv = SECFailure;
	char *nick;

	*already = 0;
	if (s->slot == NULL)
		return ecm_fail(err, ECM_STORE_FAILED, "%s was opened read-only", s->info->path);
	if (existing != NULL) {
		*already = has_key(s, existing);
		CERT_DestroyCertificate(existing);
		if (*already)
			return ECM_OK;
	}
	if (id->key == NULL)
		return ecm_fail(err, ECM_KEY_MISSING, "no private key to import");
	if (key_pkcs8(id->key, &der, &len) != 0)
		return ecm_fail(err, ECM_INTERNAL, "cannot encode the private key");
	c = temp_cert(id->cert);
	nick = c != NULL ? nickname(s, id->cert, c) : NULL;
	p8.type = siBuffer;
	p8.data = der;
	p8.len = (unsigned)len;
	for (attempt = 0; c != NULL && nick != NULL && attempt < NSS_RETRIES; attempt++) {
		if ((rv = import_once(s, c, &p8, nick)) == SECSuccess)
			break;
		/* Another process may have written the same identity meanwhile (SEC_ERROR_ADDING_CERT). */
		if (present_with_key(s, id->cert)) {
			rv = SECSuccess;
			break;
		}
		if (!busy_error(PORT_GetError()))
			break;
		usleep(50000u * (unsigned)(attempt + 1));
	}
	OPENSSL_clear_free(der, (size_t)len);
	free(nick);
	if (c != NULL)
		CERT_DestroyCertificate(c);
	if (rv != SECSuccess)
		return nss_fail(err, PORT_GetError() == SEC_ERROR_READ_ONLY || db_locked(s->info->path) ?
		    ECM_STORE_LOCKED : ECM_STORE_FAILED, s, "cannot import the certificate and key");
	import_chain(s, id->chain);
	return ECM_OK;
}

/* Public-key objects with the private key's CKA_ID (written by some tools beside the private key). */
static void
delete_public_keys(nss_store *s, SECItem *key_id)
{
	SECKEYPublicKeyList *list = PK11_ListPublicKeysInSlot(s->slot, NULL);
	SECKEYPublicKeyListNode *node;

	if (list == NULL)
		return;
	for (node = PUBKEY_LIST_HEAD(list); !PUBKEY_LIST_END(node, list); node = PUBKEY_LIST_NEXT(node)) {
		SECItem id = { siBuffer, NULL, 0 };
		if (PK11_ReadRawAttribute(PK11_TypePubKey, node->key, CKA_ID, &id) != SECSuccess)
			continue;
		/* By handle: PK11_DeleteTokenPublicKey would also free node->key, which the list frees again. */
		if (SECITEM_ItemsAreEqual(&id, key_id))
			PK11_DestroyTokenObject(node->key->pkcs11Slot, node->key->pkcs11ID);
		SECITEM_FreeItem(&id, PR_FALSE);
	}
	SECKEY_DestroyPublicKeyList(list);
}

/* Without force, NSS keeps a key that another certificate of this database still uses (same CKA_ID): removing
 * one certificate must never take the key of one that stays. */
static void
delete_key(nss_store *s, SECKEYPrivateKey *key)
{
	SECItem key_id = { siBuffer, NULL, 0 };
	int have_id = PK11_ReadRawAttribute(PK11_TypePrivKey, key, CKA_ID, &key_id) == SECSuccess;

	if (PK11_DeleteTokenPrivateKey(key, PR_FALSE) == SECSuccess && have_id) /* frees key either way */
		delete_public_keys(s, &key_id);
	if (have_id)
		SECITEM_FreeItem(&key_id, PR_FALSE);
}

/* The certificate first, its key only once the certificate is gone: a failed deletion leaves both in place. */
static ecm_code
nss_remove(void *handle, const X509 *which, ecm_error *err)
{
	nss_store *s = handle;
	CERTCertificate *c = find_cert(s, which);
	SECKEYPrivateKey *key;
	CK_OBJECT_HANDLE h;
	SECStatus rv;

	if (c == NULL)
		return ecm_fail(err, ECM_NO_CERTIFICATE, "the certificate is not in %s", s->info->path);
	key = PK11_FindPrivateKeyFromCert(s->slot, c, NULL);
	h = PK11_FindCertInSlot(s->slot, c, NULL);
	rv = h == CK_INVALID_HANDLE ? SECFailure : PK11_DestroyTokenObject(s->slot, h);
	CERT_DestroyCertificate(c);
	if (rv != SECSuccess) {
		if (key != NULL)
			SECKEY_DestroyPrivateKey(key);
		return nss_fail(err, ECM_STORE_FAILED, s, "cannot delete the certificate");
	}
	if (key != NULL)
		delete_key(s, key);
	return ECM_OK;
}

/* Signed by NSS's CMS library with the key inside the database (host/store/nss_cms.c). */
static ecm_code
nss_sign(void *handle, const X509 *which, const unsigned char *data, size_t len, int detached, unsigned char **der,
    size_t *der_len, ecm_error *err)
{
	nss_store *s = handle;
	CERTCertificate *c = find_cert(s, which);
	ecm_code rc;

	if (c == NULL)
		return ecm_fail(err, ECM_NO_CERTIFICATE, "the certificate is not in %s", s->info->path);
	if (!has_key(s, c))
		rc = ecm_fail(err, ECM_KEY_MISSING, "the key of the certificate is not in %s", s->info->path);
	else if ((rc = store_nss_cms_sign(c, data, len, detached, der, der_len, err)) != ECM_OK)
		ecm_error_detail_str(err, "store", s->info->id);
	CERT_DestroyCertificate(c);
	return rc;
}

const ecm_store_backend ecm_store_nss = {
	"nss",
	ECM_STORE_CAN_DELETE | ECM_STORE_CAN_IMPORT | ECM_STORE_CAN_SIGN,
	nss_open,
	nss_list,
	nss_find,
	nss_import,
	nss_remove,
	nss_close,
	nss_sign,
};
