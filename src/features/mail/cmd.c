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

int mail_cmd_in(int argc, char **argv, db *d)
{
    (void)argc;
    (void)argv;
    size_t cap = 1 << 16, len = 0;
    char *raw = malloc(cap);
    for (size_t n; raw && (n = fread(raw + len, 1, cap - len, stdin)) > 0;) {
        len += n;
        if (len == cap) {
            char *t = cap < MAIL_MAX ? realloc(raw, cap *= 2) : NULL;
            if (!t)
                free(raw);
            raw = t;
        }
    }
    if (!raw || ferror(stdin)) {
        int big = !raw;
        fprintf(stderr, "aftersales mail-in: %s\n", big ? "message too large" : strerror(errno));
        free(raw);
        return big ? 1 : EX_TEMPFAIL;
    }
    db_conn *c = db_acquire(d);
    int64_t id = 0;
    int rc = mail_store(c, raw, len, (int64_t)time(NULL), &id);
    if (rc < 0)
        fprintf(stderr, "aftersales mail-in: cannot store the message: %s\n", db_errmsg(c));
    else
        printf("stored mail %lld\n", (long long)id);
    db_release(c);
    free(raw);
    return rc < 0 ? EX_TEMPFAIL : 0;
}

