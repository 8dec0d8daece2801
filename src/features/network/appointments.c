/* appointments: on-site appointments: technician slots within opening hours, booking, list
 * and cancel. */
#include "features/network/internal.h"

#include "base/arena.h"
#include "base/audit.h"
#include "base/jsonv.h"
#include "base/log.h"
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

/* Busy intervals of a technician on a local date, as minutes of that day. */
static int busy_of(db_conn *c, int64_t tech, const char *date, int *from, int *to, size_t max,
                   size_t *n)
{
    int64_t day0 = local_instant(date, 0);
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
        return reply_error(r, 404, "not_found", "no such outlet", NULL);
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
        return net_json_fail_db(r, c, "slots");
    db_stmt *st = db_prepare(c, "SELECT id, code, name FROM technicians WHERE outlet_id = ?"
                                " AND active = 1 AND (CAST(? AS TEXT) IS NULL OR code = ?)"
                                " ORDER BY code");
    if (!st)
        return net_json_fail_db(r, c, "slots");
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
        return net_json_fail_db(r, c, "slots");
    json_t *list = json_array();
    for (size_t i = 0; i < nt; i++) {
        int from[MAX_BUSY], to[MAX_BUSY], starts[96];
        size_t nb = 0, ns = 0;
        if (busy_of(c, techs[i].id, date, from, to, MAX_BUSY, &nb) < 0) {
            json_decref(list);
            return net_json_fail_db(r, c, "slots");
        }
        if (open == 1)
            ns = free_slots(opens, closes, (int)len, from, to, nb, starts, 96);
        json_t *sl = json_array();
        for (size_t k = 0; k < ns; k++) {
            char a[21], b[21];
            format_instant(local_instant(date, starts[k]), a);
            format_instant(local_instant(date, starts[k] + (int)len), b);
            json_array_append_new(sl, json_pack("{s:s, s:s}", "starts_at", a, "ends_at", b));
        }
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
    char a[21], b[21];
    format_instant(db_int(st, 3), a);
    format_instant(db_int(st, 4), b);
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:s?, s:b}", "code", db_text(st, 0),
                          "technician", db_text(st, 1), "outlet", db_text(st, 2), "starts_at", a,
                          "ends_at", b, "repair", db_text(st, 5), "note", db_text(st, 6),
                          "cancelled", !db_isnull(st, 7));
    return j;
}

#define APPT_SELECT                                                                            \
    "SELECT a.code, t.code, o.code, a.starts_at, a.ends_at, a.repair_code, a.note,"            \
    " a.cancelled_at, a.id, a.outlet_id FROM appointments a"                                   \
    " JOIN technicians t ON t.id = a.technician_id JOIN outlets o ON o.id = a.outlet_id"

