#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#if __has_include(<sys/prctl.h>)
#include <sys/prctl.h>
#endif

#include <cjson/cJSON.h>

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
	if (p == NULL)
		return;
#if defined(__GLIBC__) || defined(__OpenBSD__) || defined(__FreeBSD__)
	explicit_bzero(p, len);
#else
	volatile unsigned char *v = p;
	while (len--)
		*v++ = 0;
#endif
}

static size_t
page_rounded(size_t n)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t p = page > 0 ? (size_t)page : 4096;

	return n > (size_t)-1 - p ? 0 : (n + p - 1) / p * p;
}

char *
ecm_secret_alloc(size_t size)
{
	size_t total = page_rounded(sizeof(secret_header) + size);
	secret_header *h;

	if (total == 0)
		return NULL;
	h = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (h == MAP_FAILED)
		return NULL;
	h->size = total;
	(void)mlock(h, total); /* best effort: RLIMIT_MEMLOCK may refuse */
#ifdef MADV_DONTDUMP
	(void)madvise(h, total, MADV_DONTDUMP);
#endif
	return (char *)h->data; /* mmap gives zeroed pages */
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
	(void)munlock(h, total);
	(void)munmap(h, total);
}

void
ecm_secure_process(void)
{
	struct rlimit none = { 0, 0 };

	(void)setrlimit(RLIMIT_CORE, &none);
#ifdef PR_SET_DUMPABLE
	/* Also makes /proc/PID/{mem,environ,maps} unreadable and ptrace attach impossible for other processes of
	 * the same user; root (CAP_SYS_PTRACE) can still attach, as tests/host/secrets.t does. */
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
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
