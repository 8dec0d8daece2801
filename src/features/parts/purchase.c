/* parts: purchase orders: parts ordered from a supplier for a warehouse (a confirmed
 * purchase suggestion of replenishment, or by hand), each line expected after the lead
 * time of its part's source, received in full or in parts (every receipt a ledger
 * receipt move with an idempotency key, filling backorders first in, first out), or
 * cancelled while nothing is received. stock.on_order follows the outstanding quantity
 * in the same transaction, so replenishment does not suggest the purchase again. */
#include <string.h>

#include "base/audit.h"
#include "base/jsonv.h"
#include "features/common/common.h"
#include "features/parts/internal.h"

#define PO_LINES_MAX 50
#define LEAD_DOMESTIC 3 /* days: the contract's promise for stock held domestically */
#define LEAD_IMPORTED 7 /* days: an imported part, as from an overseas parts center */

static const char *const po_statuses[] = {"open", "partly_received", "received", "cancelled",
                                          NULL};

/* ---------------------------------------------------------------- JSON */

static json_t *opt_str(db_stmt *st, int col)
{
    return db_isnull(st, col) ? json_null() : json_string(db_text(st, col));
}
static json_t *opt_time(db_stmt *st, int col)
{
    return db_isnull(st, col) ? json_null() : dt_json(db_int(st, col));
}

/* The lines of order id into j: lines[], parts (the numbers, space-separated), qty,
 * received_qty and outstanding (sums). 0 or a db code. */
static int po_lines_json(db_conn *c, arena *a, int64_t id, json_t *j)
{
    db_stmt *st = db_prepare(c, "SELECT l.line_no, pa.number, l.qty, l.received_qty,"
                                " l.expected_date FROM purchase_order_lines l"
                                " JOIN parts pa ON pa.id = l.part_id WHERE l.po_id = ?"
                                " ORDER BY l.line_no");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, id);
    json_t *lines = json_array();
    int64_t qty = 0, got = 0;
    const char *parts = "";
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t q = db_int(st, 2), g = db_int(st, 3);
        json_array_append_new(lines, json_pack("{s:I, s:s, s:I, s:I, s:I, s:s}", "line_no",
                                               (json_int_t)db_int(st, 0), "part", db_text(st, 1),
                                               "qty", (json_int_t)q, "received_qty",
                                               (json_int_t)g, "outstanding", (json_int_t)(q - g),
                                               "expected_date", db_text(st, 4)));
        parts = *parts ? arena_printf(a, "%s %s", parts, db_text(st, 1))
                       : arena_strdup(a, db_text(st, 1));
        qty += q, got += g;
    }
    db_done(st);
    json_object_set_new(j, "lines", lines);
    json_object_set_new(j, "parts", json_string(parts));
    json_object_set_new(j, "qty", json_integer(qty));
    json_object_set_new(j, "received_qty", json_integer(got));
    json_object_set_new(j, "outstanding", json_integer(qty - got));
    return rc < 0 ? rc : 0;
}

/* The receipts of order id: one per ledger move. 0 or a db code. */
static int po_receipts_json(db_conn *c, int64_t id, json_t *j)
{
    db_stmt *st = db_prepare(c, "SELECT m.id, l.line_no, pa.number, m.qty, m.actor, m.at"
                                " FROM stock_moves m JOIN purchase_order_lines l"
                                " ON l.id = m.po_line_id JOIN parts pa ON pa.id = m.part_id"
                                " WHERE l.po_id = ? ORDER BY m.id");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, id);
    json_t *list = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(list, json_pack("{s:I, s:I, s:s, s:I, s:s, s:o}", "move",
                                              (json_int_t)db_int(st, 0), "line_no",
                                              (json_int_t)db_int(st, 1), "part", db_text(st, 2),
                                              "qty", (json_int_t)db_int(st, 3), "actor",
                                              db_text(st, 4), "at", dt_json(db_int(st, 5))));
    db_done(st);
    json_object_set_new(j, "receipts", list);
    return rc < 0 ? rc : 0;
}

