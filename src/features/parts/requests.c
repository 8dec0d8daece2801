/* parts: part requests of a repair: each line filled in the contract's order (own
 * outlet, a branch or third party in the province, central, overseas, backordered) with
 * supersession and a local promise date, the repair moved to waiting_parts; the lines
 * shipped, received at the outlet, issued to the repair or cancelled. */
#include <stdlib.h>
#include <string.h>

#include "base/audit.h"
#include "base/jsonv.h"
#include "features/common/common.h"
#include "features/parts/internal.h"
#include "features/repairs/repairs.h"
#include "rules/repair_state.h"

#define PR_LINES_MAX 20
#define PR_CANDIDATES_MAX 16

/* ---------------------------------------------------------------- JSON */

#define LINE_SELECT                                                                          \
    "SELECT q.code, l.line_no, p.number, rp.number, l.qty, l.status, w.code,"                 \
    " l.promise_date, l.created_at, l.received_at, l.issued_at, t.code, t.status, r.code,"    \
    " l.fitted_serial, l.faulty_serial FROM part_request_lines l"                             \
    " JOIN part_requests q ON q.id = l.request_id JOIN parts p ON p.id = l.part_id"           \
    " JOIN parts rp ON rp.id = l.requested_part_id JOIN repairs r ON r.id = l.repair_id"      \
    " LEFT JOIN warehouses w ON w.id = l.warehouse_id"                                        \
    " LEFT JOIN transfers t ON t.id = l.transfer_id"

/* The JSON of the line st (LINE_SELECT) is on. */
static json_t *line_row_json(db_stmt *st, int full)
{
    char code[48];
    snprintf(code, sizeof code, "%s-%lld", db_text(st, 0), (long long)db_int(st, 1));
    json_t *j = json_pack("{s:s, s:s, s:s, s:I, s:s}", "code", code, "part", db_text(st, 2),
                          "requested_part", db_text(st, 3), "qty", (json_int_t)db_int(st, 4),
                          "status", db_text(st, 5));
    json_object_set_new(j, "warehouse",
                        db_isnull(st, 6) ? json_null() : json_string(db_text(st, 6)));
    json_object_set_new(j, "promise_date",
                        db_isnull(st, 7) ? json_null() : json_string(db_text(st, 7)));
    if (full) {
        json_object_set_new(j, "repair", json_string(db_text(st, 13)));
        json_object_set_new(j, "created_at", dt_json(db_int(st, 8)));
        json_object_set_new(j, "received_at", dt_json(db_isnull(st, 9) ? DT_NONE : db_int(st, 9)));
        json_object_set_new(j, "issued_at", dt_json(db_isnull(st, 10) ? DT_NONE : db_int(st, 10)));
        json_object_set_new(j, "transfer", db_isnull(st, 11) ? json_null()
                                                             : json_pack("{s:s, s:s}", "code",
                                                                         db_text(st, 11), "status",
                                                                         db_text(st, 12)));
        json_object_set_new(j, "fitted_serial",
                            db_isnull(st, 14) ? json_null() : json_string(db_text(st, 14)));
        json_object_set_new(j, "faulty_serial",
                            db_isnull(st, 15) ? json_null() : json_string(db_text(st, 15)));
    }
    return j;
}

int pr_line_json(db_conn *c, int64_t id, int full, json_t **out)
{
    db_stmt *st = db_prepare(c, LINE_SELECT " WHERE l.id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, id);
    int rc = db_step(st);
    if (rc == DB_ROW)
        *out = line_row_json(st, full);
    db_done(st);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? 1 : rc;
}

/* The lines of request `code` in line order (the contract's fields and each line's
 * code), one statement for them all. 0 or a db code. */
static int request_lines_json(db_conn *c, const char *code, json_t **out)
{
    db_stmt *st = db_prepare(c, LINE_SELECT " WHERE q.code = ? ORDER BY l.line_no");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, code);
    json_t *lines = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(lines, line_row_json(st, 0));
    db_done(st);
    if (rc < 0) {
        json_decref(lines);
        return rc;
    }
    *out = lines;
    return 0;
}

/* ---------------------------------------------------------------- filling a line */

