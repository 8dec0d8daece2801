/* portal: the customer's public repair status lookup (M4, M14). A repair code plus the
 * last four digits of the customer's phone shows the status timeline, the outlet's name
 * and phone and a masked surname: nothing else about anyone. A wrong code and a wrong
 * tail answer the same 404; repeated misses from one client address answer 429 (a budget
 * the order lookup shares: portal.h). */
#include "base/buf.h"
#include "base/datetime.h"
#include "base/ratelimit.h"
#include "features/portal/portal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Misses allowed per client address per window (the guessing budget). */
#define PORTAL_MISSES 10
#define PORTAL_MISS_WINDOW 600

static struct ratelimit *misses;
static pthread_once_t misses_once = PTHREAD_ONCE_INIT;

static void misses_init(void)
{
    const char *env = getenv("AFTERSALES_PORTAL_MISSES");
    int limit = env && atoi(env) > 0 ? atoi(env) : PORTAL_MISSES;
    misses = ratelimit_new(limit, PORTAL_MISS_WINDOW);
}

static int tail_ok(const char *t)
{
    if (!t || strlen(t) != 4)
        return 0;
    for (int i = 0; i < 4; i++)
        if (t[i] < '0' || t[i] > '9')
            return 0;
    return 1;
}

/* The answer is written straight into a buffer rather than built as a jansson tree: this
 * is the hottest public call (see bench/repairs.sh). */
static void jstr(buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    buf_addc(b, '"');
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\') {
            buf_addc(b, '\\');
            buf_addc(b, (char)*p);
        } else if (*p < 0x20) {
            char e[6] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15]};
            buf_add(b, e, 6);
        } else {
            buf_addc(b, (char)*p);
        }
    }
    buf_addc(b, '"');
}

static void jtext_or_null(buf *b, db_stmt *st, int col)
{
    if (db_isnull(st, col))
        buf_adds(b, "null");
    else
        jstr(b, db_text(st, col));
}

static void jtime(buf *b, int64_t t)
{
    char s[21];
    dt_rfc3339(t, s);
    buf_addf(b, "\"%s\"", s);
}

/* The masked surname: the first character of the name and "**" (张伟 -> 张**). */
static void jsurname(buf *b, const char *name)
{
    const unsigned char *s = (const unsigned char *)(name ? name : "");
    while (*s == ' ')
        s++;
    size_t n = !*s ? 0 : *s >= 0xF0 ? 4 : *s >= 0xE0 ? 3 : *s >= 0xC0 ? 2 : 1;
    for (size_t i = 1; i < n; i++)
        if (!s[i])
            n = 0;
    char out[8] = "";
    if (n)
        memcpy(out, s, n);
    memcpy(out + n, "**", 3);
    jstr(b, out);
}

static int too_many(req *r)
{
    reply_header(r, "Retry-After", "600");
    return reply_error(r, 429, "rate_limited", "too many failed lookups; try again later", NULL);
}

/* The miss counter's key (shared with the other servers on PostgreSQL). */
static const char *portal_key(req *r) { return arena_printf(r->a, "portal:%s", req_client(r)); }

int portal_miss(req *r, const char *message)
{
    pthread_once(&misses_once, misses_init);
    if (ratelimit_shared_add(misses, req_db(r), portal_key(r), now_unix()))
        return too_many(r);
    return reply_error(r, 404, "not_found", message, NULL);
}

int portal_blocked(req *r)
{
    pthread_once(&misses_once, misses_init);
    if (!ratelimit_shared_over(misses, req_db(r), portal_key(r), now_unix()))
        return 0;
    too_many(r);
    return 1;
}

int portal_tail_ok(const char *tail)
{
    return tail_ok(tail);
}

static int not_found(req *r)
{
    return portal_miss(r, "no repair with this code and phone number");
}