int net_appointments_create(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    db_conn *c = req_db(r);
    jsonv v;
    jsonv_init(&v, body);
    static const char *const allowed[] = {"technician", "starts_at", "minutes", "repair", "note",
                                          NULL};
    jsonv_only(&v, allowed);
    const char *tech = jsonv_str(&v, "technician", 1, 24);
    const char *starts = jsonv_str(&v, "starts_at", 1, 40);
    const char *repair = jsonv_str(&v, "repair", 0, 32);
    const char *note = jsonv_str(&v, "note", 0, 1000);
    long long mins = 60;
    jsonv_int(&v, "minutes", 0, &mins);
    int64_t at = 0;
    int rc = 0;
    if (starts && parse_instant(starts, &at) < 0)
        jsonv_fail(&v, "starts_at", "RFC 3339 time, e.g. 2026-11-25T09:00:00+08:00");
    if (mins < 15 || mins > 480)
        jsonv_fail(&v, "minutes", "15 to 480");
    int64_t version = 0, tid = 0, oid = 0;
    if (tech) {
        tid = net_technician_visible(r, tech, &version);
        if (tid < 0) {
            rc = -1;
            goto cleanup;
        }
        if (tid == 0)
            jsonv_fail(&v, "technician", "no such technician");
    }
    if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed", "the appointment is not valid",
                         jsonv_take(&v));
        goto cleanup;
    }
    db_stmt *st = db_prepare(c, "SELECT outlet_id, active FROM technicians WHERE id = ?");
    int active = 0;
    if (!st) {
        rc = -1;
        goto cleanup;
    }
    db_bind_int(st, 1, tid);
    if (db_step(st) == DB_ROW) {
        oid = db_int(st, 0);
        active = (int)db_int(st, 1);
    }
    db_done(st);
    char date[11];
    int start_min, opens = 0, closes = 0;
    local_date_of(at, date, &start_min);
    int open = hours_on(c, oid, date, &opens, &closes);
    if (open < 0) {
        rc = -1;
        goto cleanup;
    }
    if (!active) {
        jsonv_fail(&v, "technician", "not active");
    } else if (open == 0 || start_min < opens || start_min + mins > closes) {
        jsonv_fail(&v, "starts_at", "outside the outlet's opening hours that day");
    }
    if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed", "the appointment is not valid",
                         jsonv_take(&v));
        goto cleanup;
    }
    if (db_begin(c) < 0) {
        rc = -1;
        goto cleanup;
    }
    /* Take the technician's row lock (PostgreSQL; SQLite's write transaction is already
     * exclusive) so two bookings of the same technician cannot both pass the check. */
    int64_t end = at + mins * 60;
    char code[24];
    if (db_exec(c, "UPDATE technicians SET version = version WHERE id = ?", "i", tid) < 0)
        goto dbfail;
    st = db_prepare(c, "SELECT COUNT(*) FROM appointments WHERE technician_id = ?"
                       " AND cancelled_at IS NULL AND starts_at < ? AND ends_at > ?");
    if (!st)
        goto dbfail;
    db_bind_int(st, 1, tid);
    db_bind_int(st, 2, end);
    db_bind_int(st, 3, at);
    int64_t clashes = db_step(st) == DB_ROW ? db_int(st, 0) : -1;
    db_done(st);
    if (clashes < 0)
        goto dbfail;
    if (clashes > 0) {
        db_rollback(c);
        rc = reply_error(r, 409, "conflict", "the technician is already booked at that time",
                         NULL);
        goto cleanup;
    }
    if (net_next_code(c, "appointment", "A", code, sizeof code) < 0 ||
        db_exec(c,
                "INSERT INTO appointments (code, technician_id, outlet_id, starts_at, ends_at,"
                " repair_code, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                "tiiiitti", code, tid, oid, at, end, repair, note, now_unix()) < 0 ||
        audit_write(c, audit_actor(r), "create", "appointment", code, body) < 0 ||
        db_commit(c) < 0)
        goto dbfail;
    st = db_prepare(c, APPT_SELECT " WHERE a.code = ?");
    if (!st) {
        rc = -1;
        goto cleanup;
    }
    db_bind_text(st, 1, code);
    json_t *j = db_step(st) == DB_ROW ? appointment_json(st) : NULL;
    db_done(st);
    rc = j ? reply_json(r, 201, j) : -1;
    goto cleanup;
dbfail:
    log_error("appointment: %s", db_errmsg(c));
    db_rollback(c);
    rc = -1;
cleanup:
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

int net_appointments_list(req *r)
{
    db_conn *c = req_db(r);
    const char *outlet = req_query(r, "outlet"), *date = req_query(r, "date");
    const char *tech = req_query(r, "technician");
    if (date && !date_weekday(date))
        return net_bad_param(r, "date", "date is YYYY-MM-DD");
    int64_t oid = 0;
    if (outlet) {
        oid = net_outlet_visible(r, outlet, NULL);
        if (oid < 0)
            return -1;
        if (oid == 0)
            return reply_json(r, 200, json_pack("{s:[], s:n}", "items", "next_cursor"));
    }
    if (net_is_outlet_staff(r))
        oid = r->who.outlet_id;
    int64_t from = date ? local_instant(date, 0) : 0;
    db_stmt *st = db_prepare(
        c, APPT_SELECT " WHERE (CAST(? AS BIGINT) IS NULL OR a.outlet_id = ?)"
                       " AND (CAST(? AS TEXT) IS NULL OR t.code = ?)"
                       " AND (CAST(? AS BIGINT) IS NULL OR (a.starts_at >= ? AND a.starts_at < ?))"
                       " ORDER BY a.starts_at, a.code LIMIT 500");
    if (!st)
        return net_json_fail_db(r, c, "appointments");
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
    json_t *items = json_array();
    int s;
    while ((s = db_step(st)) == DB_ROW)
        json_array_append_new(items, appointment_json(st));
    db_done(st);
    if (s < 0) {
        json_decref(items);
        return net_json_fail_db(r, c, "appointments");
    }
    return reply_json(r, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

int net_appointments_cancel(req *r)
{
    db_conn *c = req_db(r);
    const char *code = req_param(r, "code");
    db_stmt *st = db_prepare(c, APPT_SELECT " WHERE a.code = ?");
    if (!st)
        return -1;
    db_bind_text(st, 1, code);
    int s = db_step(st);
    int64_t id = 0, oid = 0, cancelled = 0;
    if (s == DB_ROW) {
        id = db_int(st, 8);
        oid = db_int(st, 9);
        cancelled = !db_isnull(st, 7);
    }
    db_done(st);
    if (s < 0)
        return -1;
    if (!id || (net_is_outlet_staff(r) && oid != r->who.outlet_id))
        return reply_error(r, 404, "not_found", "no such appointment", NULL);
    if (cancelled)
        return reply_error(r, 409, "conflict", "the appointment is cancelled already", NULL);
    if (db_begin(c) < 0)
        return -1;
    if (db_exec(c, "UPDATE appointments SET cancelled_at = ? WHERE id = ? AND cancelled_at IS NULL",
                "ii", now_unix(), id) != 1 ||
        audit_write(c, audit_actor(r), "cancel", "appointment", code, NULL) < 0 ||
        db_commit(c) < 0) {
        db_rollback(c);
        return -1;
    }
    st = db_prepare(c, APPT_SELECT " WHERE a.id = ?");
    if (!st)
        return -1;
    db_bind_int(st, 1, id);
    json_t *j = db_step(st) == DB_ROW ? appointment_json(st) : NULL;
    db_done(st);
    return j ? reply_json(r, 200, j) : -1;
}
