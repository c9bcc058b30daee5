/* CMS SignedData built and signed by NSS's own CMS library (libsmime), so the private key of an NSS database is
 * used where it lives (softoken) and never exported. Same structure as host/crypto/cms.c: SHA-256, signed
 * attributes content-type + message-digest (NSS adds both once any signed attribute is present) + signing-time,
 * the signer certificate included. */
#include <cert.h>
#include <cms.h>
#include <nss.h>
#include <prerror.h>
#include <prtime.h>
#include <secoid.h>

#include "store_int.h"

static NSSCMSMessage *
build(CERTCertificate *c, int detached)
{
	NSSCMSMessage *cmsg = NSS_CMSMessage_Create(NULL);
	NSSCMSSignedData *sigd = cmsg ? NSS_CMSSignedData_Create(cmsg) : NULL;
	NSSCMSSignerInfo *si = NULL;
	NSSCMSContentInfo *ci;

	if (sigd == NULL)
		goto fail;
	ci = NSS_CMSMessage_GetContentInfo(cmsg);
	if (NSS_CMSContentInfo_SetContent_SignedData(cmsg, ci, sigd) != SECSuccess)
		goto fail;
	ci = NSS_CMSSignedData_GetContentInfo(sigd);
	if (NSS_CMSContentInfo_SetContent_Data(cmsg, ci, NULL, detached ? PR_TRUE : PR_FALSE) != SECSuccess)
		goto fail;
	si = NSS_CMSSignerInfo_Create(cmsg, c, SEC_OID_SHA256);
	if (si == NULL || NSS_CMSSignerInfo_IncludeCerts(si, NSSCMSCM_CertOnly, certUsageEmailSigner) != SECSuccess ||
	    NSS_CMSSignerInfo_AddSigningTime(si, PR_Now()) != SECSuccess ||
	    NSS_CMSSignedData_AddSignerInfo(sigd, si) != SECSuccess)
		goto fail;
	return cmsg; /* the message owns sigd and si now */
fail:
	if (si != NULL)
		NSS_CMSSignerInfo_Destroy(si);
	if (cmsg != NULL)
		NSS_CMSMessage_Destroy(cmsg); /* also sigd once attached; a detached sigd is freed with it too */
	return NULL;
}

ecm_code
store_nss_cms_sign(CERTCertificate *c, const unsigned char *data, size_t len, int detached, unsigned char **der,
    size_t *der_len, ecm_error *err)
{
	NSSCMSMessage *cmsg = build(c, detached);
	PLArenaPool *arena = PORT_NewArena(4096);
	SECItem out = { siBuffer, NULL, 0 };
	NSSCMSEncoderContext *ecx = NULL;
	SECStatus rv = SECFailure;
	ecm_code rc = ECM_OK;

	*der = NULL;
	*der_len = 0;
	if (cmsg != NULL && arena != NULL)
		ecx = NSS_CMSEncoder_Start(cmsg, NULL, NULL, &out, arena, NULL, NULL, NULL, NULL, NULL, NULL);
	if (ecx != NULL) {
		rv = len == 0 ? SECSuccess : NSS_CMSEncoder_Update(ecx, (const char *)data, (unsigned long)len);
		if (NSS_CMSEncoder_Finish(ecx) != SECSuccess)
			rv = SECFailure;
	}
	if (rv != SECSuccess || out.data == NULL) {
		ecm_error_detail_num(err, "nss_error", PORT_GetError());
		rc = ecm_fail(err, ECM_STORE_FAILED, "NSS cannot sign (error %d)", PORT_GetError());
	} else {
		rc = ecm_cms_to_der(out.data, out.len, der, der_len, err); /* the protocol promises DER */
	}
	if (cmsg != NULL)
		NSS_CMSMessage_Destroy(cmsg);
	if (arena != NULL)
		PORT_FreeArena(arena, PR_FALSE);
	return rc;
}
