/* prices: the price guide over HTTP: the lists of labour prices and of caps (also as
 * CSV/XLSX downloads) and setting one price or cap, checked against the caps. */
#include "base/audit.h"
#include "base/jsonv.h"
#include "features/common/common.h"
#include "features/prices/internal.h"

#include <string.h>

/* ---------------------------------------------------------------- lists */

/* The tightest cap over a price row's region: its own, its city's, province's or the
 * national one (for 000000 and province codes the substr forms repeat a region). */
#define EFFECTIVE_CAP                                                                              \
    "(SELECT MIN(k.cap_fen) FROM labour_caps k WHERE k.product_line_id = x.product_line_id"        \
    " AND k.level = x.level AND k.region IN (x.region, substr(x.region, 1, 4) || '00',"            \
    " substr(x.region, 1, 2) || '0000', '000000'))"

/* Columns: p.code, level, region, region name, fen, effective cap (prices) or NULL,
 * version, updated_at, updated_by. */
static const char *list_sql(int caps)
{
    return caps ? "SELECT p.code, x.level, x.region, g.name, x.cap_fen, NULL, x.version,"
                  " x.updated_at, x.updated_by FROM labour_caps x"
                  " JOIN product_lines p ON p.id = x.product_line_id"
                  " LEFT JOIN regions g ON g.code = x.region"
                  " WHERE (CAST(? AS TEXT) IS NULL OR p.code = ?)"
                  " AND (CAST(? AS TEXT) IS NULL OR x.level = ?)"
                  " AND substr(x.region, 1, CAST(? AS INTEGER)) = ?"
                  " AND (CAST(? AS TEXT) IS NULL OR (p.code, x.level, x.region) > (?, ?, ?))"
                  " ORDER BY p.code, x.level, x.region LIMIT ?"
                : "SELECT p.code, x.level, x.region, g.name, x.labour_fen, " EFFECTIVE_CAP ","
                  " x.version, x.updated_at, x.updated_by FROM labour_prices x"
                  " JOIN product_lines p ON p.id = x.product_line_id"
                  " LEFT JOIN regions g ON g.code = x.region"
                  " WHERE (CAST(? AS TEXT) IS NULL OR p.code = ?)"
                  " AND (CAST(? AS TEXT) IS NULL OR x.level = ?)"
                  " AND substr(x.region, 1, CAST(? AS INTEGER)) = ?"
                  " AND (CAST(? AS TEXT) IS NULL OR (p.code, x.level, x.region) > (?, ?, ?))"
                  " ORDER BY p.code, x.level, x.region LIMIT ?";
}

static json_t *row_json(db_stmt *st, int caps)
{
    json_t *j =
        json_pack("{s:s, s:s, s:s, s:s?, s:I, s:I, s:o, s:s}", "product_line", db_text(st, 0),
                  "level", db_text(st, 1), "region", db_text(st, 2), "region_name",
                  db_isnull(st, 3) ? NULL : db_text(st, 3), caps ? "cap_fen" : "labour_fen",
                  (json_int_t)db_int(st, 4), "version", (json_int_t)db_int(st, 6), "updated_at",
                  dt_json(db_int(st, 7)), "updated_by", db_text(st, 8));
    if (strcmp(db_text(st, 2), PRICE_NATIONAL) == 0)
        json_object_set_new(j, "region_name", json_string("全国"));
    if (!caps)
        json_object_set_new(
            j, "cap_fen", db_isnull(st, 5) ? json_null() : json_integer((json_int_t)db_int(st, 5)));
    return j;
}

/* One page of prices (caps = 0) or caps, filtered by ?product_line=, ?level= and
 * ?region= (that region and the regions inside it). */
