/* orders: the feedback store (M14; the voice-of-customer store builds on it): feedback
 * posted from the portal, a kiosk or a counter, categorised, routed to its outlet and
 * kept under the customer its contact matches (else anonymous), and the staff list
 * (confined to an outlet's own; CSV/XLSX). */
#include <string.h>

#include "base/arena.h"
#include "base/jsonv.h"
#include "features/orders/internal.h"
#include "rules/identity.h"

static const char *const channels[] = {"portal", "kiosk", "counter", NULL};
static const char *const categories[] = {"praise", "suggestion", "complaint", "product",
                                         "service", "other", NULL};

/* The live customer whose phone or email is contact (normalised); 0 when none. */
static int match_contact(db_conn *c, const char *contact, int64_t *cust)
{
    char phone[IDENTITY_PHONE_MAX], email[IDENTITY_EMAIL_MAX];
    const char *sql = NULL, *key = NULL;
    *cust = 0;
    if (identity_phone(contact, phone, NULL) == 0)
        sql = "SELECT MIN(cu.id) FROM customer_phones p JOIN customers cu ON cu.id = p.customer_id"
              " WHERE p.phone = ? AND cu.merged_into IS NULL AND cu.erased_at IS NULL",
        key = phone;
    else if (identity_email(contact, email) == 0)
        sql = "SELECT MIN(cu.id) FROM customer_emails e JOIN customers cu ON cu.id = e.customer_id"
              " WHERE e.email = ? AND cu.merged_into IS NULL AND cu.erased_at IS NULL",
        key = email;
    if (!sql)
        return 0;
    db_stmt *st = db_prepare(c, sql);
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, key);
    int rc = db_step(st);
    if (rc == DB_ROW && !db_isnull(st, 0))
        *cust = db_int(st, 0);
    db_done(st);
    return rc < 0 ? rc : 0;
}

struct fb_job {
    const char *channel, *category, *text, *contact, *outlet;
    char code[16];
};

