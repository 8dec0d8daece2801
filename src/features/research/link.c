/* research: the signed single-use link of a recipient and the public routes the portal
 * page calls without login: the questionnaire to answer, and the answers, checked by
 * question kind (an option not in the question, a scale value out of range, a required
 * question unanswered: 422). A tampered or unknown link answers 404; a link answered
 * already, of a closed questionnaire or of a customer erased since, 410. */
#include "features/research/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rs_token(const unsigned char key[32], const char *code, int64_t rid, char *out, size_t n)
{
    char msg[64], hex[65];
    snprintf(msg, sizeof msg, "research.%s.%lld", code, (long long)rid);
    link_mac(key, msg, hex);
    snprintf(out, n, "%s.%lld.%s", code, (long long)rid, hex);
}

/* The recipient id and questionnaire code of a token whose signature holds: 0, or 1
 * (malformed, tampered, no key yet), or a db code. */
static int token_check(db_conn *c, const char *token, int64_t *rid, char code[16])
{
    const char *d1 = token ? strchr(token, '.') : NULL;
    const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
    if (!d1 || !d2 || d1 == token || d1 - token >= 16 || strlen(d2 + 1) != 64)
        return 1;
    char *end = NULL;
    long long id = strtoll(d1 + 1, &end, 10);
    if (end != d2 || id <= 0)
        return 1;
    snprintf(code, 16, "%.*s", (int)(d1 - token), token);
    unsigned char key[32];
    int rc = link_key(c, "research_settings", 0, key);
    if (rc != 0)
        return rc;
    char msg[64];
    snprintf(msg, sizeof msg, "research.%s.%lld", code, id);
    if (!link_mac_ok(key, msg, d2 + 1))
        return 1;
    *rid = id;
    return 0;
}

struct found {
    int64_t rid;
    char code[16];
    json_t *q; /* {code, title, questions} */
    int state;  /* 0 open, 1 404, 2 410 */
};