/* The order as the list shows it (full: with its receipts). 0, 1 or a db code. */
static int po_json_of(db_conn *c, arena *a, int64_t id, int full, json_t **out)
{
    db_stmt *st = db_prepare(
        c, "SELECT p.code, w.code, p.supplier, p.source, p.status, p.expected_date, p.note,"
           " p.created_by, p.created_at, p.received_at, p.cancelled_at, p.cancelled_by,"
           " p.cancel_reason, p.version FROM purchase_orders p"
           " JOIN warehouses w ON w.id = p.warehouse_id WHERE p.id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, id);
    int rc = db_step(st);
    if (rc != DB_ROW) {
        db_done(st);
        return rc == DB_DONE ? 1 : rc;
    }
    char today[11];
    part_promise_date(org_zone(c), now_unix(), 0, today);
    const char *status = db_text(st, 4);
    int open = strcmp(status, "open") == 0 || strcmp(status, "partly_received") == 0;
    json_t *j = json_pack(
        "{s:s, s:s, s:o, s:s, s:s, s:s, s:b, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:I}", "code",
        db_text(st, 0), "warehouse", db_text(st, 1), "supplier", opt_str(st, 2), "source",
        db_text(st, 3), "status", status, "expected_date", db_text(st, 5), "overdue",
        open && strcmp(db_text(st, 5), today) < 0, "note", opt_str(st, 6), "created_by",
        db_text(st, 7), "created_at", dt_json(db_int(st, 8)), "received_at", opt_time(st, 9),
        "cancelled_at", opt_time(st, 10), "cancelled_by", opt_str(st, 11), "cancel_reason",
        opt_str(st, 12), "version", (json_int_t)db_int(st, 13));
    db_done(st);
    if ((rc = po_lines_json(c, a, id, j)) == 0 && full)
        rc = po_receipts_json(c, id, j);
    if (rc != 0) {
        json_decref(j);
        return rc;
    }
    *out = j;
    return 0;
}

/* list_ids_page's callback (it has no request arena: one of its own per order). */
static int po_json(db_conn *c, int64_t id, json_t **out)
{
    arena *a = arena_new();
    int rc = po_json_of(c, a, id, 0, out);
    arena_free(a);
    return rc;
}

/* ---------------------------------------------------------------- lookups */

struct po_head {
    int64_t id, wh;
    int status; /* index into po_statuses */
};

/* The order with this code. 0, 1 when none, or a db code. */
static int po_find(db_conn *c, const char *code, struct po_head *h)
{
    db_stmt *st = db_prepare(c, "SELECT id, warehouse_id, status FROM purchase_orders"
                                " WHERE code = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, code);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        h->id = db_int(st, 0), h->wh = db_int(st, 1), h->status = 0;
        for (int i = 0; po_statuses[i]; i++)
            if (strcmp(db_text(st, 2), po_statuses[i]) == 0)
                h->status = i;
    }
    db_done(st);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? 1 : rc;
}

/* on_order of (part, wh) up (q > 0) or down (q < 0). 0 or a db code. */
static int on_order_add(db_conn *c, int64_t part, int64_t wh, int64_t q, int64_t now)
{
    int64_t e;
    if (q > 0)
        e = db_exec(c,
                    "INSERT INTO stock (part_id, warehouse_id, on_order, updated_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT (part_id, warehouse_id) DO UPDATE"
                    " SET on_order = stock.on_order + excluded.on_order,"
                    " updated_at = excluded.updated_at",
                    "iiii", part, wh, q, now);
    else
        e = db_exec(c,
                    "UPDATE stock SET on_order = on_order - ?, updated_at = ?"
                    " WHERE part_id = ? AND warehouse_id = ? AND on_order >= ?",
                    "iiiii", -q, now, part, wh, -q);
    if (e < 0)
        return (int)e;
    return q > 0 || e == 1 ? 0 : DB_ERROR;
}

enum { PO_NOT_FOUND = 1, PO_BAD, PO_STATE, PO_KEY_CLASH, PO_OVER };

/* The answer of a write's outcome (0 answers the order itself with ok_status). */
static int po_answer(req *r, int rc, int64_t id, int ok_status, int replay, const char *field,
                     const char *why)
{
    switch (rc) {
    case 0: {
        json_t *j = NULL;
        int k = po_json_of(req_db(r), r->a, id, 1, &j);
        if (k != 0)
            return reply_db_failure(r, k < 0 ? k : DB_ERROR, "load purchase order");
        if (replay)
            reply_header(r, "Idempotent-Replayed", "true");
        return reply_json(r, ok_status, j);
    }
    case PO_NOT_FOUND:
        return reply_not_found(r, "purchase order");
    case PO_BAD:
        return reply_error(r, 422, "validation_failed", why, json_pack("{s:s}", field, why));
    case PO_STATE:
    case PO_OVER:
        return reply_error(r, 409, "conflict", why, NULL);
    case PO_KEY_CLASH:
    case DB_EUNIQUE:
        return reply_error(r, 409, "idempotency_key_reused",
                           "this idempotency key was used for another purchase order or receipt",
                           NULL);
    default:
        return reply_db_failure(r, rc, "purchase order");
    }
}

/* ---------------------------------------------------------------- POST (create) */

struct po_new {
    req *r;
    const char *wh_s, *supplier, *note, *key;
    int n;
    const char *part[PO_LINES_MAX];
    int64_t qty[PO_LINES_MAX];
    /* out */
    int64_t id;
    int replay;
    const char *field, *why;
};

/* The order an earlier request with key made: 0 with n->id (the same warehouse and
 * quantity), PO_KEY_CLASH (another order), 1 when the key is new, or a db code. */
static int po_new_replay(db_conn *c, struct po_new *n, int64_t wh)
{
    db_stmt *st = db_prepare(c, "SELECT p.id, p.warehouse_id, COUNT(*), SUM(l.qty)"
                                " FROM purchase_orders p JOIN purchase_order_lines l"
                                " ON l.po_id = p.id WHERE p.idempotency_key = ?"
                                " GROUP BY p.id, p.warehouse_id");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, n->key);
    int rc = db_step(st);
    int same = 0;
    if (rc == DB_ROW) {
        int64_t total = 0;
        for (int i = 0; i < n->n; i++)
            total += n->qty[i];
        n->id = db_int(st, 0);
        same = db_int(st, 1) == wh && db_int(st, 2) == n->n && db_int(st, 3) == total;
    }
    db_done(st);
    if (rc != DB_ROW)
        return rc == DB_DONE ? 1 : rc;
    return same ? 0 : PO_KEY_CLASH;
}

