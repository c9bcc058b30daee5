/* Memory for secrets (passwords, OTPs): locked against swapping where allowed, left out of core images, wiped on
 * free. */
#ifndef ECM_SECMEM_H
#define ECM_SECMEM_H

#include <stddef.h>

char *ecm_secret_dup(const char *s);        /* NULL when out of memory */
char *ecm_secret_alloc(size_t size);        /* zeroed */
void ecm_secret_free(char *s);              /* wipes the whole allocation, then frees; NULL is fine */
void ecm_wipe(void *p, size_t len);         /* not optimised away */
/* Allocators that wipe each block on free (host/core/wipe_alloc.c): given to cJSON (installed before main by
 * ecm_wipe_alloc_install, idempotent), curl (curl_global_init_mem) and OpenSSL (the engine), whose internal
 * copies of passwords, OTPs and Authorization headers would otherwise outlive their use. */
void *ecm_wipe_malloc(size_t n);
void *ecm_wipe_calloc(size_t nmemb, size_t size);
void *ecm_wipe_realloc(void *p, size_t n);
char *ecm_wipe_strdup(const char *s);
void ecm_wipe_free(void *p);
void ecm_wipe_alloc_install(void);

/* The first call of every front end's main: no core dumps (RLIMIT_CORE 0) and, where the OS allows, no
 * ptrace attach or /proc/PID/mem|environ reads by other processes of the same user (PR_SET_DUMPABLE 0); then
 * the wiping allocators. Secret memory is also excluded from core images (MADV_DONTDUMP). */
void ecm_secure_process(void);

/* Wipes a cJSON string value in place (a password that arrived in a request). */
struct cJSON;
void ecm_wipe_json_strings(struct cJSON *item);

#endif
