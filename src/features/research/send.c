/* research: sending a draft questionnaire to a segment: the recipients frozen by the
 * campaign freeze (surviving customers with consent for the channel and an address;
 * merged duplicates once, erased customers never), then one outbox message per
 * recipient carrying its signed single-use link to the portal (an email also carries
 * the one-click unsubscribe), and the questionnaire open; all in one transaction. */
#include "base/audit.h"
#include "base/db_bulk.h"
#include "features/campaigns/campaigns.h"
#include "features/research/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const channels[] = {"email", "sms", NULL};
static const char *const langs[] = {"zh-CN", "en", NULL};

struct rs_go {
    const char *code, *actor, *channel, *lang, *filter, *segment;
    int64_t segment_id, version, frozen;
    int state; /* 0 sent, 1 missing, 2 not a draft, 3 stale, 4 segment no longer holds */
};

/* One recipient: customer code and address. */
struct rcpt {
    int64_t id, cid, outbox_id;
    char code[24];
    char *to;
};

/* The frozen recipients of questionnaire qid with their first address for channel. */
static int recipients_of(db_conn *c, int64_t qid, const char *channel, struct rcpt **out, size_t *n)
{
    /* each customer's first address, as a grouped join (a correlated "ORDER BY id LIMIT 1"
     * per row can become a scan per row on PostgreSQL before the tables are analysed) */
#define RCPT_SQL(T, COL)                                                                      \
    "SELECT r.id, c.id, c.code, a." COL " FROM research_recipients r JOIN customers c ON"     \
    " c.id = r.customer_id JOIN (SELECT customer_id, MIN(id) AS id FROM " T " WHERE"          \
    " customer_id IN (SELECT customer_id FROM research_recipients WHERE questionnaire_id = ?)" \
    " GROUP BY customer_id) f ON f.customer_id = c.id JOIN " T " a ON a.id = f.id"            \
    " WHERE r.questionnaire_id = ? ORDER BY r.id"
    db_stmt *st = db_prepare(c, strcmp(channel, "email") == 0 ? RCPT_SQL("customer_emails", "email")
                                                              : RCPT_SQL("customer_phones", "phone"));
#undef RCPT_SQL
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, qid);
    db_bind_int(st, 2, qid);
    size_t cap = 0;
    int s;
    while ((s = db_step(st)) == DB_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            struct rcpt *g = realloc(*out, cap * sizeof **out);
            if (!g) {
                s = DB_ERROR;
                break;
            }
            *out = g;
        }
        struct rcpt *p = &(*out)[(*n)++];
        p->id = db_int(st, 0);
        p->cid = db_int(st, 1);
        snprintf(p->code, sizeof p->code, "%s", db_text(st, 2));
        p->to = strdup(db_text(st, 3) ? db_text(st, 3) : "");
    }
    db_done(st);
    return s < 0 ? s : 0;
}

/* Add recipient p's invitation to the outbox rows; 0 or a db code. */
static int queue_one(db_rows *rows, const struct rs_go *g, const unsigned char key[32],
                     const unsigned char *unsub, const char *title, const struct rcpt *p, int64_t now)
{
    char token[160], link[200];
    rs_token(key, g->code, p->id, token, sizeof token);
    snprintf(link, sizeof link, "/portal/research.html#%s", token);
    json_t *payload = json_pack("{s:s, s:s, s:s, s:s}", "code", g->code, "title", title, "lang",
                                g->lang, "link", link);
    if (unsub)
        campaigns_unsub_set(unsub, p->code, g->channel, payload);
    char *text = json_dumps(payload, JSON_COMPACT);
    json_decref(payload);
    db_rows_text(rows, g->channel);
    db_rows_text(rows, p->to);
    db_rows_text(rows, "research_invitation");
    db_rows_text(rows, text);
    db_rows_int(rows, p->cid);
    db_rows_int(rows, now);
    free(text);
    int rc = db_rows_end(rows);
    return rc < 0 ? rc : 0;
}