static int store_tx(db_conn *c, void *arg)
{
    struct fb_job *j = arg;
    int64_t cust = 0, outlet = 0;
    int rc = j->contact ? match_contact(c, j->contact, &cust) : 0;
    if (rc == 0 && j->outlet)
        rc = lookup_id(c, "SELECT id FROM outlets WHERE code = ?", j->outlet, &outlet);
    if (rc == 1)
        return 1; /* the outlet vanished since it was checked */
    if (rc < 0 || (rc = code_next(c, "feedback", "F", 8, j->code, sizeof j->code)) < 0)
        return rc;
    db_stmt *st = db_prepare(c, "INSERT INTO feedback (code, channel, category, text, contact,"
                                " customer_id, outlet_id, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, j->code);
    db_bind_text(st, 2, j->channel);
    db_bind_text(st, 3, j->category);
    db_bind_text(st, 4, j->text);
    db_bind_text(st, 5, j->contact);
    if (cust)
        db_bind_int(st, 6, cust);
    else
        db_bind_null(st, 6);
    if (outlet)
        db_bind_int(st, 7, outlet);
    else
        db_bind_null(st, 7);
    db_bind_int(st, 8, now_unix());
    rc = db_step(st);
    db_done(st);
    return rc == DB_DONE ? 0 : rc < 0 ? rc : DB_ERROR;
}

int ord_feedback_post(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    static const char *const fields[] = {"channel", "category", "text", "contact", "outlet", NULL};
    jsonv v;
    jsonv_init(&v, body);
    jsonv_only(&v, fields);
    struct fb_job j = {0};
    j.channel = jsonv_enum(&v, "channel", 1, channels);
    j.category = jsonv_enum(&v, "category", 1, categories);
    j.text = jsonv_str(&v, "text", 1, 2000);
    j.contact = jsonv_str(&v, "contact", 0, 254);
    j.outlet = jsonv_str(&v, "outlet", 0, 40);
    if (j.text && !*j.text)
        jsonv_fail(&v, "text", "the feedback is empty");
    if (j.contact && !*j.contact)
        j.contact = NULL;
    if (j.outlet && !*j.outlet)
        j.outlet = NULL;
    int rc = 0;
    if (j.outlet && jsonv_ok(&v)) {
        int64_t id;
        rc = lookup_id(req_db(r), "SELECT id FROM outlets WHERE code = ?", j.outlet, &id);
        if (rc == 1)
            jsonv_fail(&v, "outlet", "the code of an outlet");
    }
    if (rc < 0)
        rc = reply_db_failure(r, rc, "feedback");
    else if (!jsonv_ok(&v))
        rc = reply_error(r, 422, "validation_failed", "the feedback is incomplete or wrong",
                         jsonv_take(&v));
    else if ((rc = in_tx(req_db(r), store_tx, &j)) != 0)
        rc = rc < 0 ? reply_db_failure(r, rc, "feedback") : reply_bad_param(r, "outlet", "the code of an outlet");
    else
        rc = reply_json(r, 201, json_pack("{s:s}", "code", j.code));
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

static json_t *opt_text(db_stmt *st, int col)
{
    return db_isnull(st, col) ? json_null() : json_string(db_text(st, col));
}

static int fb_page(req *r, const struct page *p, json_t *items, const char **next)
{
    const char *cat = req_query(r, "category"), *ch = req_query(r, "channel");
    cat = cat && *cat ? cat : NULL;
    ch = ch && *ch ? ch : NULL;
    int ok = 1;
    for (int i = 0; cat && categories[i]; i++)
        ok = ok && strcmp(cat, categories[i]);
    if (cat && ok)
        return reply_bad_param(r, "category", "one of praise, suggestion, complaint, product,"
                                              " service, other"), LIST_ANSWERED;
    ok = 1;
    for (int i = 0; ch && channels[i]; i++)
        ok = ok && strcmp(ch, channels[i]);
    if (ch && ok)
        return reply_bad_param(r, "channel", "one of portal, kiosk, counter"), LIST_ANSWERED;
    db_conn *c = req_db(r);
    int64_t scope = scope_outlet(r);
    db_stmt *st = db_prepare(
        c, "SELECT f.id, f.code, f.channel, f.category, f.text, f.contact, cu.code, o.code,"
           " f.received_at FROM feedback f LEFT JOIN customers cu ON cu.id = f.customer_id"
           " LEFT JOIN outlets o ON o.id = f.outlet_id WHERE f.id < ?"
           " AND (CAST(? AS TEXT) IS NULL OR f.category = ?) AND (CAST(? AS TEXT) IS NULL OR f.channel = ?)"
           " AND (CAST(? AS BIGINT) = 0 OR f.outlet_id = ?) ORDER BY f.id DESC LIMIT ?");
    if (!st)
        return -1;
    db_bind_int(st, 1, p->nkeys ? page_key_int(p, 0) : INT64_MAX);
    db_bind_text(st, 2, cat);
    db_bind_text(st, 3, cat);
    db_bind_text(st, 4, ch);
    db_bind_text(st, 5, ch);
    db_bind_int(st, 6, scope);
    db_bind_int(st, 7, scope);
    db_bind_int(st, 8, p->limit + 1);
    long shown = 0;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (shown == p->limit) {
            const char *key = arena_printf(r->a, "%lld", (long long)db_int(st, 0) + 1);
            *next = page_cursor(r->a, 1, &key);
            break;
        }
        json_array_append_new(
            items, json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "code", db_text(st, 1),
                             "channel", db_text(st, 2), "category", db_text(st, 3), "text",
                             db_text(st, 4), "contact", opt_text(st, 5), "customer",
                             opt_text(st, 6), "outlet", opt_text(st, 7), "received_at",
                             dt_json(db_int(st, 8))));
        shown++;
    }
    db_done(st);
    return rc < 0 ? -1 : 0;
}

static const struct table_col fb_cols[] = {
    {"code", NULL, TABLE_TEXT, 12, 0},     {"received_at", NULL, TABLE_TIME, 17, 0},
    {"channel", NULL, TABLE_TEXT, 8, 0},   {"category", NULL, TABLE_TEXT, 11, 0},
    {"outlet", NULL, TABLE_TEXT, 9, 0},    {"customer", NULL, TABLE_TEXT, 12, 0},
    {"contact", NULL, TABLE_TEXT, 16, 0},  {"text", NULL, TABLE_TEXT, 50, 0},
};

int ord_feedback_list(req *r)
{
    static const struct list_spec spec = {
        .name = "feedback", .cols = fb_cols, .ncols = (int)(sizeof fb_cols / sizeof *fb_cols),
        .def_limit = 50, .max_limit = 500, .nkeys = 1, .page = fb_page,
    };
    return list_reply(r, &spec);
}
