/* log: the contact log over HTTP: a contact's JSON, GET /api/v1/contacts (search and
 * downloads), GET /api/v1/contacts/:code, POST (letters, faxes, walk-ins logged by hand)
 * and PATCH (the wrap-up after a call, by version). */
#include "features/contacts/internal.h"

#include "base/arena.h"
#include "base/audit.h"
#include "base/jsonv.h"
#include "features/customers/customers.h"

#include <string.h>

#define CT_COLS                                                                               \
    "k.id, k.code, k.channel, k.direction, h.code, k.reason, k.outcome, u.login,"             \
    " k.started_at, k.duration_s, cu.code, cu.name, k.address, rp.code, cp.code, k.order_id," \
    " k.out_of_hours, k.subject, k.body, k.version, k.created_at, k.updated_at, rp.outlet_id,"     \
    " k.outlet_id"
#define CT_FROM                                                                               \
    " FROM contacts k LEFT JOIN hotlines h ON h.id = k.hotline_id"                            \
    " LEFT JOIN users u ON u.id = k.handled_by LEFT JOIN customers cu ON cu.id = k.customer_id" \
    " LEFT JOIN repairs rp ON rp.id = k.repair_id LEFT JOIN complaints cp ON cp.id = k.complaint_id"

static json_t *txt(db_stmt *st, int i) { return db_isnull(st, i) ? json_null() : json_string(db_text(st, i)); }

static json_t *row_json(db_stmt *st)
{
    json_t *cust = db_isnull(st, 10) ? json_null()
                                     : json_pack("{s:s, s:s}", "code", db_text(st, 10), "name", db_text(st, 11));
    return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:I, s:o, s:o, s:o, s:o, s:o, s:b,"
                     " s:o, s:o, s:I, s:o, s:o}",
                     "code", db_text(st, 1), "channel", db_text(st, 2), "direction", db_text(st, 3),
                     "hotline", txt(st, 4), "reason", txt(st, 5), "outcome", txt(st, 6), "handled_by",
                     txt(st, 7), "started_at", dt_json(db_int(st, 8)), "duration_s",
                     (json_int_t)db_int(st, 9), "customer", cust, "address", txt(st, 12), "repair",
                     txt(st, 13), "complaint", txt(st, 14), "order_id",
                     db_isnull(st, 15) ? json_null() : json_integer(db_int(st, 15)), "out_of_hours",
                     (int)db_int(st, 16), "subject", txt(st, 17), "body", txt(st, 18), "version",
                     (json_int_t)db_int(st, 19), "created_at", dt_json(db_int(st, 20)), "updated_at",
                     dt_json(db_int(st, 21)));
}

/* Outlet staff see the contacts of their outlet's repairs and those their outlet logged
 * (contacts.outlet_id, 0023). */
static int visible(req *r, db_stmt *st)
{
    int64_t o = scope_outlet(r);
    if (o == 0)
        return 1;
    return o > 0 && ((!db_isnull(st, 22) && db_int(st, 22) == o) ||
                     (!db_isnull(st, 23) && db_int(st, 23) == o));
}

int ct_contact_json(req *r, db_conn *c, const char *code, int64_t id, json_t **out)
{
    db_stmt *st = db_prepare(c, code ? "SELECT " CT_COLS CT_FROM " WHERE k.code = ?"
                                     : "SELECT " CT_COLS CT_FROM " WHERE k.id = ?");
    if (!st)
        return DB_ERROR;
    if (code)
        db_bind_text(st, 1, code);
    else
        db_bind_int(st, 1, id);
    int rc = db_step(st);
    if (rc == DB_ROW && (!r || visible(r, st))) {
        *out = row_json(st);
        rc = 0;
    } else if (rc >= 0) {
        rc = 1;
    }
    db_done(st);
    return rc;
}

int ct_get(req *r)
{
    json_t *j = NULL;
    int rc = ct_contact_json(r, req_db(r), req_param(r, "code"), 0, &j);
    if (rc == 1)
        return reply_not_found(r, "contact");
    if (rc < 0)
        return reply_db_failure(r, rc, "contact");
    return reply_json(r, 200, j);
}

/* ---------------------------------------------------------------- list */

struct filter {
    const char *sql, *param, *why;
    int kind; /* 0 text as is, 1 id by code lookup (sql), 2 customer, 3 time */
};