static int by_cid(const void *a, const void *b)
{
    int64_t x = (*(struct rcpt *const *)a)->cid, y = (*(struct rcpt *const *)b)->cid;
    return x < y ? -1 : x > y;
}

/* The recipients sorted by customer, to find whose outbox row RETURNING gave. */
struct rcpt_index {
    struct rcpt **by;
    size_t n;
};

/* db_rows' RETURNING id, customer_id: the outbox id of that customer's invitation (a
 * customer is frozen once per questionnaire). */
static int took_id(void *arg, db_stmt *st, int k)
{
    (void)k;
    struct rcpt_index *ix = arg;
    struct rcpt key = {.cid = db_int(st, 1)}, *kp = &key;
    struct rcpt **hit = bsearch(&kp, ix->by, ix->n, sizeof *ix->by, by_cid);
    if (hit)
        (*hit)->outbox_id = db_int(st, 0);
    return 0;
}

/* Each recipient queued with its outbox message; 0 or a db code. */
static int mark_queued(db_conn *c, const struct rcpt *list, size_t n, int64_t now)
{
    for (size_t i = 0; i < n; i++) {
        int64_t k = db_exec(c, "UPDATE research_recipients SET status = 'queued', outbox_id = ?,"
                               " updated_at = ? WHERE id = ?",
                            "iii", list[i].outbox_id, now, list[i].id);
        if (k != 1)
            return k < 0 ? (int)k : DB_ERROR;
    }
    return 0;
}

/* The outbox messages of the frozen recipients of qid, one statement per 500, each
 * recipient marked with its message (the delivery the recipients list shows). */
static int queue_all(db_conn *c, const struct rs_go *g, int64_t qid, const char *title, int64_t now)
{
    unsigned char key[32], unsub[32];
    int email = strcmp(g->channel, "email") == 0;
    int rc = link_key(c, "research_settings", 1, key);
    if (rc != 0)
        return rc < 0 ? rc : DB_ERROR;
    if (email && (rc = campaigns_unsub_key(c, unsub)) < 0)
        return rc;
    struct rcpt *list = NULL;
    size_t n = 0;
    db_rows rows;
    struct rcpt_index ix = {NULL, 0};
    rc = recipients_of(c, qid, g->channel, &list, &n);
    if (rc == 0 && n && !(ix.by = malloc(n * sizeof *ix.by)))
        rc = DB_ERROR;
    for (size_t i = 0; rc == 0 && i < n; i++)
        ix.by[ix.n++] = &list[i];
    if (ix.n)
        qsort(ix.by, ix.n, sizeof *ix.by, by_cid);
    if (rc == 0)
        rc = db_rows_init(&rows, c, "INSERT INTO outbox (channel, recipient, template, payload,"
                                    " customer_id, created_at)", 6, 500, " RETURNING id, customer_id");
    if (rc == 0) {
        rows.each = took_id;
        rows.arg = &ix;
    }
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = queue_one(&rows, g, key, email ? unsub : NULL, title, &list[i], now);
    if (rc == 0)
        rc = db_rows_flush(&rows);
    if (rc >= 0)
        rc = mark_queued(c, list, n, now);
    for (size_t i = 0; i < n; i++)
        free(list[i].to);
    free(list);
    free(ix.by);
    return rc < 0 ? rc : 0;
}

