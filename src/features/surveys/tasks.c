/* surveys: the staff side: the list of surveys (the call-back tasks among them), one
 * survey with its script and attempts, recording a call-back attempt with its outcome,
 * and the supervisors' follow-ups of low scores. */
#include "base/audit.h"
#include "features/surveys/internal.h"

#include <string.h>

#define SV_SELECT                                                                             \
    "SELECT s.code, s.kind, s.channel, s.status, c.code, c.name, o.code, rp.code, a.code,"   \
    " s.created_at, s.expires_at, s.attempts, s.outcome, s.next_call_at, s.answered_at,"     \
    " s.q_first, s.q_time, s.q_attitude, s.q_overall, s.nps, s.comment,"                     \
    " (SELECT phone FROM customer_phones WHERE customer_id = s.customer_id ORDER BY id LIMIT 1),"  \
    " s.answered_via, s.id, s.outlet_id FROM surveys s JOIN customers c ON c.id = s.customer_id" \
    " LEFT JOIN outlets o ON o.id = s.outlet_id LEFT JOIN repairs rp ON rp.id = s.repair_id" \
    " LEFT JOIN appointments a ON a.id = s.appointment_id"

static json_t *opt_int(db_stmt *st, int col)
{
    return db_isnull(st, col) ? json_null() : json_integer(db_int(st, col));
}

static json_t *opt_time(db_stmt *st, int col)
{
    return db_isnull(st, col) ? json_null() : dt_json(db_int(st, col));
}

static json_t *survey_json(db_stmt *st)
{
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s?, s:s?, s:o, s:o, s:I, s:s?,"
                          " s:o, s:o, s:s?, s:s?, s:s?}",
                          "code", db_text(st, 0), "kind", db_text(st, 1), "channel", db_text(st, 2),
                          "status", db_text(st, 3), "customer", db_text(st, 4), "customer_name",
                          db_text(st, 5), "outlet", db_text(st, 6), "repair", db_text(st, 7),
                          "appointment", db_text(st, 8), "created_at", dt_json(db_int(st, 9)),
                          "expires_at", dt_json(db_int(st, 10)), "attempts",
                          (json_int_t)db_int(st, 11), "outcome", db_text(st, 12), "next_call_at",
                          opt_time(st, 13), "answered_at", opt_time(st, 14), "comment",
                          db_text(st, 20), "phone", db_text(st, 21), "answered_via", db_text(st, 22));
    static const char *const keys[] = {"first_impression", "repair_time", "attitude", "overall", "nps"};
    for (int i = 0; i < 5; i++)
        json_object_set_new(j, keys[i], opt_int(st, 15 + i));
    return j;
}

/* One page of surveys, newest first; filters channel, status, kind, outlet (code). */
static int surveys_page(req *r, const struct page *p, json_t *items, const char **next)
{
    db_conn *c = req_db(r);
    const char *channel = req_query(r, "channel"), *status = req_query(r, "status");
    const char *kind = req_query(r, "kind"), *outlet = req_query(r, "outlet");
    int64_t after = page_after_id(r, p);
    if (after < 0)
        return LIST_ANSWERED;
    db_stmt *st = db_prepare(
        c, SV_SELECT " WHERE (CAST(? AS TEXT) IS NULL OR s.channel = ?)"
                     " AND (CAST(? AS TEXT) IS NULL OR s.status = ?)"
                     " AND (CAST(? AS TEXT) IS NULL OR s.kind = ?)"
                     " AND (CAST(? AS TEXT) IS NULL OR o.code = ?)"
                     " AND (CAST(? AS BIGINT) = 0 OR s.outlet_id = ?)"
                     " AND (CAST(? AS BIGINT) = 0 OR s.id < ?) ORDER BY s.id DESC LIMIT ?");
    if (!st)
        return -1;
    const char *f[4] = {channel, status, kind, outlet};
    for (int i = 0; i < 4; i++) {
        db_bind_text(st, 1 + 2 * i, f[i] && *f[i] ? f[i] : NULL);
        db_bind_text(st, 2 + 2 * i, f[i] && *f[i] ? f[i] : NULL);
    }
    int64_t scope = scope_outlet(r);
    db_bind_int(st, 9, scope);
    db_bind_int(st, 10, scope);
    db_bind_int(st, 11, after);
    db_bind_int(st, 12, after);
    db_bind_int(st, 13, p->limit + 1);
    return list_rows_page(r, p, st, survey_json, 23, items, next);
}

