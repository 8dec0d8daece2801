/* surveys: the invitation made when a repair is delivered or a visit completed (the
 * once-per-interval limit, the channel the customer's consents allow, the outbox
 * message) and the signed single-use links it carries. */
#include "features/surveys/internal.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

int sv_settings_load(db_conn *c, int make_key, struct sv_settings *out)
{
    int rc = link_key(c, "survey_settings", make_key, out->key);
    if (rc < 0)
        return rc;
    db_stmt *st = db_prepare(c, "SELECT interval_days, link_days, max_attempts"
                                " FROM survey_settings WHERE id = 1");
    if (!st)
        return DB_ERROR;
    int s = db_step(st);
    if (s == DB_ROW) {
        out->interval_days = db_int(st, 0);
        out->link_days = db_int(st, 1);
        out->max_attempts = db_int(st, 2);
    }
    db_done(st);
    return s < 0 ? s : s == DB_ROW ? rc : 1;
}

/* The hex HMAC-SHA256 of "<code>.<expires>" under the settings' key. */
static void mac_hex(const struct sv_settings *st, const char *code, int64_t expires, char hex[65])
{
    char msg[64];
    snprintf(msg, sizeof msg, "%s.%lld", code, (long long)expires);
    link_mac(st->key, msg, hex);
}

void sv_token(const struct sv_settings *st, const char *code, int64_t expires, char *out, size_t n)
{
    char hex[65];
    mac_hex(st, code, expires, hex);
    snprintf(out, n, "%s.%lld.%s", code, (long long)expires, hex);
}

const char *sv_token_check(arena *a, const struct sv_settings *st, const char *token,
                           int64_t *expires)
{
    const char *d1 = token ? strchr(token, '.') : NULL;
    const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
    if (!d1 || !d2 || d1 == token || d1 - token > 20 || strlen(d2 + 1) != 64)
        return NULL;
    char *end = NULL;
    long long exp = strtoll(d1 + 1, &end, 10);
    if (end != d2 || exp <= 0)
        return NULL;
    char *code = arena_printf(a, "%.*s", (int)(d1 - token), token);
    char want[65];
    mac_hex(st, code, exp, want);
    if (sodium_memcmp(want, d2 + 1, 64) != 0)
        return NULL;
    *expires = exp;
    return code;
}

/* The customer's first email or phone and their consent for channel: granted 1, 0
 * refused, -1 never asked; *addr "" when there is none. 0 or a negative db code. */
static int contact_of(db_conn *c, int64_t cid, const char *channel, char *addr, size_t n,
                      int *consent)
{
    const char *sql =
        strcmp(channel, "email") == 0
            ? "SELECT (SELECT email FROM customer_emails WHERE customer_id = ? ORDER BY id LIMIT 1),"
              " (SELECT granted FROM customer_consents WHERE customer_id = ? AND channel = ?)"
            : "SELECT (SELECT phone FROM customer_phones WHERE customer_id = ? ORDER BY id LIMIT 1),"
              " (SELECT granted FROM customer_consents WHERE customer_id = ? AND channel = ?)";
    db_stmt *st = db_prepare(c, sql);
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, cid);
    db_bind_int(st, 2, cid);
    db_bind_text(st, 3, channel);
    int s = db_step(st);
    addr[0] = 0;
    *consent = -1;
    if (s == DB_ROW) {
        snprintf(addr, n, "%s", db_isnull(st, 0) ? "" : db_text(st, 0));
        *consent = db_isnull(st, 1) ? -1 : (int)db_int(st, 1);
    }
    db_done(st);
    return s < 0 ? s : 0;
}

/* The channel a survey goes by: a link by email when the customer has an email and
 * granted email consent, else by sms on the same terms, else a call-back unless phone
 * calls were refused; NULL when none is allowed. The address into addr. */
static const char *pick_channel(db_conn *c, int64_t cid, char *addr, size_t n, int *rc)
{
    static const char *const order[] = {"email", "sms", "phone"};
    for (size_t i = 0; i < 3; i++) {
        int consent;
        if ((*rc = contact_of(c, cid, order[i], addr, n, &consent)) < 0)
            return NULL;
        if (!addr[0])
            continue;
        if (i < 2 && consent == 1)
            return order[i];
        if (i == 2 && consent != 0)
            return "callback";
    }
    return NULL;
}

/* The customer a record belongs to now (a merged duplicate: its survivor), or 0 when
 * erased or unknown. */
static int64_t live_customer(db_conn *c, int64_t cid, int *rc)
{
    db_stmt *st = db_prepare(c, "SELECT COALESCE(c.merged_into, c.id), s.erased_at FROM customers c"
                                " LEFT JOIN customers s ON s.id = COALESCE(c.merged_into, c.id)"
                                " WHERE c.id = ?");
    if (!st)
        return *rc = DB_ERROR, 0;
    db_bind_int(st, 1, cid);
    int s = db_step(st);
    int64_t id = s == DB_ROW && db_isnull(st, 1) ? db_int(st, 0) : 0;
    db_done(st);
    *rc = s < 0 ? s : 0;
    return id;
}

