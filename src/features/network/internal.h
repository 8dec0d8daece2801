/* internal: what the files of features/network/ share; included only inside the folder. */
#ifndef FEATURES_NETWORK_INTERNAL_H
#define FEATURES_NETWORK_INTERNAL_H
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/db.h"
#include "base/http.h"
#include "features/common/common.h"
#include "features/network/network.h"

#define ROLE_NETWORK_ADMIN (ROLE_ADMIN | ROLE_SUPERVISOR)
#define MAX_LIST 500
#define MAX_COVERS 4000
#define MAX_LINES 32

/* Repairs still in progress at an outlet (status not repaired, delivered, cancelled);
 * listed explicitly so the (outlet_id, status) index answers the count. */
#define OPEN_REPAIR_STATUSES                                                                   \
    "('registered','received','diagnosing','quoted','approved','waiting_parts','repairing')"

/* An outlet is active on a day when its flag is set, it is not suspended that day
 * (suspended_from <= day < suspended_until) and its contract runs. Takes the day four
 * times. */
#define OUTLET_ACTIVE_SQL                                                                      \
    "(o.active = 1 AND (o.suspended_from IS NULL OR o.suspended_from > CAST(? AS TEXT) OR "    \
    "(o.suspended_until IS NOT NULL AND o.suspended_until <= CAST(? AS TEXT))) AND "           \
    "(o.contract_start IS NULL OR o.contract_start <= CAST(? AS TEXT)) AND "                   \
    "(o.contract_end IS NULL OR o.contract_end >= CAST(? AS TEXT)))"

struct region_info {
    int level; /* 0: unknown */
    char code[7], province[7], city[7];
};

struct hours_row {
    int weekday;
    const char *opens, *closes;
};

struct exc_row {
    const char *day, *opens, *closes, *note;
};

struct outlet_in {
    const char *code, *name, *type, *grade, *region, *address, *phone, *note;
    const char *suspended_from, *suspended_until, *contract_start, *contract_end;
    long long capacity;
    int active;
    const char **covers;
    size_t ncovers;
    const char **lines;
    size_t nlines;
    struct hours_row hours[7];
    int nhours;
    int hours_given;
    struct exc_row *exc;
    size_t nexc;
    int exc_given;
};

/* helpers.c */
void net_bind_day4(db_stmt *st, int first, const char *day);
void net_today(db_conn *c, char out[11]);
int net_page_failure(req *r, int rc, const char *what);
/* Bind p's cursor key (or NULL) to parameters bind_at and bind_at + 1 of st and the
 * limit + 1 to bind_at + 2 (st ends "AND (CAST(? AS TEXT) IS NULL OR key > ?) ORDER BY
 * key LIMIT ?"), then step it into items as row(st), key_col being the key's column;
 * sets *next when the extra row came; finishes st. A page function's result (0,
 * LIST_ANSWERED or -1). */
int net_page_rows(req *r, db_stmt *st, const struct page *p, int bind_at, int key_col,
                  json_t *(*row)(db_stmt *st), json_t *items, const char **next,
                  const char *what);
const char *net_like_anywhere(arena *a, const char *s);
int net_valid_hhmm(const char *s);
int net_valid_token(const char *s, size_t max);
int net_is_outlet_type(const char *s);
char *net_name_key(const char *s);

/* regions.c */
int net_need_regions(req *r);
int net_region_lookup(db_conn *c, const char *code, struct region_info *out);
int net_regions_list(req *r);
int net_regions_get(req *r);

/* outlets.c */
void net_outlet_defaults(struct outlet_in *o);
int net_outlet_validate(db_conn *c, const struct outlet_in *o, json_t *fields);
int64_t net_outlet_store(db_conn *c, int64_t id, const struct outlet_in *o);
json_t *net_outlet_json(db_conn *c, int64_t id, int *err);
int64_t net_visible(req *r, const char *sql, const char *code, int64_t *version);
int64_t net_outlet_visible(req *r, const char *code, int64_t *version);
int net_outlet_load(db_conn *c, arena *a, int64_t id, struct outlet_in *o);

/* outlets_routes.c */
int net_body_str(arena *a, json_t *body, json_t *fields, const char *k, size_t max,
                 const char **out);
int net_outlets_create(req *r);
int net_outlets_update(req *r);
int net_outlets_get(req *r);
int net_outlets_list(req *r);

/* technicians.c */
int64_t net_technician_visible(req *r, const char *code, int64_t *version);
int net_technicians_create(req *r);
int net_technicians_update(req *r);
int net_technicians_get(req *r);
int net_technicians_list(req *r);

/* routing.c */
int net_routing_suggest(req *r);

/* coverage.c */
int net_coverage_get(req *r);

/* csv.c */
const char **net_split_list(arena *a, const char *s, size_t *n);

/* appointments.c */
int net_outlet_slots(req *r);
int net_appointments_create(req *r);
int net_appointments_list(req *r);
int net_appointments_cancel(req *r);
int net_appointments_complete(req *r);

#endif
