/* mail: `aftersales mail-fetch`, IMAP polling through libcurl: libcurl opens the
 * connection (imap:// or imaps:// with TLS) and we speak IMAP on it, so each unseen
 * message is fetched with BODY.PEEK[] and marked \Seen only after it is stored. */
#include "base/netcurl.h"
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "features/mail/mail.h"

struct imap {
    CURL *h;
    buf in;    /* the current command's whole response */
    int tag;
};

static int wait_sock(CURL *h, short events)
{
    curl_socket_t s;
    if (curl_easy_getinfo(h, CURLINFO_ACTIVESOCKET, &s) != CURLE_OK || s == CURL_SOCKET_BAD)
        return -1;
    struct pollfd p = {.fd = s, .events = events};
    return poll(&p, 1, 60000) == 1 ? 0 : -1;
}

/* Where the tagged line of tag starts in b once the response is complete, else -1.
 * Literals ({N} at a line's end) are skipped whole. */
static long complete(const buf *b, const char *tag)
{
    size_t pos = 0, tl = strlen(tag);
    for (;;) {
        const char *nl = pos < b->len ? memmem(b->s + pos, b->len - pos, "\r\n", 2) : NULL;
        if (!nl)
            return -1;
        size_t end = (size_t)(nl - b->s);
        if (end - pos > tl && memcmp(b->s + pos, tag, tl) == 0 && b->s[pos + tl] == ' ')
            return (long)pos;
        const char *open = end > pos && b->s[end - 1] == '}' ? memrchr(b->s + pos, '{', end - pos) : NULL;
        size_t lit = open ? strtoul(open + 1, NULL, 10) : 0;
        if (open && end + 2 + lit > b->len)
            return -1;
        pos = end + 2 + lit;
    }
}

/* Send "tagN cmd" and read the response; 0 when it ends OK. */
static int command(struct imap *m, const char *cmd)
{
    char tag[16], line[600];
    snprintf(tag, sizeof tag, "t%d", ++m->tag);
    int n = snprintf(line, sizeof line, "%s %s\r\n", tag, cmd);
    if (n < 0 || (size_t)n >= sizeof line)
        return -1;
    for (size_t off = 0; off < (size_t)n;) {
        size_t sent = 0;
        CURLcode rc = curl_easy_send(m->h, line + off, (size_t)n - off, &sent);
        if (rc == CURLE_AGAIN && wait_sock(m->h, POLLOUT) == 0)
            continue;
        if (rc != CURLE_OK)
            return -1;
        off += sent;
    }
    buf_reset(&m->in);
    long at;
    while ((at = complete(&m->in, tag)) < 0) {
        char chunk[16384];
        size_t got = 0;
        CURLcode rc = curl_easy_recv(m->h, chunk, sizeof chunk, &got);
        if (rc == CURLE_AGAIN) {
            if (wait_sock(m->h, POLLIN) < 0)
                return -1;
            continue;
        }
        if (rc != CURLE_OK || got == 0)
            return -1;
        buf_add(&m->in, chunk, got);
    }
    const char *status = m->in.s + at + strlen(tag) + 1;
    if (strncmp(status, "OK", 2) != 0) {
        fprintf(stderr, "aftersales mail-fetch: %s: %.200s\n", cmd, status);
        return -1;
    }
    return 0;
}

/* The literal of a "* N FETCH (UID u BODY[] {size}\r\n...)" response. */
static const char *literal(const buf *b, size_t *len)
{
    const char *p = b->len ? strstr(b->s, "BODY[] {") : NULL;
    if (!p)
        return NULL;
    char *end;
    unsigned long long n = strtoull(p + 8, &end, 10);
    if (*end != '}' || end[1] != '\r' || end[2] != '\n')
        return NULL;
    const char *data = end + 3;
    if (n > (unsigned long long)(b->s + b->len - data))
        return NULL;
    *len = (size_t)n;
    return data;
}

/* IMAP quoted string: backslash and double quote escaped. */
static void quoted(char *out, size_t n, const char *s)
{
    size_t o = 0;
    out[o++] = '"';
    for (; *s && o + 3 < n; s++) {
        if (*s == '"' || *s == '\\')
            out[o++] = '\\';
        out[o++] = *s;
    }
    out[o++] = '"';
    out[o] = 0;
}

/* One pass over the mailbox: every unseen message stored, then marked \Seen. */
static int fetch_once(struct imap *m, db_conn *c, const char *mailbox, int *stored)
{
    char cmd[600], q[300];
    quoted(q, sizeof q, mailbox);
    snprintf(cmd, sizeof cmd, "SELECT %s", q);
    if (command(m, cmd) < 0 || command(m, "UID SEARCH UNSEEN") < 0)
        return -1;
    const char *s = strstr(m->in.s, "* SEARCH");
    char *uids = s ? strndup(s + 8, strcspn(s + 8, "\r\n")) : strdup("");
    int rc = 0;
    for (char *p = uids, *end; p && rc == 0; p = end) {
        unsigned long uid = strtoul(p, &end, 10);
        if (end == p)
            break;
        snprintf(cmd, sizeof cmd, "UID FETCH %lu BODY.PEEK[]", uid);
        size_t len = 0;
        const char *raw = command(m, cmd) == 0 ? literal(&m->in, &len) : NULL;
        int64_t id = 0;
        if (!raw) {
            fprintf(stderr, "aftersales mail-fetch: no message in the answer to %s\n", cmd);
            rc = -1;
        } else if (mail_store(c, raw, len, (int64_t)time(NULL), &id) < 0) {
            fprintf(stderr, "aftersales mail-fetch: cannot store UID %lu: %s\n", uid, db_errmsg(c));
            rc = -1;
        } else {
            snprintf(cmd, sizeof cmd, "UID STORE %lu +FLAGS.SILENT (\\Seen)", uid);
            if ((rc = command(m, cmd)) == 0)
                (*stored)++;
        }
    }
    free(uids);
    return rc;
}