static int guide_page(req *r, const struct page *p, json_t *items, const char **next, int caps)
{
    const char *line = req_query(r, "product_line"), *level = req_query(r, "level");
    const char *region = req_query(r, "region");
    if (line && !*line)
        line = NULL;
    if (level && !*level)
        level = NULL;
    if (region && !*region)
        region = NULL;
    if (level && !price_level_ok(level))
        return reply_bad_param(r, "level", "one of A, B, C, D"), LIST_ANSWERED;
    if (region && !price_region_ok(region))
        return reply_bad_param(r, "region", "a six-digit GB/T 2260 code or 000000"), LIST_ANSWERED;
    int len = region ? price_region_prefix(region) : 0;
    const char *prefix = arena_printf(r->a, "%.*s", len, region ? region : "");
    db_stmt *st = db_prepare(req_db(r), list_sql(caps));
    if (!st)
        return -1;
    const char *after = p->nkeys == 3 ? p->key[0] : NULL;
    db_bind_text(st, 1, line);
    db_bind_text(st, 2, line);
    db_bind_text(st, 3, level);
    db_bind_text(st, 4, level);
    db_bind_int(st, 5, len);
    db_bind_text(st, 6, prefix);
    db_bind_text(st, 7, after);
    db_bind_text(st, 8, after ? p->key[0] : "");
    db_bind_text(st, 9, after ? p->key[1] : "");
    db_bind_text(st, 10, after ? p->key[2] : "");
    db_bind_int(st, 11, p->limit + 1);
    int rc;
    long n = 0;
    const char *last[3] = {NULL, NULL, NULL};
    while ((rc = db_step(st)) == DB_ROW) {
        if (n == p->limit) {
            *next = page_cursor(r->a, 3, last);
            break;
        }
        json_array_append_new(items, row_json(st, caps));
        for (int i = 0; i < 3; i++)
            last[i] = arena_strdup(r->a, db_text(st, i));
        n++;
    }
    db_done(st);
    return rc < 0 ? -1 : 0;
}

static int prices_page(req *r, const struct page *p, json_t *items, const char **next)
{
    return guide_page(r, p, items, next, 0);
}

static int caps_page(req *r, const struct page *p, json_t *items, const char **next)
{
    return guide_page(r, p, items, next, 1);
}

/* The downloads' columns: those of the imports, so a download imports again. */
static const struct table_col price_cols[] = {
    {"product_line", NULL, TABLE_TEXT, 12, 0},
    {"level", NULL, TABLE_TEXT, 6, 0},
    {"region", NULL, TABLE_TEXT, 10, 0},
    {"labour_fen", NULL, TABLE_INT, 12, 0},
};
static const struct table_col cap_cols[] = {
    {"product_line", NULL, TABLE_TEXT, 12, 0},
    {"level", NULL, TABLE_TEXT, 6, 0},
    {"region", NULL, TABLE_TEXT, 10, 0},
    {"cap_fen", NULL, TABLE_INT, 12, 0},
};

/* GET /api/v1/prices */
int pr_prices_list(req *r)
{
    static const struct list_spec spec = {
        .name = "prices",
        .cols = price_cols,
        .ncols = 4,
        .def_limit = 100,
        .max_limit = 1000,
        .nkeys = 3,
        .page = prices_page,
    };
    return list_reply(r, &spec);
}

/* GET /api/v1/price-caps */
int pr_caps_list(req *r)
{
    static const struct list_spec spec = {
        .name = "price-caps",
        .cols = cap_cols,
        .ncols = 4,
        .def_limit = 100,
        .max_limit = 1000,
        .nkeys = 3,
        .page = caps_page,
    };
    return list_reply(r, &spec);
}

/* ---------------------------------------------------------------- setting one */

/* The row just stored, as the list shows it. */
static json_t *load_one(req *r, int caps, const char *line, const char *level, const char *region)
{
    db_stmt *st = db_prepare(req_db(r), list_sql(caps));
    if (!st)
        return NULL;
    db_bind_text(st, 1, line);
    db_bind_text(st, 2, line);
    db_bind_text(st, 3, level);
    db_bind_text(st, 4, level);
    db_bind_int(st, 5, 6); /* exactly this region, no cursor */
    db_bind_text(st, 6, region);
    db_bind_text(st, 7, NULL);
    db_bind_text(st, 8, "");
    db_bind_text(st, 9, "");
    db_bind_text(st, 10, "");
    db_bind_int(st, 11, 1);
    json_t *j = db_step(st) == DB_ROW ? row_json(st, caps) : NULL;
    db_done(st);
    return j;
}