/* The warehouses the fill order may use for a line of qty units of part at outlet (in
 * province): the outlet's own, the branches and third-party warehouses of the province,
 * the central and overseas ones, that hold at least qty available (never another
 * outlet's stock, nor a branch elsewhere), best first, at most a few: the database does
 * the narrowing, rules/parts makes the choice. CROSS JOIN makes SQLite start from the
 * few eligible warehouses (warehouses_kind_province) and look each balance up by key,
 * instead of reading the part's balance in every warehouse. The count or a db code. */
static int candidates(db_conn *c, arena *a, int64_t part, int64_t outlet, const char *province,
                      int64_t qty, struct part_candidate **out)
{
    db_stmt *st = db_prepare(
        c, "SELECT s.warehouse_id, w.kind, w.province, COALESCE(w.outlet_id, 0),"
           " s.on_hand - s.reserved FROM warehouses w CROSS JOIN stock s"
           " WHERE s.warehouse_id = w.id AND s.part_id = ?"
           " AND w.active = 1 AND s.on_hand - s.reserved >= ?"
           " AND (w.outlet_id = ? OR w.kind IN ('central', 'overseas')"
           "      OR (w.kind IN ('branch', 'third_party') AND w.province = CAST(? AS TEXT)))"
           " ORDER BY CASE WHEN w.outlet_id = ? THEN 0 WHEN w.kind = 'central' THEN 2"
           "  WHEN w.kind = 'overseas' THEN 3 ELSE 1 END, s.on_hand - s.reserved DESC, w.id"
           " LIMIT 16");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, part);
    db_bind_int(st, 2, qty);
    db_bind_int(st, 3, outlet);
    db_bind_text(st, 4, province);
    db_bind_int(st, 5, outlet);
    struct part_candidate *v = arena_alloc(a, sizeof *v * PR_CANDIDATES_MAX);
    int n = 0, rc;
    while ((rc = db_step(st)) == DB_ROW && n < PR_CANDIDATES_MAX) {
        v[n].warehouse_id = db_int(st, 0);
        v[n].kind = part_wh_kind_parse(db_text(st, 1));
        v[n].province = db_isnull(st, 2) ? NULL : arena_strdup(a, db_text(st, 2));
        v[n].outlet_id = db_int(st, 3);
        v[n].available = db_int(st, 4);
        n++;
    }
    db_done(st);
    if (rc < 0)
        return rc;
    *out = v;
    return n;
}

/* What supersedes a part: known for the requested part (its lookup read it), else
 * looked up. */
struct next_ctx {
    db_conn *c;
    int64_t id, next; /* next < 0: not known */
};
static int64_t db_next_part(void *arg, int64_t id)
{
    struct next_ctx *x = arg;
    if (id == x->id && x->next >= 0)
        return x->next;
    db_conn *c = x->c;
    db_stmt *st = db_prepare(c, "SELECT COALESCE(superseded_by, 0) FROM parts WHERE id = ?");
    if (!st)
        return 0;
    db_bind_int(st, 1, id);
    int64_t next = db_step(st) == DB_ROW ? db_int(st, 0) : 0;
    db_done(st);
    return next;
}

/* Where one line comes from. */
struct fill {
    int64_t part, wh;
    int status, promise_days;
};

/* Choose and reserve: the requested part, else down its supersession chain, the first
 * with a warehouse the fill order allows; backordered (on the newest part of the chain)
 * when none has. 0 or a db code. */
static int fill_line(db_conn *c, arena *a, int64_t requested, int64_t next, int64_t outlet,
                     const char *province, int64_t qty, int64_t now, struct fill *f)
{
    int64_t chain[PART_CHAIN_MAX];
    struct next_ctx x = {c, requested, next};
    int n = part_chain(db_next_part, &x, requested, chain, PART_CHAIN_MAX);
    if (n <= 0) { /* a cycle cannot be stored; a broken chain fills the part itself */
        chain[0] = requested;
        n = 1;
    }
    for (int i = 0; i < n; i++) {
        for (int attempt = 0; attempt < 5; attempt++) {
            struct part_candidate *cand = NULL;
            int k = candidates(c, a, chain[i], outlet, province, qty, &cand);
            if (k < 0)
                return k;
            struct part_fill pf = part_fill_choose(cand, (size_t)k, outlet, province, qty);
            if (pf.index < 0)
                break;
            int rc = pl_apply(c, chain[i], cand[pf.index].warehouse_id, PD_RESERVE, qty, now);
            if (rc == PL_SHORT)
                continue; /* taken meanwhile (PostgreSQL): look again */
            if (rc != 0)
                return rc;
            *f = (struct fill){chain[i], cand[pf.index].warehouse_id, pf.status, pf.promise_days};
            return 0;
        }
    }
    *f = (struct fill){chain[n - 1], 0, PLS_BACKORDERED, -1};
    return 0;
}