int pt_po_store(db_conn *c, const struct pt_po_in *in, int64_t now, int64_t *id, char code[24])
{
    int lead[PO_LINES_MAX], slowest = LEAD_DOMESTIC;
    if (in->n < 1 || in->n > PO_LINES_MAX)
        return DB_ERROR;
    for (int i = 0; i < in->n; i++) {
        lead[i] = in->imported[i] ? LEAD_IMPORTED : LEAD_DOMESTIC;
        if (lead[i] > slowest)
            slowest = lead[i];
    }
    const struct dt_zone *z = org_zone(c);
    char due[11];
    int k = code_next(c, "purchase_order", "PO", 8, code, 24);
    if (k < 0)
        return k;
    part_promise_date(z, now, slowest, due);
    db_stmt *st = db_prepare(
        c, "INSERT INTO purchase_orders (code, warehouse_id, supplier, source, status,"
           " expected_date, note, idempotency_key, created_by, created_at, updated_at)"
           " VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?) RETURNING id");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, code);
    db_bind_int(st, 2, in->wh);
    db_bind_text(st, 3, in->supplier);
    db_bind_text(st, 4, slowest == LEAD_IMPORTED ? "imported" : "domestic");
    db_bind_text(st, 5, due);
    db_bind_text(st, 6, in->note);
    db_bind_text(st, 7, in->key);
    db_bind_text(st, 8, in->actor);
    db_bind_int(st, 9, now);
    db_bind_int(st, 10, now);
    k = db_step(st);
    if (k == DB_ROW)
        *id = db_int(st, 0);
    db_done(st);
    if (k != DB_ROW)
        return k < 0 ? k : DB_ERROR;
    for (int i = 0; i < in->n; i++) {
        part_promise_date(z, now, lead[i], due);
        int64_t e = db_exec(c,
                            "INSERT INTO purchase_order_lines (po_id, line_no, part_id, qty,"
                            " expected_date) VALUES (?, ?, ?, ?, ?)",
                            "iiiit", *id, (int64_t)(i + 1), in->part[i], in->qty[i], due);
        if (e < 0)
            return (int)e;
        if ((k = on_order_add(c, in->part[i], in->wh, in->qty[i], now)) != 0)
            return k;
    }
    return 0;
}

