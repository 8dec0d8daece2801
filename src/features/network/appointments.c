/* appointments: on-site appointments: technician slots within opening hours, booking, list
 * and cancel. */
#include "features/network/internal.h"

#include "base/arena.h"
#include "base/audit.h"
#include "base/jsonv.h"
#include "rules/routing.h"

#include <stdlib.h>
#include <string.h>

/* Opening hours of an outlet on a local date (exceptions first): 1 open with *opens and
 * *closes in minutes, 0 closed, -1 db error. */
static int hours_on(db_conn *c, int64_t outlet_id, const char *date, int *opens, int *closes)
{
    db_stmt *st = db_prepare(c, "SELECT opens, closes FROM outlet_hours_exceptions"
                                " WHERE outlet_id = ? AND day = ?");
    if (!st)
        return -1;
    db_bind_int(st, 1, outlet_id);
    db_bind_text(st, 2, date);
    int s = db_step(st), rc = 2;
    if (s == DB_ROW) {
        rc = db_isnull(st, 0) ? 0 : 1;
        if (rc) {
            *opens = hhmm_minutes(db_text(st, 0));
            *closes = hhmm_minutes(db_text(st, 1));
        }
    }
    db_done(st);
    if (s < 0)
        return -1;
    if (rc != 2)
        return rc;
    st = db_prepare(c, "SELECT opens, closes FROM outlet_hours WHERE outlet_id = ? AND weekday = ?");
    if (!st)
        return -1;
    db_bind_int(st, 1, outlet_id);
    db_bind_int(st, 2, date_weekday(date));
    s = db_step(st);
    rc = 0;
    if (s == DB_ROW) {
        *opens = hhmm_minutes(db_text(st, 0));
        *closes = hhmm_minutes(db_text(st, 1));
        rc = 1;
    }
    db_done(st);
    return s < 0 ? -1 : rc;
}

/* The instant of local midnight starting a valid date "YYYY-MM-DD" in z. */
static int64_t day_start(const struct dt_zone *z, const char *date)
{
    int y = 1970, m = 1, d = 1;
    dt_parse_date(date, &y, &m, &d);
    return dt_local_midnight(z, y, m, d);
}

/* Busy intervals of a technician on a local date, as minutes of that day. */
static int busy_of(db_conn *c, int64_t tech, const char *date, int *from, int *to, size_t max,
                   size_t *n)
{
    int64_t day0 = day_start(org_zone(c), date);
    db_stmt *st = db_prepare(c, "SELECT starts_at, ends_at FROM appointments WHERE technician_id = ?"
                                " AND cancelled_at IS NULL AND starts_at < ? AND ends_at > ?"
                                " ORDER BY starts_at");
    if (!st)
        return -1;
    db_bind_int(st, 1, tech);
    db_bind_int(st, 2, day0 + 86400);
    db_bind_int(st, 3, day0);
    int s;
    *n = 0;
    while ((s = db_step(st)) == DB_ROW && *n < max) {
        from[*n] = (int)((db_int(st, 0) - day0) / 60);
        to[*n] = (int)((db_int(st, 1) - day0 + 59) / 60);
        (*n)++;
    }
    db_done(st);
    return s < 0 ? -1 : 0;
}

#define MAX_BUSY 256

