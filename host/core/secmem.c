#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ecm/platform.h"
#include "ecm/secmem.h"

/* Each secret has pages of its own (mapped, not from the heap) so that they can be locked against swapping and
 * left out of core images; the header in front keeps the mapping's size. */
typedef struct {
	size_t size; /* of the whole mapping */
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
	size_t total = 0;
	secret_header *h;

	if (size > (size_t)-1 - sizeof(secret_header))
		return NULL;
	h = ecm_platform_secret_pages(sizeof(secret_header) + size, &total);
	if (h == NULL)
		return NULL;
	h->size = total;
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
	size_t total;

	if (s == NULL)
		return;
	h = (secret_header *)(void *)(s - offsetof(secret_header, data));
	total = h->size;
	ecm_wipe(h, total);
	ecm_platform_secret_pages_free(h, total);
}

void
ecm_secure_process(void)
{
	ecm_platform_no_dumps();
	ecm_wipe_alloc_install();
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
