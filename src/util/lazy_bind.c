/* util/lazy_bind.c - dlopen a library and fill a table of its function
 * pointers (lazy_bind.h). */
#include "util/lazy_bind.h"

#include <dlfcn.h>
#include <string.h>

bool ov_lazy_bind(const char *soname, const ov_lazy_sym *syms, size_t n, void *table)
{
    void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!h)
        return false;
    for (size_t i = 0; i < n; i++) {
        void *sym = dlsym(h, syms[i].name);
        if (!sym)
            return false;
        /* dlsym's object pointer as the function pointer it is (POSIX) */
        memcpy((char *)table + syms[i].off, &sym, sizeof sym);
    }
    return true; /* the handle stays open for the life of the process */
}
