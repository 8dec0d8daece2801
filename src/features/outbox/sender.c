/* outbox: the sender thread inside serve: it claims one due message at a time with a
 * lease (a conditional UPDATE, so several servers never take the same row), delivers
 * it, and records the outcome in its own commit right after the relay's answer. */
#include "features/outbox/internal.h"

#include "base/audit.h"
#include "base/log.h"

#include "base/netcurl.h"
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct {
    const char *smtp, *sms, *from, *public_url;
    char user[256], password[256], host[128], owner[64];
    int has_auth;
    int interval, attempts, lease;
    int64_t base, cap;
} cf;

static pthread_t thread;
static volatile int stopping, running;
static db *the_db;

static int env_int(const char *name, int def)
{
    const char *v = getenv(name);
    return v && *v ? atoi(v) : def;
}

/* The next try after the attempts-th failed one: base * 2^(attempts-1), at most cap. */
static int64_t backoff(int64_t attempts)
{
    int64_t d = cf.base;
    for (int64_t i = 1; i < attempts && d < cf.cap; i++)
        d *= 2;
    return d < cf.cap ? d : cf.cap;
}

/* Rows left in sending by a server that died: back to retry (failed when out of tries). */
static void recover(db_conn *c, int64_t now)
{
    int64_t n = db_exec(c, "UPDATE outbox SET status = CASE WHEN attempts >= ? THEN 'failed' ELSE 'retry' END,"
                           " next_at = ?, lease_until = NULL, lease_owner = NULL, updated_at = ?,"
                           " last_error = 'the lease expired while sending (server stopped?)'"
                           " WHERE status = 'sending' AND lease_until < ?",
                        "iiii", (int64_t)cf.attempts, now, now, now);
    if (n > 0)
        log_info("outbox: %lld expired claims back to retry", (long long)n);
}

struct msg {
    int64_t id, attempts;
    char channel[16], to[256], tpl[64], mid[160];
    char lang[8]; /* the customer's language (0023), "" when the row has no customer */
    char *payload;
};

/* Claim the next due message: 1 with *m, 0 when none, or a negative db code. */
static int claim(db_conn *c, int64_t now, struct msg *m)
{
    char channels[64];
    snprintf(channels, sizeof channels, "%s%s%s", cf.smtp ? "'email', 'staff'" : "",
             cf.smtp && cf.sms ? ", " : "", cf.sms ? "'sms'" : "");
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT id FROM outbox WHERE status IN ('queued', 'retry') AND next_at <= ?"
             " AND channel IN (%s) ORDER BY next_at, id LIMIT 8", channels);
    for (;;) {
        db_stmt *st = db_prepare(c, sql);
        if (!st)
            return DB_ERROR;
        db_bind_int(st, 1, now);
        int64_t ids[8];
        int n = 0, rc;
        while (n < 8 && (rc = db_step(st)) == DB_ROW)
            ids[n++] = db_int(st, 0);
        db_done(st);
        if (n == 0)
            return 0;
        for (int i = 0; i < n; i++) {
            unsigned char rnd[8];
            randombytes_buf(rnd, sizeof rnd);
            char hex[17];
            sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
            snprintf(m->mid, sizeof m->mid, "<outbox-%lld.%s@%s>", (long long)ids[i], hex, cf.host);
            int64_t got = db_exec(c, "UPDATE outbox SET status = 'sending', lease_until = ?, lease_owner = ?,"
                                     " attempts = attempts + 1, updated_at = ?,"
                                     " message_id = COALESCE(message_id, ?)"
                                     " WHERE id = ? AND status IN ('queued', 'retry')",
                                  "ititi", now + cf.lease, cf.owner, now, m->mid, ids[i]);
            if (got < 0)
                return (int)got;
            if (got == 0)
                continue; /* another server took it */
            /* a merged customer's language is the surviving record's */
            st = db_prepare(c, "SELECT o.channel, o.recipient, o.template, o.payload, o.message_id,"
                               " o.attempts, COALESCE(mc.lang, cu.lang, '')"
                               " FROM outbox o LEFT JOIN customers cu ON cu.id = o.customer_id"
                               " LEFT JOIN customers mc ON mc.id = cu.merged_into WHERE o.id = ?");
            if (!st)
                return DB_ERROR;
            db_bind_int(st, 1, ids[i]);
            rc = db_step(st);
            if (rc == DB_ROW) {
                m->id = ids[i];
                snprintf(m->channel, sizeof m->channel, "%s", db_text(st, 0));
                snprintf(m->to, sizeof m->to, "%s", db_text(st, 1));
                snprintf(m->tpl, sizeof m->tpl, "%s", db_text(st, 2));
                m->payload = strdup(db_text(st, 3));
                snprintf(m->mid, sizeof m->mid, "%s", db_text(st, 4));
                m->attempts = db_int(st, 5);
                snprintf(m->lang, sizeof m->lang, "%s", db_text(st, 6));
            }
            db_done(st);
            return rc == DB_ROW ? 1 : DB_ERROR;
        }
    }
}

