/* prices: the charges of one repair: the labour lookup, the quote of a paid repair
 * (labour of the most specific region enclosing the repair's outlet plus parts at catalog
 * price; the repair moves to quoted through the repairs capability), the cost of an
 * in-warranty repair, and the list of a repair's charges. */
#include "base/audit.h"
#include "base/jsonv.h"
#include "features/common/common.h"
#include "features/prices/internal.h"
#include "features/repairs/repairs.h"
#include "rules/repair_state.h"

#include <string.h>

#define MAX_LINES 50
#define MAX_QTY 999

/* The repair a charge is for, as the caller may see it. */
struct rep_ctx {
    int64_t id, outlet_id, line_id;
    int in_warranty; /* 1, 0, or -1 when not decided yet */
    const char *code, *status, *line, *region;
};

/* 0 with *x, 1 when not found (or another outlet's), or a negative db code. */
static int load_repair(req *r, db_conn *c, const char *code, struct rep_ctx *x)
{
    db_stmt *st = db_prepare(c, "SELECT r.id, r.status, r.in_warranty, r.product_line_id, p.code,"
                                " o.region, r.outlet_id FROM repairs r"
                                " LEFT JOIN product_lines p ON p.id = r.product_line_id"
                                " LEFT JOIN outlets o ON o.id = r.outlet_id"
                                " WHERE r.code = ? AND (CAST(? AS BIGINT) = 0 OR r.outlet_id = ?)");
    if (!st)
        return DB_ERROR;
    int64_t scope = scope_outlet(r);
    db_bind_text(st, 1, code);
    db_bind_int(st, 2, scope);
    db_bind_int(st, 3, scope);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        x->id = db_int(st, 0);
        x->code = arena_strdup(r->a, code);
        x->status = arena_strdup(r->a, db_text(st, 1));
        x->in_warranty = db_isnull(st, 2) ? -1 : db_int(st, 2) != 0;
        x->line_id = db_isnull(st, 3) ? 0 : db_int(st, 3);
        x->line = db_isnull(st, 4) ? NULL : arena_strdup(r->a, db_text(st, 4));
        x->region = db_isnull(st, 5) ? NULL : arena_strdup(r->a, db_text(st, 5));
        x->outlet_id = db_isnull(st, 6) ? 0 : db_int(st, 6);
    }
    db_done(st);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? 1 : rc;
}

/* ---------------------------------------------------------------- the labour */

/* The labour of line/level for the repair's outlet region: 0 with *fen and *from (the
 * price's region), 1 when there is no price, or a db code. */
static int labour_for(req *r, db_conn *c, const struct rep_ctx *x, const char *level, int64_t *fen,
                      const char **from)
{
    struct price_entry *prices = NULL;
    size_t n = 0;
    int k = pr_load_chain(c, r->a, 0, x->line_id, level, x->region, &prices, &n);
    if (k < 0)
        return k;
    const struct price_entry *p = price_most_specific(prices, n, x->region);
    if (!p)
        return 1;
    *fen = p->fen;
    *from = arena_strdup(r->a, p->region);
    return 0;
}

/* Answer why the repair has nothing to price labour by (no product line, no outlet with
 * a region) and return 1, or 0 when it has. */
static int refuse_unpriceable(req *r, const struct rep_ctx *x)
{
    if (!x->line_id)
        return reply_error(r, 422, "no_product_line",
                           "the repair has no product line (no model), so it has no labour price",
                           NULL),
               1;
    if (!x->region || !price_region_ok(x->region))
        return reply_error(r, 422, "no_outlet",
                           "the repair has no outlet with a region, so it has no labour price",
                           NULL),
               1;
    return 0;
}