static const struct table_col survey_cols[] = {
    {"code", NULL, TABLE_TEXT, 12, 0},        {"kind", NULL, TABLE_TEXT, 8, 0},
    {"channel", NULL, TABLE_TEXT, 9, 0},      {"status", NULL, TABLE_TEXT, 9, 0},
    {"customer", NULL, TABLE_TEXT, 11, 0},    {"customer_name", NULL, TABLE_TEXT, 14, 0},
    {"phone", NULL, TABLE_TEXT, 13, 0},       {"outlet", NULL, TABLE_TEXT, 9, 0},
    {"repair", NULL, TABLE_TEXT, 14, 0},      {"appointment", NULL, TABLE_TEXT, 12, 0},
    {"created_at", NULL, TABLE_TIME, 17, 0},  {"attempts", NULL, TABLE_INT, 8, 0},
    {"outcome", NULL, TABLE_TEXT, 14, 0},     {"answered_at", NULL, TABLE_TIME, 17, 0},
    {"first_impression", NULL, TABLE_INT, 6, 0}, {"repair_time", NULL, TABLE_INT, 6, 0},
    {"attitude", NULL, TABLE_INT, 6, 0},      {"overall", NULL, TABLE_INT, 6, 0},
    {"nps", NULL, TABLE_INT, 5, 0},           {"comment", NULL, TABLE_TEXT, 30, 0},
};

int sv_list(req *r)
{
    static const struct list_spec spec = {
        .name = "surveys",
        .cols = survey_cols,
        .ncols = (int)(sizeof survey_cols / sizeof *survey_cols),
        .def_limit = 50,
        .max_limit = 500,
        .nkeys = 1,
        .page = surveys_page,
    };
    return list_reply(r, &spec);
}

/* Survey `code` as r may see it: its JSON (with the template and the attempts) and id,
 * 0; 1 after answering 404; -1. */
static int load_survey(req *r, const char *code, json_t **out, int64_t *id)
{
    db_conn *c = req_db(r);
    db_stmt *st = db_prepare(c, SV_SELECT " WHERE s.code = ?");
    if (!st)
        return -1;
    db_bind_text(st, 1, code);
    int s = db_step(st);
    if (s != DB_ROW || !scope_sees(r, db_isnull(st, 24) ? 0 : db_int(st, 24))) {
        db_done(st);
        return s < 0 ? -1 : (reply_not_found(r, "survey"), 1);
    }
    json_t *j = survey_json(st);
    *id = db_int(st, 23);
    db_done(st);
    st = db_prepare(c, "SELECT " SV_TEMPLATE_COLS " FROM surveys s JOIN survey_templates t"
                       " ON t.id = s.template_id WHERE s.id = ?");
    if (!st)
        return json_decref(j), -1;
    db_bind_int(st, 1, *id);
    if ((s = db_step(st)) == DB_ROW)
        json_object_set_new(j, "template", sv_template_json(st, 0));
    db_done(st);
    json_t *att = json_array();
    json_object_set_new(j, "history", att);
    st = db_prepare(c, "SELECT at, actor, outcome, note FROM survey_attempts WHERE survey_id = ?"
                       " ORDER BY id");
    if (!st || s < 0)
        return json_decref(j), -1;
    db_bind_int(st, 1, *id);
    while ((s = db_step(st)) == DB_ROW)
        json_array_append_new(att, json_pack("{s:o, s:s, s:s, s:s?}", "at", dt_json(db_int(st, 0)),
                                             "actor", db_text(st, 1), "outcome", db_text(st, 2),
                                             "note", db_text(st, 3)));
    db_done(st);
    if (s < 0)
        return json_decref(j), -1;
    *out = j;
    return 0;
}

int sv_get(req *r)
{
    json_t *j = NULL;
    int64_t id;
    int rc = load_survey(r, req_param(r, "code"), &j, &id);
    return rc ? (rc < 0 ? -1 : 0) : reply_json(r, 200, j);
}

static const char *const outcomes[] = {"answered", "no_answer", "busy", "call_back_later",
                                       "wrong_number", "refused", NULL};

/* The attempt in the open transaction: 0 done, 1 invalid (v), 2 the survey is no longer
 * open, or a negative db code. */
