/* mail: the subcommands `aftersales mail-in` (one message on stdin, for a mail server's
 * pipe) and `aftersales mail-fetch` (IMAP polling through libcurl). */
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
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
        fprintf(stderr, "aftersales mail-in: %s\n", raw ? strerror(errno) : "message too large");
        free(raw);
        return raw ? EX_TEMPFAIL : 1;
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

static size_t collect(char *p, size_t size, size_t n, void *arg)
{
    buf *b = arg;
    buf_add(b, p, size * n);
    return size * n;
}

/* Run one IMAP command on the mailbox URL; the untagged response in b. */
static int imap(CURL *h, const char *cmd, buf *b)
{
    buf_reset(b);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, cmd);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, b);
    CURLcode rc = curl_easy_perform(h);
    if (rc != CURLE_OK) {
        fprintf(stderr, "aftersales mail-fetch: %s: %s\n", cmd, curl_easy_strerror(rc));
        return -1;
    }
    return 0;
}

/* The message of a "* N FETCH (UID u BODY[] {size}\r\n...)" response. */
static const char *literal(const buf *b, size_t *len)
{
    const char *p = b->len ? memchr(b->s, '{', b->len) : NULL;
    if (!p)
        return NULL;
    char *end;
    unsigned long long n = strtoull(p + 1, &end, 10);
    if (*end != '}' || end[1] != '\r' || end[2] != '\n')
        return NULL;
    const char *data = end + 3;
    if (n > (unsigned long long)(b->s + b->len - data))
        return NULL;
    *len = (size_t)n;
    return data;
}

/* One pass: every unseen message fetched without setting \Seen, stored, then marked. */
static int fetch_once(CURL *h, db_conn *c, int *stored)
{
    buf list, msg, ok;
    buf_init(&list);
    buf_init(&msg);
    buf_init(&ok);
    int rc = imap(h, "UID SEARCH UNSEEN", &list);
    const char *s = rc == 0 && list.s ? strstr(list.s, "* SEARCH") : NULL;
    for (s = s ? s + 8 : NULL; s && rc == 0;) {
        char *end;
        unsigned long uid = strtoul(s, &end, 10);
        if (end == s)
            break;
        s = end;
        char cmd[64];
        snprintf(cmd, sizeof cmd, "UID FETCH %lu BODY.PEEK[]", uid);
        size_t len = 0;
        const char *raw = imap(h, cmd, &msg) == 0 ? literal(&msg, &len) : NULL;
        if (!raw) {
            fprintf(stderr, "aftersales mail-fetch: no message in the answer to %s\n", cmd);
            rc = -1;
            break;
        }
        int64_t id = 0;
        if (mail_store(c, raw, len, (int64_t)time(NULL), &id) < 0) {
            fprintf(stderr, "aftersales mail-fetch: cannot store UID %lu: %s\n", uid, db_errmsg(c));
            rc = -1;
            break;
        }
        snprintf(cmd, sizeof cmd, "UID STORE %lu +FLAGS (\\Seen)", uid);
        if ((rc = imap(h, cmd, &ok)) == 0)
            (*stored)++;
    }
    buf_release(&list);
    buf_release(&msg);
    buf_release(&ok);
    return rc;
}

static int read_auth(const char *path, char *out, size_t n)
{
    FILE *f = fopen(path, "r");
    if (!f || !fgets(out, (int)n, f)) {
        if (f)
            fclose(f);
        return -1;
    }
    fclose(f);
    out[strcspn(out, "\r\n")] = 0;
    return strchr(out, ':') ? 0 : -1;
}

int mail_cmd_fetch(int argc, char **argv, db *d)
{
    const char *url = NULL, *auth = NULL;
    long interval = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--url") == 0 && i + 1 < argc)
            url = argv[++i];
        else if (strcmp(argv[i], "--auth-file") == 0 && i + 1 < argc)
            auth = argv[++i];
        else if (strcmp(argv[i], "--interval") == 0 && i + 1 < argc)
            interval = strtol(argv[++i], NULL, 10);
        else {
            fprintf(stderr, "aftersales mail-fetch: unknown argument %s\n", argv[i]);
            return 2;
        }
    }
    char userpwd[512];
    if (!url || (strncmp(url, "imap://", 7) != 0 && strncmp(url, "imaps://", 8) != 0)) {
        fprintf(stderr, "aftersales mail-fetch: --url imap://HOST:PORT/MAILBOX (or imaps://) is needed\n");
        return 2;
    }
    if (auth && read_auth(auth, userpwd, sizeof userpwd) < 0) {
        fprintf(stderr, "aftersales mail-fetch: %s: want one line USER:PASSWORD\n", auth);
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURL *h = curl_easy_init();
    curl_easy_setopt(h, CURLOPT_URL, url);
    if (auth)
        curl_easy_setopt(h, CURLOPT_USERPWD, userpwd);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
    db_conn *c = db_acquire(d);
    int rc, total = 0;
    for (;;) {
        int stored = 0;
        rc = fetch_once(h, c, &stored);
        total += stored;
        if (interval <= 0)
            break;
        sleep((unsigned)interval);
    }
    printf("stored %d messages\n", total);
    db_release(c);
    curl_easy_cleanup(h);
    curl_global_cleanup();
    return rc < 0 ? 1 : 0;
}