static int po_new_tx(db_conn *c, void *arg)
{
    struct po_new *n = arg;
    arena *a = n->r->a;
    n->replay = 0;
    struct pt_wh wh;
    int k = pt_wh_find(c, code_upper(a, n->wh_s), &wh);
    if (k < 0)
        return k;
    if (k == 1)
        return n->field = "warehouse", n->why = "unknown warehouse", PO_BAD;
    if (n->key && (k = po_new_replay(c, n, wh.id)) != 1) {
        n->replay = k == 0;
        return k;
    }
    int64_t ids[PO_LINES_MAX];
    int imported[PO_LINES_MAX];
    for (int i = 0; i < n->n; i++) {
        struct pt_part p;
        if ((k = pt_part_find(c, n->part[i], &p)) < 0)
            return k;
        n->field = arena_printf(a, "lines[%d].part", i);
        if (k == 1)
            return n->why = "unknown part", PO_BAD;
        for (int j = 0; j < i; j++)
            if (ids[j] == p.id)
                return n->why = "the part is on the order twice", PO_BAD;
        ids[i] = p.id;
        imported[i] = p.imported;
    }
    const char *actor = audit_actor(n->r);
    struct pt_po_in in = {.wh = wh.id, .supplier = n->supplier, .note = n->note, .key = n->key,
                          .actor = actor, .n = n->n, .part = ids, .qty = n->qty,
                          .imported = imported};
    char code[24];
    if ((k = pt_po_store(c, &in, now_unix(), &n->id, code)) != 0)
        return k;
    json_t *detail = json_pack("{s:s, s:i}", "warehouse", wh.code, "lines", n->n);
    k = audit_write(c, actor, "create", "purchase_order", code, detail);
    json_decref(detail);
    return k < 0 ? k : 0;
}

/* POST /api/v1/purchase-orders {"warehouse","supplier","note","lines":[{"part","qty"}],
 * "idempotency_key"} */
int po_create(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv v;
    jsonv_init(&v, body);
    struct po_new n = {.r = r};
    if (!json_is_object(body)) {
        jsonv_fail(&v, "body", "must be an object");
    } else {
        static const char *const allowed[] = {"warehouse", "supplier", "note", "lines",
                                              "idempotency_key", NULL};
        jsonv_only(&v, allowed);
        n.wh_s = jsonv_str(&v, "warehouse", 1, 32);
        n.supplier = jsonv_str(&v, "supplier", 0, 100);
        n.note = jsonv_str(&v, "note", 0, 500);
        n.key = pt_idempotency_key(&v, r);
        n.n = pt_lines_read(&v, body, r->a, PO_LINES_MAX, n.part, n.qty);
        if (n.supplier && !*n.supplier)
            n.supplier = NULL;
    }
    int rc;
    if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed", "the purchase order is not valid",
                         jsonv_take(&v));
    } else {
        rc = in_tx(req_db(r), po_new_tx, &n);
        if (rc == DB_EUNIQUE && n.key) /* the same key committed meanwhile */
            rc = in_tx(req_db(r), po_new_tx, &n);
        rc = po_answer(r, rc, n.id, 201, n.replay, n.field, n.why);
    }
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

