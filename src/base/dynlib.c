/* dynlib: shared libraries opened on first use (see dynlib.h). */
#include "base/dynlib.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

void *dynlib_open(const char *const *names, char *err, size_t errlen)
{
    const char *why = "no library name";
    for (size_t i = 0; names[i]; i++) {
        void *h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
        if (h)
            return h;
        why = dlerror();
    }
    snprintf(err, errlen, "cannot load %s: %s", names[0] ? names[0] : "?", why ? why : "?");
    return NULL;
}

void *dynlib_sym(void *h, const char *sym, char *err, size_t errlen)
{
    dlerror();
    void *p = dlsym(h, sym);
    if (!p)
        snprintf(err, errlen, "the shared library has no symbol %s", sym);
    return p;
}

void dynlib_die(const char *err, const char *package)
{
    fprintf(stderr, "aftersales: %s (install %s)\n", err, package);
    exit(70);
}