int net_outlet_slots(req *r)
{
    db_conn *c = req_db(r);
    int64_t oid = net_outlet_visible(r, req_param(r, "code"), NULL);
    if (oid < 0)
        return -1;
    if (oid == 0)
        return reply_not_found(r, "outlet");
    const struct dt_zone *z = org_zone(c);
    const char *date = req_query(r, "date"), *mins = req_query(r, "minutes");
    const char *tech = req_query(r, "technician");
    long len = mins ? strtol(mins, NULL, 10) : 60;
    json_t *fields = json_object();
    if (!date || !date_weekday(date))
        json_object_set_new(fields, "date", json_string("a date YYYY-MM-DD"));
    if (len < 15 || len > 480)
        json_object_set_new(fields, "minutes", json_string("15 to 480"));
    if (json_object_size(fields))
        return reply_error(r, 422, "validation_failed", "date and minutes", fields);
    json_decref(fields);
    int opens = 0, closes = 0;
    int open = hours_on(c, oid, date, &opens, &closes);
    if (open < 0)
        return reply_db_failure(r, DB_ERROR, "slots");
    db_stmt *st = db_prepare(c, "SELECT id, code, name FROM technicians WHERE outlet_id = ?"
                                " AND active = 1 AND (CAST(? AS TEXT) IS NULL OR code = ?)"
                                " ORDER BY code");
    if (!st)
        return reply_db_failure(r, DB_ERROR, "slots");
    db_bind_int(st, 1, oid);
    db_bind_text(st, 2, tech);
    db_bind_text(st, 3, tech);
    struct {
        int64_t id;
        char code[24];
        char *name;
    } techs[200];
    size_t nt = 0;
    int s;
    while ((s = db_step(st)) == DB_ROW && nt < 200) {
        techs[nt].id = db_int(st, 0);
        snprintf(techs[nt].code, sizeof techs[nt].code, "%s", db_text(st, 1));
        techs[nt].name = arena_strdup(r->a, db_text(st, 2));
        nt++;
    }
    db_done(st);
    if (s < 0)
        return reply_db_failure(r, s, "slots");
    int64_t day0 = day_start(z, date);
    json_t *list = json_array();
    for (size_t i = 0; i < nt; i++) {
        int from[MAX_BUSY], to[MAX_BUSY], starts[96];
        size_t nb = 0, ns = 0;
        if (busy_of(c, techs[i].id, date, from, to, MAX_BUSY, &nb) < 0) {
            json_decref(list);
            return reply_db_failure(r, DB_ERROR, "slots");
        }
        if (open == 1)
            ns = free_slots(opens, closes, (int)len, from, to, nb, starts, 96);
        json_t *sl = json_array();
        for (size_t k = 0; k < ns; k++)
            json_array_append_new(sl, json_pack("{s:o, s:o}", "starts_at",
                                                dt_json(day0 + starts[k] * 60), "ends_at",
                                                dt_json(day0 + (starts[k] + len) * 60)));
        json_array_append_new(list, json_pack("{s:s, s:s, s:o}", "code", techs[i].code, "name",
                                              techs[i].name, "slots", sl));
    }
    char o[6] = "", cl[6] = "";
    if (open == 1) {
        snprintf(o, sizeof o, "%02u:%02u", (unsigned)opens / 60u % 100u, (unsigned)opens % 60u);
        snprintf(cl, sizeof cl, "%02u:%02u", (unsigned)closes / 60u % 100u,
                 (unsigned)closes % 60u);
    }
    return reply_json(r, 200, json_pack("{s:s, s:b, s:s?, s:s?, s:i, s:o}", "date", date, "open",
                                        open == 1, "opens", open == 1 ? o : NULL, "closes",
                                        open == 1 ? cl : NULL, "minutes", (int)len,
                                        "technicians", list));
}

static json_t *appointment_json(db_stmt *st)
{
    return json_pack("{s:s, s:s, s:s, s:o, s:o, s:s?, s:s?, s:b, s:b}", "code", db_text(st, 0),
                     "technician", db_text(st, 1), "outlet", db_text(st, 2), "starts_at",
                     dt_json(db_int(st, 3)), "ends_at", dt_json(db_int(st, 4)), "repair",
                     db_text(st, 5), "note", db_text(st, 6), "cancelled", !db_isnull(st, 7),
                     "completed", !db_isnull(st, 10));
}

#define APPT_SELECT                                                                            \
    "SELECT a.code, t.code, o.code, a.starts_at, a.ends_at, a.repair_code, a.note,"            \
    " a.cancelled_at, a.id, a.outlet_id, a.completed_at FROM appointments a"                                   \
    " JOIN technicians t ON t.id = a.technician_id JOIN outlets o ON o.id = a.outlet_id"

/* A booking request, read from the body and checked against the technician's outlet. */
struct booking {
    const char *tech, *repair, *note, *actor;
    long long mins;
    int64_t at, end, tid, oid;
    json_t *body;
    char code[24];
};