/* obj[key], when it is prefix + "/..." (not "//"), becomes prefix + public_url + "/...". */
static void absolute(json_t *obj, const char *key, const char *prefix)
{
    const char *v = json_string_value(json_object_get(obj, key));
    size_t pl = strlen(prefix), n = strlen(cf.public_url);
    if (!v || !n || strncmp(v, prefix, pl) || v[pl] != '/' || v[pl + 1] == '/')
        return;
    char *abs = NULL;
    if (asprintf(&abs, "%s%.*s%s", prefix, (int)(cf.public_url[n - 1] == '/' ? n - 1 : n), cf.public_url,
                 v + pl) > 0) {
        json_object_set_new(obj, key, json_string(abs));
        free(abs);
    }
}

/* Deliver m once: to m->to, or (channel staff) to the addresses in rcpts. */
static enum ob_result deliver(struct msg *m, const struct ob_rcpts *rcpts, char *err, size_t errlen)
{
    json_error_t je;
    json_t *payload = json_loads(m->payload ? m->payload : "{}", 0, &je);
    /* the payload's lang, else the customer's stored one, else zh-CN */
    const char *lang = json_string_value(json_object_get(payload, "lang"));
    if (!lang && *m->lang)
        lang = m->lang;
    /* a link into the portal ("/portal/survey.html#...") and a List-Unsubscribe
     * ("</api/v1/public/unsubscribe/...>") are stored relative: the customer gets them
     * under the public address */
    absolute(payload, "link", "");
    absolute(json_object_get(payload, "headers"), "List-Unsubscribe", "<");
    struct ob_text t = {0};
    enum ob_result res = OB_PERMANENT;
    if (ob_render(m->tpl, lang, payload, &t) < 0) {
        snprintf(err, errlen, "no template %s", m->tpl);
    } else if (strcmp(m->channel, "sms") == 0) {
        res = ob_sms_send(cf.sms, m->to, t.body, err, errlen);
    } else {
        buf msg = BUF_INIT, to = BUF_INIT;
        struct ob_rcpts one = {.n = 1};
        snprintf(one.addr[0], sizeof one.addr[0], "%s", m->to);
        const struct ob_rcpts *rc = rcpts ? rcpts : &one;
        for (int i = 0; i < rc->n; i++)
            buf_addf(&to, "%s%s", i ? ", " : "", rc->addr[i]);
        char from[264];
        snprintf(from, sizeof from, "<%s>", cf.from);
        if (ob_mime(&msg, cf.from, to.s ? to.s : "", m->mid, now_unix(), &t) < 0)
            snprintf(err, errlen, "cannot build the message");
        else
            res = ob_smtp_send(cf.smtp, cf.has_auth ? cf.user : NULL, cf.password, from, rc,
                               msg.s, msg.len, err, errlen);
        buf_release(&msg);
        buf_release(&to);
    }
    ob_text_free(&t);
    json_decref(payload);
    return res;
}

/* Record the outcome in its own commit; only our claim is touched. */
static void finish(db_conn *c, const struct msg *m, enum ob_result res, const char *err)
{
    int64_t now = now_unix(), e = DB_EBUSY;
    if (res == OB_SENT) /* a lost commit here means a resend after the lease: try hard */
        for (int i = 0; i < 50 && e == DB_EBUSY; i++, nanosleep(&(struct timespec){0, 100000000}, NULL))
            e = db_exec(c, "UPDATE outbox SET status = 'sent', sent_at = ?, updated_at = ?,"
                           " lease_until = NULL, lease_owner = NULL, last_error = NULL WHERE id = ? AND status = 'sending' AND lease_owner = ?",
                        "iiit", now, now, m->id, cf.owner);
    else
        e = db_exec(c, "UPDATE outbox SET status = ?, next_at = ?, updated_at = ?, lease_until = NULL,"
                       " lease_owner = NULL, last_error = ? WHERE id = ? AND status = 'sending' AND lease_owner = ?",
                    "tiitit",
                    res == OB_PERMANENT || m->attempts >= cf.attempts ? "failed" : "retry",
                    now + backoff(m->attempts), now, err, m->id, cf.owner);
    if (e < 0)
        log_error("outbox: message %lld: cannot record the outcome: %s", (long long)m->id,
                  db_errmsg(c));
    else if (res != OB_SENT)
        log_info("outbox: message %lld attempt %lld: %s", (long long)m->id, (long long)m->attempts, err);
}

