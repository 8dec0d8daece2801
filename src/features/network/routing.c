/* routing: the outlet suggested for a new repair (network_suggest_outlet) and its route. */
#include "features/network/internal.h"

#include "rules/routing.h"

#include <stdlib.h>
#include <string.h>

struct suggestion {
    struct routing_candidate *cand;
    size_t n;
    char **codes, **grades, **names;
};

static void suggestion_free(struct suggestion *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->codes[i]);
        free(s->grades[i]);
        free(s->names[i]);
    }
    free(s->cand);
    free(s->codes);
    free(s->grades);
    free(s->names);
    memset(s, 0, sizeof *s);
}

/* Candidates for (county, line), ranked. 0, -2 unknown county, -1 db error. */
static int suggest(db_conn *c, const char *county, const char *line, struct suggestion *out)
{
    memset(out, 0, sizeof *out);
    struct region_info ri;
    if (net_region_lookup(c, county, &ri) < 0)
        return -1;
    if (ri.level != 3)
        return -2;
    char day[11];
    net_today(day);
    db_stmt *st = db_prepare(
        c, "SELECT o.id, o.code, o.grade, o.region, o.capacity, o.name,"
           " (SELECT COUNT(*) FROM repairs r WHERE r.outlet_id = o.id AND r.status IN "
           OPEN_REPAIR_STATUSES ")"
           " FROM outlet_covers oc JOIN outlets o ON o.id = oc.outlet_id"
           " JOIN outlet_lines ol ON ol.outlet_id = o.id AND ol.line_code = ?"
           " WHERE oc.region_code IN (?, ?, ?) AND " OUTLET_ACTIVE_SQL);
    if (!st)
        return -1;
    db_bind_text(st, 1, line);
    db_bind_text(st, 2, ri.code);
    db_bind_text(st, 3, ri.city);
    db_bind_text(st, 4, ri.province);
    net_bind_day4(st, 5, day);
    size_t cap = 0;
    int s;
    while ((s = db_step(st)) == DB_ROW) {
        int64_t id = db_int(st, 0);
        int dup = 0;
        for (size_t i = 0; i < out->n; i++)
            if (out->cand[i].outlet_id == id)
                dup = 1;
        if (dup)
            continue;
        if (out->n == cap) {
            cap = cap ? cap * 2 : 16;
            out->cand = realloc(out->cand, cap * sizeof *out->cand);
            out->codes = realloc(out->codes, cap * sizeof *out->codes);
            out->grades = realloc(out->grades, cap * sizeof *out->grades);
            out->names = realloc(out->names, cap * sizeof *out->names);
        }
        size_t i = out->n++;
        out->codes[i] = strdup(db_text(st, 1));
        out->grades[i] = db_text(st, 2) ? strdup(db_text(st, 2)) : NULL;
        out->names[i] = strdup(db_text(st, 5));
        out->cand[i] = (struct routing_candidate){
            .outlet_id = id,
            .code = out->codes[i],
            .grade = out->grades[i],
            .open_repairs = db_int(st, 6),
            .capacity = db_int(st, 4),
            .distance = routing_distance(county, db_text(st, 3)),
        };
    }
    db_done(st);
    if (s < 0) {
        suggestion_free(out);
        return -1;
    }
    routing_rank(out->cand, out->n);
    return 0;
}

int network_suggest_outlet(db_conn *c, const char *region, const char *product_line,
                           int64_t *outlet_id, char **reason)
{
    if (!region || !product_line)
        return -2;
    struct suggestion sg;
    int rc = suggest(c, region, product_line, &sg);
    if (rc < 0)
        return rc;
    if (sg.n == 0) {
        *outlet_id = 0;
        if (asprintf(reason, "no active outlet covers %s and is authorised for %s", region,
                     product_line) < 0)
            *reason = NULL;
        suggestion_free(&sg);
        return 1;
    }
    *outlet_id = sg.cand[0].outlet_id;
    *reason = routing_explain(sg.cand, sg.n, region, product_line);
    suggestion_free(&sg);
    return 0;
}

int net_routing_suggest(req *r)
{
    if (net_need_regions(r) < 0)
        return 0;
    const char *region = req_query(r, "region"), *line = req_query(r, "product_line");
    json_t *fields = json_object();
    if (!region || !*region)
        json_object_set_new(fields, "region", json_string("required"));
    if (!line || !*line)
        json_object_set_new(fields, "product_line", json_string("required"));
    else if (!net_valid_token(line, 32))
        json_object_set_new(fields, "product_line", json_string("not a product line code"));
    if (json_object_size(fields))
        return reply_error(r, 422, "validation_failed", "region and product_line are required",
                           fields);
    struct suggestion sg;
    int rc = suggest(req_db(r), region, line, &sg);
    if (rc == -2) {
        json_object_set_new(fields, "region", json_string("not a county-level region code"));
        return reply_error(r, 422, "validation_failed", "unknown county", fields);
    }
    json_decref(fields);
    if (rc < 0)
        return net_json_fail_db(r, req_db(r), "routing");
    json_t *items = json_array();
    static const char *const dist[] = {"county", "city", "province", "elsewhere"};
    for (size_t i = 0; i < sg.n; i++) {
        const struct routing_candidate *x = &sg.cand[i];
        json_array_append_new(
            items, json_pack("{s:s, s:s, s:s?, s:I, s:I, s:f, s:b, s:s, s:f}", "code", x->code,
                             "name", sg.names[i], "grade", x->grade, "open_repairs",
                             (json_int_t)x->open_repairs, "capacity", (json_int_t)x->capacity,
                             "load", x->load, "full", x->full, "distance",
                             dist[x->distance < 0 || x->distance > 3 ? 3 : x->distance], "score",
                             x->score));
    }
    char *why = sg.n ? routing_explain(sg.cand, sg.n, region, line) : NULL;
    char *none = NULL;
    if (!sg.n && asprintf(&none, "no active outlet covers %s and is authorised for %s", region,
                          line) < 0)
        none = NULL;
    json_t *j = json_pack("{s:s?, s:s?, s:o}", "outlet", sg.n ? sg.cand[0].code : NULL,
                          "reason", why ? why : none, "candidates", items);
    free(why);
    free(none);
    suggestion_free(&sg);
    return reply_json(r, 200, j);
}
