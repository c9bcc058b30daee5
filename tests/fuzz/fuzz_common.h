/* What the libFuzzer targets of tests/fuzz/ share: a private scratch folder, files, and checks that abort
 * (libFuzzer then keeps the input as a crash). */
#ifndef ECM_FUZZ_COMMON_H
#define ECM_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* Initialize is optional (libFuzzer declares it weak): only the targets that set up a scratch folder have one. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property the code promises does not hold: report it and abort, so libFuzzer saves the input. */
#define FUZZ_CHECK(cond, what) ((cond) ? (void)0 : fuzz_fail(__FILE__, __LINE__, (what)))
void fuzz_fail(const char *file, int line, const char *what);

/* A folder of this process under $TMPDIR (or /tmp), made on first call; name tells targets apart. */
const char *fuzz_scratch(const char *name);
/* dir + "/" + name in a static buffer of PATH_MAX, or abort. */
const char *fuzz_path(const char *dir, const char *name);
/* Creates or replaces path with exactly len bytes, making missing folders; aborts when it cannot. */
void fuzz_write_file(const char *path, const void *data, size_t len);
/* Removes everything inside dir (not dir itself). */
void fuzz_empty_dir(const char *dir);
/* 1 when s[0..len) is well-formed UTF-8 (no overlongs, surrogates or code points above U+10FFFF). */
int fuzz_utf8_valid(const char *s, size_t len);


struct x509_st;
/* What the host derives from a certificate it did not make (an RA's answer, a .pfx) holds together: the summary
 * is an object with an upper-case hex serial, and the default backup name stays inside backup_dir. */
void fuzz_check_cert(const struct x509_st *cert);

#endif