/* The body's fields into b; field errors into v. 0, or -1 on a database error. */
static int booking_read(req *r, jsonv *v, struct booking *b)
{
    static const char *const allowed[] = {"technician", "starts_at", "minutes", "repair", "note",
                                          NULL};
    jsonv_only(v, allowed);
    b->tech = jsonv_str(v, "technician", 1, 24);
    const char *starts = jsonv_str(v, "starts_at", 1, 40);
    b->repair = jsonv_str(v, "repair", 0, 32);
    b->note = jsonv_str(v, "note", 0, 1000);
    b->mins = 60;
    jsonv_int(v, "minutes", 0, &b->mins);
    if (starts && dt_parse_time(starts, org_zone(req_db(r)), &b->at) < 0)
        jsonv_fail(v, "starts_at", "RFC 3339 time, e.g. 2026-11-25T09:00:00+08:00");
    if (b->mins < 15 || b->mins > 480)
        jsonv_fail(v, "minutes", "15 to 480");
    b->end = b->at + b->mins * 60;
    if (b->tech) {
        b->tid = net_technician_visible(r, b->tech, NULL);
        if (b->tid < 0)
            return -1;
        if (b->tid == 0)
            jsonv_fail(v, "technician", "no such technician");
    }
    return 0;
}

/* The technician must be active and the visit within the outlet's hours that day. */
static int booking_check(db_conn *c, jsonv *v, struct booking *b)
{
    db_stmt *st = db_prepare(c, "SELECT outlet_id, active FROM technicians WHERE id = ?");
    if (!st)
        return -1;
    db_bind_int(st, 1, b->tid);
    int active = 0, s = db_step(st);
    if (s == DB_ROW) {
        b->oid = db_int(st, 0);
        active = (int)db_int(st, 1);
    }
    db_done(st);
    if (s < 0)
        return -1;
    const struct dt_zone *z = org_zone(c);
    char date[11];
    int y, m, d, hh, mm, ss, opens = 0, closes = 0;
    dt_local_date(z, b->at, date);
    dt_local_parts(z, b->at, &y, &m, &d, &hh, &mm, &ss);
    int start_min = hh * 60 + mm;
    int open = hours_on(c, b->oid, date, &opens, &closes);
    if (open < 0)
        return -1;
    if (!active)
        jsonv_fail(v, "technician", "not active");
    else if (open == 0 || start_min < opens || start_min + b->mins > closes)
        jsonv_fail(v, "starts_at", "outside the outlet's opening hours that day");
    return 0;
}

/* in_tx: book the visit unless it clashes (returns 1 then). */
static int booking_store(db_conn *c, void *arg)
{
    struct booking *b = arg;
    /* Take the technician's row lock (PostgreSQL; SQLite's write transaction is already
     * exclusive) so two bookings of the same technician cannot both pass the check. */
    if (db_exec(c, "UPDATE technicians SET version = version WHERE id = ?", "i", b->tid) < 0)
        return DB_ERROR;
    db_stmt *st = db_prepare(c, "SELECT COUNT(*) FROM appointments WHERE technician_id = ?"
                                " AND cancelled_at IS NULL AND starts_at < ? AND ends_at > ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, b->tid);
    db_bind_int(st, 2, b->end);
    db_bind_int(st, 3, b->at);
    int s = db_step(st);
    int64_t clashes = s == DB_ROW ? db_int(st, 0) : -1;
    db_done(st);
    if (clashes < 0)
        return s < 0 ? s : DB_ERROR;
    if (clashes > 0)
        return 1;
    int rc = code_next(c, "appointment", "A", 6, b->code, sizeof b->code);
    if (rc < 0)
        return rc;
    if (db_exec(c,
                "INSERT INTO appointments (code, technician_id, outlet_id, starts_at, ends_at,"
                " repair_code, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                "tiiiitti", b->code, b->tid, b->oid, b->at, b->end, b->repair, b->note,
                now_unix()) < 0 ||
        audit_write(c, b->actor, "create", "appointment", b->code, b->body) < 0)
        return DB_ERROR;
    return 0;
}

/* The stored appointment by code or id (code NULL) as the answer. */
static int appointment_reply(req *r, int status, const char *code, int64_t id)
{
    db_stmt *st = db_prepare(req_db(r), code ? APPT_SELECT " WHERE a.code = ?"
                                             : APPT_SELECT " WHERE a.id = ?");
    if (!st)
        return -1;
    if (code)
        db_bind_text(st, 1, code);
    else
        db_bind_int(st, 1, id);
    json_t *j = db_step(st) == DB_ROW ? appointment_json(st) : NULL;
    db_done(st);
    return j ? reply_json(r, status, j) : -1;
}

int net_appointments_create(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    db_conn *c = req_db(r);
    jsonv v;
    jsonv_init(&v, body);
    struct booking b = {.body = body, .actor = audit_actor(r)};
    int rc = booking_read(r, &v, &b);
    if (rc == 0 && jsonv_ok(&v))
        rc = booking_check(c, &v, &b);
    if (rc < 0)
        goto cleanup;
    if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed", "the appointment is not valid",
                         jsonv_take(&v));
        goto cleanup;
    }
    rc = in_tx(c, booking_store, &b);
    if (rc == 1)
        rc = reply_error(r, 409, "conflict", "the technician is already booked at that time",
                         NULL);
    else if (rc < 0)
        rc = reply_db_failure(r, rc, "appointment");
    else
        rc = appointment_reply(r, 201, b.code, 0);
