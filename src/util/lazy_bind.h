/* util/lazy_bind.h - the one dlopen-and-bind step of the libraries loaded
 * on first use (lazy_archive.c, lazy_crypto.c, lazy_curl.c and
 * embed/blas_lazy.c): a table of symbol names and the offsets of the
 * function pointers they fill in a struct. Layer: util. */
#ifndef OMVEC_UTIL_LAZY_BIND_H
#define OMVEC_UTIL_LAZY_BIND_H

#include <stdbool.h>
#include <stddef.h>

typedef struct ov_lazy_sym {
    const char *name; /* the symbol */
    size_t off;       /* where its pointer goes in the caller's struct */
} ov_lazy_sym;

/* Opens soname (RTLD_NOW | RTLD_LOCAL) and stores each symbol's address
 * at table + syms[i].off. True when the library and every symbol were
 * found; the handle then stays open for the life of the process. False
 * otherwise (the table may be partly filled; the caller must not use it).
 * Not thread-safe: call it from a pthread_once routine. */
bool ov_lazy_bind(const char *soname, const ov_lazy_sym *syms, size_t n, void *table);

#endif
