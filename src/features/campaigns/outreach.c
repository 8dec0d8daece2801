/* campaigns: the frozen outreach list: its rows (for agents working phone and fax
 * lists), a call attempt with its outcome and next call-back (consent checked again at
 * the call), and the send pass in serve that queues due email and sms rows into the
 * outbox, one runner per row by a conditional UPDATE, consent checked again first. */
#include "base/audit.h"
#include "base/log.h"
#include "base/periodic.h"
#include "features/campaigns/internal.h"

#include <stdlib.h>
#include <string.h>

#define TG_SELECT                                                                           \
    "SELECT t.id, c.code, c.name, (SELECT phone FROM customer_phones WHERE customer_id = c.id" \
    " ORDER BY id LIMIT 1), t.status, t.skip_reason, t.attempts, t.outcome, t.next_call_at,"   \
    " t.updated_at FROM campaign_targets t JOIN customers c ON c.id = t.customer_id"

static json_t *tg_json(db_stmt *st)
{
    return json_pack("{s:I, s:s, s:s, s:s?, s:s, s:s?, s:I, s:s?, s:o, s:o}", "id",
                     (json_int_t)db_int(st, 0), "customer", db_text(st, 1), "customer_name",
                     db_text(st, 2), "phone", db_text(st, 3), "status", db_text(st, 4),
                     "skip_reason", db_text(st, 5), "attempts", (json_int_t)db_int(st, 6),
                     "outcome", db_text(st, 7), "next_call_at",
                     db_isnull(st, 8) ? json_null() : dt_json(db_int(st, 8)), "updated_at",
                     dt_json(db_int(st, 9)));
}

static int tg_page(req *r, const struct page *p, json_t *items, const char **next)
{
    int64_t after = page_after_id(r, p), id = 0;
    if (after < 0)
        return LIST_ANSWERED;
    int rc = lookup_id(req_db(r), "SELECT id FROM campaigns WHERE code = ?", req_param(r, "code"), &id);
    if (rc == 1) {
        reply_not_found(r, "campaign");
        return LIST_ANSWERED;
    }
    if (rc < 0)
        return -1;
    const char *status = req_query(r, "status");
    db_stmt *st = db_prepare(req_db(r), TG_SELECT " WHERE t.campaign_id = ?"
                                                  " AND (CAST(? AS TEXT) IS NULL OR t.status = ?)"
                                                  " AND t.id > ? ORDER BY t.id LIMIT ?");
    if (!st)
        return -1;
    db_bind_int(st, 1, id);
    db_bind_text(st, 2, status && *status ? status : NULL);
    db_bind_text(st, 3, status && *status ? status : NULL);
    db_bind_int(st, 4, after);
    db_bind_int(st, 5, p->limit + 1);
    return list_rows_page(r, p, st, tg_json, 0, items, next);
}

static const struct table_col tg_cols[] = {
    {"id", NULL, TABLE_INT, 8, 0},           {"customer", NULL, TABLE_TEXT, 11, 0},
    {"customer_name", NULL, TABLE_TEXT, 14, 0}, {"phone", NULL, TABLE_TEXT, 13, 0},
    {"status", NULL, TABLE_TEXT, 10, 0},     {"skip_reason", NULL, TABLE_TEXT, 16, 0},
    {"attempts", NULL, TABLE_INT, 8, 0},     {"outcome", NULL, TABLE_TEXT, 14, 0},
    {"next_call_at", NULL, TABLE_TIME, 17, 0},
};

int cp_targets(req *r)
{
    static const struct list_spec spec = {
        .name = "campaign-targets",
        .cols = tg_cols,
        .ncols = (int)(sizeof tg_cols / sizeof *tg_cols),
        .def_limit = 50,
        .max_limit = 500,
        .nkeys = 1,
        .page = tg_page,
    };
    return list_reply(r, &spec);
}

static const char *const outcomes[] = {"reached", "interested", "refused", "no_answer", "busy",
                                       "wrong_number", "callback", NULL};

struct tg_call {
    const char *code, *outcome, *actor;
    int64_t id, next_call_at;
    int state; /* 0 recorded, 1 missing, 2 not a call list or row closed, 3 consent withdrawn */
};