/* GET /api/v1/repairs/:code/labour: the labour of each level that has a price. */
int pr_repair_labour(req *r)
{
    db_conn *c = req_db(r);
    struct rep_ctx x = {0};
    int k = load_repair(r, c, req_param(r, "code"), &x);
    if (k < 0)
        return reply_db_failure(r, k, "repair labour");
    if (k == 1)
        return reply_not_found(r, "repair");
    if (refuse_unpriceable(r, &x))
        return 0;
    json_t *levels = json_array();
    static const char *const all[] = {"A", "B", "C", "D"};
    for (size_t i = 0; i < 4; i++) {
        int64_t fen = 0;
        const char *from = NULL;
        if ((k = labour_for(r, c, &x, all[i], &fen, &from)) < 0) {
            json_decref(levels);
            return reply_db_failure(r, k, "repair labour");
        }
        if (k == 0)
            json_array_append_new(levels,
                                  json_pack("{s:s, s:I, s:s}", "level", all[i], "labour_fen",
                                            (json_int_t)fen, "price_region", from));
    }
    return reply_json(r, 200,
                      json_pack("{s:s, s:s, s:s, s:o, s:o}", "repair", x.code, "product_line",
                                x.line, "region", x.region, "in_warranty",
                                x.in_warranty < 0 ? json_null() : json_boolean(x.in_warranty),
                                "levels", levels));
}

/* ---------------------------------------------------------------- a charge */

struct line_in {
    const char *part;
    int64_t qty, unit_fen;
};
struct charge {
    const char *level, *price_region;
    struct line_in *lines;
    size_t n;
    int64_t labour_fen, parts_fen, total_fen;
};

/* Read {"level","parts":[{"part","qty"}]} into ch; the errors go to v. */
static void read_charge(req *r, jsonv *v, json_t *body, struct charge *ch)
{
    static const char *const allowed[] = {"level", "parts", NULL};
    static const char *const levels[] = {"A", "B", "C", "D", NULL};
    jsonv_only(v, allowed);
    ch->level = jsonv_enum(v, "level", 1, levels);
    json_t *parts = json_object_get(body, "parts");
    if (!parts || json_is_null(parts))
        return;
    if (!json_is_array(parts)) {
        jsonv_fail(v, "parts", "must be a list of {\"part\", \"qty\"}");
        return;
    }
    if (json_array_size(parts) > MAX_LINES) {
        jsonv_fail(v, "parts", "at most 50 lines");
        return;
    }
    ch->n = json_array_size(parts);
    ch->lines = arena_alloc(r->a, sizeof *ch->lines * (ch->n ? ch->n : 1));
    for (size_t i = 0; i < ch->n; i++) {
        json_t *l = json_array_get(parts, i);
        const char *f_part = arena_printf(r->a, "parts[%zu].part", i);
        const char *f_qty = arena_printf(r->a, "parts[%zu].qty", i);
        if (!json_is_object(l)) {
            jsonv_fail(v, arena_printf(r->a, "parts[%zu]", i), "must be {\"part\", \"qty\"}");
            continue;
        }
        const char *key;
        json_t *val;
        json_object_foreach(l, key, val) if (strcmp(key, "part") != 0 && strcmp(key, "qty") != 0)
            jsonv_fail(v, arena_printf(r->a, "parts[%zu].%s", i, key), "unknown field");
        json_t *part = json_object_get(l, "part"), *qty = json_object_get(l, "qty");
        if (!json_is_string(part) || json_string_length(part) == 0 || json_string_length(part) > 64)
            jsonv_fail(v, f_part, "required: a part number of 1 to 64 bytes");
        else
            ch->lines[i].part = json_string_value(part);
        if (!json_is_integer(qty) || json_integer_value(qty) < 1 ||
            json_integer_value(qty) > MAX_QTY)
            jsonv_fail(v, f_qty, "required: a whole number from 1 to 999");
        else
            ch->lines[i].qty = (int64_t)json_integer_value(qty);
    }
}

/* Price ch for repair x: the labour and each part at catalog price. 0 when priced, 1
 * after answering why not (422), or a db code. */
