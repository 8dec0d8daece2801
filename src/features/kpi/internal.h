/* kpi: what the files of the kpi folder share with each other (not used outside it):
 * the configuration, a report's request and result, the report as JSON, the request
 * parameters of the routes and the command. */
#ifndef FEATURES_KPI_INTERNAL_H
#define FEATURES_KPI_INTERNAL_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/datetime.h"
#include "base/db.h"
#include "base/http.h"
#include "base/table.h"
#include "features/kpi/kpi.h"
#include "rules/kpi.h"

#define KPI_MAX_DAYS 3700 /* longest period a report covers (about ten years) */

/* Targets (SPEC M5), sent along so screens and exports need not repeat them. */
#define TARGET_RATE_4D 0.95
#define TARGET_RATE_RR90 0.01
#define TARGET_COMPLAINT_24H 0.98 /* SPEC M10: 98% of complaints answered within 24 h */
#define TARGET_DISPATCH_SAT 0.99  /* SPEC M11: on-site dispatch satisfaction 99% */

struct kpi_cfg {
    char zone[64];
    int64_t bucket_offset;
    const struct dt_zone *z;
};

enum { G_NONE, G_OUTLET, G_PL };

struct kpi_filter {
    int64_t outlet_id;   /* 0: all */
    int64_t pl_id;       /* 0: all */
    const char *region;  /* LIKE pattern "44%" or NULL */
};

/* The KPIs that other capabilities count (features/parts, features/complaints) for a
 * group or the total: SPEC fill_rate, parts_lead_time_h, complaint_response_24h. */
struct kpi_more {
    int64_t part_lines;          /* part request lines created in the period */
    int64_t part_lines_domestic; /* ... first reserved from domestic stock */
    int64_t part_lines_received; /* lines received in the period */
    double lead_h;               /* ... their median lead time in hours (0 when none) */
    int64_t complaints;          /* complaints received in the period */
    int64_t complaints_in_time;  /* ... whose first response came by its due time */
    int64_t visit_surveys;       /* on-site visit surveys sent in the period */
    int64_t visit_answers;       /* ... answered */
    int64_t visit_satisfied;     /* ... answered satisfied (overall >= 4) */
    int64_t survey_answers;      /* surveys of repairs and visits sent in the period, answered */
    int64_t survey_satisfied;    /* ... satisfied */
};

struct kpi_group {
    int64_t id;          /* outlet or product line id (0: none) */
    char key[32];        /* month "YYYY-MM" or region code */
    struct kpi_counts c;
    struct kpi_more m;
};

struct kpi_groups {
    struct kpi_group *v;
    size_t n, cap;
};

enum { BY_NONE, BY_MONTH, BY_OUTLET, BY_REGION, BY_PL };
extern const char *const kpi_by_names[BY_PL + 1]; /* indexed by BY_* */

struct kpi_request {
    int fy, fm, fd, ty, tm, td;  /* local dates [from, to) */
    struct kpi_filter f;
    int by;
};

struct kpi_result {
    struct kpi_counts total;
    struct kpi_groups groups;   /* empty for BY_NONE */
    char **labels;              /* per group: key shown and name (groups.n * 2) */
    struct kpi_more total_m;    /* the other capabilities' KPIs of the whole period */
};

/* Outlets and the province their region lies in ("440000"; "" when unknown), by id. */
struct kpi_provinces {
    struct kpi_province {
        int64_t id;
        char code[7];
    } *v;
    size_t n;
};

/* config.c: the configured zone (from dt_zone_get) and bucket offset. 0 or -1. */
int kpi_cfg_load(db_conn *c, struct kpi_cfg *cfg);

/* report.c */
/* The group of g with this id and key (key NULL: ""), added when missing; NULL when
 * memory runs out. Pointers into g stay valid until the next call. */
struct kpi_group *kpi_groups_at(struct kpi_groups *g, int64_t id, const char *key);
/* Every outlet's province (one query). 0 or -1. */
int kpi_provinces_load(db_conn *c, struct kpi_provinces *p);
/* The province of outlet id ("" for none or unknown). */
const char *kpi_province_of(const struct kpi_provinces *p, int64_t id);
/* Bind the six parameters of a filter from parameter `first` on. */
void kpi_bind_filter(db_stmt *st, int first, const struct kpi_filter *f);
void kpi_result_free(struct kpi_result *res);
/* The report of `q` into res. 0 or -1 (database). */
int kpi_report(db_conn *c, const struct kpi_cfg *cfg, const struct kpi_request *q,
               struct kpi_result *res);
/* num / den as JSON, or null when den is 0. */
json_t *kpi_rate_json(int64_t num, int64_t den);
/* The KPI names of the SPEC as keys (the `aftersales kpi --json` contract). */
json_t *kpi_counts_json(const struct kpi_counts *c, const struct kpi_more *m);
/* "YYYY-MM-DD". */
void kpi_date_text(int y, int m, int d, char out[11]);
json_t *kpi_report_json(const struct kpi_cfg *cfg, const struct kpi_request *q,
                        const struct kpi_result *res);

/* more.c: the KPIs of other capabilities into res->total_m and each group's m, one
 * grouped query per KPI. by: the request's BY_*; for BY_MONTH, bounds[0..nb] are the
 * months' first instants and the period's end, and groups.v[i] is month i; for
 * BY_REGION the groups are keyed by province (prov). 0 or -1 (database, memory). */
int kpi_more_report(db_conn *c, const struct kpi_request *q, int64_t from, int64_t to,
                    const int64_t *bounds, size_t nb, const struct kpi_provinces *prov,
                    struct kpi_result *res);

/* routes.c: fill q from query-style parameters; on a bad one, names it in *field and *why.
 * 0, -1 (invalid), -2 (database). */
int kpi_parse_request(db_conn *c, const char *from, const char *to, const char *outlet,
                      const char *region, const char *pl, const char *by,
                      struct kpi_request *q, const char **field, const char **why,
                      char region_like[16]);
/* The ?format= of a KPI route (TABLE_JSON, TABLE_CSV, TABLE_XLSX); -1 after answering
 * 422 for an unknown one. */
int kpi_want_format(req *r);
/* Answer a kpi_parse_request failure prc (-1: 404 for an unknown outlet, else 422
 * naming the field; -2: -1 for the server's 500). */
int kpi_answer_request(req *r, int prc, const char *field, const char *why);
/* Outlet staff: only their outlet. Returns 0, or 1 when answered. */
int kpi_confine(req *r, struct kpi_request *q, const char *outlet_param);

/* atrisk.c: GET /api/v1/kpi/at-risk. */
int kpi_at_risk(req *r);

#endif
