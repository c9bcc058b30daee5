/* Allocators that wipe every block when it is freed, for the libraries that copy our secrets into their own
 * memory: cJSON (every request string, the password included) and curl (the Basic credentials, the
 * Authorization header it builds, the OTP header). Their copies then die with them instead of lingering in
 * freed heap that a core image or a later allocation would show.
 * Each block carries its size in a header aligned like malloc's own blocks. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ecm/secmem.h"

typedef union {
	size_t size;
	max_align_t align;
} block_header;

static block_header *
header_of(void *p)
{
	return (block_header *)p - 1;
}

void *
ecm_wipe_malloc(size_t n)
{
	block_header *h;

	if (n > (size_t)-1 - sizeof(*h))
		return NULL;
	h = malloc(sizeof(*h) + n);
	if (h == NULL)
		return NULL;
	h->size = n;
	return h + 1;
}

void
ecm_wipe_free(void *p)
{
	block_header *h;

	if (p == NULL)
		return;
	h = header_of(p);
	ecm_wipe(p, h->size);
	free(h);
}

void *
ecm_wipe_calloc(size_t nmemb, size_t size)
{
	void *p;

	if (size != 0 && nmemb > (size_t)-1 / size)
		return NULL;
	p = ecm_wipe_malloc(nmemb * size);
	if (p != NULL)
		memset(p, 0, nmemb * size);
	return p;
}

/* Never realloc in place: the old block is copied, then wiped. */
void *
ecm_wipe_realloc(void *p, size_t n)
{
	void *grown;
	size_t old;

	if (p == NULL)
		return ecm_wipe_malloc(n);
	grown = ecm_wipe_malloc(n);
	if (grown == NULL)
		return NULL;
	old = header_of(p)->size;
	memcpy(grown, p, old < n ? old : n);
	ecm_wipe_free(p);
	return grown;
}

char *
ecm_wipe_strdup(const char *s)
{
	size_t len = strlen(s) + 1;
	char *copy = ecm_wipe_malloc(len);

	if (copy != NULL)
		memcpy(copy, s, len);
	return copy;
}

/* cJSON's hooks are global and must be set before its first allocation (a block from plain malloc freed
 * here would be read as having a header): so at load time, before main, and again harmlessly by whoever asks. */
__attribute__((constructor)) void
ecm_wipe_alloc_install(void)
{
	static int installed;
	cJSON_Hooks hooks = { ecm_wipe_malloc, ecm_wipe_free };

	if (installed)
		return;
	cJSON_InitHooks(&hooks);
	installed = 1;
}
