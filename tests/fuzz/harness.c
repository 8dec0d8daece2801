/* harness: see harness.h. */
#include "harness.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include "base/auth.h"
#include "base/db_impl.h"
#include "base/router.h"
#include "features/common/common.h"
#include "features/features.h"

static db *the_db;
static sqlite3 *live, *pristine;
static int commits;       /* since the last harness_reset: commits of the live database */
static int timing, check; /* FUZZ_TIMING, FUZZ_CHECK_RESET (docs/fuzzing.md) */
static void *image;       /* check mode: the live database as harness_reset last left it */
static sqlite3_int64 image_size;

static int on_commit(void *arg)
{
    (void)arg;
    commits++;
    return 0; /* let it commit */
}
static struct harness_user users[] = {{"admin"}, {"agent"}, {"supervisor"}, {"tech"},
                                      {"manager"}, {"warehouse"}, {"editor"}, {"marketer"}};
#define NUSERS ((int)(sizeof users / sizeof *users))

static void die(const char *what)
{
    fprintf(stdout, "fuzz harness: %s\n", what);
    fflush(stdout);
    exit(1);
}

/* The connection's sqlite3 handle: the pool holds exactly one. */
static sqlite3 *handle_of(db *d)
{
    db_conn *c = db_acquire(d);
    sqlite3 *h = c->handle;
    db_release(c);
    return h;
}

static void copy_db(sqlite3 *to, sqlite3 *from)
{
    sqlite3_backup *b = sqlite3_backup_init(to, "main", from, "main");
    if (!b || sqlite3_backup_step(b, -1) != SQLITE_DONE || sqlite3_backup_finish(b) != SQLITE_OK)
        die(sqlite3_errmsg(to));
}

/* The live database is SQLite's in-memory file (memdb) over livebuf, of room bytes: a
 * restore is one memcpy of the snapshot's image and a sqlite3_deserialize, where the
 * backup API took 10-30 ms (every page through the pager and a journal). The room is
 * far more than one input can add (the file cannot grow past it: SQLITE_FULL, a 500). */
#define LIVE_ROOM (64 << 20)
static unsigned char *livebuf, *snapshot;
static sqlite3_int64 snapshot_size;

static void restore(void)
{
    memcpy(livebuf, snapshot, (size_t)snapshot_size);
    if (sqlite3_deserialize(live, "main", livebuf, snapshot_size, LIVE_ROOM, 0) != SQLITE_OK)
        die(sqlite3_errmsg(live));
}

/* Log u in through the real POST /api/v1/session; keep its cookie and CSRF token. */
static void login(struct harness_user *u)
{
    char body[128];
    snprintf(body, sizeof body, "{\"login\":\"%s\",\"password\":\"demo1234\"}", u->login);
    struct http_local_reply out;
    http_dispatch_local(the_db, "POST", "/api/v1/session", "Content-Type: application/json",
                        body, strlen(body), &out);
    const char *c = out.headers ? strstr(out.headers, AUTH_SESSION_COOKIE "=") : NULL;
    const char *t = out.body ? strstr(out.body, "\"csrf_token\":\"") : NULL;
    if (out.status != 200 || !c || !t)
        die("cannot log in the demo users");
    snprintf(u->cookie, sizeof u->cookie, "%.*s", (int)strcspn(c, ";\n"), c);
    t += strlen("\"csrf_token\":\"");
    snprintf(u->csrf, sizeof u->csrf, "%.*s", (int)strcspn(t, "\""), t);
    http_local_reply_free(&out);

    db_conn *dc = db_acquire(the_db);
    db_stmt *st = db_prepare(dc, "SELECT role, outlet_id FROM users WHERE login = ?");
    db_bind_text(st, 1, u->login);
    if (db_step(st) != DB_ROW)
        die("no such demo user");
    char role[32], token[AUTH_TOKEN_HEX + 4];
    snprintf(role, sizeof role, "%s", db_text(st, 0));
    int64_t outlet = db_isnull(st, 1) ? 0 : db_int(st, 1);
    db_done(st);
    if (auth_token_create(dc, u->login, role, outlet, token) < 0)
        die("cannot make a bearer token");
    db_release(dc);
    snprintf(u->bearer, sizeof u->bearer, "Bearer %s", token);
}

