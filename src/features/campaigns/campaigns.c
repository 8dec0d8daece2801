/* campaigns: a campaign (segment, channel, message or call script, send time): create,
 * list, read with its results (reached, responded, converted), and launch, which
 * freezes the outreach list: one row per surviving customer of the segment (merged
 * duplicates are never in a segment, erased customers never) with consent for the
 * channel and an address for it. */
#include "base/audit.h"
#include "features/campaigns/internal.h"

#include <string.h>

static const char *const cp_chans[] = {"phone", "email", "sms", "fax", NULL};
static const char *const cp_langs[] = {"zh-CN", "en", NULL};

int cp_consent_now(db_conn *c, int64_t customer_id, const char *channel)
{
    db_stmt *st = db_prepare(c, "SELECT 1 FROM customer_consents k JOIN customers c ON"
                                " c.id = k.customer_id WHERE k.customer_id = ? AND k.channel = ?"
                                " AND k.granted = 1 AND c.erased_at IS NULL");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, customer_id);
    db_bind_text(st, 2, channel);
    int s = db_step(st);
    db_done(st);
    return s == DB_ROW ? 1 : s == DB_DONE ? 0 : s;
}

struct cp_new {
    const char *name, *segment, *channel, *title, *message, *lang, *actor;
    int64_t send_at, segment_id;
    char code[16];
};

static int cp_insert(db_conn *c, void *arg)
{
    struct cp_new *n = arg;
    int rc = code_next(c, "campaign", "CP", 5, n->code, sizeof n->code);
    if (rc < 0)
        return rc;
    int64_t t = now_unix();
    int64_t k = db_exec(c, "INSERT INTO campaigns (code, name, segment_id, channel, title, message,"
                           " lang, send_at, created_by, created_at, updated_at)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        "ttittttitii", n->code, n->name, n->segment_id, n->channel, n->title,
                        n->message, n->lang, n->send_at, n->actor, t, t);
    if (k < 0)
        return (int)k;
    return audit_write(c, n->actor, "create", "campaign", n->code, NULL);
}

int cp_create(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv v;
    jsonv_init(&v, body);
    static const char *const allowed[] = {"name", "segment", "channel", "title", "message",
                                          "lang", "send_at", NULL};
    jsonv_only(&v, allowed);
    struct cp_new n = {.actor = audit_actor(r), .send_at = now_unix(), .lang = "zh-CN"};
    n.name = jsonv_str(&v, "name", 1, 200);
    n.segment = jsonv_str(&v, "segment", 1, 16);
    n.channel = jsonv_enum(&v, "channel", 1, cp_chans);
    n.title = jsonv_str(&v, "title", 1, 200);
    n.message = jsonv_str(&v, "message", 1, 4000);
    if (json_object_get(body, "lang"))
        n.lang = jsonv_enum(&v, "lang", 1, cp_langs);
    if (json_object_get(body, "send_at"))
        jsonv_time(&v, "send_at", 1, &n.send_at);
    int rc = 0;
    if (n.segment && (rc = lookup_id(req_db(r), "SELECT id FROM segments WHERE code = ?",
                                     n.segment, &n.segment_id)) == 1)
        jsonv_fail(&v, "segment", "unknown");
    if (rc < 0)
        rc = reply_db_failure(r, rc, "campaign");
    else if (!jsonv_ok(&v))
        rc = reply_error(r, 422, "validation_failed", "the campaign is not valid", jsonv_take(&v));
    else if ((rc = in_tx(req_db(r), cp_insert, &n)) < 0)
        rc = reply_db_failure(r, rc, "campaign");
    else
        rc = reply_json(r, 201, json_pack("{s:s, s:s, s:s}", "code", n.code, "status", "draft",
                                          "channel", n.channel));
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

#define CP_SELECT                                                                              \
    "SELECT k.id, k.code, k.name, s.code, k.channel, k.title, k.message, k.lang, k.send_at,"  \
    " k.status, k.launched_at, k.created_by, k.created_at, s.filter FROM campaigns k"        \
    " JOIN segments s ON s.id = k.segment_id"

static json_t *cp_json(db_stmt *st)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:s, s:o}", "code",
                     db_text(st, 1), "name", db_text(st, 2), "segment", db_text(st, 3), "channel",
                     db_text(st, 4), "title", db_text(st, 5), "message", db_text(st, 6), "lang",
                     db_text(st, 7), "send_at", dt_json(db_int(st, 8)), "status", db_text(st, 9),
                     "launched_at", db_isnull(st, 10) ? json_null() : dt_json(db_int(st, 10)),
                     "created_by", db_text(st, 11), "created_at", dt_json(db_int(st, 12)));
}