static int price_charge(req *r, db_conn *c, const struct rep_ctx *x, struct charge *ch)
{
    if (refuse_unpriceable(r, x))
        return 1;
    int k = labour_for(r, c, x, ch->level, &ch->labour_fen, &ch->price_region);
    if (k < 0)
        return k;
    if (k == 1)
        return reply_error(r, 422, "no_price",
                           arena_printf(r->a,
                                        "no labour price for product line %s, level %s in"
                                        " region %s or a region enclosing it",
                                        x->line, ch->level, x->region),
                           json_pack("{s:s}", "level", "no labour price for this level")),
               1;
    json_t *unknown = json_object();
    ch->parts_fen = 0;
    for (size_t i = 0; i < ch->n; i++) {
        db_stmt *st =
            db_prepare(c, "SELECT number, price_fen FROM parts WHERE number = ?"
                          " OR number = upper(CAST(? AS TEXT)) ORDER BY number = ? DESC LIMIT 1");
        if (!st) {
            json_decref(unknown);
            return DB_ERROR;
        }
        db_bind_text(st, 1, ch->lines[i].part);
        db_bind_text(st, 2, ch->lines[i].part);
        db_bind_text(st, 3, ch->lines[i].part);
        int rc = db_step(st);
        if (rc == DB_ROW) {
            ch->lines[i].part = arena_strdup(r->a, db_text(st, 0));
            ch->lines[i].unit_fen = db_int(st, 1);
            ch->parts_fen += ch->lines[i].qty * ch->lines[i].unit_fen;
        } else if (rc == DB_DONE) {
            json_object_set_new(unknown, arena_printf(r->a, "parts[%zu].part", i),
                                json_string("no such part in the catalog"));
        }
        db_done(st);
        if (rc < 0) {
            json_decref(unknown);
            return rc;
        }
    }
    if (json_object_size(unknown))
        return reply_error(r, 422, "unknown_part", "a part is not in the catalog", unknown), 1;
    json_decref(unknown);
    ch->total_fen = ch->labour_fen + ch->parts_fen;
    return 0;
}

/* Store ch as a charge of kind on repair x (a warranty cost replaces the previous one),
 * audited. 0 or a db code. */