static int read_auth(const char *path, char *user, char *pass, size_t n)
{
    char line[600];
    FILE *f = fopen(path, "r");
    int ok = f && fgets(line, sizeof line, f);
    if (f)
        fclose(f);
    line[ok ? strcspn(line, "\r\n") : 0] = 0;
    char *colon = strchr(line, ':');
    if (!ok || !colon || (size_t)(colon - line) >= n || strlen(colon + 1) >= n)
        return -1;
    *colon = 0;
    strcpy(user, line);
    strcpy(pass, colon + 1);
    return 0;
}

/* One connection: log in, fetch, log out. imaps:// verifies the server's certificate and
 * name against the system's CAs, or against ca_file (a private CA) when given. */
static int poll_mailbox(const char *url, const char *ca_file, const char *user, const char *pass,
                        db_conn *c, int *stored)
{
    /* the mailbox is the URL's path ("imap://host:port/INBOX"), INBOX when none */
    const char *host = strstr(url, "://") + 3, *slash = strchr(host, '/');
    char base[300], mailbox[200];
    snprintf(base, sizeof base, "%.*s/", (int)(slash ? slash - url : (long)strlen(url)), url);
    snprintf(mailbox, sizeof mailbox, "%s", slash && slash[1] ? slash + 1 : "INBOX");
    struct imap m = {.h = curl_easy_init()};
    buf_init(&m.in);
    curl_easy_setopt(m.h, CURLOPT_URL, base);
    curl_easy_setopt(m.h, CURLOPT_CONNECT_ONLY, 1L);
    curl_easy_setopt(m.h, CURLOPT_CONNECTTIMEOUT, 30L);
    if (ca_file)
        curl_easy_setopt(m.h, CURLOPT_CAINFO, ca_file);
    char ebuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(m.h, CURLOPT_ERRORBUFFER, ebuf);
    CURLcode cc = curl_easy_perform(m.h);
    int rc = -1;
    if (cc != CURLE_OK) {
        fprintf(stderr, "aftersales mail-fetch: %s: %s\n", base, *ebuf ? ebuf : curl_easy_strerror(cc));
    } else {
        char cmd[600], qu[280], qp[280];
        quoted(qu, sizeof qu, user);
        quoted(qp, sizeof qp, pass);
        snprintf(cmd, sizeof cmd, "LOGIN %s %s", qu, qp);
        rc = command(&m, cmd) < 0 ? -1 : fetch_once(&m, c, mailbox, stored);
        command(&m, "LOGOUT");
    }
    buf_release(&m.in);
    curl_easy_cleanup(m.h);
    return rc;
}

int mail_cmd_fetch(int argc, char **argv, db *d)
{
    const char *url = NULL, *auth = NULL, *ca_file = NULL;
    long interval = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--url") == 0 && i + 1 < argc)
            url = argv[++i];
        else if (strcmp(argv[i], "--auth-file") == 0 && i + 1 < argc)
            auth = argv[++i];
        else if (strcmp(argv[i], "--ca-file") == 0 && i + 1 < argc)
            ca_file = argv[++i];
        else if (strcmp(argv[i], "--interval") == 0 && i + 1 < argc)
            interval = strtol(argv[++i], NULL, 10);
        else {
            fprintf(stderr, "aftersales mail-fetch: unknown argument %s\n", argv[i]);
            return 2;
        }
    }
    char user[256], pass[256];
    if (!url || (strncmp(url, "imap://", 7) != 0 && strncmp(url, "imaps://", 8) != 0) || strlen(url) > 250) {
        fprintf(stderr, "aftersales mail-fetch: --url imap://HOST:PORT/MAILBOX (or imaps://) is needed\n");
        return 2;
    }
    if (!auth || read_auth(auth, user, pass, sizeof user) < 0) {
        fprintf(stderr, "aftersales mail-fetch: --auth-file FILE with one line USER:PASSWORD is needed\n");
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    db_conn *c = db_acquire(d);
    int rc, total = 0;
    for (;;) {
        int stored = 0;
        rc = poll_mailbox(url, ca_file, user, pass, c, &stored);
        total += stored;
        if (interval <= 0)
            break;
        sleep((unsigned)interval);
    }
    printf("stored %d messages\n", total);
    db_release(c);
    curl_global_cleanup();
    return rc < 0 ? 1 : 0;
}
