/* prices: lookups and the one place a labour price or a cap is stored, with the cap
 * check of rules/prices in both directions. */
#include "base/audit.h"
#include "features/common/common.h"
#include "features/prices/internal.h"

#include <string.h>


int pr_region_known(db_conn *c, const char *region)
{
    if (strcmp(region, PRICE_NATIONAL) == 0)
        return 1;
    db_stmt *st = db_prepare(c, "SELECT 1 FROM regions WHERE code = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, region);
    int rc = db_step(st);
    db_done(st);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : rc;
}

int pr_load_chain(db_conn *c, arena *a, int caps, int64_t line_id, const char *level,
                  const char *region, struct price_entry **out, size_t *n)
{
    char chain[PRICE_CHAIN_MAX][7];
    int m = price_region_chain(region, chain);
    *out = arena_alloc(a, sizeof **out * PRICE_CHAIN_MAX);
    *n = 0;
    if (m == 0)
        return 0;
    db_stmt *st = db_prepare(
        c, caps ? "SELECT region, cap_fen FROM labour_caps WHERE product_line_id = ? AND level = ?"
                  " AND region IN (?, ?, ?, ?)"
                : "SELECT region, labour_fen FROM labour_prices WHERE product_line_id = ?"
                  " AND level = ? AND region IN (?, ?, ?, ?)");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, line_id);
    db_bind_text(st, 2, level);
    for (int i = 0; i < PRICE_CHAIN_MAX; i++) /* a shorter chain repeats its last region */
        db_bind_text(st, 3 + i, chain[i < m ? i : m - 1]);
    int rc;
    while ((rc = db_step(st)) == DB_ROW && *n < PRICE_CHAIN_MAX) {
        snprintf((*out)[*n].region, sizeof(*out)[*n].region, "%s", db_text(st, 0));
        (*out)[*n].fen = db_int(st, 1);
        (*n)++;
    }
    db_done(st);
    return rc < 0 ? rc : 0;
}

/* The highest price inside cap region p->region (itself included) above p->fen, into
 * *broken: 1 when there is one, 0 when none, or a db code. */
static int price_above_cap(db_conn *c, const struct pr_put *p, struct price_entry *broken)
{
    int len = price_region_prefix(p->region);
    db_stmt *st = db_prepare(c, "SELECT region, labour_fen FROM labour_prices"
                                " WHERE product_line_id = ? AND level = ?"
                                " AND substr(region, 1, CAST(? AS INTEGER)) = ? AND labour_fen > ?"
                                " ORDER BY labour_fen DESC, region LIMIT 1");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, p->line_id);
    db_bind_text(st, 2, p->level);
    db_bind_int(st, 3, len);
    char prefix[7];
    snprintf(prefix, sizeof prefix, "%.*s", len, p->region);
    db_bind_text(st, 4, prefix);
    db_bind_int(st, 5, p->fen);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        snprintf(broken->region, sizeof broken->region, "%s", db_text(st, 0));
        broken->fen = db_int(st, 1);
    }
    db_done(st);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : rc;
}

int pr_put(db_conn *c, arena *a, const struct pr_put *p, struct price_entry *broken, int *created)
{
    /* A price and a cap of one line checked at the same time by two writers must not both
     * pass: the product line's row lock orders them (SQLite writers are serial anyway). */
    int64_t e = db_exec(c, "UPDATE product_lines SET code = code WHERE id = ?", "i", p->line_id);
    if (e < 0)
        return (int)e;
    if (p->caps) {
        int k = price_above_cap(c, p, broken);
        if (k != 0)
            return k == 1 ? PR_BROKEN : k;
    } else {
        struct price_entry *caps = NULL;
        size_t n = 0;
        int k = pr_load_chain(c, a, 1, p->line_id, p->level, p->region, &caps, &n);
        if (k < 0)
            return k;
        const struct price_entry *b = price_cap_broken(caps, n, p->region, p->fen);
        if (b) {
            *broken = *b;
            return PR_BROKEN;
        }
    }
    const char *tbl = p->caps ? "labour_caps" : "labour_prices";
    const char *col = p->caps ? "cap_fen" : "labour_fen";
    db_stmt *st = db_prepare(c, arena_printf(a,
                                             "SELECT %s FROM %s WHERE product_line_id = ?"
                                             " AND level = ? AND region = ?",
                                             col, tbl));
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, p->line_id);
    db_bind_text(st, 2, p->level);
    db_bind_text(st, 3, p->region);
    int rc = db_step(st);
    int64_t old = rc == DB_ROW ? db_int(st, 0) : -1;
    db_done(st);
    if (rc < 0)
        return rc;
    *created = old < 0;
    if (old < 0)
        e = db_exec(c,
                    arena_printf(a,
                                 "INSERT INTO %s (product_line_id, level, region, %s,"
                                 " updated_by, created_at, updated_at)"
                                 " VALUES (?, ?, ?, ?, ?, ?, ?)",
                                 tbl, col),
                    "ittitii", p->line_id, p->level, p->region, p->fen, p->actor, p->now, p->now);
    else
        e = db_exec(c,
                    arena_printf(a,
                                 "UPDATE %s SET %s = ?, updated_by = ?, updated_at = ?,"
                                 " version = version + 1 WHERE product_line_id = ?"
                                 " AND level = ? AND region = ?",
                                 tbl, col),
                    "itiitt", p->fen, p->actor, p->now, p->line_id, p->level, p->region);
    if (e < 0)
        return (int)e;
    json_t *detail = json_pack("{s:s, s:s, s:s, s:I}", "product_line", p->line, "level", p->level,
                               "region", p->region, col, (json_int_t)p->fen);
    if (old >= 0)
        json_object_set_new(detail, "was", json_integer((json_int_t)old));
    int aw = audit_write(c, p->actor, old < 0 ? "create" : "update",
                         p->caps ? "price_cap" : "labour_price",
                         arena_printf(a, "%s/%s/%s", p->line, p->level, p->region), detail);
    json_decref(detail);
    return aw < 0 ? DB_ERROR : 0;
}

const char *pr_yuan(arena *a, int64_t fen)
{
    return arena_printf(a, "%s%lld.%02lld", fen < 0 ? "-" : "",
                        (long long)(fen < 0 ? -fen : fen) / 100,
                        (long long)(fen < 0 ? -fen : fen) % 100);
}
