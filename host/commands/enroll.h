/* Shared by the enrollment commands (login, list, apply, renew): RA credentials from the session, the server's
 * certificate records, and the apply/renew state machine (keygen -> enroll -> backup -> install). */
#ifndef ECM_ENROLL_H
#define ECM_ENROLL_H

#include "ecm/command.h"
#include "ecm/crypto.h"
#include "ecm/identity.h"
#include "ecm/ra.h"

typedef struct enroll_args {
	const char *terms_version;
	const char *otp;
	char *backup_path; /* resolved (ecm_user_path), malloc'd; NULL: the default name in backup_dir */
	const char *backup_password;
	int overwrite;
	int compat;
	const char *current_path; /* renew: the current certificate's .pfx */
	const char *current_password;
	int resume; /* send the session's pending request again instead of making a new one */
	int replace_existing; /* apply: supersede the valid certificate the account holds */
	const cJSON *only_stores; /* `stores`: where the new certificate goes (NULL: every store found) */
	const cJSON *store_passwords; /* `password_for` */
	const ecm_identity *superseded; /* apply + replace_existing: that certificate as a store here holds it */
} enroll_args;

/* One enrollment request: the new key, the exact CSR made with it and, for renew, references to the identity that
 * authenticates it. A 202 Accepted (a broker approving by hand) parks it in the session, because RFC 7030 4.2.3
 * wants the same request sent again later, and the key must be the one in that request. It lives in this
 * connection's memory only (no backup, no store until issued) and ends with logout, login or the connection. */
typedef struct enroll_pending {
	EVP_PKEY *key;         /* EVP_PKEY_free clears the private parts */
	unsigned char *csr;    /* DER, exactly as sent */
	size_t csr_len;
	int reenroll;          /* renew: simplereenroll with current as TLS client identity */
	ecm_identity current;  /* renew: references (up-ref'd) to the current certificate + key; else empty */
	long long retry_at;    /* our clock: when the RA said to ask again (0: at once) */
	char spki_sha256[65];  /* hex SHA-256 of the public key's DER: not secret, names the request for support */
} enroll_pending;

/* A new request for this session's ID: keygen, then the CSR (renew keeps current's subject). */
ecm_code enroll_pending_new(ecm_ctx *ctx, const ecm_identity *current, enroll_pending **out, ecm_error *err);
void enroll_pending_free(enroll_pending *p);
/* resume: BAD_REQUEST ("resume") unless an apply (reenroll 0) or a renew (1) is pending. */
ecm_code enroll_pending_check(const ecm_ctx *ctx, int reenroll, ecm_error *err);
/* renew + resume: references to the identity the pending renewal was made for. */
ecm_code enroll_pending_current(const ecm_ctx *ctx, ecm_identity *out, ecm_error *err);
/* Detaches the session's pending request (the caller owns it), or NULL. */
enroll_pending *enroll_pending_take(ecm_ctx *ctx);
/* Parks p in the session (taking it) and says so in err's details: pending, spki_sha256. */
void enroll_pending_keep(ecm_ctx *ctx, enroll_pending *p, ecm_error *err);
void enroll_pending_drop(ecm_ctx *ctx);

/* The session's ID and password as HTTP Basic credentials. */
ecm_ra_auth enroll_session_auth(const ecm_ctx *ctx);

/* An RA certificate record plus "national_id", "days_left" and "expired" counted on the RA's clock (now). */
cJSON *enroll_server_cert(const cJSON *ra_cert, long long ra_now);
/* The RA's clock from the last account answer of this session, or our own. */
long long enroll_ra_now(const ecm_ctx *ctx);
/* What the RA sent for key checked (ecm_issued_take) for this session's customer: out gets the certificate and
 * its verified chain, or ISSUED_CERT_INVALID with details.reason. */
ecm_code enroll_take_issued(const ecm_ctx *ctx, STACK_OF(X509) *certs, EVP_PKEY *key, ecm_identity *out,
    ecm_error *err);

/* The account's current PC certificate as enroll_server_cert gives it, plus "renewable_from"; NULL when none. */
cJSON *enroll_account_cert(const cJSON *account);
/* login's and session's answer from an account: account, server_cert, suggestion, renewal_window_days, ra_now. */
ecm_code enroll_describe_account(const cJSON *account, const char *id, cJSON *result, ecm_error *err);
/* GET /account again into the session. */
ecm_code enroll_fetch_account(ecm_ctx *ctx, ecm_error *err);
/* apply: VALID_CERT_EXISTS (serial, device, not_after, days_left) unless replace_existing. */
ecm_code enroll_check_supersede(ecm_ctx *ctx, int replace_existing, ecm_error *err);
/* renew of the certificate with this serial: NOT_IN_RENEWAL_WINDOW (renewable_from, window_days) when it is the
 * broker's current one and its window has not opened yet. */
ecm_code enroll_check_window(ecm_ctx *ctx, const char *serial, ecm_error *err);

