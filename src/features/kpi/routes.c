/* kpi: the request parameters shared by the KPI routes and the command line,
 * GET /api/v1/kpi/turnaround, and the KPI route table. */
#include "features/common/common.h"
#include "features/kpi/internal.h"
#include "rules/kpi.h"

#include <string.h>

/* The download's columns: rows are arrays in this order (see counts_row). */
static const struct table_col turnaround_cols[] = {
    {"group", NULL, TABLE_TEXT, 14, 0},
    {"name", NULL, TABLE_TEXT, 28, 0},
    {"completed", NULL, TABLE_INT, 12, 0},
    {"within_4d", NULL, TABLE_INT, 12, 0},
    {"rate_4d", NULL, TABLE_RATE, 10, 6},
    {"over_14d", NULL, TABLE_INT, 10, 0},
    {"rate_over_14d", NULL, TABLE_RATE, 14, 6},
    {"open_over_14d", NULL, TABLE_INT, 14, 0},
    {"rr90", NULL, TABLE_INT, 8, 0},
    {"rate_rr90", NULL, TABLE_RATE, 10, 6},
    {"with_serial", NULL, TABLE_INT, 12, 0},
    {"fill_rate", NULL, TABLE_RATE, 10, 6},
    {"part_lines", NULL, TABLE_INT, 11, 0},
    {"parts_lead_time_h", NULL, TABLE_NUM, 17, 3},
    {"part_lines_received", NULL, TABLE_INT, 19, 0},
    {"complaint_response_24h", NULL, TABLE_RATE, 22, 6},
    {"complaints", NULL, TABLE_INT, 11, 0},
    {"dispatch_satisfaction", NULL, TABLE_RATE, 21, 6},
    {"dispatch_response_rate", NULL, TABLE_RATE, 22, 6},
    {"dispatch_surveys", NULL, TABLE_INT, 16, 0},
    {"survey_satisfied_share", NULL, TABLE_RATE, 22, 6},
};

static json_t *counts_row(const char *key, const char *name, const struct kpi_counts *c,
                          const struct kpi_more *m)
{
    json_t *row =
        json_pack("[s, s, I, I, o, I, o, I, I, o, I, o, I, o, I, o, I]", key, name,
                  (json_int_t)c->completed, (json_int_t)c->within_4d,
                  kpi_rate_json(c->within_4d, c->completed), (json_int_t)c->over_14d,
                  kpi_rate_json(c->over_14d, c->completed), (json_int_t)c->open_over_14d,
                  (json_int_t)c->rr90, kpi_rate_json(c->rr90, c->with_serial),
                  (json_int_t)c->with_serial,
                  kpi_rate_json(m->part_lines_domestic, m->part_lines),
                  (json_int_t)m->part_lines,
                  m->part_lines_received ? json_real(m->lead_h) : json_null(),
                  (json_int_t)m->part_lines_received,
                  kpi_rate_json(m->complaints_in_time, m->complaints),
                  (json_int_t)m->complaints);
    json_array_append_new(row, kpi_rate_json(m->visit_satisfied, m->visit_answers));
    json_array_append_new(row, kpi_rate_json(m->visit_answers, m->visit_surveys));
    json_array_append_new(row, json_integer(m->visit_surveys));
    json_array_append_new(row, kpi_rate_json(m->survey_satisfied, m->survey_answers));
    return row;
}

/* ---------------------------------------------------------------- request parsing */

/* Fill q from query-style parameters; on a bad one, names it in *field and *why. The
 * outlet and product line codes are resolved to ids (unknown: *field = "outlet" with
 * why "unknown"). 0, -1 (invalid), -2 (database). */
int kpi_parse_request(db_conn *c, const char *from, const char *to, const char *outlet,
                      const char *region, const char *pl, const char *by, struct kpi_request *q,
                      const char **field, const char **why, char region_like[16])
{
    memset(q, 0, sizeof *q);
    *field = NULL;
    if (!from || !*from) {
        *field = "from", *why = "required";
        return -1;
    }
    if (dt_parse_date(from, &q->fy, &q->fm, &q->fd) < 0) {
        *field = "from", *why = "must be a date YYYY-MM-DD";
        return -1;
    }
    if (!to || !*to) {
        *field = "to", *why = "required";
        return -1;
    }
    if (dt_parse_date(to, &q->ty, &q->tm, &q->td) < 0) {
        *field = "to", *why = "must be a date YYYY-MM-DD";
        return -1;
    }
    int64_t span =
        dt_days_from_civil(q->ty, q->tm, q->td) - dt_days_from_civil(q->fy, q->fm, q->fd);
    if (span <= 0) {
        *field = "to", *why = "must be after from";
        return -1;
    }
    if (span > KPI_MAX_DAYS) {
        *field = "to", *why = "the period may span at most ten years";
        return -1;
    }
    q->by = BY_NONE;
    if (by && *by) {
        q->by = -1;
        for (int i = 1; i < (int)(sizeof kpi_by_names / sizeof kpi_by_names[0]); i++)
            if (strcmp(by, kpi_by_names[i]) == 0)
                q->by = i;
        if (q->by < 0) {
            *field = "group_by", *why = "one of month, outlet, region, product_line";
            return -1;
        }
    }
    if (region && *region) {
        size_t len = strlen(region);
        if (len != 6 || strspn(region, "0123456789") != 6) {
            *field = "region", *why = "a six-digit GB/T 2260 code";
            return -1;
        }
        /* 440000 -> "44%", 440100 -> "4401%", 440106 -> "440106%" */
        size_t keep = 6;
        while (keep > 2 && region[keep - 1] == '0' && region[keep - 2] == '0')
            keep -= 2;
        snprintf(region_like, 16, "%.*s%%", (int)keep, region);
        q->f.region = region_like;
    }
    const struct {
        const char *val, *name, *sql;
        int64_t *out;
    } look[] = {
        {outlet, "outlet", "SELECT id FROM outlets WHERE code = ?", &q->f.outlet_id},
        {pl, "product_line", "SELECT id FROM product_lines WHERE code = ?", &q->f.pl_id},
    };
    for (size_t i = 0; i < 2; i++) {
        if (!look[i].val || !*look[i].val)
            continue;
        db_stmt *st = db_prepare(c, look[i].sql);
        if (!st)
            return -2;
        db_bind_text(st, 1, look[i].val);
        int rc = db_step(st);
        if (rc == DB_ROW)
            *look[i].out = db_int(st, 0);
        db_done(st);
        if (rc < 0)
            return -2;
        if (rc != DB_ROW) {
            *field = look[i].name, *why = "unknown";
            return -1;
        }
    }
    return 0;
}