static int store_charge(req *r, db_conn *c, const struct rep_ctx *x, const struct charge *ch,
                        const char *kind)
{
    int64_t e;
    if (strcmp(kind, "warranty") == 0) {
        const char *old = "SELECT id FROM repair_charges WHERE repair_id = ? AND kind = 'warranty'";
        if ((e = db_exec(
                 c,
                 arena_printf(r->a, "DELETE FROM repair_charge_lines WHERE charge_id IN (%s)", old),
                 "i", x->id)) < 0 ||
            (e = db_exec(c, "DELETE FROM repair_charges WHERE repair_id = ? AND kind = 'warranty'",
                         "i", x->id)) < 0)
            return (int)e;
    }
    db_stmt *st = db_prepare(c, "INSERT INTO repair_charges (repair_id, kind, level, outlet_id,"
                                " product_line_id, price_region, labour_fen, parts_fen, total_fen,"
                                " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                                " RETURNING id");
    if (!st)
        return DB_ERROR;
    int64_t now = now_unix();
    db_bind_int(st, 1, x->id);
    db_bind_text(st, 2, kind);
    db_bind_text(st, 3, ch->level);
    if (x->outlet_id)
        db_bind_int(st, 4, x->outlet_id);
    else
        db_bind_null(st, 4);
    db_bind_int(st, 5, x->line_id);
    db_bind_text(st, 6, ch->price_region);
    db_bind_int(st, 7, ch->labour_fen);
    db_bind_int(st, 8, ch->parts_fen);
    db_bind_int(st, 9, ch->total_fen);
    db_bind_text(st, 10, audit_actor(r));
    db_bind_int(st, 11, now);
    int rc = db_step(st);
    int64_t id = rc == DB_ROW ? db_int(st, 0) : 0;
    db_done(st);
    if (rc != DB_ROW)
        return rc < 0 ? rc : DB_ERROR;
    for (size_t i = 0; i < ch->n; i++)
        if ((e = db_exec(c,
                         "INSERT INTO repair_charge_lines (charge_id, line_no, part_number, qty,"
                         " unit_fen) VALUES (?, ?, ?, ?, ?)",
                         "iitii", id, (int64_t)i + 1, ch->lines[i].part, ch->lines[i].qty,
                         ch->lines[i].unit_fen)) < 0)
            return (int)e;
    json_t *detail = json_pack("{s:s, s:s, s:I, s:I, s:I}", "kind", kind, "level", ch->level,
                               "labour_fen", (json_int_t)ch->labour_fen, "parts_fen",
                               (json_int_t)ch->parts_fen, "total_fen", (json_int_t)ch->total_fen);
    int aw = audit_write(c, audit_actor(r), strcmp(kind, "quote") == 0 ? "quote" : "warranty_cost",
                         "repair", x->code, detail);
    json_decref(detail);
    return aw < 0 ? DB_ERROR : 0;
}

/* The charges of repair id, oldest first (lines included). NULL on a db error. */
static json_t *charges_json(db_conn *c, int64_t id)
{
    db_stmt *st = db_prepare(c, "SELECT id, kind, level, price_region, labour_fen, parts_fen,"
                                " total_fen, currency, created_by, created_at, decision,"
                                " decided_by, decided_at FROM repair_charges WHERE repair_id = ?"
                                " ORDER BY id");
    if (!st)
        return NULL;
    db_bind_int(st, 1, id);
    json_t *items = json_array();
    json_t *ids = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        json_array_append_new(
            items, json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:s, s:o, s:s?, s:s?, s:o, s:[]}",
                             "kind", db_text(st, 1), "level", db_text(st, 2), "price_region",
                             db_text(st, 3), "labour_fen", (json_int_t)db_int(st, 4), "parts_fen",
                             (json_int_t)db_int(st, 5), "total_fen", (json_int_t)db_int(st, 6),
                             "currency", db_text(st, 7), "created_by", db_text(st, 8), "created_at",
                             dt_json(db_int(st, 9)), "decision",
                             db_isnull(st, 10) ? NULL : db_text(st, 10), "decided_by",
                             db_isnull(st, 11) ? NULL : db_text(st, 11), "decided_at",
                             dt_json(db_isnull(st, 12) ? DT_NONE : db_int(st, 12)), "lines"));
        json_array_append_new(ids, json_integer((json_int_t)db_int(st, 0)));
    }
    db_done(st);
    for (size_t i = 0; rc == DB_DONE && i < json_array_size(ids); i++) {
        st = db_prepare(c, "SELECT part_number, qty, unit_fen FROM repair_charge_lines"
                           " WHERE charge_id = ? ORDER BY line_no");
        if (!st) {
            rc = DB_ERROR;
            break;
        }
        db_bind_int(st, 1, (int64_t)json_integer_value(json_array_get(ids, i)));
        json_t *lines = json_object_get(json_array_get(items, i), "lines");
        while ((rc = db_step(st)) == DB_ROW)
            json_array_append_new(lines, json_pack("{s:s, s:I, s:I, s:I}", "part", db_text(st, 0),
                                                   "qty", (json_int_t)db_int(st, 1), "unit_fen",
                                                   (json_int_t)db_int(st, 2), "amount_fen",
                                                   (json_int_t)(db_int(st, 1) * db_int(st, 2))));
        db_done(st);
    }
    json_decref(ids);
    if (rc != DB_DONE) {
        json_decref(items);
        return NULL;
    }
    return items;
}

/* The charge just stored (the repair's last), with the repair's code and status. */
static json_t *last_charge(db_conn *c, const struct rep_ctx *x, const char *status)
{
    json_t *all = charges_json(c, x->id);
    if (!all)
        return NULL;
    json_t *j = json_incref(json_array_get(all, json_array_size(all) - 1));
    json_decref(all);
    if (j)
        json_object_set_new(j, "repair",
                            json_pack("{s:s, s:s}", "code", x->code, "status", status));
    return j;
}

/* The quote (kind "quote") or warranty cost inside the open transaction: answered
 * (refusals too) or a negative value; *commit set when the caller commits and answers
 * *out with 201. */