static int portal_repair(req *r)
{
    if (portal_blocked(r))
        return 0;
    const char *code = req_param(r, "code");
    const char *tail = req_query(r, "phone_tail");
    if (!tail_ok(tail) || !code || strlen(code) > 32)
        return not_found(r);
    db_conn *c = req_db(r);
    /* One statement (one read transaction): the repair, its customer's name, the outlet,
     * and its events as rows, provided one of the customer's phones ends in the tail. */
    db_stmt *st = db_prepare(
        c, "SELECT r.status, r.kind, r.registered_at, r.quote_fen, cu.name, o.name, o.phone,"
           " m.name, p.name, p.name_en, r.in_warranty, e.status, e.at"
           " FROM repairs r JOIN customers cu ON cu.id = r.customer_id"
           " LEFT JOIN outlets o ON o.id = r.outlet_id LEFT JOIN models m ON m.id = r.model_id"
           " LEFT JOIN product_lines p ON p.id = r.product_line_id"
           " LEFT JOIN repair_events e ON e.repair_id = r.id"
           " WHERE r.code = ? AND EXISTS (SELECT 1 FROM customer_phones ph"
           " WHERE ph.customer_id = r.customer_id AND substr(ph.phone, length(ph.phone) - 3) = ?)"
           " ORDER BY e.at, e.id");
    if (!st)
        return -1;
    db_bind_text(st, 1, code);
    db_bind_text(st, 2, tail);
    int rc = db_step(st);
    if (rc != DB_ROW) {
        db_done(st);
        return rc < 0 ? -1 : not_found(r);
    }
    buf b = BUF_INIT;
    buf_adds(&b, "{\"code\":");
    jstr(&b, code);
    buf_adds(&b, ",\"status\":");
    jstr(&b, db_text(st, 0));
    int quoted = strcmp(db_text(st, 0), "quoted") == 0;
    buf_adds(&b, ",\"kind\":");
    jstr(&b, db_text(st, 1));
    buf_adds(&b, ",\"registered_at\":");
    jtime(&b, db_int(st, 2));
    buf_adds(&b, ",\"customer\":{\"surname\":");
    jsurname(&b, db_text(st, 4));
    buf_adds(&b, "},\"outlet\":");
    if (db_isnull(st, 5)) {
        buf_adds(&b, "null");
    } else {
        buf_adds(&b, "{\"name\":");
        jstr(&b, db_text(st, 5));
        buf_adds(&b, ",\"phone\":");
        jtext_or_null(&b, st, 6);
        buf_addc(&b, '}');
    }
    buf_adds(&b, ",\"product\":{\"model\":");
    jtext_or_null(&b, st, 7);
    buf_adds(&b, ",\"product_line\":");
    jtext_or_null(&b, st, 8);
    buf_adds(&b, ",\"product_line_en\":");
    jtext_or_null(&b, st, 9);
    buf_adds(&b, "},\"in_warranty\":");
    buf_adds(&b, db_isnull(st, 10) ? "null" : db_int(st, 10) ? "true" : "false");
    buf_adds(&b, ",\"quote_fen\":");
    if (!db_isnull(st, 3) && quoted)
        buf_addf(&b, "%lld", (long long)db_int(st, 3));
    else
        buf_adds(&b, "null");
    buf_adds(&b, ",\"timeline\":[");
    int first = 1;
    do {
        if (db_isnull(st, 11))
            continue;
        buf_adds(&b, first ? "{\"status\":" : ",{\"status\":");
        first = 0;
        jstr(&b, db_text(st, 11));
        buf_adds(&b, ",\"at\":");
        jtime(&b, db_int(st, 12));
        buf_addc(&b, '}');
    } while ((rc = db_step(st)) == DB_ROW);
    db_done(st);
    buf_adds(&b, "]}");
    if (rc < 0) {
        buf_release(&b);
        return -1;
    }
    reply_header(r, "Cache-Control", "no-store");
    rc = reply_bytes(r, 200, "application/json; charset=utf-8", b.s, b.len);
    buf_release(&b);
    return rc;
}

const struct route portal_routes[] = {
    {"GET", "/api/v1/public/repairs/:code", portal_repair, 0, ROUTE_PUBLIC | ROUTE_LIMITED},
    {0},
};