/* The results of campaign id launched at `at`: targets by status and the funnel. */
static int cp_results(db_conn *c, int64_t id, int64_t at, json_t *out)
{
    db_stmt *st = db_prepare(
        c, "SELECT COUNT(*),"
           " SUM(CASE WHEN t.status = 'skipped' THEN 1 ELSE 0 END),"
           " SUM(CASE WHEN t.status IN ('reached','responded') OR (t.status = 'queued' AND"
           "  EXISTS (SELECT 1 FROM outbox o WHERE o.id = t.outbox_id AND o.status = 'sent'))"
           "  THEN 1 ELSE 0 END),"
           " SUM(CASE WHEN t.status = 'responded' THEN 1 ELSE 0 END),"
           " SUM(CASE WHEN t.status <> 'skipped' AND (EXISTS (SELECT 1 FROM orders d WHERE"
           "  d.customer_id = t.customer_id AND d.placed_at >= ?) OR EXISTS (SELECT 1 FROM units u"
           "  WHERE u.customer_id = t.customer_id AND u.registered_at >= ?)) THEN 1 ELSE 0 END),"
           " SUM(CASE WHEN t.status IN ('pending','sending') THEN 1 ELSE 0 END)"
           " FROM campaign_targets t WHERE t.campaign_id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, at);
    db_bind_int(st, 2, at);
    db_bind_int(st, 3, id);
    int s = db_step(st);
    if (s == DB_ROW)
        json_object_set_new(out, "results",
                            json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "targets",
                                      (json_int_t)db_int(st, 0), "skipped",
                                      (json_int_t)db_int(st, 1), "reached",
                                      (json_int_t)db_int(st, 2), "responded",
                                      (json_int_t)db_int(st, 3), "converted",
                                      (json_int_t)db_int(st, 4), "pending",
                                      (json_int_t)db_int(st, 5)));
    db_done(st);
    return s == DB_ROW ? 0 : s < 0 ? s : DB_ERROR;
}

int cp_get(req *r)
{
    db_conn *c = req_db(r);
    db_stmt *st = db_prepare(c, CP_SELECT " WHERE k.code = ?");
    if (!st)
        return -1;
    db_bind_text(st, 1, req_param(r, "code"));
    int s = db_step(st);
    json_t *j = NULL;
    int64_t id = 0, at = 0;
    if (s == DB_ROW) {
        j = cp_json(st);
        id = db_int(st, 0);
        at = db_int(st, 10);
    }
    db_done(st);
    if (s < 0)
        return reply_db_failure(r, s, "campaign");
    if (!j)
        return reply_not_found(r, "campaign");
    int rc = cp_results(c, id, at, j);
    if (rc < 0) {
        json_decref(j);
        return reply_db_failure(r, rc, "campaign results");
    }
    return reply_json(r, 200, j);
}

static int cp_page(req *r, const struct page *p, json_t *items, const char **next)
{
    int64_t after = page_after_id(r, p);
    if (after < 0)
        return LIST_ANSWERED;
    db_stmt *st = db_prepare(req_db(r), CP_SELECT " WHERE (CAST(? AS BIGINT) = 0 OR k.id < ?)"
                                                  " ORDER BY k.id DESC LIMIT ?");
    if (!st)
        return -1;
    db_bind_int(st, 1, after);
    db_bind_int(st, 2, after);
    db_bind_int(st, 3, p->limit + 1);
    return list_rows_page(r, p, st, cp_json, 0, items, next);
}

static const struct table_col cp_cols[] = {
    {"code", NULL, TABLE_TEXT, 9, 0},     {"name", NULL, TABLE_TEXT, 24, 0},
    {"segment", NULL, TABLE_TEXT, 9, 0},  {"channel", NULL, TABLE_TEXT, 8, 0},
    {"status", NULL, TABLE_TEXT, 9, 0},   {"send_at", NULL, TABLE_TIME, 17, 0},
    {"launched_at", NULL, TABLE_TIME, 17, 0}, {"created_by", NULL, TABLE_TEXT, 12, 0},
};