static int send_tx(db_conn *c, void *arg)
{
    struct rs_go *g = arg;
    db_stmt *st = db_prepare(c, "SELECT id, status, version, title_zh, title_en FROM questionnaires"
                                " WHERE code = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, g->code);
    int s = db_step(st);
    int64_t qid = 0;
    char title[256] = "";
    if (s == DB_ROW) {
        qid = db_int(st, 0);
        g->state = strcmp(db_text(st, 1), "draft") != 0 ? 2 : db_int(st, 2) != g->version ? 3 : 0;
        snprintf(title, sizeof title, "%s", db_text(st, strcmp(g->lang, "en") == 0 ? 4 : 3));
    } else {
        g->state = 1;
    }
    db_done(st);
    if (s < 0 || g->state)
        return s < 0 ? s : 1;
    int64_t now = now_unix();
    int rc = campaigns_freeze(c, g->filter, g->channel, "research_recipients", "questionnaire_id",
                              qid, now, &g->frozen);
    if (rc) {
        g->state = rc == 1 ? 4 : 0;
        return rc;
    }
    if ((rc = queue_all(c, g, qid, title, now)) < 0)
        return rc;
    int64_t k = db_exec(c, "UPDATE questionnaires SET status = 'open', segment_id = ?, channel = ?,"
                           " lang = ?, sent_at = ?, updated_at = ?, version = version + 1"
                           " WHERE id = ? AND status = 'draft'",
                        "ittiii", g->segment_id, g->channel, g->lang, now, now, qid);
    if (k != 1)
        return k < 0 ? (int)k : DB_ERROR;
    json_t *d = json_pack("{s:s, s:s, s:I}", "channel", g->channel, "segment", g->segment,
                          "recipients", (json_int_t)g->frozen);
    rc = audit_write(c, g->actor, "send", "questionnaire", g->code, d);
    json_decref(d);
    return rc;
}

/* The id and saved filter of segment code: 0, 1 when none, or a db code. */
static int segment_of(db_conn *c, const char *code, int64_t *id, char **filter)
{
    db_stmt *st = db_prepare(c, "SELECT id, filter FROM segments WHERE code = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, code);
    int s = db_step(st);
    if (s == DB_ROW) {
        *id = db_int(st, 0);
        *filter = strdup(db_text(st, 1));
    }
    db_done(st);
    return s == DB_ROW ? 0 : s == DB_DONE ? 1 : s;
}

int rs_send(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv v;
    jsonv_init(&v, body);
    static const char *const allowed[] = {"segment", "channel", "lang", "version", NULL};
    jsonv_only(&v, allowed);
    struct rs_go g = {.code = req_param(r, "code"), .actor = audit_actor(r), .lang = "zh-CN"};
    const char *segment = g.segment = jsonv_str(&v, "segment", 1, 16);
    g.channel = jsonv_enum(&v, "channel", 1, channels);
    if (json_object_get(body, "lang"))
        g.lang = jsonv_enum(&v, "lang", 1, langs);
    long long version = 0;
    jsonv_int_range(&v, "version", 1, 1, INT64_MAX, &version);
    g.version = version;
    char *filter = NULL;
    int rc = segment ? segment_of(req_db(r), segment, &g.segment_id, &filter) : 0;
    if (rc == 1)
        jsonv_fail(&v, "segment", "unknown");
    g.filter = filter;
    if (rc < 0)
        rc = reply_db_failure(r, rc, "segment");
    else if (!jsonv_ok(&v))
        rc = reply_error(r, 422, "validation_failed", "the sending is not valid", jsonv_take(&v));
    else if ((rc = in_tx(req_db(r), send_tx, &g)) < 0)
        rc = reply_db_failure(r, rc, "questionnaire send");
    else if (g.state == 1)
        rc = reply_not_found(r, "questionnaire");
    else if (g.state == 2)
        rc = reply_error(r, 409, "conflict", "the questionnaire was sent already", NULL);
    else if (g.state == 3)
        rc = reply_error(r, 409, "stale_version", "the questionnaire was changed meanwhile; reload it", NULL);
    else if (g.state == 4)
        rc = reply_error(r, 409, "conflict", "the segment's filter no longer holds", NULL);
    else
        rc = reply_json(r, 200, json_pack("{s:s, s:s, s:I}", "code", g.code, "status", "open",
                                          "recipients", (json_int_t)g.frozen));
    free(filter);
    jsonv_free(&v);
    json_decref(body);
    return rc;
}