void harness_init(void)
{
    if (the_db)
        return;
    if (!getenv("FUZZ_VERBOSE")) {
        /* The program's own messages use stdio; sanitizers and libFuzzer write to fd 2. */
        FILE *null = fopen("/dev/null", "w");
        if (null)
            stderr = null;
    }
    if (!getenv("AFTERSALES_REPO")) {
        /* The program finds node_modules/ next to build/; the fuzzers are a level lower
         * (build/fuzz/). */
        char exe[4096];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n > 0) {
            exe[n] = '\0';
            for (int up = 0; up < 3; up++) {
                char *slash = strrchr(exe, '/');
                if (slash)
                    *slash = '\0';
            }
            setenv("AFTERSALES_REPO", exe, 0);
        }
    }
    timing = getenv("FUZZ_TIMING") != NULL;
    check = getenv("FUZZ_CHECK_RESET") != NULL;
    if (auth_init() < 0)
        die("libsodium cannot start");
    /* Argon2id at its least cost: the same code, without 64 MiB of work for every input
     * that logs in, changes a password or creates an account. */
    auth_set_pwhash_cost(crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN);
    /* Sessions that neither expire nor fall due for renewal during a run: the snapshot
     * keeps the expiry of the login, so with the defaults every request would renew
     * (a write, so a restore) after 12 minutes, and after 2 hours every session cookie
     * would be refused, leaving only the unauthenticated paths to fuzz. */
    auth_set_session_limits(10 * 366 * 86400LL, 10 * 366 * 86400LL);
    /* Every input comes from the same client: with the real limits (kept in process on
     * SQLite, so not put back by harness_reset) all but the first 120 public requests a
     * minute, 50 logins per 15 minutes and 10 portal or order lookups that miss per 10
     * minutes would be answered 429 before their handler.
     * One input makes one request, so no limit is reached within an input. */
    auth_set_login_limits(1 << 30, 1 << 30);
    http_local_set_public_rate(1 << 30);
    setenv("AFTERSALES_PORTAL_MISSES", "1073741824", 1); /* the portal's guessing budget */
    /* Downloads (?format=csv|xlsx, or an Accept header of text/csv or XLSX, which the
     * header fuzzer finds) are cut after 1,000 rows, as after LIST_EXPORT_MAX: the whole
     * 12,504 stock moves took 340 ms (CSV) to 640 ms (XLSX) under ASan, an ordinary
     * request 1-2 ms, and once fuzz_api_cookie had learnt the header it spent most of its
     * time there (docs/fuzzing.md). 1,000 still takes two pages of the lists of 500 (the
     * export's cursor path) and sets the truncated flag. FUZZ_EXPORT_MAX=N: N instead
     * (0: the product's). */
    const char *em = getenv("FUZZ_EXPORT_MAX");
    list_set_export_max(em ? atol(em) : 1000);
    router_set(feature_routes);
    char *err = NULL;
    if (db_open(":memory:", 1, &the_db, &err) < 0)
        die(err ? err : "cannot open the database");
    struct demo_opts o = {0, 0, 42};
    for (const struct demo_step *s = feature_demo; s->name; s++)
        if (s->fill(the_db, &o) < 0)
            die(s->name);
    for (int i = 0; i < NUSERS; i++)
        login(&users[i]);
    live = handle_of(the_db);
    if (sqlite3_open(":memory:", &pristine) != SQLITE_OK)
        die("cannot open a second database");
    copy_db(pristine, live);
    snapshot = sqlite3_serialize(pristine, "main", &snapshot_size, 0);
    livebuf = malloc(LIVE_ROOM);
    if (!snapshot || !livebuf || snapshot_size > LIVE_ROOM / 2)
        die("cannot keep the snapshot");
    sqlite3_commit_hook(live, on_commit, NULL);
    commits = 1; /* the first reset takes the check image */
    harness_reset();
}

db *harness_db(void) { return the_db; }
int harness_nusers(void) { return NUSERS; }
const struct harness_user *harness_user(int i) { return &users[i % NUSERS]; }