int cp_list(req *r)
{
    static const struct list_spec spec = {
        .name = "campaigns",
        .cols = cp_cols,
        .ncols = (int)(sizeof cp_cols / sizeof *cp_cols),
        .def_limit = 50,
        .max_limit = 500,
        .nkeys = 1,
        .page = cp_page,
    };
    return list_reply(r, &spec);
}

struct cp_go {
    const char *code, *actor;
    int64_t frozen;
    int state; /* 0 launched, 1 missing, 2 launched already, 3 segment no longer valid */
};

int campaigns_freeze(db_conn *c, const char *filter, const char *channel, const char *into,
                     const char *owner_col, int64_t owner_id, int64_t now, int64_t *frozen)
{
    struct seg_filter f;
    *frozen = 0;
    int rc = seg_filter_of_text(c, filter, &f);
    if (rc)
        return rc == -1 ? 1 : rc;
    struct seg_sql q;
    seg_sql_build(&f, &q);
    buf sql = BUF_INIT;
    int bit = 0;
    while (seg_channels[bit] && strcmp(seg_channels[bit], channel) != 0)
        bit++;
    /* over segment_facts: merged and erased customers have no facts row */
    buf_addf(&sql, "INSERT INTO %s (%s, customer_id, status, updated_at)"
                   " SELECT ?, f.customer_id, 'pending', ? FROM segment_facts f%s"
                   " AND (f.consent & %d) <> 0 AND EXISTS (SELECT 1 FROM %s a"
                   " WHERE a.customer_id = f.customer_id)",
             into, owner_col, q.where.s, 1 << bit,
             strcmp(channel, "email") == 0 ? "customer_emails" : "customer_phones");
    db_stmt *st = db_prepare(c, sql.s);
    int s = DB_ERROR;
    if (st) {
        db_bind_int(st, 1, owner_id);
        db_bind_int(st, 2, now);
        seg_sql_bind(&q, st, 3);
        s = db_step(st);
        *frozen = s == DB_DONE ? db_changes(st) : 0;
        db_done(st);
    }
    buf_release(&sql);
    buf_release(&q.where);
    return s == DB_DONE ? 0 : s < 0 ? s : DB_ERROR;
}

static int cp_freeze(db_conn *c, void *arg)
{
    struct cp_go *g = arg;
    db_stmt *st = db_prepare(c, CP_SELECT " WHERE k.code = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, g->code);
    int s = db_step(st);
    int64_t id = s == DB_ROW ? db_int(st, 0) : 0;
    char channel[8] = "", *filter = s == DB_ROW ? strdup(db_text(st, 13)) : NULL;
    int launched = s == DB_ROW && strcmp(db_text(st, 9), "draft") != 0;
    if (s == DB_ROW)
        snprintf(channel, sizeof channel, "%s", db_text(st, 4));
    db_done(st);
    if (s != DB_ROW) {
        g->state = 1;
        return s == DB_DONE ? 1 : s;
    }
    int64_t now = now_unix();
    int rc = launched ? 2 : 0;
    if (!launched && (rc = campaigns_freeze(c, filter, channel, "campaign_targets", "campaign_id",
                                            id, now, &g->frozen)) < 0) {
        free(filter);
        return rc;
    }
    free(filter);
    g->state = rc == 1 ? 3 : rc;
    if (g->state)
        return 1;
    int64_t u = db_exec(c, "UPDATE campaigns SET status = 'launched', launched_at = ?, updated_at = ?"
                           " WHERE id = ? AND status = 'draft'", "iii", now, now, id);
    if (u != 1)
        return u < 0 ? (int)u : DB_ERROR;
    json_t *d = json_pack("{s:I}", "targets", (json_int_t)g->frozen);
    rc = audit_write(c, g->actor, "launch", "campaign", g->code, d);
    json_decref(d);
    return rc;
}

int cp_launch(req *r)
{
    struct cp_go g = {.code = req_param(r, "code"), .actor = audit_actor(r)};
    int rc = in_tx(req_db(r), cp_freeze, &g);
    if (rc < 0)
        return reply_db_failure(r, rc, "campaign launch");
    if (g.state == 1)
        return reply_not_found(r, "campaign");
    if (g.state == 2)
        return reply_error(r, 409, "conflict", "the campaign was launched already", NULL);
    if (g.state == 3)
        return reply_error(r, 409, "conflict", "the segment's filter no longer holds", NULL);
    return reply_json(r, 200, json_pack("{s:s, s:s, s:I}", "code", g.code, "status", "launched",
                                        "targets", (json_int_t)g.frozen));
}