/* ---------------------------------------------------------------- POST part-requests */

struct pr_new {
    req *r;
    const char *repair_code;
    int n;
    const char *part[PR_LINES_MAX];
    int64_t qty[PR_LINES_MAX];
    /* out */
    int answer;        /* PN_* */
    const char *field, *why;
    char code[24];
    int64_t line_ids[PR_LINES_MAX];
};
enum { PN_NOT_FOUND = 1, PN_BAD, PN_STATE, PN_NO_OUTLET, PN_QUOTE };

int pr_fill_request(db_conn *c, arena *a, const struct repair_ref *ref, const char *actor,
                    int64_t now, int n, const int64_t *parts, const int64_t *next,
                    const int64_t *qty, char code[24], int64_t *line_ids)
{
    struct pt_wh own;
    int k = pt_outlet_wh(c, ref->outlet_id, now, &own);
    if (k != 0)
        return k < 0 ? k : DB_ERROR;
    char province[7] = "";
    db_stmt *st = db_prepare(c, "SELECT region FROM outlets WHERE id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, ref->outlet_id);
    if ((k = db_step(st)) == DB_ROW && part_province_of(db_text(st, 0), province) < 0)
        province[0] = '\0';
    db_done(st);
    if (k < 0)
        return k;
    if ((k = code_next(c, "part_request", "PR", 8, code, 24)) < 0)
        return k;
    st = db_prepare(c, "INSERT INTO part_requests (code, repair_id, outlet_id, actor, created_at)"
                       " VALUES (?, ?, ?, ?, ?) RETURNING id");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, code);
    db_bind_int(st, 2, ref->id);
    db_bind_int(st, 3, ref->outlet_id);
    db_bind_text(st, 4, actor);
    db_bind_int(st, 5, now);
    k = db_step(st);
    int64_t rid = k == DB_ROW ? db_int(st, 0) : 0;
    db_done(st);
    if (k != DB_ROW)
        return k < 0 ? k : DB_ERROR;
    const struct dt_zone *z = org_zone(c);
    for (int i = 0; i < n; i++) {
        struct fill f;
        if ((k = fill_line(c, a, parts[i], next ? next[i] : -1, ref->outlet_id,
                           *province ? province : NULL, qty[i], now, &f)) != 0)
            return k;
        char promise[11] = "";
        if (f.promise_days >= 0)
            part_promise_date(z, now, f.promise_days, promise);
        const char *status = part_line_status_name((enum part_line_status)f.status);
        st = db_prepare(c, "INSERT INTO part_request_lines (request_id, line_no, repair_id,"
                           " outlet_id, requested_part_id, part_id, qty, status, first_status,"
                           " warehouse_id, promise_date, created_at)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
        if (!st)
            return DB_ERROR;
        db_bind_int(st, 1, rid);
        db_bind_int(st, 2, i + 1);
        db_bind_int(st, 3, ref->id);
        db_bind_int(st, 4, ref->outlet_id);
        db_bind_int(st, 5, parts[i]);
        db_bind_int(st, 6, f.part);
        db_bind_int(st, 7, qty[i]);
        db_bind_text(st, 8, status);
        db_bind_text(st, 9, status);
        if (f.wh)
            db_bind_int(st, 10, f.wh);
        else
            db_bind_null(st, 10);
        db_bind_text(st, 11, *promise ? promise : NULL);
        db_bind_int(st, 12, now);
        k = db_step(st);
        line_ids[i] = k == DB_ROW ? db_int(st, 0) : 0;
        db_done(st);
        if (k != DB_ROW)
            return k < 0 ? k : DB_ERROR;
        if (f.wh) {
            struct pl_move m = {.kind = "reserve", .part = f.part, .qty = qty[i], .from = f.wh,
                                .repair = ref->id, .line = line_ids[i], .actor = actor,
                                .at = now};
            if ((k = pl_move_add(c, &m, NULL)) != 0)
                return k;
        }
    }
    return 0;
}

static int pr_new_tx(db_conn *c, void *arg)
{
    struct pr_new *q = arg;
    req *r = q->r;
    struct repair_ref ref;
    int k = repairs_ref(c, q->repair_code, scope_outlet(r), &ref);
    if (k < 0)
        return k;
    if (k == 1)
        return PN_NOT_FOUND;
    if (repair_skips_quote((enum repair_status)ref.status, RS_WAITING_PARTS, ref.in_warranty)) {
        q->why = repairs_quote_first_msg(r->a, q->repair_code);
        return PN_QUOTE;
    }
    if (!repairs_can_wait_for_parts(&ref, r->who.role)) {
        q->why = arena_printf(r->a, "a repair in status %s cannot wait for parts",
                              repair_status_name((enum repair_status)ref.status));
        return PN_STATE;
    }
    if (!ref.outlet_id)
        return PN_NO_OUTLET;
    int64_t ids[PR_LINES_MAX], next[PR_LINES_MAX];
    for (int i = 0; i < q->n; i++) {
        struct pt_part p;
        if ((k = pt_part_find(c, q->part[i], &p)) < 0)
            return k;
        if (k == 1) {
            q->field = arena_printf(r->a, "lines[%d].part", i);
            q->why = "unknown part";
            return PN_BAD;
        }
        ids[i] = p.id;
        next[i] = p.superseded_by;
    }
    const char *actor = audit_actor(r);
    int64_t now = now_unix();
    if ((k = pr_fill_request(c, r->a, &ref, actor, now, q->n, ids, next, q->qty, q->code,
                             q->line_ids)) != 0)
        return k;
    if ((k = repairs_wait_for_parts(c, &ref, actor, now)) != 0)
        return k < 0 ? k : PN_STATE;
    json_t *detail = json_pack("{s:s, s:i}", "repair", q->repair_code, "lines", q->n);
    k = audit_write(c, actor, "create", "part_request", q->code, detail);
    json_decref(detail);
    return k < 0 ? k : 0;
}

int pt_lines_read(jsonv *v, json_t *body, arena *a, int max, const char **part, int64_t *qty)
{
    json_t *lines = json_object_get(body, "lines");
    if (!lines) {
        jsonv_fail(v, "lines", "required");
        return 0;
    }
    if (!json_is_array(lines) || json_array_size(lines) == 0 ||
        json_array_size(lines) > (size_t)max) {
        jsonv_fail(v, "lines", arena_printf(a, "must be a list of 1 to %d lines {part, qty}", max));
        return 0;
    }
    size_t i;
    json_t *l;
    json_array_foreach(lines, i, l) {
        char *f = arena_printf(a, "lines[%zu]", i);
        if (!json_is_object(l)) {
            jsonv_fail(v, f, "must be an object {part, qty}");
            continue;
        }
        jsonv lv;
        jsonv_init(&lv, l);
        static const char *const line_allowed[] = {"part", "qty", NULL};
        jsonv_only(&lv, line_allowed);
        const char *pn = jsonv_str(&lv, "part", 1, 40);
        long long q = 0;
        jsonv_int_range(&lv, "qty", 1, 1, PART_QTY_MAX, &q);
        if (pn && !code_ok(pn, 40))
            jsonv_fail(&lv, "part", "1-40 letters, digits or - _ . /");
        const char *key;
        json_t *why;
        json_object_foreach(lv.fields, key, why)
            jsonv_fail(v, arena_printf(a, "%s.%s", f, key), json_string_value(why));
        jsonv_free(&lv);
        part[i] = pn ? code_upper(a, pn) : NULL;
        qty[i] = (int64_t)q;
    }
    return (int)json_array_size(lines);
}

/* Read {"lines":[{"part","qty"}]} into q; errors go to v. */
static void pr_read(jsonv *v, json_t *body, struct pr_new *q, arena *a)
{
    static const char *const allowed[] = {"lines", NULL};
    jsonv_only(v, allowed);
    q->n = pt_lines_read(v, body, a, PR_LINES_MAX, q->part, q->qty);
}

/* The request's answer: {"code","repair","lines":[...]} with the contract's line fields
 * (and each line's code). */
static json_t *pr_answer(db_conn *c, const char *code, const char *repair)
{
    json_t *lines = NULL;
    if (request_lines_json(c, code, &lines) != 0)
        return NULL;
    return json_pack("{s:s, s:s, s:o}", "code", code, "repair", repair, "lines", lines);
}

/* POST /api/v1/repairs/:code/part-requests */
int requests_create(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv v;
    jsonv_init(&v, body);
    struct pr_new q = {.r = r, .repair_code = req_param(r, "code")};
    if (!json_is_object(body))
        jsonv_fail(&v, "body", "must be an object");
    else
        pr_read(&v, body, &q, r->a);
    int rc;
    if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed", "the part request is not valid",
                         jsonv_take(&v));
    } else {
        db_conn *c = req_db(r);
        rc = in_tx(c, pr_new_tx, &q);
        switch (rc) {
        case 0: {
            json_t *j = pr_answer(c, q.code, q.repair_code);
            rc = j ? reply_json(r, 201, j) : -1;
            break;
        }
        case PN_NOT_FOUND:
            rc = reply_not_found(r, "repair");
            break;
        case PN_BAD:
            rc = reply_error(r, 422, "validation_failed", q.why, json_pack("{s:s}", q.field, q.why));
            break;
        case PN_STATE:
            rc = reply_error(r, 409, "illegal_transition", q.why, NULL);
            break;
        case PN_QUOTE:
            rc = reply_error(r, 409, "quote_not_approved", q.why, NULL);
            break;
        case PN_NO_OUTLET:
            rc = reply_error(r, 409, "conflict", "the repair has no outlet to send parts to", NULL);
            break;
        default:
            rc = reply_db_failure(r, rc, "part request");
        }
    }
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