static int attempt_tx(req *r, db_conn *c, int64_t id, jsonv *v)
{
    const char *outcome = jsonv_enum(v, "outcome", 1, outcomes);
    const char *note = jsonv_str(v, "note", 0, 1000);
    int64_t next = 0;
    int has_next = jsonv_time(v, "next_call_at", 0, &next);
    if (outcome && strcmp(outcome, "call_back_later") == 0 && !has_next)
        jsonv_fail(v, "next_call_at", "required for call_back_later");
    if (!jsonv_ok(v))
        return 1;
    struct sv_settings set;
    int rc = sv_settings_load(c, 0, &set);
    if (rc < 0)
        return rc;
    int64_t now = now_unix();
    db_stmt *st = db_prepare(c, "SELECT status FROM surveys WHERE id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, id);
    int s = db_step(st);
    int open = s == DB_ROW && strcmp(db_text(st, 0), "open") == 0;
    db_done(st);
    if (s < 0 || !open)
        return s < 0 ? s : 2;
    if (strcmp(outcome, "answered") == 0) {
        json_t *ans = json_object_get(v->body, "answers");
        jsonv av;
        jsonv_init(&av, json_is_object(ans) ? ans : NULL);
        rc = sv_store_answers(c, id, &av, "callback", now);
        if (rc == 1)
            jsonv_fail(v, "answers", "four scores 1-5 (first_impression, repair_time, attitude,"
                                     " overall), nps 0-10 and comment optional");
        jsonv_free(&av);
        if (rc)
            return rc;
    }
    int closing = strcmp(outcome, "wrong_number") == 0 || strcmp(outcome, "refused") == 0;
    int64_t e = db_exec(
        c,
        "UPDATE surveys SET attempts = attempts + 1, outcome = ?,"
        " next_call_at = CASE WHEN CAST(? AS BIGINT) > 0 THEN CAST(? AS BIGINT) ELSE NULL END,"
        " status = CASE WHEN status = 'open' AND (CAST(? AS BIGINT) = 1 OR attempts + 1 >= ?)"
        " THEN 'closed' ELSE status END WHERE id = ?",
        "tiiiii", outcome, next, next, (int64_t)closing, set.max_attempts, id);
    if (e < 0)
        return (int)e;
    e = db_exec(c, "INSERT INTO survey_attempts (survey_id, at, actor, outcome, note)"
                   " VALUES (?, ?, ?, ?, ?)",
                "iittt", id, now, audit_actor(r), outcome, note);
    return e < 0 ? (int)e : 0;
}

int sv_attempt(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    db_conn *c = req_db(r);
    json_t *j = NULL;
    int64_t id = 0;
    const char *code = req_param(r, "code");
    int rc = load_survey(r, code, &j, &id);
    json_decref(j);
    j = NULL;
    if (rc) {
        json_decref(body);
        return rc < 0 ? -1 : 0;
    }
    jsonv v;
    jsonv_init(&v, body);
    static const char *const allowed[] = {"outcome", "note", "next_call_at", "answers", NULL};
    jsonv_only(&v, allowed);
    int k = db_begin(c);
    if (k == 0) {
        k = attempt_tx(r, c, id, &v);
        if (k == 0)
            k = audit_write(c, audit_actor(r), "attempt", "survey", code, NULL) < 0 ? DB_ERROR : 0;
        if (k == 0 && (k = db_commit(c)) == 0) {
            jsonv_free(&v);
            json_decref(body);
            rc = load_survey(r, code, &j, &id);
            return rc ? (rc < 0 ? -1 : 0) : reply_json(r, 200, j);
        }
        db_rollback(c);
    }
    if (k == 1)
        rc = reply_error(r, 422, "validation_failed", "the attempt is not valid", jsonv_take(&v));
    else if (k == 2)
        rc = reply_error(r, 409, "conflict", "the survey is answered or closed already", NULL);
    else
        rc = reply_db_failure(r, k, "survey attempt");
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

/* ---- follow-ups ---- */

/* A follow-up row of followups_page as JSON. */
static json_t *followup_json(db_stmt *st)
{
    return json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s, s:o, s:o, s:s?, s:s?, s:o, s:s?, s:s?}",
                             "survey", db_text(st, 1), "customer", db_text(st, 2), "customer_name",
                             db_text(st, 3), "outlet", db_text(st, 4), "reason", db_text(st, 5),
                             "status", db_text(st, 6), "created_at", dt_json(db_int(st, 7)),
                             "closed_at", opt_time(st, 8), "closed_by", db_text(st, 9), "note",
                             db_text(st, 10), "overall", opt_int(st, 11), "comment",
                             db_text(st, 12), "phone", db_text(st, 13));
}