/* One pass: recover expired claims, then send every due message. */
static void pass(db_conn *c)
{
    recover(c, now_unix());
    while (!stopping) {
        struct msg m = {0};
        int got = claim(c, now_unix(), &m);
        if (got < 0)
            log_error("outbox: claim failed: %s", db_errmsg(c));
        if (got <= 0)
            break;
        char err[512] = "";
        struct ob_rcpts staff;
        enum ob_result res = OB_SENT;
        if (strcmp(m.channel, "staff") == 0)
            res = ob_staff_rcpts(c, m.to, m.payload, &staff, err, sizeof err);
        if (res == OB_SENT)
            res = deliver(&m, strcmp(m.channel, "staff") == 0 ? &staff : NULL, err, sizeof err);
        finish(c, &m, res, err);
        free(m.payload);
    }
}

static void *loop(void *arg)
{
    (void)arg;
    while (!stopping) {
        db_conn *c = db_acquire(the_db);
        pass(c);
        db_release(c);
        for (int i = 0; i < cf.interval * 10 && !stopping; i++)
            nanosleep(&(struct timespec){0, 100000000}, NULL);
    }
    return NULL;
}

/* user:password from the first line of path. 0 or -1. */
static int read_auth(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[520];
    int ok = f && fgets(line, sizeof line, f);
    if (f)
        fclose(f);
    char *colon = ok ? strchr(line, ':') : NULL;
    if (!colon)
        return -1;
    line[strcspn(line, "\r\n")] = '\0';
    *colon = '\0';
    size_t ul = strlen(line), pl = strlen(colon + 1);
    if (ul >= sizeof cf.user || pl >= sizeof cf.password)
        return -1;
    memcpy(cf.user, line, ul + 1);
    memcpy(cf.password, colon + 1, pl + 1);
    sodium_memzero(line, sizeof line);
    cf.has_auth = 1;
    return 0;
}

int outbox_sender_start(db *d, const struct outbox_config *cfg)
{
    memset(&cf, 0, sizeof cf);
    cf.smtp = cfg->smtp_url;
    cf.sms = cfg->sms_gateway;
    cf.public_url = cfg->public_url ? cfg->public_url : "";
    cf.from = cfg->mail_from ? cfg->mail_from : "aftersales@localhost";
    if (cfg->smtp_auth && read_auth(cfg->smtp_auth) < 0) {
        fprintf(stderr, "aftersales serve: --smtp-auth %s: cannot read user:password\n", cfg->smtp_auth);
        return -1;
    }
    const char *at = strrchr(cf.from, '@');
    snprintf(cf.host, sizeof cf.host, "%s", at && at[1] ? at + 1 : "localhost");
    cf.host[strcspn(cf.host, "> \t")] = '\0';
    unsigned char rnd[4];
    randombytes_buf(rnd, sizeof rnd);
    snprintf(cf.owner, sizeof cf.owner, "%ld.%02x%02x%02x%02x", (long)getpid(), rnd[0], rnd[1], rnd[2], rnd[3]);
    cf.interval = env_int("AFTERSALES_OUTBOX_INTERVAL", 10);
    cf.attempts = env_int("AFTERSALES_OUTBOX_ATTEMPTS", 8);
    cf.lease = env_int("AFTERSALES_OUTBOX_LEASE", 300);
    cf.base = env_int("AFTERSALES_OUTBOX_RETRY_BASE", 30);
    cf.cap = env_int("AFTERSALES_OUTBOX_RETRY_CAP", 3600);
    if (cf.attempts < 1)
        cf.attempts = 1;
    if (cf.base < 1)
        cf.base = 1;
    if (cf.cap < cf.base)
        cf.cap = cf.base;
    if (cf.interval <= 0 || (!cf.smtp && !cf.sms))
        return 0; /* nothing to send with, or turned off */
    if (cf.lease < 130)
        log_info("outbox: AFTERSALES_OUTBOX_LEASE=%d s is shorter than an SMTP attempt may take (120 s)",
                 cf.lease);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    the_db = d;
    stopping = 0;
    running = pthread_create(&thread, NULL, loop, NULL) == 0;
    return 0;
}

void outbox_sender_stop(void)
{
    if (!running)
        return;
    stopping = 1;
    pthread_join(thread, NULL);
    running = 0;
    curl_global_cleanup();
}

int outbox_mark_bounced(db_conn *c, int64_t id, const char *why)
{
    int64_t n = db_exec(c, "UPDATE outbox SET status = 'bounced', last_error = ?, updated_at = ?"
                           " WHERE id = ? AND status IN ('sent', 'sending')",
                        "tii", why ? why : "bounced", now_unix(), id);
    if (n <= 0)
        return n < 0 ? (int)n : 0;
    char code[24];
    snprintf(code, sizeof code, "%lld", (long long)id);
    json_t *detail = json_pack("{s:s}", "why", why ? why : "");
    int rc = audit_write(c, "mail-in", "bounce", "outbox", code, detail);
    json_decref(detail);
    return rc < 0 ? DB_ERROR : 1;
}