/* The questionnaire behind r's token into f; 0 or a db code. */
static int find(db_conn *c, const char *token, struct found *f)
{
    int rc = token_check(c, token, &f->rid, f->code);
    if (rc) {
        f->state = 1;
        return rc < 0 ? rc : 0;
    }
    db_stmt *st = db_prepare(c, "SELECT CASE WHEN c.erased_at IS NULL THEN r.status ELSE 'answered' END,"
                                " q.status, q.title_zh, q.title_en, q.questions FROM research_recipients r"
                                " JOIN questionnaires q ON q.id = r.questionnaire_id JOIN customers c"
                                " ON c.id = r.customer_id WHERE r.id = ? AND q.code = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, f->rid);
    db_bind_text(st, 2, f->code);
    int s = db_step(st);
    if (s == DB_ROW) {
        f->state = strcmp(db_text(st, 0), "answered") == 0 || strcmp(db_text(st, 1), "open") != 0 ? 2 : 0;
        json_t *qs = json_loads(db_text(st, 4), 0, NULL);
        f->q = json_pack("{s:s, s:{s:s, s:s}, s:o}", "code", f->code, "title", "zh", db_text(st, 2),
                         "en", db_text(st, 3), "questions", qs ? qs : json_array());
    } else {
        f->state = 1;
    }
    db_done(st);
    return s < 0 ? s : 0;
}

/* The 404 or 410 of f's state, or 0 when open. */
static int refuse(req *r, const struct found *f)
{
    if (f->state == 1)
        return reply_not_found(r, "questionnaire");
    return reply_error(r, 410, "gone", "this questionnaire link was answered already or is closed", NULL);
}

int rs_public_get(req *r)
{
    struct found f = {0};
    int rc = find(req_db(r), req_param(r, "token"), &f);
    if (rc < 0) {
        json_decref(f.q);
        return reply_db_failure(r, rc, "questionnaire");
    }
    if (f.state) {
        json_decref(f.q);
        return refuse(r, &f);
    }
    return reply_json(r, 200, f.q);
}

/* Answer value a to question q (number no) as rows [no, option, value, text] appended to
 * rows; reasons in v under "answers.<no>". */
static void answer_read(jsonv *v, json_t *q, json_t *a, json_t *rows)
{
    int no = (int)json_integer_value(json_object_get(q, "no"));
    const char *kind = json_string_value(json_object_get(q, "kind"));
    char name[32];
    snprintf(name, sizeof name, "answers.%d", no);
    int required = json_is_true(json_object_get(q, "required"));
    if (!a || json_is_null(a) || (json_is_array(a) && json_array_size(a) == 0) ||
        (json_is_string(a) && !*json_string_value(a))) {
        if (required)
            jsonv_fail(v, name, "required");
        return;
    }
    json_int_t nopts = (json_int_t)json_array_size(json_object_get(q, "options"));
    if (strcmp(kind, "single") == 0) {
        if (!json_is_integer(a) || json_integer_value(a) < 1 || json_integer_value(a) > nopts)
            jsonv_fail(v, name, "must be the number of one of the question's options");
        else
            json_array_append_new(rows, json_pack("[i, I, n, n]", no, json_integer_value(a)));
    } else if (strcmp(kind, "multiple") == 0) {
        unsigned long long seen = 0;
        size_t i;
        json_t *o;
        if (!json_is_array(a)) {
            jsonv_fail(v, name, "must be a list of option numbers");
            return;
        }
        json_array_foreach(a, i, o)
        {
            json_int_t k = json_is_integer(o) ? json_integer_value(o) : 0;
            if (k < 1 || k > nopts || (seen & (1ull << k))) {
                jsonv_fail(v, name, "must be distinct numbers of the question's options");
                return;
            }
            seen |= 1ull << k;
        }
        for (json_int_t k = 1; k <= nopts; k++)
            if (seen & (1ull << k))
                json_array_append_new(rows, json_pack("[i, I, n, n]", no, k));
    } else if (strcmp(kind, "scale") == 0) {
        json_int_t lo = json_integer_value(json_object_get(q, "min"));
        json_int_t hi = json_integer_value(json_object_get(q, "max"));
        if (!json_is_integer(a) || json_integer_value(a) < lo || json_integer_value(a) > hi) {
            char why[64];
            snprintf(why, sizeof why, "must be an integer from %lld to %lld", (long long)lo, (long long)hi);
            jsonv_fail(v, name, why);
        } else {
            json_array_append_new(rows, json_pack("[i, n, I, n]", no, json_integer_value(a)));
        }
    } else if (!json_is_string(a) || strlen(json_string_value(a)) > RS_TEXT_MAX) {
        jsonv_fail(v, name, "must be a text of at most 2000 bytes");
    } else {
        json_array_append_new(rows, json_pack("[i, n, n, s]", no, json_string_value(a)));
    }
}

/* The answers object of body checked against questions: rows, or NULL (reasons in v). */
static json_t *answers_read(jsonv *v, json_t *body, json_t *questions)
{
    static const char *const allowed[] = {"answers", NULL};
    jsonv_only(v, allowed);
    json_t *ans = json_object_get(body, "answers");
    if (!json_is_object(ans)) {
        jsonv_fail(v, "answers", ans ? "must be an object of question number to answer" : "required");
        return NULL;
    }
    const char *k;
    json_t *x;
    json_object_foreach(ans, k, x)
    {
        char *end = NULL;
        long n = strtol(k, &end, 10);
        if (*end || n < 1 || (size_t)n > json_array_size(questions)) {
            char name[80];
            snprintf(name, sizeof name, "answers.%.60s", k);
            jsonv_fail(v, name, "no such question");
        }
    }
    json_t *rows = json_array();
    size_t i;
    json_t *q;
    json_array_foreach(questions, i, q)
    {
        char key[24];
        snprintf(key, sizeof key, "%zu", i + 1);
        answer_read(v, q, json_object_get(ans, key), rows);
    }
    if (!jsonv_ok(v)) {
        json_decref(rows);
        return NULL;
    }
    return rows;
}

struct answering {
    const char *token;
    json_t *body;
    jsonv *v;
    struct found f;
    int invalid;
};

static int answer_tx(db_conn *c, void *arg)
{
    struct answering *a = arg;
    json_decref(a->f.q);
    memset(&a->f, 0, sizeof a->f);
    int rc = find(c, a->token, &a->f);
    if (rc < 0 || a->f.state)
        return rc < 0 ? rc : 1;
    json_t *rows = answers_read(a->v, a->body, json_object_get(a->f.q, "questions"));
    if (!rows) {
        a->invalid = 1;
        return 1;
    }
    int64_t now = now_unix();
    int64_t k = db_exec(c, "UPDATE research_recipients SET status = 'answered', answered_at = ?,"
                           " updated_at = ? WHERE id = ? AND status <> 'answered'", "iii", now, now,
                        a->f.rid);
    if (k == 0)
        a->f.state = 2;
    rc = k < 0 ? (int)k : k == 0 ? 1 : 0;
    db_stmt *st = NULL;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        if (rc || !(st = db_prepare(c, "INSERT INTO research_answers (recipient_id, question_no,"
                                       " option_no, value, text) VALUES (?, ?, CAST(? AS BIGINT),"
                                       " CAST(? AS BIGINT), CAST(? AS TEXT))"))) {
            rc = rc ? rc : DB_ERROR;
            break;
        }
        db_bind_int(st, 1, a->f.rid);
        db_bind_int(st, 2, json_integer_value(json_array_get(row, 0)));
        for (int j = 1; j <= 2; j++)
            if (json_is_integer(json_array_get(row, (size_t)j)))
                db_bind_int(st, 2 + j, json_integer_value(json_array_get(row, (size_t)j)));
            else
                db_bind_null(st, 2 + j);
        db_bind_text(st, 5, json_string_value(json_array_get(row, 3)));
        int s = db_step(st);
        db_done(st);
        if (s < 0)
            rc = s;
    }
    json_decref(rows);
    return rc;
}

int rs_public_answer(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv v;
    jsonv_init(&v, body);
    struct answering a = {.token = req_param(r, "token"), .body = body, .v = &v};
    int rc = in_tx(req_db(r), answer_tx, &a);
    if (rc < 0)
        rc = reply_db_failure(r, rc, "questionnaire answer");
    else if (a.f.state)
        rc = refuse(r, &a.f);
    else if (a.invalid)
        rc = reply_error(r, 422, "validation_failed", "the answers are not valid", jsonv_take(&v));
    else
        rc = reply_json(r, 200, json_pack("{s:b}", "answered", 1));
    json_decref(a.f.q);
    jsonv_free(&v);
    json_decref(body);
    return rc;
}