void harness_request(const char *method, const char *url, const char *headers, const void *body,
                     size_t len, struct http_local_reply *out)
{
    struct timespec t0, t1;
    if (timing)
        clock_gettime(CLOCK_MONOTONIC, &t0);
    if (http_dispatch_local(the_db, method, url, headers, body, len, out) < 0)
        abort(); /* nothing answered */
    if (timing) { /* FUZZ_TIMING=1: which requests cost the most (docs/fuzzing.md) */
        clock_gettime(CLOCK_MONOTONIC, &t1);
        /* with the Accept header, if any: it turns a list's page into a download */
        const char *acc = headers ? strcasestr(headers, "accept:") : NULL;
        int alen = acc ? (int)strcspn(acc, "\r\n") : 0;
        printf("T %lld %d %s %.80s%s%.*s\n",
               (long long)(t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000,
               out->status, method, url, acc ? " | " : "", alen > 60 ? 60 : alen, acc ? acc : "");
    }
    if (out->status == 500 && !getenv("FUZZ_ALLOW_500")) {
        fprintf(stdout, "fuzz harness: 500 from %s %s: %s\n", method, url, out->body);
        fflush(stdout);
        abort();
    }
}

const char *harness_json_headers(const struct harness_user *u)
{
    static char h[512];
    snprintf(h, sizeof h, "Cookie: %s\nX-CSRF-Token: %s\nContent-Type: application/json",
             u->cookie, u->csrf);
    return h;
}

/* The bytes of the live database (sqlite3_serialize), for the check mode. */
static void *serialized(sqlite3_int64 *size)
{
    void *p = sqlite3_serialize(live, "main", size, 0);
    if (!p)
        die("cannot serialize the database");
    return p;
}

/* Only a commit changes the database: what a transaction did and rolled back is gone (a
 * failed import, a write that was refused half-way). So the snapshot is copied back only
 * after an input that committed something, counted by a commit hook. FUZZ_CHECK_RESET=1
 * proves it as it goes: after every input the database must be byte for byte the image
 * taken at the last reset (else an input changed it without a commit the hook saw), and
 * a restore must give back the pristine snapshot's bytes. */
void harness_reset(void)
{
    if (!sqlite3_get_autocommit(live))
        die("an input left a transaction open");
    if (!commits) {
        if (check) {
            sqlite3_int64 n;
            void *now = serialized(&n);
            if (n != image_size || memcmp(now, image, (size_t)n) != 0)
                die("the database changed without a commit (FUZZ_CHECK_RESET)");
            sqlite3_free(now);
        }
        return;
    }
    struct timespec t0, t1;
    if (timing)
        clock_gettime(CLOCK_MONOTONIC, &t0);
    restore();
    if (timing) {
        clock_gettime(CLOCK_MONOTONIC, &t1);
        printf("R %lld restore\n", (long long)(t1.tv_sec - t0.tv_sec) * 1000000 +
                                        (t1.tv_nsec - t0.tv_nsec) / 1000);
    }
    if (check) {
        sqlite3_int64 n, pn;
        void *now = serialized(&n);
        void *p = sqlite3_serialize(pristine, "main", &pn, 0);
        /* past the 100-byte header, whose change counter and schema cookie the copy moves */
        if (!p || n != pn || n < 100 || memcmp((char *)now + 100, (char *)p + 100, (size_t)n - 100) != 0)
            die("the restored database differs from the snapshot (FUZZ_CHECK_RESET)");
        sqlite3_stmt *fk = NULL; /* the connection's settings outlive the restore */
        if (sqlite3_prepare_v2(live, "PRAGMA foreign_keys", -1, &fk, NULL) != SQLITE_OK ||
            sqlite3_step(fk) != SQLITE_ROW || sqlite3_column_int(fk, 0) != 1)
            die("foreign keys are off after the restore (FUZZ_CHECK_RESET)");
        sqlite3_finalize(fk);
        sqlite3_free(now);
        sqlite3_free(p);
    }
    /* The copy brings auth_epoch back to the snapshot's value, which later changes would
     * count up through again, matching identities the server cached in between: move it
     * to a value never used, so nothing cached before the reset is believed after it. */
    static int64_t epoch = 1000000000;
    char sql[80];
    snprintf(sql, sizeof sql, "UPDATE auth_epoch SET n = %lld WHERE id = 1", (long long)++epoch);
    sqlite3_exec(live, sql, NULL, NULL, NULL);
    commits = 0;
    if (check) {
        sqlite3_free(image);
        image = serialized(&image_size);
    }
}

/* ---- routes and URLs ---- */

const struct route **fuzz_routes(int (*keep)(const struct route *), int *n)
{
    int total = router_count();
    const struct route **out = calloc((size_t)total + 1, sizeof *out);
    if (!out)
        abort();
    *n = 0;
    for (int i = 0; i < total; i++)
        if (keep(router_at(i)))
            out[(*n)++] = router_at(i);
    if (!*n)
        abort();
    if (getenv("FUZZ_LIST")) { /* for scripts/fuzz-seeds: what byte 0 picks */
        for (int i = 0; i < *n; i++)
            printf("%d %s %s\n", i, out[i]->method, out[i]->pattern);
        exit(0);
    }
    return out;
}

static void add_encoded(buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~')
            buf_addc(b, (char)c);
        else
            buf_addf(b, "%%%02X", c);
    }
}

void fuzz_url(buf *url, const struct route *rt, const char *params, size_t len)
{
    const char *p = rt->pattern, *end = params + len;
    while (*p) {
        if (*p == ':') {
            while (*p && *p != '/')
                p++;
            const char *slash = memchr(params, '/', (size_t)(end - params));
            size_t n = slash ? (size_t)(slash - params) : (size_t)(end - params);
            if (n)
                add_encoded(url, params, n);
            else
                buf_addc(url, 'x');
            params = slash ? slash + 1 : end;
        } else {
            buf_addc(url, *p++);
        }
    }
}

void fuzz_split(const uint8_t *data, size_t size, const char **head, size_t *hlen,
                const uint8_t **rest, size_t *rlen)
{
    const uint8_t *nl = memchr(data, '\n', size);
    *head = (const char *)data;
    *hlen = nl ? (size_t)(nl - data) : size;
    *rest = nl ? nl + 1 : data + size;
    *rlen = size - (size_t)(*rest - data);
}