struct put_tx {
    req *r;
    struct pr_put p;
    struct price_entry broken;
    int created, unknown_line;
};

static int put_in_tx(db_conn *c, void *arg)
{
    struct put_tx *t = arg;
    int k = lookup_id(c, "SELECT id FROM product_lines WHERE code = ?", t->p.line, &t->p.line_id);
    if (k == 1)
        t->unknown_line = 1;
    if (k != 0)
        return k;
    return pr_put(c, t->r->a, &t->p, &t->broken, &t->created);
}

/* POST /api/v1/prices and /api/v1/price-caps: one price or cap, created or replaced. */
static int guide_put(req *r, int caps)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    static const char *const allowed_p[] = {"product_line", "level", "region", "labour_fen", NULL};
    static const char *const allowed_c[] = {"product_line", "level", "region", "cap_fen", NULL};
    static const char *const levels[] = {"A", "B", "C", "D", NULL};
    const char *fen_field = caps ? "cap_fen" : "labour_fen";
    jsonv v;
    jsonv_init(&v, body);
    jsonv_only(&v, caps ? allowed_c : allowed_p);
    struct put_tx t = {.r = r};
    t.p.caps = caps;
    t.p.line = jsonv_str(&v, "product_line", 1, 32);
    t.p.level = jsonv_enum(&v, "level", 1, levels);
    t.p.region = jsonv_str(&v, "region", 1, 6);
    jsonv_fen(&v, fen_field, 1, 100000000, &t.p.fen);
    if (t.p.region && !price_region_ok(t.p.region))
        jsonv_fail(&v, "region", "a six-digit GB/T 2260 code or 000000");
    if (jsonv_ok(&v) && t.p.fen <= 0)
        jsonv_fail(&v, fen_field, "must be more than 0");
    t.p.actor = audit_actor(r);
    t.p.now = now_unix();
    int rc;
    if (jsonv_ok(&v)) {
        int known = pr_region_known(req_db(r), t.p.region);
        if (known < 0) {
            rc = reply_db_failure(r, known, "price region");
            goto done;
        }
        if (!known)
            jsonv_fail(&v, "region", "not a region of the official division list");
    }
    if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed",
                         caps ? "the cap is not valid" : "the price is not valid", jsonv_take(&v));
        goto done;
    }
    rc = in_tx(req_db(r), put_in_tx, &t);
    if (t.unknown_line) {
        rc = reply_error(r, 422, "validation_failed", "unknown product line",
                         json_pack("{s:s}", "product_line", "no such product line"));
    } else if (rc == PR_BROKEN && !caps) {
        rc = reply_error(r, 422, "above_cap",
                         arena_printf(r->a, "%s yuan is above the cap of %s yuan for region %s",
                                      pr_yuan(r->a, t.p.fen), pr_yuan(r->a, t.broken.fen),
                                      t.broken.region),
                         json_pack("{s:s}", "labour_fen",
                                   arena_printf(r->a, "above the cap %lld of region %s",
                                                (long long)t.broken.fen, t.broken.region)));
    } else if (rc == PR_BROKEN) {
        rc = reply_error(r, 422, "below_price",
                         arena_printf(r->a,
                                      "the labour price of region %s is %s yuan, above this cap",
                                      t.broken.region, pr_yuan(r->a, t.broken.fen)),
                         json_pack("{s:s}", "cap_fen",
                                   arena_printf(r->a, "below the price %lld of region %s",
                                                (long long)t.broken.fen, t.broken.region)));
    } else if (rc == 0) {
        json_t *j = load_one(r, caps, t.p.line, t.p.level, t.p.region);
        rc = j ? reply_json(r, t.created ? 201 : 200, j) : -1;
    } else {
        rc = reply_db_failure(r, rc, caps ? "set price cap" : "set labour price");
    }
done:
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

int pr_prices_put(req *r)
{
    return guide_put(r, 0);
}

int pr_caps_put(req *r)
{
    return guide_put(r, 1);
}