static int followups_page(req *r, const struct page *p, json_t *items, const char **next)
{
    const char *status = req_query(r, "status");
    if (status && *status && strcmp(status, "open") != 0 && strcmp(status, "done") != 0)
        return reply_bad_param(r, "status", "open or done"), LIST_ANSWERED;
    int64_t after = page_after_id(r, p);
    if (after < 0)
        return LIST_ANSWERED;
    db_stmt *st = db_prepare(
        req_db(r),
        "SELECT f.id, s.code, c.code, c.name, o.code, f.reason, f.status, f.created_at,"
        " f.closed_at, f.closed_by, f.note, s.q_overall, s.comment,"
        " (SELECT phone FROM customer_phones WHERE customer_id = s.customer_id ORDER BY id LIMIT 1)"
        " FROM survey_followups f JOIN surveys s ON s.id = f.survey_id"
        " JOIN customers c ON c.id = s.customer_id LEFT JOIN outlets o ON o.id = f.outlet_id"
        " WHERE (CAST(? AS TEXT) IS NULL OR f.status = ?)"
        " AND (CAST(? AS BIGINT) = 0 OR f.outlet_id = ?)"
        " AND (CAST(? AS BIGINT) = 0 OR f.id < ?) ORDER BY f.id DESC LIMIT ?");
    if (!st)
        return -1;
    status = status && *status ? status : NULL;
    db_bind_text(st, 1, status);
    db_bind_text(st, 2, status);
    db_bind_int(st, 3, scope_outlet(r));
    db_bind_int(st, 4, scope_outlet(r));
    db_bind_int(st, 5, after);
    db_bind_int(st, 6, after);
    db_bind_int(st, 7, p->limit + 1);
    return list_rows_page(r, p, st, followup_json, 0, items, next);
}

static const struct table_col followup_cols[] = {
    {"survey", NULL, TABLE_TEXT, 12, 0},     {"customer", NULL, TABLE_TEXT, 11, 0},
    {"customer_name", NULL, TABLE_TEXT, 14, 0}, {"phone", NULL, TABLE_TEXT, 13, 0},
    {"outlet", NULL, TABLE_TEXT, 9, 0},      {"reason", NULL, TABLE_TEXT, 30, 0},
    {"status", NULL, TABLE_TEXT, 8, 0},      {"created_at", NULL, TABLE_TIME, 17, 0},
    {"closed_at", NULL, TABLE_TIME, 17, 0},  {"closed_by", NULL, TABLE_TEXT, 12, 0},
    {"note", NULL, TABLE_TEXT, 30, 0},       {"comment", NULL, TABLE_TEXT, 30, 0},
};

int sv_followups_list(req *r)
{
    static const struct list_spec spec = {
        .name = "survey-followups",
        .cols = followup_cols,
        .ncols = (int)(sizeof followup_cols / sizeof *followup_cols),
        .def_limit = 50,
        .max_limit = 500,
        .nkeys = 1,
        .page = followups_page,
    };
    return list_reply(r, &spec);
}

int sv_followup_close(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv v;
    jsonv_init(&v, body);
    static const char *const allowed[] = {"note", NULL};
    jsonv_only(&v, allowed);
    const char *note = jsonv_str(&v, "note", 1, 2000);
    const char *code = req_param(r, "code");
    int rc;
    if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed", "the follow-up needs a note", jsonv_take(&v));
    } else {
        db_conn *c = req_db(r);
        int k = db_begin(c);
        int64_t e = k < 0 ? k
                          : db_exec(c,
                                    "UPDATE survey_followups SET status = 'done', closed_at = ?,"
                                    " closed_by = ?, note = ? WHERE status = 'open' AND survey_id ="
                                    " (SELECT id FROM surveys WHERE code = ?)",
                                    "ittt", now_unix(), audit_actor(r), note, code);
        if (e == 1 && audit_write(c, audit_actor(r), "close", "survey_followup", code, NULL) == 0 &&
            db_commit(c) == 0) {
            rc = reply_json(r, 200, json_pack("{s:s, s:s}", "survey", code, "status", "done"));
        } else {
            if (k == 0)
                db_rollback(c);
            rc = e < 0 ? reply_db_failure(r, (int)e, "follow-up")
                       : e == 0 ? reply_not_found(r, "open follow-up") : -1;
        }
    }
    jsonv_free(&v);
    json_decref(body);
    return rc;
}