cleanup:
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

/* One page of appointments (filters outlet, technician, date; by start and code), outlet
 * staff confined to their own outlet; an unknown or hidden outlet lists nothing. */
static int appointments_page(req *r, const struct page *p, json_t *items, const char **next)
{
    db_conn *c = req_db(r);
    const char *outlet = req_query(r, "outlet"), *date = req_query(r, "date");
    const char *tech = req_query(r, "technician");
    if (date && !date_weekday(date))
        return reply_bad_param(r, "date", "date is YYYY-MM-DD"), LIST_ANSWERED;
    int64_t oid = 0;
    if (outlet) {
        oid = net_outlet_visible(r, outlet, NULL);
        if (oid < 0)
            return net_page_failure(r, DB_ERROR, "appointments");
        if (oid == 0)
            return 0;
    }
    if (scope_outlet(r))
        oid = scope_outlet(r);
    int64_t from = date ? day_start(org_zone(c), date) : 0;
    db_stmt *st = db_prepare(
        c, APPT_SELECT " WHERE (CAST(? AS BIGINT) IS NULL OR a.outlet_id = ?)"
                       " AND (CAST(? AS TEXT) IS NULL OR t.code = ?)"
                       " AND (CAST(? AS BIGINT) IS NULL OR (a.starts_at >= ? AND a.starts_at < ?))"
                       " AND (CAST(? AS BIGINT) IS NULL OR a.starts_at > ?"
                       "      OR (a.starts_at = ? AND a.code > ?))"
                       " ORDER BY a.starts_at, a.code LIMIT ?");
    if (!st)
        return net_page_failure(r, DB_ERROR, "appointments");
    if (oid) {
        db_bind_int(st, 1, oid);
        db_bind_int(st, 2, oid);
    }
    db_bind_text(st, 3, tech);
    db_bind_text(st, 4, tech);
    if (date) {
        db_bind_int(st, 5, from);
        db_bind_int(st, 6, from);
        db_bind_int(st, 7, from + 86400);
    }
    if (p->nkeys) {
        for (int i = 8; i <= 10; i++)
            db_bind_int(st, i, page_key_int(p, 0));
        db_bind_text(st, 11, p->key[1]);
    }
    db_bind_int(st, 12, p->limit + 1);
    const char *last[2] = {NULL, NULL};
    int s;
    long n = 0;
    while ((s = db_step(st)) == DB_ROW) {
        if (n == p->limit) {
            *next = page_cursor(r->a, 2, last);
            break;
        }
        last[0] = arena_printf(r->a, "%lld", (long long)db_int(st, 3));
        last[1] = arena_strdup(r->a, db_text(st, 0));
        json_array_append_new(items, appointment_json(st));
        n++;
    }
    db_done(st);
    return s < 0 ? net_page_failure(r, s, "appointments") : 0;
}

