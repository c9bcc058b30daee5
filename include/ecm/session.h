/* Login state of one connection: credentials in locked memory, wiped on logout and at exit. */
#ifndef ECM_SESSION_H
#define ECM_SESSION_H

#include <cjson/cJSON.h>

typedef struct ecm_session {
	char *national_id; /* NULL when logged out */
	char *password;    /* ecm_secret memory */
	cJSON *account;    /* the RA's last account answer, or NULL */
	char broker[40];   /* the broker logged in at (its profile's id); "" when logged out */
	/* An enrollment the RA holds for approval (202), kept so that apply/renew can send the same request again
	 * (host/commands/enroll_pending.c). Opaque here: the core links no OpenSSL, and in ecm-host the code that
	 * owns it lives in the engine library, so ecm_session_clear frees it through pending_free, set by its
	 * owner. Both NULL when nothing is pending. */
	void *pending;
	void (*pending_free)(void *pending);
	/* A certificate the RA issued that is not yet both backed up and installed (ISSUED_NOT_SAVED): its key
	 * exists nowhere else, so it outlives a new login and goes only with logout or the connection. Opaque for
	 * the same reason as pending (host/commands/enroll_issued.c owns it); issued_serial (hex, "" when none) lets
	 * hello report it without OpenSSL. */
	void *issued;
	void (*issued_free)(void *issued);
	char issued_serial[72];
	char issued_broker[40]; /* the broker that issued it: only its requests see it (enroll_issued_held) */
	/* The connection to the RA (host/ra/conn.c): one curl handle, so every request of the session reuses one
	 * TLS connection. Opaque and freed through ra_free for the same reasons as pending. It holds no credential
	 * between requests, so it outlives a login (ecm_session_set) and is closed at logout (ecm_session_clear). */
	void *ra;
	void (*ra_free)(void *ra);
} ecm_session;

int ecm_session_logged_in(const ecm_session *s);
/* Takes copies of id and password (the caller wipes its own), keeping the RA connection. 0, or -1 when out of
 * memory. */
int ecm_session_set(ecm_session *s, const char *national_id, const char *password);
/* Ends the login (credentials, account answer, pending enrollment) but keeps an issued, unsaved identity and
 * the RA connection: login does this first, whatever its outcome. */
void ecm_session_end_login(ecm_session *s);
/* logout and exit: everything, the issued identity (keys are wiped by their owners' free functions) and the RA
 * connection too. */
void ecm_session_clear(ecm_session *s);

/* hello's and login's "issued_unsaved": {"serial", "broker"} while an issued identity is held, else null. */
cJSON *ecm_session_issued_unsaved(const ecm_session *s);

/* The Taiwanese national ID check: letter, 1 or 2 (8/9: the new resident certificate; A-D: the old one), 8
 * digits, checksum. Upper case only. */
int ecm_national_id_valid(const char *id);

#endif