/* ---------------------------------------------------------------- receive */

struct po_recv {
    req *r;
    const char *code, *key;
    int n; /* 0: every outstanding line */
    const char *part[PO_LINES_MAX];
    int64_t qty[PO_LINES_MAX];
    /* out */
    int64_t id;
    int replay;
    const char *field, *why;
};

/* A line being received: its id, part, number, quantity received before and now. */
struct po_take {
    int64_t line, part, no, got, qty;
};

/* The lines to receive into t (*m of them): those asked for (each on the order, at most
 * what is outstanding), or every outstanding one. 0, PO_BAD or PO_OVER with p->field
 * and p->why, or a db code. */
static int po_takes(db_conn *c, struct po_recv *p, int64_t po, struct po_take *t, int *m)
{
    arena *a = p->r->a;
    db_stmt *st = db_prepare(c, "SELECT l.id, l.part_id, l.line_no, l.received_qty, l.qty,"
                                " pa.number FROM purchase_order_lines l JOIN parts pa"
                                " ON pa.id = l.part_id WHERE l.po_id = ? ORDER BY l.line_no");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, po);
    int rc, over = 0;
    int found[PO_LINES_MAX] = {0};
    *m = 0;
    while (!over && *m < PO_LINES_MAX && (rc = db_step(st)) == DB_ROW) {
        struct po_take x = {db_int(st, 0), db_int(st, 1), db_int(st, 2), db_int(st, 3), 0};
        int64_t left = db_int(st, 4) - x.got;
        for (int i = 0; i < p->n; i++) {
            if (found[i] || strcmp(p->part[i], db_text(st, 5)) != 0)
                continue;
            found[i] = 1;
            if (p->qty[i] > left) {
                p->why = arena_printf(a, "line %lld (%s): only %lld outstanding",
                                      (long long)x.no, p->part[i], (long long)left);
                over = 1;
            }
            x.qty = p->qty[i];
        }
        if (p->n == 0)
            x.qty = left;
        if (x.qty > 0)
            t[(*m)++] = x;
    }
    db_done(st);
    if (over)
        return PO_OVER;
    if (rc < 0)
        return rc;
    for (int i = 0; i < p->n; i++)
        if (!found[i]) {
            p->field = arena_printf(a, "lines[%d].part", i);
            p->why = "not on this purchase order";
            return PO_BAD;
        }
    if (*m == 0)
        return p->why = "nothing is outstanding on this purchase order", PO_OVER;
    return 0;
}

/* With a key: 0 (every move of this receipt exists: answer the order again), 1 (none:
 * receive), PO_KEY_CLASH (some), or a db code. */
