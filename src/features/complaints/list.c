/* list: GET /api/v1/complaints, the queue sorted by time left (running clocks by their
 * next due time, then paused ones by business time left, then those without a clock),
 * filtered by status, severity and outlet, confined to an outlet's own for outlet staff;
 * CSV/XLSX too. */
#include "features/complaints/internal.h"

#include "base/arena.h"

#include <string.h>

json_t *cpl_row_json(db_stmt *st, const struct calendar *cal, int64_t now);

#define CPL_COLS                                                                               \
    "k.id, k.code, k.status, k.channel, k.text, k.category, k.severity, k.received_at,"        \
    " k.first_response_at, k.resolved_at, k.closed_at, k.resolution_note, k.first_response_due," \
    " k.resolution_due, k.first_response_left, k.resolution_left, k.clock_rank, k.version,"     \
    " cu.code, cu.name, rp.code, o.code, p.code, k.outlet_id, k.clock_key"
#define CPL_FROM                                                                               \
    " FROM complaints k JOIN customers cu ON cu.id = k.customer_id"                             \
    " LEFT JOIN repairs rp ON rp.id = k.repair_id LEFT JOIN outlets o ON o.id = k.outlet_id"    \
    " LEFT JOIN product_lines p ON p.id = k.product_line_id"

static const char *const statuses[] = {"received", "responded", "in_progress", "resolved", "closed", NULL};
static const char *const severities[] = {"low", "normal", "high", "critical", NULL};

static int page_fn(req *r, const struct page *p, json_t *items, const char **next)
{
    int ok = 1, sev_ok = 1;
    const char *status = query_one_of(r, "status", statuses, &ok);
    if (!ok) {
        reply_bad_param(r, "status", "one of received, responded, in_progress, resolved, closed");
        return LIST_ANSWERED;
    }
    const char *severity = query_one_of(r, "severity", severities, &sev_ok);
    if (!sev_ok) {
        reply_bad_param(r, "severity", "one of low, normal, high, critical");
        return LIST_ANSWERED;
    }
    db_conn *c = req_db(r);
    int64_t outlet = scope_outlet(r), asked = 0;
    const char *oc = req_query(r, "outlet");
    if (oc && *oc) {
        int rc = lookup_id(c, "SELECT id FROM outlets WHERE code = ?", oc, &asked);
        if (rc < 0)
            return -1;
        if (rc == 1) {
            reply_bad_param(r, "outlet", "the code of an outlet");
            return LIST_ANSWERED;
        }
    }
    int after = p->nkeys == 3;
    char sql[2048];
    snprintf(sql, sizeof sql, "SELECT " CPL_COLS CPL_FROM " WHERE 1 = 1%s%s%s%s%s"
             " ORDER BY k.clock_rank, k.clock_key, k.id LIMIT ?",
             status ? " AND k.status = ?" : "", severity ? " AND k.severity = ?" : "",
             outlet ? " AND k.outlet_id = ?" : "", asked ? " AND k.outlet_id = ?" : "",
             after ? " AND (k.clock_rank, k.clock_key, k.id) > (CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT))" : "");
    struct cpl_clock k;
    int rc = cpl_clock_open(c, &k);
    if (rc < 0)
        return -1;
    db_stmt *st = db_prepare(c, sql);
    if (!st) {
        cpl_clock_close(&k);
        return -1;
    }
    int n = 1;
    if (status)
        db_bind_text(st, n++, status);
    if (severity)
        db_bind_text(st, n++, severity);
    if (outlet)
        db_bind_int(st, n++, outlet);
    if (asked)
        db_bind_int(st, n++, asked);
    if (after)
        for (int i = 0; i < 3; i++)
            db_bind_int(st, n++, page_key_int(p, i));
    db_bind_int(st, n, p->limit + 1);
    long shown = 0;
    int64_t now = now_unix(), last[3] = {0};
    while ((rc = db_step(st)) == DB_ROW) {
        if (shown == p->limit) {
            const char *keys[3];
            for (int i = 0; i < 3; i++)
                keys[i] = arena_printf(r->a, "%lld", (long long)last[i]);
            *next = page_cursor(r->a, 3, keys);
            break;
        }
        json_array_append_new(items, cpl_row_json(st, &k.cal.cal, now));
        last[0] = db_int(st, 16);
        last[1] = db_int(st, 24);
        last[2] = db_int(st, 0);
        shown++;
    }
    db_done(st);
    cpl_clock_close(&k);
    return rc < 0 ? -1 : 0;
}

static const struct table_col cols[] = {
    {"code", NULL, TABLE_TEXT, 14, 0},
    {"status", NULL, TABLE_TEXT, 12, 0},
    {"customer", "customer.code", TABLE_TEXT, 12, 0},
    {"customer_name", "customer.name", TABLE_TEXT, 14, 0},
    {"repair", NULL, TABLE_TEXT, 14, 0},
    {"outlet", NULL, TABLE_TEXT, 9, 0},
    {"channel", NULL, TABLE_TEXT, 9, 0},
    {"category", NULL, TABLE_TEXT, 12, 0},
    {"severity", NULL, TABLE_TEXT, 9, 0},
    {"received_at", NULL, TABLE_TEXT, 26, 0},
    {"first_response_due", NULL, TABLE_TEXT, 26, 0},
    {"first_response_at", NULL, TABLE_TEXT, 26, 0},
    {"resolution_due", NULL, TABLE_TEXT, 26, 0},
    {"resolved_at", NULL, TABLE_TEXT, 26, 0},
    {"business_seconds_left", "clock.business_seconds_left", TABLE_INT, 12, 0},
    {"text", NULL, TABLE_TEXT, 40, 0},
};

static const struct list_spec spec = {
    "complaints", cols, (int)(sizeof cols / sizeof *cols), 50, 500, 3, page_fn,
};

int cpl_list(req *r)
{
    return list_reply(r, &spec);
}
