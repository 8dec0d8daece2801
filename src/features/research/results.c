/* research: what a sent questionnaire gathered: the frozen recipients (a list), the
 * results per question (option counts, the scale's distribution, the text answers)
 * with the response rate, and the answers, one row per response and one column per
 * question (a list that downloads as CSV/XLSX). */
#include "features/research/internal.h"

#include <stdio.h>
#include <string.h>

/* The questionnaire of r's :code into *id and *qs, or answered 404 (LIST_ANSWERED) /
 * -1. */
int rs_load_or_404(req *r, int64_t *id, json_t **qs)
{
    char status[8];
    int rc = rs_load(req_db(r), req_param(r, "code"), id, status, qs);
    if (rc == 1) {
        reply_not_found(r, "questionnaire");
        return LIST_ANSWERED;
    }
    return rc < 0 ? -1 : 0;
}

static json_t *rcpt_json(db_stmt *st)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:o, s:s?, s:s?}", "id", (json_int_t)db_int(st, 0),
                     "customer", db_text(st, 1), "customer_name", db_text(st, 2), "status",
                     db_text(st, 3), "answered_at",
                     db_isnull(st, 4) ? json_null() : dt_json(db_int(st, 4)), "delivery",
                     db_text(st, 5), "delivery_error", db_text(st, 6));
}

/* A recipient's status: an unanswered invitation whose outbox message failed (retries
 * used up) or bounced is marked so; delivery is the outbox message's own status. */
#define RCPT_STATUS                                                                          \
    "CASE WHEN r.status = 'queued' AND o.status IN ('failed', 'bounced') THEN o.status ELSE" \
    " r.status END"

static int rcpt_page(req *r, const struct page *p, json_t *items, const char **next)
{
    int64_t after = page_after_id(r, p), id = 0;
    if (after < 0)
        return LIST_ANSWERED;
    int rc = rs_load_or_404(r, &id, NULL);
    if (rc)
        return rc;
    db_stmt *st = db_prepare(req_db(r), "SELECT r.id, c.code, c.name, " RCPT_STATUS ", r.answered_at,"
                                        " o.status, o.last_error FROM research_recipients r JOIN customers c"
                                        " ON c.id = r.customer_id LEFT JOIN outbox o ON o.id = r.outbox_id"
                                        " WHERE r.questionnaire_id = ? AND r.id > ? ORDER BY r.id LIMIT ?");
    if (!st)
        return -1;
    db_bind_int(st, 1, id);
    db_bind_int(st, 2, after);
    db_bind_int(st, 3, p->limit + 1);
    return list_rows_page(r, p, st, rcpt_json, 0, items, next);
}

static const struct table_col rcpt_cols[] = {
    {"id", NULL, TABLE_INT, 8, 0},          {"customer", NULL, TABLE_TEXT, 11, 0},
    {"customer_name", NULL, TABLE_TEXT, 14, 0}, {"status", NULL, TABLE_TEXT, 9, 0},
    {"answered_at", NULL, TABLE_TIME, 17, 0}, {"delivery", NULL, TABLE_TEXT, 9, 0},
    {"delivery_error", NULL, TABLE_TEXT, 30, 0},
};

int rs_recipients(req *r)
{
    static const struct list_spec spec = {
        .name = "questionnaire-recipients",
        .cols = rcpt_cols,
        .ncols = (int)(sizeof rcpt_cols / sizeof *rcpt_cols),
        .def_limit = 50,
        .max_limit = 500,
        .nkeys = 1,
        .page = rcpt_page,
    };
    return list_reply(r, &spec);
}

/* One question's result object (counts zeroed) for question q. */
static json_t *result_of(json_t *q)
{
    json_t *o = json_pack("{s:O, s:O, s:O, s:O, s:i}", "no", json_object_get(q, "no"), "kind",
                          json_object_get(q, "kind"), "text", json_object_get(q, "text"), "required",
                          json_object_get(q, "required"), "answered", 0);
    const char *kind = json_string_value(json_object_get(q, "kind"));
    if (strcmp(kind, "single") == 0 || strcmp(kind, "multiple") == 0) {
        json_t *opts = json_array(), *x;
        size_t i;
        json_array_foreach(json_object_get(q, "options"), i, x)
            json_array_append_new(opts, json_pack("{s:O, s:O, s:O, s:i}", "no", json_object_get(x, "no"),
                                                  "zh", json_object_get(x, "zh"), "en",
                                                  json_object_get(x, "en"), "count", 0));
        json_object_set_new(o, "options", opts);
    } else if (strcmp(kind, "scale") == 0) {
        json_t *dist = json_array();
        for (json_int_t v = json_integer_value(json_object_get(q, "min"));
             v <= json_integer_value(json_object_get(q, "max")); v++)
            json_array_append_new(dist, json_pack("{s:I, s:i}", "value", v, "count", 0));
        json_object_set_new(o, "min", json_incref(json_object_get(q, "min")));
        json_object_set_new(o, "max", json_incref(json_object_get(q, "max")));
        json_object_set_new(o, "distribution", dist);
    } else {
        json_object_set_new(o, "texts", json_array());
    }
    return o;
}