static int po_recv_replay(db_conn *c, struct po_recv *p, const char *prefix)
{
    db_stmt *st = db_prepare(c, "SELECT COUNT(*) FROM stock_moves m JOIN purchase_order_lines l"
                                " ON l.id = m.po_line_id WHERE l.po_id = ?"
                                " AND substr(m.idempotency_key, 1, CAST(? AS INTEGER)) = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, p->id);
    db_bind_int(st, 2, (int64_t)strlen(prefix));
    db_bind_text(st, 3, prefix);
    int rc = db_step(st);
    int64_t n = rc == DB_ROW ? db_int(st, 0) : 0;
    db_done(st);
    if (rc != DB_ROW)
        return rc < 0 ? rc : DB_ERROR;
    return n == 0 ? 1 : 0;
}

/* One line's receipt: the line's count, the balance, on_order, the move (its key the
 * client's key and the line, or else the line and its count before: unique, since the
 * count only grows), backorders. 0, PO_OVER or a db code. */
static int po_take_one(db_conn *c, const struct po_recv *p, const struct po_head *h,
                       const struct po_take *t, const char *prefix, int64_t now)
{
    int64_t e = db_exec(c,
                        "UPDATE purchase_order_lines SET received_qty = received_qty + ?"
                        " WHERE id = ? AND received_qty + ? <= qty",
                        "iii", t->qty, t->line, t->qty);
    if (e < 0)
        return (int)e;
    if (e != 1)
        return PO_OVER;
    int rc = pl_apply(c, t->part, h->wh, PD_RECEIVE, t->qty, now);
    if (rc == 0)
        rc = on_order_add(c, t->part, h->wh, -t->qty, now);
    if (rc != 0)
        return rc;
    arena *a = p->r->a;
    const char *actor = audit_actor(p->r);
    struct pl_move m = {
        .kind = "receipt", .part = t->part, .qty = t->qty, .to = h->wh, .po_line = t->line,
        .actor = actor, .at = now, .reason = arena_printf(a, "purchase order %s", p->code),
        .key = prefix ? arena_printf(a, "%s%lld", prefix, (long long)t->no)
                      : arena_printf(a, "po:%s:%lld:%lld", p->code, (long long)t->no,
                                     (long long)t->got)};
    if ((rc = pl_move_add(c, &m, NULL)) != 0)
        return rc;
    return pl_fill_backorders(c, t->part, h->wh, actor, now);
}

static int po_recv_tx(db_conn *c, void *arg)
{
    struct po_recv *p = arg;
    p->replay = 0;
    struct po_head h;
    int k = po_find(c, p->code, &h);
    if (k != 0)
        return k == 1 ? PO_NOT_FOUND : k;
    p->id = h.id;
    const char *prefix = p->key ? arena_printf(p->r->a, "po:%s:k:%s:", p->code, p->key) : NULL;
    if (p->key && (k = po_recv_replay(c, p, prefix)) != 1) {
        p->replay = k == 0;
        return k;
    }
    if (h.status > 1) {
        p->why = arena_printf(p->r->a, "the purchase order is %s: nothing to receive",
                              po_statuses[h.status]);
        return PO_STATE;
    }
    int64_t now = now_unix();
    /* the order's row first: concurrent receipts of one order take turns */
    int64_t e = db_exec(c,
                        "UPDATE purchase_orders SET version = version + 1, updated_at = ?"
                        " WHERE id = ? AND status IN ('open', 'partly_received')",
                        "ii", now, h.id);
    if (e < 0)
        return (int)e;
    if (e != 1)
        return p->why = "the purchase order is no longer open", PO_STATE;
    struct po_take t[PO_LINES_MAX];
    int m = 0;
    if ((k = po_takes(c, p, h.id, t, &m)) != 0)
        return k;
    for (int i = 0; i < m; i++)
        if ((k = po_take_one(c, p, &h, &t[i], prefix, now)) != 0) {
            if (k == PO_OVER)
                p->why = "more than is outstanding on the line";
            return k;
        }
    e = db_exec(c,
                "UPDATE purchase_orders SET"
                " status = CASE WHEN EXISTS (SELECT 1 FROM purchase_order_lines"
                "   WHERE po_id = ? AND received_qty < qty) THEN 'partly_received'"
                "   ELSE 'received' END,"
                " received_at = CASE WHEN EXISTS (SELECT 1 FROM purchase_order_lines"
                "   WHERE po_id = ? AND received_qty < qty) THEN NULL ELSE CAST(? AS BIGINT) END"
                " WHERE id = ?",
                "iiii", h.id, h.id, now, h.id);
    if (e < 0)
        return (int)e;
    json_t *detail = json_pack("{s:i}", "lines", m);
    k = audit_write(c, audit_actor(p->r), "receive", "purchase_order", p->code, detail);
    json_decref(detail);
    return k < 0 ? k : 0;
}

/* POST /api/v1/purchase-orders/:code/receive {"lines":[{"part","qty"}],
 * "idempotency_key"}; without lines every outstanding quantity. */
int po_receive(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv v;
    jsonv_init(&v, body);
    struct po_recv p = {.r = r, .code = code_upper(r->a, req_param(r, "code"))};
    if (!json_is_object(body)) {
        jsonv_fail(&v, "body", "must be an object");
    } else {
        static const char *const allowed[] = {"lines", "idempotency_key", NULL};
        jsonv_only(&v, allowed);
        p.key = pt_idempotency_key(&v, r);
        if (json_object_get(body, "lines"))
            p.n = pt_lines_read(&v, body, r->a, PO_LINES_MAX, p.part, p.qty);
        for (int i = 0; i < p.n; i++)
            for (int j = 0; j < i; j++)
                if (p.part[i] && p.part[j] && strcmp(p.part[i], p.part[j]) == 0)
                    jsonv_fail(&v, arena_printf(r->a, "lines[%d].part", i), "given twice");
    }
    int rc;
    if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed", "the receipt is not valid", jsonv_take(&v));
    } else {
        rc = in_tx(req_db(r), po_recv_tx, &p);
        if (rc == DB_EUNIQUE && p.key) /* the same key committed meanwhile */
            rc = in_tx(req_db(r), po_recv_tx, &p);
        rc = po_answer(r, rc, p.id, 200, p.replay, p.field, p.why);
    }
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

/* ---------------------------------------------------------------- cancel */

struct po_cancel {
    req *r;
    const char *code, *reason;
    int64_t id;
    const char *why;
};

static int po_cancel_tx(db_conn *c, void *arg)
{
    struct po_cancel *p = arg;
    struct po_head h;
    int k = po_find(c, p->code, &h);
    if (k != 0)
        return k == 1 ? PO_NOT_FOUND : k;
    p->id = h.id;
    int64_t now = now_unix();
    const char *actor = audit_actor(p->r);
    int64_t e = db_exec(c,
                        "UPDATE purchase_orders SET status = 'cancelled', cancelled_at = ?,"
                        " cancelled_by = ?, cancel_reason = ?, updated_at = ?,"
                        " version = version + 1 WHERE id = ? AND status = 'open'",
                        "ittii", now, actor, p->reason, now, h.id);
    if (e < 0)
        return (int)e;
    if (e != 1) {
        p->why = "only an open purchase order (nothing received yet) is cancelled";
        return PO_STATE;
    }
    db_stmt *st = db_prepare(c, "SELECT part_id, qty - received_qty FROM purchase_order_lines"
                                " WHERE po_id = ? ORDER BY line_no");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, h.id);
    int64_t part[PO_LINES_MAX], q[PO_LINES_MAX];
    int n = 0;
    while ((k = db_step(st)) == DB_ROW && n < PO_LINES_MAX)
        part[n] = db_int(st, 0), q[n++] = db_int(st, 1);
    db_done(st);
    if (k < 0)
        return k;
    for (int i = 0; i < n; i++)
        if (q[i] > 0 && (k = on_order_add(c, part[i], h.wh, -q[i], now)) != 0)
            return k;
    k = audit_write(c, actor, "cancel", "purchase_order", p->code, NULL);
    return k < 0 ? k : 0;
}

