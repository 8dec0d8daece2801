/* dynlib: load a shared library when it is first needed, not at program start.
 *
 * libpq and libcurl (with their TLS, Kerberos and LDAP libraries, 30-odd in all) cost
 * about 3 ms of dynamic linking on every start of the binary, while most commands and
 * `mail-in` as a mail server's pipe (one process per message) use neither. db_pg.c and
 * base/netcurl.c therefore open them with dynlib_open on first use and call through a
 * table of pointers typed after the library's own prototypes (__typeof__), so the
 * compiler still checks every call against the real header. */
#ifndef BASE_DYNLIB_H
#define BASE_DYNLIB_H

#include <pthread.h>
#include <stddef.h>

/* Open the first of names (NULL-terminated sonames) that loads; NULL with a message in
 * err ("cannot load libpq.so.5: ...") when none does. */
void *dynlib_open(const char *const *names, char *err, size_t errlen);

/* The address of sym in h, or NULL with a message in err. */
void *dynlib_sym(void *h, const char *sym, char *err, size_t errlen);

/* A library the program cannot run without is missing: say so, naming the Debian
 * package, and exit. */
_Noreturn void dynlib_die(const char *err, const char *package);

/* In a loader: set table.f from h, or jump to label fail (err says which symbol).
 * The cast from void * to a function pointer is what POSIX dlsym requires. */
#define DYNLIB_BIND(table, h, f, err, fail)                                                        \
    do {                                                                                           \
        void *dynlib_p_ = dynlib_sym((h), #f, (err), sizeof(err));                                 \
        if (!dynlib_p_)                                                                            \
            goto fail;                                                                             \
        *(void **)(&(table).f) = dynlib_p_;                                                        \
    } while (0)

/* A library the program needs once it gets that far (the HTTP server, XLSX files): defines
 * struct api with a member per function of FUNCS (an X-macro list), and
 * `static const struct api *api(void)` that opens the first of the sonames (...) and binds
 * every member on its first call, or exits through dynlib_die naming package. Follow it
 * with `#define f (*api()->f)` for each function, so call sites read as usual. */
#define DYNLIB_MEMBER(f) __typeof__(f) *f;
#define DYNLIB_BIND_T(f)                                                                           \
    if (!(*(void **)(&t->f) = dynlib_sym(h, #f, err, sizeof err)))                                 \
        dynlib_die(err, pkg);
#define DYNLIB_REQUIRED(api, FUNCS, package, ...)                                                  \
    static struct api {                                                                            \
        FUNCS(DYNLIB_MEMBER)                                                                       \
    } api##_table;                                                                                 \
    static pthread_once_t api##_once = PTHREAD_ONCE_INIT;                                          \
    static void api##_load(void)                                                                   \
    {                                                                                              \
        static const char *const names[] = {__VA_ARGS__, NULL};                                    \
        const char *pkg = package;                                                                 \
        struct api *t = &api##_table;                                                              \
        char err[256];                                                                             \
        void *h = dynlib_open(names, err, sizeof err);                                             \
        if (!h)                                                                                    \
            dynlib_die(err, pkg);                                                                  \
        FUNCS(DYNLIB_BIND_T)                                                                       \
    }                                                                                              \
    static const struct api *api(void)                                                             \
    {                                                                                              \
        pthread_once(&api##_once, api##_load);                                                     \
        return &api##_table;                                                                       \
    }

#endif