/* A backup path that is an existing folder means "the default name in that folder": tmp, a copy of cfg with
 * backup_dir = path (borrowed), is returned; NULL when path is not a folder. */
const ecm_config *enroll_folder_config(const ecm_config *cfg, const char *path, ecm_config *tmp);

/* The backup file a typed path names: itself when it is a folder or ends in .pfx/.p12, else path + ".pfx"
 * (Import's chooser shows only those: a file without the extension would seem lost). malloc'd; NULL for NULL. */
char *enroll_backup_name(const char *path);
/* The default backup name in cfg's backup_dir that no file has yet (ECM_<ID>_<date>.pfx, then -2, -3, …). */
char *enroll_free_default_path(const ecm_config *cfg, const X509 *cert);

ecm_code enroll_parse_args(const cJSON *args, int renew, enroll_args *a, ecm_error *err);
/* The arguments apply and renew share, as enroll_parse_args reads them (docs/protocol.md). */
extern const ecm_arg_spec enroll_backup_args[];
#define ENROLL_ARGS \
	{ "terms_version", ECM_ARG_STRING | ECM_ARG_REQUIRED, ECM_ARG_NAME_MAX, NULL }, \
	{ "otp", ECM_ARG_STRING | ECM_ARG_REQUIRED | ECM_ARG_SECRET, ECM_ARG_NAME_MAX, NULL }, \
	{ "resume", ECM_ARG_BOOL, 0, NULL }, \
	{ "backup", ECM_ARG_OBJECT | ECM_ARG_REQUIRED, 0, enroll_backup_args }
void enroll_args_free(enroll_args *a);
/* The whole apply (current == NULL) or renew. Fills result per docs/protocol.md. */
ecm_code enroll_run(ecm_ctx *ctx, const enroll_args *a, const ecm_identity *current, cJSON *result,
    ecm_error *err);

/* References (up-ref'd), not copies, of from's key, certificate and chain. 0 or -1 (out of memory). */
int enroll_identity_ref(const ecm_identity *from, ecm_identity *to);

/* An issued identity on its way to safety: the backup and the stores. apply/renew make one when the RA issues;
 * when one of the two fails it stays in the session (ISSUED_NOT_SAVED) for save_issued, like a pending request
 * (host/commands/enroll_issued.c). */
typedef struct enroll_issued {
	ecm_identity id;       /* key + certificate + chain */
	ecm_identity previous; /* renew: the superseded certificate (up-ref'd), removed from the stores once saved */
	char serial[72];
	char *backup_path;     /* set once a backup is written */
	cJSON *installed;      /* store ids that hold it */
} enroll_issued;

/* What a backup write needs: target NULL means the default name in backup_dir. */
typedef struct enroll_backup {
	const char *path;
	const char *password;
	int overwrite;
	int compat;
} enroll_backup;

/* Takes issued's contents (emptied) and references to previous (may be NULL). NULL when out of memory. */
enroll_issued *enroll_issued_new(ecm_identity *issued, const ecm_identity *previous);
void enroll_issued_free(enroll_issued *st);
/* Writes the backup; adds result.backup {path, format}. */
ecm_code enroll_issued_backup(ecm_ctx *ctx, enroll_issued *st, const enroll_backup *b, cJSON *result,
    ecm_error *err);
/* Installs into every store or the chosen ones (only_stores, passwords: as ecm_install_everywhere); adds
 * result.install {results, error?}.
 * Per-store failures are results: ECM_OK unless no store took it. */
ecm_code enroll_issued_install(ecm_ctx *ctx, enroll_issued *st, const cJSON *only_stores, const cJSON *passwords,
    cJSON *result, ecm_error *err);
/* Both done: backed up and in at least one store. */
int enroll_issued_saved(const enroll_issued *st);
/* Renew, once saved: the superseded certificate leaves every store where its successor is installed
 * (result.install.removed). The old certificate never goes before the new one is safe. */
void enroll_issued_retire_previous(const enroll_issued *st, const cJSON *passwords, cJSON *result);
/* The session's issued identity, or NULL. */
enroll_issued *enroll_issued_held(const ecm_ctx *ctx);
/* Parks st in the session (replacing any held one) and turns err (the cause) into ISSUED_NOT_SAVED with
 * details issued_serial, backup_written, installed, cause (+ the cause's details). Returns the code. */
ecm_code enroll_issued_keep(ecm_ctx *ctx, enroll_issued *st, cJSON *install_results, ecm_error *err);
/* Forgets the session's issued identity (saved, replaced, or discarded on purpose). */
void enroll_issued_drop(ecm_ctx *ctx);
/* Whose the held identity is (the ID in the RA's certificate); "" when it names none. */
void enroll_issued_owner(const enroll_issued *st, char out[ECM_ID_LEN + 1]);
/* ISSUED_NOT_SAVED (details issued_serial, masked_id) when id is not the held identity's owner: another
 * customer's login must not be the way it is lost or written under their password. */
ecm_code enroll_issued_check_owner(const enroll_issued *st, const char *id, ecm_error *err);

#endif