/* GET /api/v1/repairs/:code/part-requests: every request of the repair with its lines,
 * and parts_ready (every line received, issued or cancelled). */
int requests_list(req *r)
{
    db_conn *c = req_db(r);
    struct repair_ref ref;
    const char *code = req_param(r, "code");
    int k = repairs_ref(c, code, scope_outlet(r), &ref);
    if (k < 0)
        return reply_db_failure(r, k, "load repair");
    if (k == 1)
        return reply_not_found(r, "repair");
    db_stmt *st = db_prepare(c, "SELECT q.id, q.code, q.actor, q.created_at, l.id"
                                " FROM part_requests q JOIN part_request_lines l"
                                " ON l.request_id = q.id WHERE q.repair_id = ?"
                                " ORDER BY q.id, l.line_no LIMIT 2000");
    if (!st)
        return -1;
    db_bind_int(st, 1, ref.id);
    json_t *items = json_array(), *cur = NULL, *ids = json_array();
    int64_t last = 0;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (db_int(st, 0) != last) {
            last = db_int(st, 0);
            cur = json_pack("{s:s, s:s, s:o, s:[]}", "code", db_text(st, 1), "actor",
                            db_text(st, 2), "created_at", dt_json(db_int(st, 3)), "lines");
            json_array_append_new(items, cur);
        }
        json_array_append_new(ids, json_pack("[I, I]", (json_int_t)(json_array_size(items) - 1),
                                             (json_int_t)db_int(st, 4)));
    }
    db_done(st);
    int ready = 1;
    size_t i;
    json_t *pair;
    json_array_foreach(ids, i, pair) {
        json_t *j = NULL;
        if (rc < 0 || pr_line_json(c, json_integer_value(json_array_get(pair, 1)), 1, &j) != 0) {
            rc = DB_ERROR;
            break;
        }
        const char *s = json_string_value(json_object_get(j, "status"));
        if (strcmp(s, "received") && strcmp(s, "issued") && strcmp(s, "cancelled"))
            ready = 0;
        json_array_append_new(
            json_object_get(json_array_get(items, (size_t)json_integer_value(json_array_get(pair, 0))),
                            "lines"),
            j);
    }
    json_decref(ids);
    if (rc < 0) {
        json_decref(items);
        return -1;
    }
    return reply_json(r, 200, json_pack("{s:o, s:n, s:s, s:b}", "items", items, "next_cursor",
                                        "repair", code, "parts_ready",
                                        ready && json_array_size(items) > 0));
}
