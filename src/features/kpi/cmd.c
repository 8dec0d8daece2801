/* kpi: the `aftersales kpi` command: a report as text or JSON, --rebuild, --check. */
#include "features/kpi/internal.h"
#include "rules/kpi.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- the command */

/* "name 12.34% (n/d)", or "name -" when d is 0. */
static void print_rate(const char *name, int64_t n, int64_t d)
{
    double rt;
    if (kpi_rate(n, d, &rt))
        printf("%s %.2f%% (%lld/%lld)", name, rt * 100, (long long)n, (long long)d);
    else
        printf("%s -", name);
}

/* The parts, complaint and dispatch satisfaction KPIs of the total. */
static void print_more(const struct kpi_more *m)
{
    double rt;
    printf("  part fill rate   %lld of %lld lines from domestic stock",
           (long long)m->part_lines_domestic, (long long)m->part_lines);
    if (kpi_rate(m->part_lines_domestic, m->part_lines, &rt))
        printf("  (%.2f%%)", rt * 100);
    if (m->part_lines_received)
        printf("\n  parts lead time  %.1f h (median of %lld lines received)", m->lead_h,
               (long long)m->part_lines_received);
    printf("\n  complaints       %lld of %lld answered by their due time",
           (long long)m->complaints_in_time, (long long)m->complaints);
    if (kpi_rate(m->complaints_in_time, m->complaints, &rt))
        printf("  (%.2f%%, target >= 98%%)", rt * 100);
    printf("\n  dispatch surveys %lld of %lld answered satisfied, of %lld sent",
           (long long)m->visit_satisfied, (long long)m->visit_answers, (long long)m->visit_surveys);
    if (kpi_rate(m->visit_satisfied, m->visit_answers, &rt))
        printf("  (%.2f%%, target >= 99%%)", rt * 100);
    printf("\n");
}

static void print_text(const struct kpi_cfg *cfg, const struct kpi_request *q,
                       const struct kpi_result *res)
{
    char from[11], to[11];
    kpi_date_text(q->fy, q->fm, q->fd, from);
    kpi_date_text(q->ty, q->tm, q->td, to);
    printf("KPIs %s to %s (exclusive), %s\n", from, to, cfg->zone);
    const struct kpi_counts *c = &res->total;
    double rt;
    printf("  completed        %lld\n", (long long)c->completed);
    printf("  within 4 days    %lld", (long long)c->within_4d);
    if (kpi_rate(c->within_4d, c->completed, &rt))
        printf("  (%.2f%%, target >= 95%%)", rt * 100);
    printf("\n  over 14 days     %lld", (long long)c->over_14d);
    if (kpi_rate(c->over_14d, c->completed, &rt))
        printf("  (%.2f%%, target 0)", rt * 100);
    printf("\n  open over 14 d   %lld at the end\n", (long long)c->open_over_14d);
    printf("  back in 90 days  %lld", (long long)c->rr90);
    if (kpi_rate(c->rr90, c->with_serial, &rt))
        printf("  (%.2f%% of %lld with a serial, target < 1%%)", rt * 100,
               (long long)c->with_serial);
    printf("\n");
    print_more(&res->total_m);
    for (size_t i = 0; i < res->groups.n; i++) {
        const struct kpi_group *g = &res->groups.v[i];
        printf("  %-12s %-20s completed %lld, within 4 d %lld, over 14 d %lld, rr90 %lld\n",
               res->labels[2 * i], res->labels[2 * i + 1], (long long)g->c.completed,
               (long long)g->c.within_4d, (long long)g->c.over_14d, (long long)g->c.rr90);
        printf("  %-33s", "");
        print_rate("fill rate", g->m.part_lines_domestic, g->m.part_lines);
        if (g->m.part_lines_received)
            printf(", lead time %.1f h", g->m.lead_h);
        else
            printf(", lead time -");
        printf(", ");
        print_rate("complaints in time", g->m.complaints_in_time, g->m.complaints);
        printf("\n");
    }
}

