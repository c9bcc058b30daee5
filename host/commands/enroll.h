/* Shared by the enrollment commands (login, list, apply, renew): RA credentials from the session, the server's
 * certificate records, and the apply/renew state machine (keygen -> enroll -> backup -> install). */
#ifndef ECM_ENROLL_H
#define ECM_ENROLL_H

#include "ecm/command.h"
#include "ecm/crypto.h"
#include "ecm/ra.h"

#define ENROLL_MIN_BACKUP_PASSWORD 8

typedef struct enroll_args {
	const char *terms_version;
	const char *otp;
	const char *backup_path; /* NULL: the default name in backup_dir */
	const char *backup_password;
	int overwrite;
	int compat;
	const char *current_path; /* renew: the current certificate's .pfx */
	const char *current_password;
} enroll_args;

/* The session's ID and password as HTTP Basic credentials. */
ecm_ra_auth enroll_session_auth(const ecm_ctx *ctx);

/* An RA certificate record plus "national_id", "days_left" and "expired" counted on the RA's clock (now). */
cJSON *enroll_server_cert(const cJSON *ra_cert, long long ra_now);
/* The RA's clock from the last account answer of this session, or our own. */
long long enroll_ra_now(const ecm_ctx *ctx);

ecm_code enroll_parse_args(const cJSON *args, int renew, enroll_args *a, ecm_error *err);
/* The whole apply (current == NULL) or renew. Fills result per docs/protocol.md. */
ecm_code enroll_run(ecm_ctx *ctx, const enroll_args *a, const ecm_identity *current, cJSON *result,
    ecm_error *err);

/* Step 4: the new identity into every certificate store (host/store/); on renew, the previous certificate is
 * then removed from each store where the new one is now installed. */
ecm_code enroll_install(ecm_ctx *ctx, const ecm_identity *identity, const ecm_identity *previous, cJSON *result,
    ecm_error *err);

#endif