/* POST /api/v1/purchase-orders/:code/cancel {"reason"} */
int po_cancel(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv v;
    jsonv_init(&v, body);
    struct po_cancel p = {.r = r, .code = code_upper(r->a, req_param(r, "code"))};
    if (!json_is_object(body)) {
        jsonv_fail(&v, "body", "must be an object");
    } else {
        static const char *const allowed[] = {"reason", NULL};
        jsonv_only(&v, allowed);
        p.reason = jsonv_str(&v, "reason", 0, 500);
    }
    int rc;
    if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed", "the cancellation is not valid",
                         jsonv_take(&v));
    } else {
        rc = in_tx(req_db(r), po_cancel_tx, &p);
        rc = po_answer(r, rc, p.id, 200, 0, NULL, p.why);
    }
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

/* ---------------------------------------------------------------- GET */

/* GET /api/v1/purchase-orders/:code: the order with its lines and receipts. */
int po_get(req *r)
{
    struct po_head h;
    db_conn *c = req_db(r);
    int k = po_find(c, code_upper(r->a, req_param(r, "code")), &h);
    if (k == 1)
        return reply_not_found(r, "purchase order");
    return k < 0 ? reply_db_failure(r, k, "load purchase order") : po_answer(r, 0, h.id, 200, 0, NULL, NULL);
}