/* Fill the counts of out (the array of result_of) from the answers of questionnaire id. */
static int fill_counts(db_conn *c, int64_t id, json_t *out)
{
    db_stmt *st = db_prepare(c, "SELECT a.question_no, a.option_no, a.value, a.text, r.answered_at"
                                " FROM research_answers a JOIN research_recipients r ON r.id ="
                                " a.recipient_id WHERE r.questionnaire_id = ?"
                                " ORDER BY a.question_no, r.id DESC, a.option_no");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, id);
    int s;
    while ((s = db_step(st)) == DB_ROW) {
        json_t *q = json_array_get(out, (size_t)(db_int(st, 0) - 1));
        if (!q)
            continue;
        json_t *slot = NULL;
        if (!db_isnull(st, 1))
            slot = json_array_get(json_object_get(q, "options"), (size_t)(db_int(st, 1) - 1));
        else if (!db_isnull(st, 2))
            slot = json_array_get(json_object_get(q, "distribution"),
                                  (size_t)(db_int(st, 2) - json_integer_value(json_object_get(q, "min"))));
        else if (db_text(st, 3) && json_array_size(json_object_get(q, "texts")) < 1000)
            json_array_append_new(json_object_get(q, "texts"),
                                  json_pack("{s:s, s:o}", "text", db_text(st, 3), "answered_at",
                                            dt_json(db_int(st, 4))));
        if (slot)
            json_object_set_new(slot, "count",
                                json_integer(json_integer_value(json_object_get(slot, "count")) + 1));
    }
    db_done(st);
    if (s < 0)
        return s;
    st = db_prepare(c, "SELECT a.question_no, COUNT(DISTINCT a.recipient_id) FROM research_answers a"
                       " JOIN research_recipients r ON r.id = a.recipient_id"
                       " WHERE r.questionnaire_id = ? GROUP BY a.question_no");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, id);
    while ((s = db_step(st)) == DB_ROW) {
        json_t *q = json_array_get(out, (size_t)(db_int(st, 0) - 1));
        if (q)
            json_object_set_new(q, "answered", json_integer((json_int_t)db_int(st, 1)));
    }
    db_done(st);
    return s < 0 ? s : 0;
}

/* The results as rows (question, question text, answer, count) for a download. */
static int results_download(req *r, int f, json_t *questions)
{
    static const struct table_col cols[] = {
        {"question", NULL, TABLE_INT, 9, 0}, {"text", NULL, TABLE_TEXT, 40, 0},
        {"answer", NULL, TABLE_TEXT, 30, 0}, {"count", NULL, TABLE_INT, 9, 0},
    };
    json_t *rows = json_array(), *q, *x;
    size_t i, j;
    json_array_foreach(questions, i, q)
    {
        const char *text = json_string_value(json_object_get(json_object_get(q, "text"), "zh"));
        json_int_t no = json_integer_value(json_object_get(q, "no"));
        json_array_foreach(json_object_get(q, "options"), j, x)
            json_array_append_new(rows, json_pack("[I, s, s, O]", no, text, json_string_value(json_object_get(x, "zh")),
                                                  json_object_get(x, "count")));
        json_array_foreach(json_object_get(q, "distribution"), j, x)
            json_array_append_new(rows, json_pack("[I, s, O, O]", no, text, json_object_get(x, "value"),
                                                  json_object_get(x, "count")));
        json_array_foreach(json_object_get(q, "texts"), j, x)
            json_array_append_new(rows, json_pack("[I, s, O, i]", no, text, json_object_get(x, "text"), 1));
    }
    int rc = table_reply_rows(r, (enum table_format)f, "questionnaire-results", "results", cols, 4, rows);
    json_decref(rows);
    return rc;
}

int rs_results(req *r)
{
    int f = table_format_of(r);
    if (f < 0)
        return reply_bad_format(r);
    int64_t id = 0;
    json_t *qs = NULL;
    int rc = rs_load_or_404(r, &id, &qs);
    if (rc)
        return rc == LIST_ANSWERED ? 0 : -1;
    db_conn *c = req_db(r);
    json_t *out = json_array(), *q;
    size_t i;
    json_array_foreach(qs, i, q)
        json_array_append_new(out, result_of(q));
    json_decref(qs);
    db_stmt *st = db_prepare(c, "SELECT COUNT(*), COALESCE(SUM(CASE WHEN r.status = 'answered' THEN 1 ELSE 0 END), 0),"
                                " COALESCE(SUM(CASE WHEN " RCPT_STATUS " IN ('failed', 'bounced') THEN 1 ELSE 0 END), 0)"
                                " FROM research_recipients r LEFT JOIN outbox o ON o.id = r.outbox_id"
                                " WHERE r.questionnaire_id = ?");
    int s = DB_ERROR;
    int64_t n = 0, answered = 0, undelivered = 0;
    if (st) {
        db_bind_int(st, 1, id);
        s = db_step(st);
        if (s == DB_ROW)
            n = db_int(st, 0), answered = db_int(st, 1), undelivered = db_int(st, 2);
        db_done(st);
    }
    if (s != DB_ROW || (rc = fill_counts(c, id, out)) < 0) {
        json_decref(out);
        return reply_db_failure(r, s != DB_ROW ? (s < 0 ? s : DB_ERROR) : rc, "questionnaire results");
    }
    if (f != TABLE_JSON) {
        rc = results_download(r, f, out);
        json_decref(out);
        return rc;
    }
    return reply_json(r, 200,
                      json_pack("{s:s, s:I, s:I, s:I, s:o, s:o}", "code", req_param(r, "code"),
                                "recipients", (json_int_t)n, "responses", (json_int_t)answered,
                                "undelivered", (json_int_t)undelivered, "response_rate",
                                n ? json_real((double)answered / (double)n) : json_null(),
                                "questions", out));
}
