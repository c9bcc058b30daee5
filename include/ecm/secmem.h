/* Memory for secrets (passwords, OTPs): locked against swapping where allowed, wiped on free. */
#ifndef ECM_SECMEM_H
#define ECM_SECMEM_H

#include <stddef.h>

char *ecm_secret_dup(const char *s);        /* NULL when out of memory */
char *ecm_secret_alloc(size_t size);        /* zeroed */
void ecm_secret_free(char *s);              /* wipes the whole allocation, then frees; NULL is fine */
void ecm_wipe(void *p, size_t len);         /* not optimised away */
/* Wipes a cJSON string value in place (a password that arrived in a request). */
struct cJSON;
void ecm_wipe_json_strings(struct cJSON *item);

#endif
