#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ecm/platform.h"
#include "ecm/secmem.h"

/* Each secret carries its size in front so the whole allocation can be wiped and unlocked. */
typedef struct {
	size_t size;
	unsigned char data[];
} secret_header;

void
ecm_wipe(void *p, size_t len)
{
	ecm_platform_wipe(p, len);
}

char *
ecm_secret_alloc(size_t size)
{
	secret_header *h = calloc(1, sizeof(*h) + size);

	if (h == NULL)
		return NULL;
	h->size = size;
	ecm_platform_lock(h, sizeof(*h) + size);
	return (char *)h->data;
}

char *
ecm_secret_dup(const char *s)
{
	size_t len = strlen(s);
	char *out = ecm_secret_alloc(len + 1);

	if (out != NULL)
		memcpy(out, s, len + 1);
	return out;
}

void
ecm_secret_free(char *s)
{
	secret_header *h;

	if (s == NULL)
		return;
	h = (secret_header *)(void *)(s - offsetof(secret_header, data));
	ecm_wipe(h->data, h->size);
	ecm_platform_unlock(h, sizeof(*h) + h->size);
	free(h);
}

void
ecm_wipe_json_strings(cJSON *item)
{
	cJSON *child;

	if (item == NULL)
		return;
	if (cJSON_IsString(item) && item->valuestring != NULL)
		ecm_wipe(item->valuestring, strlen(item->valuestring));
	for (child = item->child; child != NULL; child = child->next)
		ecm_wipe_json_strings(child);
}