/* 1 when the customer has a survey made after since, 0 when not, or a negative db code. */
static int surveyed_since(db_conn *c, int64_t cid, int64_t since)
{
    db_stmt *st = db_prepare(c, "SELECT 1 FROM surveys WHERE customer_id = ? AND created_at > ? LIMIT 1");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, cid);
    db_bind_int(st, 2, since);
    int s = db_step(st);
    db_done(st);
    return s < 0 ? s : s == DB_ROW;
}

/* Parameter i: v, or NULL when v is 0. */
static void bind_or_null(db_stmt *st, int i, int64_t v)
{
    if (v)
        db_bind_int(st, i, v);
    else
        db_bind_null(st, i);
}

int sv_invite(db_conn *c, const char *kind, int64_t repair_id, int64_t appointment_id,
              int64_t customer_id, int64_t outlet_id, int64_t pl_id, int64_t now)
{
    struct sv_settings set;
    int rc = sv_settings_load(c, 1, &set);
    if (rc != 0)
        return rc < 0 ? rc : DB_ERROR;
    int64_t cid = live_customer(c, customer_id, &rc);
    if (rc < 0 || !cid)
        return rc;
    if ((rc = surveyed_since(c, cid, now - set.interval_days * 86400)) != 0)
        return rc < 0 ? rc : 0;
    char addr[320];
    const char *channel = pick_channel(c, cid, addr, sizeof addr, &rc);
    if (!channel)
        return rc;
    char code[24];
    if ((rc = code_next(c, "survey", "S", 8, code, sizeof code)) < 0)
        return rc;
    int64_t expires = now + set.link_days * 86400;
    db_stmt *st = db_prepare(
        c, "INSERT INTO surveys (code, template_id, kind, repair_id, appointment_id, customer_id,"
           " outlet_id, product_line_id, channel, created_at, expires_at, next_call_at)"
           " SELECT ?, t.id, t.kind, ?, ?, ?, ?, ?, ?, CAST(? AS BIGINT), CAST(? AS BIGINT),"
           " CAST(? AS BIGINT) FROM survey_templates t WHERE t.code = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, code);
    bind_or_null(st, 2, appointment_id ? 0 : repair_id);
    bind_or_null(st, 3, appointment_id);
    db_bind_int(st, 4, cid);
    bind_or_null(st, 5, outlet_id);
    bind_or_null(st, 6, pl_id);
    db_bind_text(st, 7, channel);
    db_bind_int(st, 8, now);
    db_bind_int(st, 9, expires);
    bind_or_null(st, 10, strcmp(channel, "callback") == 0 ? now : 0);
    db_bind_text(st, 11, kind);
    rc = db_step(st);
    db_done(st);
    if (rc < 0)
        return rc;
    if (strcmp(channel, "callback") == 0)
        return 0;
    /* the link, answered on the portal without login: /portal/survey.html#<token> */
    char token[160], payload[400];
    sv_token(&set, code, expires, token, sizeof token);
    snprintf(payload, sizeof payload, "{\"code\":\"%s\",\"link\":\"/portal/survey.html#%s\"}", code,
             token);
    int64_t e = db_exec(c,
                        "INSERT INTO outbox (channel, recipient, template, payload, customer_id,"
                        " created_at) VALUES (?, ?, 'survey_invitation', ?, ?, ?)",
                        "tttii", channel, addr, payload, cid, now);
    return e < 0 ? (int)e : 0;
}

/* Invite the customer of the row sql finds for id (customer, outlet, product line). */
static int invite_of(db_conn *c, const char *sql, const char *kind, int64_t id, int64_t now)
{
    db_stmt *st = db_prepare(c, sql);
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, id);
    int s = db_step(st);
    int64_t cid = 0, oid = 0, pl = 0;
    if (s == DB_ROW)
        cid = db_int(st, 0), oid = db_int(st, 1), pl = db_int(st, 2);
    db_done(st);
    if (s < 0 || !cid)
        return s < 0 ? s : 0;
    int visit = strcmp(kind, "visit") == 0;
    return sv_invite(c, kind, visit ? 0 : id, visit ? id : 0, cid, oid, pl, now);
}

int surveys_repair_step(db_conn *c, int64_t repair_id, const char *status, int64_t now)
{
    if (strcmp(status, "delivered") != 0)
        return 0;
    return invite_of(c, "SELECT customer_id, COALESCE(outlet_id, 0), COALESCE(product_line_id, 0)"
                        " FROM repairs WHERE id = ?", "repair", repair_id, now);
}

int surveys_visit_done(db_conn *c, int64_t appointment_id, int64_t now)
{
    return invite_of(c, "SELECT r.customer_id, a.outlet_id, COALESCE(r.product_line_id, 0)"
                        " FROM appointments a JOIN repairs r ON r.code = a.repair_code"
                        " WHERE a.id = ?", "visit", appointment_id, now);
}