static int make_charge(req *r, db_conn *c, struct charge *ch, int quote, json_t **out, int *commit)
{
    struct rep_ctx x = {0};
    int k = load_repair(r, c, req_param(r, "code"), &x);
    if (k < 0)
        return k;
    if (k == 1)
        return reply_not_found(r, "repair");
    if (quote && x.in_warranty == 1)
        return reply_error(r, 422, "in_warranty",
                           "the repair is covered by the warranty: it is not quoted (record its"
                           " cost with /warranty-cost)",
                           NULL);
    if (!quote && x.in_warranty != 1)
        return reply_error(r, 422, "not_in_warranty",
                           x.in_warranty < 0 ? "the repair is not received yet: warranty or paid is"
                                               " decided at receipt"
                                             : "the repair is paid: quote it instead",
                           NULL);
    if (!quote && strcmp(x.status, "cancelled") == 0)
        return reply_error(r, 409, "illegal_transition", "the repair is cancelled", NULL);
    int from = repair_status_parse(x.status);
    json_t *rep = NULL;
    if (quote && repair_transition_check((enum repair_status)from, RS_QUOTED, r->who.role, 1,
                                         NULL) != RS_OK) {
        /* refused as POST .../transitions refuses it (409 or 403), by the same code */
        k = repairs_step(r, c, x.code, "quoted", 1, NULL, &rep);
        json_decref(rep);
        return k == 1 ? 0 : -1;
    }
    if ((k = price_charge(r, c, &x, ch)) != 0)
        return k == 1 ? 0 : k;
    const char *status = x.status;
    if (quote) {
        k = repairs_step(r, c, x.code, "quoted", ch->total_fen, NULL, &rep);
        json_decref(rep);
        if (k != 0)
            return k == 1 ? 0 : -1;
        status = "quoted";
    }
    if ((k = store_charge(r, c, &x, ch, quote ? "quote" : "warranty")) < 0)
        return k;
    if (!(*out = last_charge(c, &x, status)))
        return DB_ERROR;
    *commit = 1;
    return 0;
}

static int charge_route(req *r, int quote)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv v;
    jsonv_init(&v, body);
    struct charge ch = {0};
    read_charge(r, &v, body, &ch);
    int rc;
    if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed",
                         quote ? "the quote is not valid" : "the warranty cost is not valid",
                         jsonv_take(&v));
    } else {
        db_conn *c = req_db(r);
        json_t *j = NULL;
        int commit = 0;
        if ((rc = db_begin(c)) < 0) {
            rc = reply_db_failure(r, rc, "charge");
        } else {
            rc = make_charge(r, c, &ch, quote, &j, &commit);
            if (commit && (rc = db_commit(c)) == 0) {
                rc = reply_json(r, 201, j);
            } else {
                db_rollback(c);
                json_decref(j);
                if (rc < 0)
                    rc = reply_db_failure(r, rc, quote ? "quote" : "warranty cost");
            }
        }
    }
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

/* POST /api/v1/repairs/:code/quote */
int pr_repair_quote(req *r)
{
    return charge_route(r, 1);
}

/* POST /api/v1/repairs/:code/warranty-cost */
int pr_repair_warranty_cost(req *r)
{
    return charge_route(r, 0);
}

/* GET /api/v1/repairs/:code/charges */
int pr_repair_charges(req *r)
{
    struct rep_ctx x = {0};
    int k = load_repair(r, req_db(r), req_param(r, "code"), &x);
    if (k < 0)
        return reply_db_failure(r, k, "repair charges");
    if (k == 1)
        return reply_not_found(r, "repair");
    json_t *items = charges_json(req_db(r), x.id);
    if (!items)
        return -1;
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

const char prices_decision_sql[] =
    "UPDATE repair_charges SET decision = (SELECT CASE r.status WHEN 'approved' THEN 'approved'"
    " ELSE 'declined' END FROM repairs r WHERE r.id = repair_charges.repair_id),"
    " decided_by = CAST(? AS TEXT), decided_at = CAST(? AS BIGINT)"
    " WHERE repair_id = ? AND kind = 'quote' AND decision IS NULL"
    " AND EXISTS (SELECT 1 FROM repairs r WHERE r.id = repair_charges.repair_id"
    " AND r.status IN ('approved', 'cancelled'))";
