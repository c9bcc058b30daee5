/* The one list of stable error codes. The extension translates codes, never messages. */
#ifndef ECM_ERROR_H
#define ECM_ERROR_H

#include <stddef.h>

/* printf-style checking; the Windows build checks C99 formats (include/ecm/compat_windows.h). */
#ifndef ECM_PRINTF_ARCHETYPE
#define ECM_PRINTF_ARCHETYPE printf
#endif

/* X(NAME, "English description for logs") — append only; names are part of the protocol (docs/protocol.md). */
#define ECM_CODE_LIST(X) \
	X(OK, "success") \
	X(BAD_REQUEST, "the request is not a JSON object with id, cmd and args of the right types") \
	X(UNKNOWN_COMMAND, "no such command") \
	X(MESSAGE_TOO_LARGE, "the message is larger than allowed") \
	X(CALLER_NOT_ALLOWED, "the calling extension is not allowed by the configuration") \
	X(CONFIG_INVALID, "the configuration file is invalid") \
	X(CONFIG_MISSING, "no server is configured") \
	X(NOT_LOGGED_IN, "log in first") \
	X(INTERNAL, "internal error") \
	X(OUT_OF_MEMORY, "out of memory") \
	X(RA_UNREACHABLE, "the broker's server cannot be reached") \
	X(RA_TIMEOUT, "the broker's server did not answer in time") \
	X(RA_TLS_FAILED, "the broker's server certificate is not trusted") \
	X(RA_BAD_RESPONSE, "the broker's server sent an answer that cannot be read") \
	X(RA_SERVER_ERROR, "the broker's server failed") \
	X(RA_PENDING, "the request is waiting for approval by the broker") \
	X(RA_REJECTED, "the broker's server refused the request") \
	X(WRONG_PASSWORD, "wrong ID or password") \
	X(ACCOUNT_LOCKED, "the account is locked") \
	X(OTP_INVALID, "wrong one-time password") \
	X(OTP_EXPIRED, "the one-time password has expired; request a new one") \
	X(TERMS_NOT_ACCEPTED, "the current terms were not accepted") \
	X(CSR_REJECTED, "the server refused the certificate request") \
	X(CLIENT_CERT_REQUIRED, "renewal needs the current certificate") \
	X(SUBJECT_MISMATCH, "the renewal request does not match the current certificate") \
	X(NOT_IN_RENEWAL_WINDOW, "the certificate cannot be renewed yet") \
	X(CERT_EXPIRED, "the certificate has expired") \
	X(CERT_REVOKED, "the certificate has been revoked or superseded") \
	X(NO_CERTIFICATE, "no certificate found") \
	X(REVOKE_LIMIT, "the revocation limit has been reached") \
	X(ISSUED_CERT_INVALID, "the issued certificate does not match the request or the pinned CA") \
	X(FILE_EXISTS, "the file exists; pass overwrite to replace it") \
	X(FILE_NOT_FOUND, "the file does not exist") \
	X(FILE_READ_FAILED, "the file cannot be read") \
	X(FILE_WRITE_FAILED, "the file cannot be written") \
	X(PFX_INVALID, "the file is not a readable PKCS#12 (.pfx) file") \
	X(PFX_WRONG_PASSWORD, "wrong password for the .pfx file") \
	X(PASSWORD_TOO_WEAK, "the backup password is too weak") \
	X(STORE_NOT_FOUND, "no such certificate store") \
	X(STORE_PASSWORD_REQUIRED, "the certificate store is protected by a password") \
	X(STORE_PASSWORD_WRONG, "wrong password for the certificate store") \
	X(STORE_LOCKED, "the certificate store is in use or locked") \
	X(STORE_CORRUPT, "the certificate store is damaged") \
	X(STORE_FAILED, "the certificate store refused the operation") \
	X(KEY_MISSING, "the certificate's private key is not in the store") \
	X(NO_DIALOG, "no file dialog is available; type the path") \
	X(CANCELLED, "cancelled by the user") \
	X(ISSUED_NOT_SAVED, "the certificate was issued but could not be saved; it is kept until logout: save it again") \
	X(RA_AUTH_REQUIRED, "the broker's server asks for credentials the host does not have") \
	X(RA_FORBIDDEN, "the broker's server refused access") \
	X(VALID_CERT_EXISTS, "a valid certificate exists; applying would supersede it (replace_existing)") \
	X(SIGN_ORIGIN_NOT_ALLOWED, "this web page is not allowed to ask for signatures") \
	X(CERT_SUPERSEDED, "a newer certificate of the same ID is in the store") \
	X(CHOOSE_CUSTOMER, "several customers' certificates could serve: say whose (details.candidates)") \
	X(OTHER_CUSTOMER, "the certificate belongs to another customer than the one logged in; confirm to go on") \
	X(KEY_NOT_EXPORTABLE, "the certificate's private key is marked not exportable in this store") \
	X(FILE_NAME_NOT_UTF8, "the file's name is not valid UTF-8; rename it or pick another") \
	X(BROKER_UNKNOWN, "no installed broker profile has this id (details.broker)") \
	X(CHOOSE_BROKER, "several brokers are installed: say which (details.brokers)") \
	X(BROKER_PROFILE_INVALID, "a broker profile file is invalid (details.file, details.key)")

typedef enum {
#define ECM_CODE_ENUM(name, text) ECM_##name,
	ECM_CODE_LIST(ECM_CODE_ENUM)
#undef ECM_CODE_ENUM
	ECM_CODE_COUNT
} ecm_code;

/* "BAD_REQUEST" for ECM_BAD_REQUEST; "INTERNAL" for out-of-range values. */
const char *ecm_code_name(ecm_code code);
const char *ecm_code_text(ecm_code code);

struct cJSON;

/* An error on its way to the reply: the code, an English message for logs, optional details object. */
typedef struct ecm_error {
	ecm_code code;
	char message[256];
	struct cJSON *details; /* owned; NULL or a JSON object */
} ecm_error;

void ecm_error_init(ecm_error *err);
void ecm_error_clear(ecm_error *err);
/* Sets code and message (printf format) and returns code, so handlers can `return ecm_fail(...)`. */
ecm_code ecm_fail(ecm_error *err, ecm_code code, const char *fmt, ...)
	__attribute__((format(ECM_PRINTF_ARCHETYPE, 3, 4)));
/* Adds one string / number detail; creates the details object on first use. */
void ecm_error_detail_str(ecm_error *err, const char *key, const char *value);
void ecm_error_detail_num(ecm_error *err, const char *key, double value);

#endif