/* Resolve the list's query parameters into clauses and values. 0, or LIST_ANSWERED. */
static int list_where(req *r, buf *w, const char **vals, int64_t *ids, int *kinds, int *n)
{
    static const struct filter fs[] = {
        {" AND k.customer_id = ?", "customer", "the code of a customer", 2},
        {" AND k.repair_id = ?", "repair", "the code of a repair", 1},
        {" AND k.complaint_id = ?", "complaint", "the code of a complaint", 1},
        {" AND k.handled_by = ?", "agent", "the login of a staff member", 1},
        {" AND k.hotline_id = ?", "hotline", "the code of a hotline", 1},
        {" AND k.channel = ?", "channel", "one of phone, email, web, letter, fax, walk_in, sms", 0},
        {" AND k.reason = ?", "reason", "a contact reason", 0},
        {" AND k.outcome = ?", "outcome", "a contact outcome", 0},
        {" AND k.started_at >= ?", "from", "a date YYYY-MM-DD or an RFC 3339 time", 3},
        {" AND k.started_at < ?", "to", "a date YYYY-MM-DD or an RFC 3339 time", 3},
    };
    static const char *const lookups[] = {NULL, "SELECT id FROM repairs WHERE code = ?",
                                          "SELECT id FROM complaints WHERE code = ?",
                                          "SELECT id FROM users WHERE login = ?",
                                          "SELECT id FROM hotlines WHERE code = ?"};
    db_conn *c = req_db(r);
    for (size_t i = 0; i < sizeof fs / sizeof *fs; i++) {
        const char *v = req_query(r, fs[i].param);
        if (!v || !*v)
            continue;
        int64_t id = 0;
        int ok = 1;
        if (fs[i].kind == 2) {
            int rc = customers_resolve(c, v, &id, NULL);
            ok = rc == 0;
            if (rc < -1)
                return reply_db_failure(r, rc, "contacts"), LIST_ANSWERED;
        } else if (fs[i].kind == 1) {
            int rc = lookup_id(c, lookups[i], v, &id);
            if (rc < 0)
                return reply_db_failure(r, rc, "contacts"), LIST_ANSWERED;
            ok = rc == 0;
        } else if (fs[i].kind == 3) {
            int y, m, d;
            const struct dt_zone *z = org_zone(c);
            if (dt_parse_date(v, &y, &m, &d) == 0) {
                if (strcmp(fs[i].param, "to") == 0) /* the whole day: up to the next midnight */
                    dt_civil_from_days(dt_days_from_civil(y, m, d) + 1, &y, &m, &d);
                id = dt_local_midnight(z, y, m, d);
            } else
                ok = dt_parse_time(v, z, &id) == 0;
        } else {
            const char *const *set = i == 5 ? ct_channels : i == 6 ? ct_reasons : ct_outcomes;
            ok = ct_in(set, v);
        }
        if (!ok) {
            reply_bad_param(r, fs[i].param, fs[i].why);
            return LIST_ANSWERED;
        }
        buf_adds(w, fs[i].sql);
        vals[*n] = v;
        ids[*n] = id;
        kinds[*n] = fs[i].kind;
        (*n)++;
    }
    int64_t o = scope_outlet(r);
    if (o != 0) {
        buf_adds(w, " AND CAST(? AS BIGINT) IN (rp.outlet_id, k.outlet_id)");
        vals[*n] = NULL;
        ids[*n] = o;
        kinds[*n] = 1;
        (*n)++;
    }
    return 0;
}

static int page_fn(req *r, const struct page *p, json_t *items, const char **next)
{
    buf w = BUF_INIT;
    const char *vals[16];
    int64_t ids[16];
    int kinds[16], n = 0;
    if (list_where(r, &w, vals, ids, kinds, &n)) {
        buf_release(&w);
        return LIST_ANSWERED;
    }
    int after = p->nkeys == 2;
    char *sql = arena_printf(r->a, "SELECT " CT_COLS CT_FROM " WHERE 1 = 1%s%s"
                             " ORDER BY k.started_at DESC, k.id DESC LIMIT ?", w.s,
                             after ? " AND (k.started_at < CAST(? AS BIGINT) OR (k.started_at ="
                                     " CAST(? AS BIGINT) AND k.id < CAST(? AS BIGINT)))" : "");
    buf_release(&w);
    db_stmt *st = db_prepare(req_db(r), sql);
    if (!st)
        return -1;
    int b = 1;
    for (int i = 0; i < n; i++) {
        if (kinds[i] == 0)
            db_bind_text(st, b++, vals[i]);
        else
            db_bind_int(st, b++, ids[i]);
    }
    if (after) {
        db_bind_int(st, b++, page_key_int(p, 0));
        db_bind_int(st, b++, page_key_int(p, 0));
        db_bind_int(st, b++, page_key_int(p, 1));
    }
    db_bind_int(st, b, p->limit + 1);
    long shown = 0;
    int64_t last[2] = {0};
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (shown == p->limit) {
            const char *keys[2] = {arena_printf(r->a, "%lld", (long long)last[0]),
                                   arena_printf(r->a, "%lld", (long long)last[1])};
            *next = page_cursor(r->a, 2, keys);
            break;
        }
        json_array_append_new(items, row_json(st));
        last[0] = db_int(st, 8);
        last[1] = db_int(st, 0);
        shown++;
    }
    db_done(st);
    return rc < 0 ? -1 : 0;
}

static const struct table_col cols[] = {
    {"code", NULL, TABLE_TEXT, 16, 0},
    {"started_at", NULL, TABLE_TEXT, 22, 0},
    {"channel", NULL, TABLE_TEXT, 9, 0},
    {"direction", NULL, TABLE_TEXT, 6, 0},
    {"hotline", NULL, TABLE_TEXT, 10, 0},
    {"reason", NULL, TABLE_TEXT, 16, 0},
    {"outcome", NULL, TABLE_TEXT, 12, 0},
    {"handled_by", NULL, TABLE_TEXT, 12, 0},
    {"duration_s", NULL, TABLE_INT, 8, 0},
    {"customer", "customer.code", TABLE_TEXT, 12, 0},
    {"customer_name", "customer.name", TABLE_TEXT, 14, 0},
    {"address", NULL, TABLE_TEXT, 16, 0},
    {"repair", NULL, TABLE_TEXT, 14, 0},
    {"complaint", NULL, TABLE_TEXT, 14, 0},
    {"out_of_hours", NULL, TABLE_TEXT, 6, 0},
    {"subject", NULL, TABLE_TEXT, 30, 0},
};

static const struct list_spec spec = {
    "contacts", cols, (int)(sizeof cols / sizeof *cols), 50, 500, 2, page_fn,
};

int ct_list(req *r) { return list_reply(r, &spec); }