int kpi_cmd(int argc, char **argv, db *d)
{
    static struct option opts[] = {{"from", required_argument, 0, 'f'},
                                   {"to", required_argument, 0, 't'},
                                   {"outlet", required_argument, 0, 'o'},
                                   {"product-line", required_argument, 0, 'p'},
                                   {"region", required_argument, 0, 'r'},
                                   {"group-by", required_argument, 0, 'g'},
                                   {"json", no_argument, 0, 'j'},
                                   {"check", no_argument, 0, 'c'},
                                   {"rebuild", no_argument, 0, 'b'},
                                   {"zone", required_argument, 0, 'z'},
                                   {0, 0, 0, 0}};
    const char *from = NULL, *to = NULL, *outlet = NULL, *pl = NULL, *region = NULL,
               *by = NULL, *zone = NULL;
    int json = 0, check = 0, rebuild = 0, ch;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'f': from = optarg; break;
        case 't': to = optarg; break;
        case 'o': outlet = optarg; break;
        case 'p': pl = optarg; break;
        case 'r': region = optarg; break;
        case 'g': by = optarg; break;
        case 'j': json = 1; break;
        case 'c': check = 1; break;
        case 'b': rebuild = 1; break;
        case 'z': zone = optarg; break;
        default:
            fprintf(stderr, "aftersales kpi: unknown option\n");
            return 2;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "aftersales kpi: unexpected argument %s\n", argv[optind]);
        return 2;
    }
    db_conn *c = db_acquire(d);
    int status = 1;
    if (zone && !rebuild) {
        fprintf(stderr, "aftersales kpi: --zone goes with --rebuild\n");
        status = 2;
        goto cleanup;
    }
    if (rebuild || check) {
        if (rebuild) {
            int64_t off = 0;
            if (zone) {
                const struct dt_zone *z = dt_zone_get(zone);
                if (!z) {
                    fprintf(stderr, "aftersales kpi: unknown time zone %s\n", zone);
                    goto cleanup;
                }
                /* buckets are cut at the zone's offset in force now; periods whose
                 * midnights fall elsewhere (daylight saving) are counted from repairs */
                off = dt_zone_offset(z, now_unix());
            }
            if (kpi_rebuild(c, zone, off) < 0) {
                fprintf(stderr, "aftersales kpi: rebuild failed: %s\n", db_errmsg(c));
                goto cleanup;
            }
            printf("KPI aggregates rebuilt\n");
        }
        if (check) {
            long diffs = kpi_check(c, stderr);
            if (diffs < 0) {
                fprintf(stderr, "aftersales kpi: check failed: %s\n", db_errmsg(c));
                goto cleanup;
            }
            if (diffs) {
                fprintf(stderr, "aftersales kpi: %ld differences between the aggregates and "
                                "a full recount\n", diffs);
                goto cleanup;
            }
            printf("KPI aggregates equal a full recount\n");
        }
        status = 0;
        goto cleanup;
    }
    struct kpi_cfg cfg;
    if (kpi_cfg_load(c, &cfg) < 0) {
        fprintf(stderr, "aftersales kpi: cannot read the KPI configuration or its time zone\n");
        goto cleanup;
    }
    struct kpi_request q;
    const char *field, *why;
    char region_like[16];
    int prc = kpi_parse_request(c, from, to, outlet, region, pl, by, &q, &field, &why, region_like);
    if (prc == -2) {
        fprintf(stderr, "aftersales kpi: %s\n", db_errmsg(c));
        goto cleanup;
    }
    if (prc == -1) {
        const char *opt = strcmp(field, "product_line") == 0 ? "product-line"
                          : strcmp(field, "group_by") == 0   ? "group-by"
                                                             : field;
        fprintf(stderr, "aftersales kpi: --%s: %s\n", opt, why);
        status = strcmp(why, "unknown") == 0 ? 1 : 2;
        goto cleanup;
    }
    struct kpi_result res;
    if (kpi_report(c, &cfg, &q, &res) < 0) {
        fprintf(stderr, "aftersales kpi: %s\n", db_errmsg(c));
        goto cleanup;
    }
    if (json) {
        json_t *o = q.by == BY_NONE ? kpi_counts_json(&res.total, &res.total_m)
                                    : kpi_report_json(&cfg, &q, &res);
        char *s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(17));
        printf("%s\n", s ? s : "null");
        free(s);
        json_decref(o);
    } else {
        print_text(&cfg, &q, &res);
    }
    kpi_result_free(&res);
    status = 0;
cleanup:
    db_release(c);
    return status;
}