static const struct table_col appointment_cols[] = {
    {"code", NULL, TABLE_TEXT, 10, 0},
    {"technician", NULL, TABLE_TEXT, 10, 0},
    {"outlet", NULL, TABLE_TEXT, 10, 0},
    {"starts_at", NULL, TABLE_TIME, 17, 0},
    {"ends_at", NULL, TABLE_TIME, 17, 0},
    {"repair", NULL, TABLE_TEXT, 14, 0},
    {"note", NULL, TABLE_TEXT, 28, 0},
    {"cancelled", NULL, TABLE_TEXT, 9, 0},
    {"completed", NULL, TABLE_TEXT, 9, 0},
};

/* Up to 500 a page, as before there was a cursor. */
int net_appointments_list(req *r)
{
    static const struct list_spec spec = {
        .name = "appointments",
        .cols = appointment_cols,
        .ncols = (int)(sizeof appointment_cols / sizeof *appointment_cols),
        .def_limit = 500,
        .max_limit = 500,
        .nkeys = 2,
        .page = appointments_page,
    };
    return list_reply(r, &spec);
}

/* Appointment `code`: its id, outlet and whether it is cancelled or completed. 0, or a
 * negative db code (*id 0 when there is none). */
static int appt_find(db_conn *c, const char *code, int64_t *id, int64_t *oid, int *cancelled,
                     int *done)
{
    db_stmt *st = db_prepare(c, APPT_SELECT " WHERE a.code = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, code);
    int s = db_step(st);
    *id = *oid = 0;
    *cancelled = *done = 0;
    if (s == DB_ROW) {
        *id = db_int(st, 8);
        *oid = db_int(st, 9);
        *cancelled = !db_isnull(st, 7);
        *done = !db_isnull(st, 10);
    }
    db_done(st);
    return s < 0 ? s : 0;
}

/* The appointment of r's :code as r may see it, neither cancelled nor completed: 0
 * with *id; 1 after answering 404 or 409; -1 on a database error. */
static int appt_open(req *r, int64_t *id)
{
    int64_t oid = 0;
    int cancelled = 0, done = 0;
    if (appt_find(req_db(r), req_param(r, "code"), id, &oid, &cancelled, &done) < 0)
        return -1;
    if (!*id || !scope_sees(r, oid))
        return reply_not_found(r, "appointment"), 1;
    if (cancelled || done)
        return reply_error(r, 409, "conflict",
                           cancelled ? "the appointment is cancelled already"
                                     : "the visit is completed already",
                           NULL), 1;
    return 0;
}

int net_appointments_cancel(req *r)
{
    db_conn *c = req_db(r);
    const char *code = req_param(r, "code");
    int64_t id = 0;
    int k = appt_open(r, &id);
    if (k)
        return k < 0 ? -1 : 0;
    if (db_begin(c) < 0)
        return -1;
    if (db_exec(c, "UPDATE appointments SET cancelled_at = ? WHERE id = ? AND cancelled_at IS NULL",
                "ii", now_unix(), id) != 1 ||
        audit_write(c, audit_actor(r), "cancel", "appointment", code, NULL) < 0 ||
        db_commit(c) < 0) {
        db_rollback(c);
        return -1;
    }
    return appointment_reply(r, 200, NULL, id);
}

/* POST /api/v1/appointments/:code/complete: the visit took place (not cancelled, not
 * completed before); the feature_visit_hooks run in its transaction (the survey). */
int net_appointments_complete(req *r)
{
    db_conn *c = req_db(r);
    const char *code = req_param(r, "code");
    int64_t id = 0;
    int k = appt_open(r, &id);
    if (k)
        return k < 0 ? -1 : 0;
    if (db_begin(c) < 0)
        return -1;
    int64_t now = now_unix();
    int rc = db_exec(c, "UPDATE appointments SET completed_at = ? WHERE id = ? AND completed_at IS NULL"
                        " AND cancelled_at IS NULL", "ii", now, id) == 1 ? 0 : -1;
    for (const feature_visit_hook *fn = feature_visit_hooks; rc == 0 && *fn; fn++)
        rc = (*fn)(c, id, now) < 0 ? -1 : 0;
    if (rc < 0 || audit_write(c, audit_actor(r), "complete", "appointment", code, NULL) < 0 ||
        db_commit(c) < 0) {
        db_rollback(c);
        return -1;
    }
    return appointment_reply(r, 200, NULL, id);
}