int kpi_want_format(req *r)
{
    int f = table_format_of(r);
    if (f < 0)
        reply_bad_format(r);
    return f;
}

/* Outlet staff: only their outlet. Another outlet's code answers 404 like an unknown
 * one. Returns 0, or 1 when answered. */
int kpi_confine(req *r, struct kpi_request *q, const char *outlet_param)
{
    int64_t own = scope_outlet(r);
    if (own == 0)
        return 0;
    if (own < 0) { /* outlet staff without an outlet see nothing */
        reply_error(r, 403, "forbidden", "no outlet is assigned to this account", NULL);
        return 1;
    }
    if (outlet_param && *outlet_param && q->f.outlet_id != own) {
        reply_not_found(r, "outlet");
        return 1;
    }
    q->f.outlet_id = own;
    return 0;
}

int kpi_answer_request(req *r, int prc, const char *field, const char *why)
{
    if (prc == -2)
        return -1;
    if (strcmp(field, "outlet") == 0 && strcmp(why, "unknown") == 0)
        return reply_not_found(r, "outlet");
    return reply_error(r, 422, "validation_failed", arena_printf(r->a, "%s: %s", field, why),
                       json_pack("{s:s}", field, why));
}

/* The turnaround table as a download: one row per group, then the total. */
static int turnaround_download(req *r, int f, const struct kpi_request *q,
                               const struct kpi_result *res)
{
    json_t *rows = json_array();
    for (size_t i = 0; i < res->groups.n; i++)
        json_array_append_new(rows, counts_row(res->labels[2 * i], res->labels[2 * i + 1],
                                               &res->groups.v[i].c, &res->groups.v[i].m));
    json_array_append_new(rows, counts_row("total", "", &res->total, &res->total_m));
    char from[11], to[11];
    kpi_date_text(q->fy, q->fm, q->fd, from);
    kpi_date_text(q->ty, q->tm, q->td, to);
    const char *name = arena_printf(r->a, "kpi-turnaround-%s-%s%s%s", from, to,
                                    q->by ? "-by-" : "", kpi_by_names[q->by]);
    int rc = table_reply_rows(r, (enum table_format)f, name, "KPI", turnaround_cols,
                              (int)(sizeof turnaround_cols / sizeof turnaround_cols[0]), rows);
    json_decref(rows);
    return rc;
}

/* GET /api/v1/kpi/turnaround */
static int kpi_turnaround(req *r)
{
    int f = kpi_want_format(r);
    if (f < 0)
        return 0;
    db_conn *c = req_db(r);
    struct kpi_cfg cfg;
    if (kpi_cfg_load(c, &cfg) < 0)
        return -1;
    struct kpi_request q;
    const char *field, *why;
    char region_like[16];
    const char *outlet = req_query(r, "outlet");
    int prc = kpi_parse_request(c, req_query(r, "from"), req_query(r, "to"), outlet,
                                req_query(r, "region"), req_query(r, "product_line"),
                                req_query(r, "group_by"), &q, &field, &why, region_like);
    if (prc < 0)
        return kpi_answer_request(r, prc, field, why);
    if (kpi_confine(r, &q, outlet))
        return 0;
    struct kpi_result res;
    if (kpi_report(c, &cfg, &q, &res) < 0)
        return -1;
    int rc = f == TABLE_JSON ? reply_json(r, 200, kpi_report_json(&cfg, &q, &res))
                             : turnaround_download(r, f, &q, &res);
    kpi_result_free(&res);
    return rc;
}

const struct route kpi_routes[] = {
    {"GET", "/api/v1/kpi/turnaround", kpi_turnaround,
     ROLE_ADMIN | ROLE_SUPERVISOR | ROLE_OUTLET_STAFF, 0},
    {"GET", "/api/v1/kpi/at-risk", kpi_at_risk, ROLE_ADMIN | ROLE_SUPERVISOR | ROLE_OUTLET_STAFF,
     0},
    {0},
};