static const struct table_col po_cols[] = {
    {"code", NULL, TABLE_TEXT, 12, 0},          {"warehouse", NULL, TABLE_TEXT, 14, 0},
    {"supplier", NULL, TABLE_TEXT, 18, 0},      {"source", NULL, TABLE_TEXT, 10, 0},
    {"status", NULL, TABLE_TEXT, 14, 0},        {"expected_date", NULL, TABLE_TEXT, 12, 0},
    {"parts", NULL, TABLE_TEXT, 24, 0},         {"qty", NULL, TABLE_INT, 8, 0},
    {"received_qty", NULL, TABLE_INT, 10, 0},   {"outstanding", NULL, TABLE_INT, 10, 0},
    {"created_at", NULL, TABLE_TIME, 17, 0},    {"created_by", NULL, TABLE_TEXT, 14, 0},
};

/* Newest first, filtered by ?status=, ?warehouse= and ?part= (on any line). */
static int po_page(req *r, const struct page *p, json_t *items, const char **next)
{
    db_conn *c = req_db(r);
    const char *status = req_query(r, "status"), *wc = req_query(r, "warehouse"),
               *pn = req_query(r, "part");
    if (status && !*status)
        status = NULL;
    int ok = !status;
    for (int i = 0; status && po_statuses[i]; i++)
        ok |= strcmp(status, po_statuses[i]) == 0;
    if (!ok)
        return reply_bad_param(r, "status", "one of open, partly_received, received, cancelled"),
               LIST_ANSWERED;
    int64_t wh = 0, part = 0;
    if (wc && *wc) {
        struct pt_wh w;
        int k = pt_wh_find(c, code_upper(r->a, wc), &w);
        if (k < 0)
            return -1;
        if (k == 1)
            return reply_bad_param(r, "warehouse", "unknown warehouse"), LIST_ANSWERED;
        wh = w.id;
    }
    if (pn && *pn) {
        struct pt_part x;
        int k = pt_part_find(c, code_upper(r->a, pn), &x);
        if (k < 0)
            return -1;
        if (k == 1)
            return reply_bad_param(r, "part", "unknown part"), LIST_ANSWERED;
        part = x.id;
    }
    int64_t before = p->nkeys ? page_key_int(p, 0) : INT64_MAX;
    db_stmt *st = db_prepare(
        c, "SELECT p.id FROM purchase_orders p WHERE p.id < ?"
           " AND (CAST(? AS TEXT) IS NULL OR p.status = ?)"
           " AND (CAST(? AS BIGINT) = 0 OR p.warehouse_id = ?)"
           " AND (CAST(? AS BIGINT) = 0 OR EXISTS (SELECT 1 FROM purchase_order_lines l"
           "      WHERE l.po_id = p.id AND l.part_id = ?))"
           " ORDER BY p.id DESC LIMIT ?");
    if (!st)
        return -1;
    db_bind_int(st, 1, before);
    db_bind_text(st, 2, status);
    db_bind_text(st, 3, status);
    db_bind_int(st, 4, wh);
    db_bind_int(st, 5, wh);
    db_bind_int(st, 6, part);
    db_bind_int(st, 7, part);
    db_bind_int(st, 8, p->limit + 1);
    return list_ids_page(r, p, st, po_json, items, next);
}

int po_list(req *r)
{
    static const struct list_spec spec = {
        .name = "purchase-orders", .cols = po_cols,
        .ncols = (int)(sizeof po_cols / sizeof *po_cols), .def_limit = 100, .max_limit = 1000,
        .nkeys = 1, .page = po_page,
    };
    return list_reply(r, &spec);
}
