/* The store layer's door: what a backend can do, and the accessors that reach its operations only after asking
 * (as curl's Curl_ssl_* in front of struct Curl_ssl). Everything outside host/store/ comes through here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

int
ecm_store_supports(const ecm_store_info *info, unsigned cap)
{
	const ecm_store_backend *b = info->backend;

	if (b == NULL || (b->caps & cap) != cap)
		return 0;
	/* A bit without its operation would be a lie the callers cannot see. */
	if ((cap & ECM_STORE_CAN_SIGN) && b->sign == NULL)
		return 0;
	if ((cap & ECM_STORE_CAN_DELETE) && b->remove == NULL)
		return 0;
	if ((cap & ECM_STORE_CAN_IMPORT) && b->import == NULL)
		return 0;
	return 1;
}

const char *
ecm_store_kind(const ecm_store_info *info)
{
	return info->backend != NULL ? info->backend->name : "";
}

void
ecm_store_pfx_info(ecm_store_info *info, const char *path)
{
	memset(info, 0, sizeof(*info));
	info->id = "pfx";
	info->path = (char *)path;
	info->exists = 1;
	info->backend = &ecm_store_pfx;
}

void
ecm_store_items_free(ecm_store_items *items)
{
	size_t i;

	for (i = 0; i < items->n; i++)
		X509_free(items->v[i].cert);
	free(items->v);
	items->v = NULL;
	items->n = 0;
}

ecm_code
ecm_store_open(const ecm_store_info *info, const char *password, ecm_store *out, ecm_error *err)
{
	out->info = info;
	out->handle = NULL;
	if (info->backend == NULL)
		return ecm_fail(err, ECM_STORE_FAILED, "%s has no backend", info->id);
	return info->backend->open(info, password, &out->handle, err);
}

void
ecm_store_close(ecm_store *s)
{
	if (s->handle != NULL)
		s->info->backend->close(s->handle);
	s->handle = NULL;
}

ecm_code
ecm_store_list_items(ecm_store *s, ecm_store_items *out, ecm_error *err)
{
	size_t i;
	ecm_code rc;

	out->v = NULL;
	out->n = 0;
	if ((rc = s->info->backend->list(s->handle, out, err)) != ECM_OK)
		return rc;
	for (i = 0; i < out->n; i++)
		out->v[i].owner[0] = '\0';
	return ECM_OK;
}

ecm_code
ecm_store_list_owned(ecm_store *s, const ecm_anchors *anchors, ecm_store_items *out, ecm_error *err)
{
	size_t i, n = 0;
	ecm_code rc = ecm_store_list_items(s, out, err);

	if (rc != ECM_OK)
		return rc;
	for (i = 0; i < out->n; i++) {
		if (ecm_cert_owner(anchors, out->v[i].cert, NULL, out->v[i].owner) != 1) {
			X509_free(out->v[i].cert);
			continue;
		}
		out->v[n++] = out->v[i];
	}
	out->n = n;
	return ECM_OK;
}

ecm_code
ecm_store_find(ecm_store *s, const X509 *which, int want_key, ecm_identity *out, ecm_error *err)
{
	return s->info->backend->find(s->handle, which, want_key, out, err);
}

ecm_code
ecm_store_import(ecm_store *s, const ecm_identity *id, int *already, ecm_error *err)
{
	*already = 0;
	if (!ecm_store_supports(s->info, ECM_STORE_CAN_IMPORT))
		return ecm_fail(err, ECM_STORE_FAILED, "%s cannot take certificates", s->info->id);
	return s->info->backend->import(s->handle, id, already, err);
}

ecm_code
ecm_store_remove(ecm_store *s, const X509 *which, ecm_error *err)
{
	if (!ecm_store_supports(s->info, ECM_STORE_CAN_DELETE))
		return ecm_fail(err, ECM_STORE_FAILED, "%s cannot remove certificates", s->info->id);
	return s->info->backend->remove(s->handle, which, err);
}

/* "Chrome/Chromium", "Firefox profile “x”": what a person calls a store (never its id). */
void
ecm_store_display_name(const ecm_store_info *info, char *buf, size_t size)
{
	if (info->profile != NULL)
		snprintf(buf, size, "%s profile “%s”", strncmp(info->browser, "Firefox", 7) == 0 ? info->browser :
		    "Firefox", info->profile);
	else if (strcmp(info->id, "nss:pki") == 0)
		snprintf(buf, size, "Chrome/Chromium");
	else if (strcmp(info->id, "pfx") == 0)
		snprintf(buf, size, "%s", info->path ? info->path : "pfx");
	else
		snprintf(buf, size, "%s", info->browser ? info->browser : info->id);
}
