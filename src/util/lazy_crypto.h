/* util/lazy_crypto.h - SHA-256 from OpenSSL's libcrypto, loaded with dlopen
 * on first use instead of at every start.
 *
 * Why: only artifacts (pack, pull, verify) hash with SHA-256, but linking
 * libcrypto made every start map and relocate it: an empty program linked
 * with libcrypto took 8 ms of CPU against 3 ms without, on the shared VM
 * (perf stat -r 30, load 3.5; issue 13, restart to the first answer,
 * docs/performance.md, branch h13s). The same reason as lazy_curl.h and
 * lazy_archive.h.
 *
 * When libcrypto cannot be loaded, ov_sha256_new returns NULL and
 * ov_sha256_why says so. Thread-safe: the library is loaded once.
 * Layer: util. */
#ifndef OMVEC_UTIL_LAZY_CRYPTO_H
#define OMVEC_UTIL_LAZY_CRYPTO_H

#include <stddef.h>

typedef struct ov_sha256 ov_sha256;

/* A new SHA-256 computation, or NULL (libcrypto missing: ov_sha256_why; or
 * out of memory). Ownership: the caller frees it with ov_sha256_free. */
ov_sha256 *ov_sha256_new(void);
/* Add len bytes at p. Returns 0 when libcrypto reported an error. */
int ov_sha256_update(ov_sha256 *s, const void *p, size_t len);
/* The digest into out. Returns 0 when libcrypto reported an error. */
int ov_sha256_final(ov_sha256 *s, unsigned char out[32]);
/* NULL-safe. */
void ov_sha256_free(ov_sha256 *s);
/* Why ov_sha256_new failed: "libcrypto.so.3 could not be loaded" or "out
 * of memory". */
const char *ov_sha256_why(void);

#endif
