/* mail: the subcommand `aftersales mail-in` (one message on stdin, for a mail server's
 * pipe); `aftersales mail-fetch` is in fetch.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "features/mail/mail.h"

#define MAIL_MAX (64u << 20) /* a message larger than 64 MiB is refused */
#define EX_TEMPFAIL 75       /* sysexits: the mail server keeps the message and retries */

/* The whole of f into a malloc'd buffer; NULL when too large (*big set) or unreadable. */
static char *slurp(FILE *f, size_t *len, int *big)
{
    size_t cap = 1 << 16;
    char *raw = malloc(cap);
    *len = 0;
    *big = 0;
    for (size_t n; raw && (n = fread(raw + *len, 1, cap - *len, f)) > 0;) {
        *len += n;
        if (*len == cap) {
            char *t = cap < MAIL_MAX ? realloc(raw, cap *= 2) : NULL;
            if (!t) {
                *big = cap >= MAIL_MAX;
                free(raw);
            }
            raw = t;
        }
    }
    if (raw && ferror(f)) {
        free(raw);
        raw = NULL;
    }
    return raw;
}

/* One message from path ("-": stdin): 0 stored, 1 refused (too large), EX_TEMPFAIL. */
static int store_one(db_conn *c, const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "aftersales mail-in: %s: %s\n", path, strerror(errno));
        return EX_TEMPFAIL;
    }
    size_t len;
    int big;
    char *raw = slurp(f, &len, &big);
    if (f != stdin)
        fclose(f);
    if (!raw) {
        fprintf(stderr, "aftersales mail-in: %s: %s\n", path, big ? "message too large" : strerror(errno));
        return big ? 1 : EX_TEMPFAIL;
    }
    int64_t id = 0;
    int rc = mail_store(c, raw, len, (int64_t)time(NULL), &id);
    free(raw);
    if (rc < 0) {
        fprintf(stderr, "aftersales mail-in: %s: cannot store the message: %s\n", path, db_errmsg(c));
        return EX_TEMPFAIL;
    }
    printf("stored mail %lld\n", (long long)id);
    return 0;
}

/* `aftersales mail-in [FILE...]`: stdin when no file is named; each in its own
 * transaction; the exit status is the worst of them. */
int mail_cmd_in(int argc, char **argv, db *d)
{
    db_conn *c = db_acquire(d);
    int worst = 0;
    if (argc < 2)
        worst = store_one(c, "-");
    for (int i = 1; i < argc; i++) {
        int rc = store_one(c, argv[i]);
        if (rc > worst)
            worst = rc;
    }
    db_release(c);
    return worst;
}