static int tg_record(db_conn *c, void *arg)
{
    struct tg_call *a = arg;
    db_stmt *st = db_prepare(c, "SELECT t.customer_id, k.channel, t.status FROM campaign_targets t"
                                " JOIN campaigns k ON k.id = t.campaign_id WHERE k.code = ? AND t.id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, a->code);
    db_bind_int(st, 2, a->id);
    int s = db_step(st);
    int64_t cid = s == DB_ROW ? db_int(st, 0) : 0;
    char channel[8] = "", status[12] = "";
    if (s == DB_ROW) {
        snprintf(channel, sizeof channel, "%s", db_text(st, 1));
        snprintf(status, sizeof status, "%s", db_text(st, 2));
    }
    db_done(st);
    if (s != DB_ROW) {
        a->state = 1;
        return s == DB_DONE ? 1 : s;
    }
    if ((strcmp(channel, "phone") != 0 && strcmp(channel, "fax") != 0) ||
        strcmp(status, "skipped") == 0 || strcmp(status, "failed") == 0) {
        a->state = 2;
        return 1;
    }
    int64_t now = now_unix();
    int ok = cp_consent_now(c, cid, channel);
    if (ok < 0)
        return ok;
    if (!ok) {
        a->state = 3;
        int64_t u = db_exec(c, "UPDATE campaign_targets SET status = 'skipped', skip_reason ="
                               " 'consent_withdrawn', updated_at = ? WHERE id = ?", "ii", now, a->id);
        return u < 0 ? (int)u : 0;
    }
    const char *to = strcmp(a->outcome, "interested") == 0                                 ? "responded"
                     : strcmp(a->outcome, "reached") == 0 || strcmp(a->outcome, "refused") == 0 ? "reached"
                     : strcmp(a->outcome, "wrong_number") == 0                             ? "failed"
                                                                                           : "pending";
    if (strcmp(status, "responded") == 0)
        to = "responded";
    static const char *const upd = "UPDATE campaign_targets SET attempts = attempts + 1,"
                                   " outcome = ?, status = ?, next_call_at = ?, updated_at = ?"
                                   " WHERE id = ?";
    int64_t u = a->next_call_at ? db_exec(c, upd, "ttiii", a->outcome, to, a->next_call_at, now, a->id)
                                : db_exec(c, upd, "ttnii", a->outcome, to, now, a->id);
    if (u != 1)
        return u < 0 ? (int)u : DB_ERROR;
    json_t *d = json_pack("{s:I, s:s}", "target", (json_int_t)a->id, "outcome", a->outcome);
    int rc = audit_write(c, a->actor, "attempt", "campaign", a->code, d);
    json_decref(d);
    return rc;
}

int cp_attempt(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv v;
    jsonv_init(&v, body);
    static const char *const allowed[] = {"outcome", "next_call_at", NULL};
    jsonv_only(&v, allowed);
    struct tg_call a = {.code = req_param(r, "code"), .actor = audit_actor(r)};
    a.outcome = jsonv_enum(&v, "outcome", 1, outcomes);
    if (json_object_get(body, "next_call_at"))
        jsonv_time(&v, "next_call_at", 1, &a.next_call_at);
    char *end = NULL;
    const char *ids = req_param(r, "id");
    a.id = strtoll(ids ? ids : "", &end, 10);
    int rc;
    if (!ids || !*ids || *end || a.id <= 0)
        rc = reply_not_found(r, "campaign target");
    else if (!jsonv_ok(&v))
        rc = reply_error(r, 422, "validation_failed", "the attempt is not valid", jsonv_take(&v));
    else if ((rc = in_tx(req_db(r), tg_record, &a)) < 0)
        rc = reply_db_failure(r, rc, "campaign attempt");
    else if (a.state == 1)
        rc = reply_not_found(r, "campaign target");
    else if (a.state == 2)
        rc = reply_error(r, 409, "conflict", "not an open row of a phone or fax list", NULL);
    else if (a.state == 3)
        rc = reply_error(r, 409, "consent_withdrawn",
                         "the customer withdrew consent for this channel; the row is skipped", NULL);
    else
        rc = reply_json(r, 200, json_pack("{s:I, s:s}", "id", (json_int_t)a.id, "outcome", a.outcome));
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

/* Claim row id (pending -> sending, one runner), check consent and address, queue it
 * into the outbox or mark it skipped. Inside the caller's transaction; 1 queued, 2
 * skipped, 0 claimed by another runner, or a negative db code. */
static int send_one(db_conn *c, int64_t id, int64_t now)
{
    int64_t u = db_exec(c, "UPDATE campaign_targets SET status = 'sending', updated_at = ?"
                           " WHERE id = ? AND status = 'pending'", "ii", now, id);
    if (u != 1)
        return u < 0 ? (int)u : 0;
    db_stmt *st = db_prepare(c, "SELECT t.customer_id, k.channel, k.title, k.message, k.lang, c.code,"
                                " CASE WHEN k.channel = 'email' THEN (SELECT email FROM customer_emails"
                                "  WHERE customer_id = t.customer_id ORDER BY id LIMIT 1)"
                                " ELSE (SELECT phone FROM customer_phones WHERE customer_id ="
                                "  t.customer_id ORDER BY id LIMIT 1) END"
                                " FROM campaign_targets t JOIN campaigns k ON k.id = t.campaign_id"
                                " JOIN customers c ON c.id = t.customer_id WHERE t.id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, id);
    int s = db_step(st);
    if (s != DB_ROW) {
        db_done(st);
        return s < 0 ? s : DB_ERROR;
    }
    int64_t cid = db_int(st, 0);
    char channel[8];
    snprintf(channel, sizeof channel, "%s", db_text(st, 1));
    json_t *payload = json_pack("{s:s, s:s, s:s}", "title", db_text(st, 2), "text", db_text(st, 3),
                                "lang", db_text(st, 4));
    char *to = db_text(st, 6) ? strdup(db_text(st, 6)) : NULL;
    char code[24];
    snprintf(code, sizeof code, "%s", db_text(st, 5));
    db_done(st);
    int ok = cp_consent_now(c, cid, channel);
    int rc = ok < 0 ? ok : 0;
    if (rc == 0 && (!ok || !to)) {
        int64_t k = db_exec(c, "UPDATE campaign_targets SET status = 'skipped', skip_reason = ?,"
                               " updated_at = ? WHERE id = ?",
                            "tii", !ok ? "consent_withdrawn" : "no_address", now, id);
        rc = k < 0 ? (int)k : 2;
    } else if (rc == 0 && strcmp(channel, "email") == 0 &&
               (rc = campaigns_unsub_headers(c, code, channel, payload)) < 0) {
        /* rc: the db code */
    } else if (rc == 0) {
        char *text = json_dumps(payload, JSON_COMPACT);
        int64_t k = db_exec(c, "INSERT INTO outbox (channel, recipient, template, payload,"
                               " customer_id, created_at) VALUES (?, ?, 'campaign', ?, ?, ?)",
                            "tttii", channel, to, text, cid, now);
        free(text);
        if (k >= 0)
            k = db_exec(c, "UPDATE campaign_targets SET status = 'queued', updated_at = ?,"
                           " outbox_id = (SELECT MAX(id) FROM outbox WHERE customer_id = ?"
                           " AND template = 'campaign') WHERE id = ?", "iii", now, cid, id);
        rc = k < 0 ? (int)k : 1;
    }
    json_decref(payload);
    free(to);
    return rc;
}

struct send_arg {
    int64_t id, now;
    int result;
};

static int send_tx(db_conn *c, void *arg)
{
    struct send_arg *a = arg;
    a->result = send_one(c, a->id, a->now);
    return a->result < 0 ? a->result : 0;
}

int cp_send_due(db_conn *c, int64_t now, int *sent, int *skipped)
{
    *sent = *skipped = 0;
    for (;;) {
        int64_t ids[200];
        int n = 0;
        db_stmt *st = db_prepare(c, "SELECT t.id FROM campaign_targets t JOIN campaigns k ON"
                                    " k.id = t.campaign_id WHERE t.status = 'pending' AND"
                                    " k.status = 'launched' AND k.channel IN ('email','sms')"
                                    " AND k.send_at <= ? ORDER BY t.id LIMIT 200");
        if (!st)
            return DB_ERROR;
        db_bind_int(st, 1, now);
        int s;
        while ((s = db_step(st)) == DB_ROW)
            ids[n++] = db_int(st, 0);
        db_done(st);
        if (s < 0)
            return s;
        for (int i = 0; i < n; i++) {
            struct send_arg a = {.id = ids[i], .now = now};
            int rc = in_tx(c, send_tx, &a);
            if (rc < 0)
                return rc;
            *sent += a.result == 1;
            *skipped += a.result == 2;
        }
        if (n < 200)
            return 0;
    }
}

static struct periodic *pass;

static void send_pass(void *arg)
{
    db_conn *c = db_acquire(arg);
    int sent = 0, skipped = 0;
    if (cp_send_due(c, now_unix(), &sent, &skipped) < 0)
        log_info("campaigns: send pass failed: %s", db_errmsg(c));
    else if (sent || skipped)
        log_info("campaigns: %d queued, %d skipped", sent, skipped);
    db_release(c);
}

void campaigns_scheduler_start(db *d)
{
    const char *env = getenv("AFTERSALES_CAMPAIGN_INTERVAL");
    pass = periodic_start(env && *env ? atoi(env) : 30, send_pass, d);
}

void campaigns_scheduler_stop(void)
{
    periodic_stop(pass);
    pass = NULL;
}
