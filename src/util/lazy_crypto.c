/* util/lazy_crypto.c - SHA-256 through libcrypto loaded with dlopen on
 * first use (lazy_crypto.h). */
#include "util/lazy_crypto.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "util/lazy_bind.h"

#define CRYPTO_SONAME "libcrypto.so.3"

/* the library's functions, typed as OpenSSL's header declares them */
static struct {
    bool ok;
    __typeof__(EVP_MD_CTX_new) *ctx_new;
    __typeof__(EVP_MD_CTX_free) *ctx_free;
    __typeof__(EVP_sha256) *sha256;
    __typeof__(EVP_DigestInit_ex) *init;
    __typeof__(EVP_DigestUpdate) *update;
    __typeof__(EVP_DigestFinal_ex) *final;
} L;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
    static const ov_lazy_sym syms[] = {
        {"EVP_MD_CTX_new", offsetof(__typeof__(L), ctx_new)},
        {"EVP_MD_CTX_free", offsetof(__typeof__(L), ctx_free)},
        {"EVP_sha256", offsetof(__typeof__(L), sha256)},
        {"EVP_DigestInit_ex", offsetof(__typeof__(L), init)},
        {"EVP_DigestUpdate", offsetof(__typeof__(L), update)},
        {"EVP_DigestFinal_ex", offsetof(__typeof__(L), final)},
    };
    L.ok = ov_lazy_bind(CRYPTO_SONAME, syms, sizeof syms / sizeof syms[0], &L);
}

static bool ready(void)
{
    pthread_once(&once, load);
    return L.ok;
}

ov_sha256 *ov_sha256_new(void)
{
    if (!ready())
        return NULL;
    EVP_MD_CTX *c = L.ctx_new();
    if (c && L.init(c, L.sha256(), NULL) != 1) {
        L.ctx_free(c);
        c = NULL;
    }
    return (ov_sha256 *)c;
}

int ov_sha256_update(ov_sha256 *s, const void *p, size_t len)
{
    return L.update((EVP_MD_CTX *)s, p, len) == 1;
}

int ov_sha256_final(ov_sha256 *s, unsigned char out[32])
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    if (L.final((EVP_MD_CTX *)s, d, &n) != 1 || n != 32)
        return 0;
    memcpy(out, d, 32);
    return 1;
}

void ov_sha256_free(ov_sha256 *s)
{
    if (s)
        L.ctx_free((EVP_MD_CTX *)s);
}

const char *ov_sha256_why(void)
{
    return ready() ? "out of memory" : CRYPTO_SONAME " could not be loaded";
}
