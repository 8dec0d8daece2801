/* research: a questionnaire (title and ordered questions of kind single, multiple,
 * scale or text, each in zh and en): create, read, list, edit while in draft (version
 * checked), close once open; the questions' validation. */
#include "base/audit.h"
#include "features/research/internal.h"

#include <stdio.h>
#include <string.h>

static const char *const kinds[] = {"single", "multiple", "scale", "text", NULL};

/* Copy the reasons of sub into v under "prefix.field". */
static void sub_fail(jsonv *v, const char *prefix, jsonv *sub)
{
    const char *k;
    json_t *why;
    json_object_foreach(sub->fields, k, why)
    {
        char name[96];
        snprintf(name, sizeof name, "%s.%s", prefix, k);
        jsonv_fail(v, name, json_string_value(why));
    }
}

/* obj[field] as {zh, en}, both non-empty strings of at most max bytes (a new object),
 * or NULL with the reasons in v under prefix.field. */
static json_t *bilingual(jsonv *v, const char *prefix, json_t *obj, const char *field, size_t max)
{
    char name[96];
    snprintf(name, sizeof name, "%s%s%s", prefix, *prefix ? "." : "", field);
    json_t *t = json_object_get(obj, field);
    if (!json_is_object(t)) {
        jsonv_fail(v, name, t ? "must be an object {zh, en}" : "required");
        return NULL;
    }
    jsonv s;
    jsonv_init(&s, t);
    static const char *const allowed[] = {"zh", "en", NULL};
    jsonv_only(&s, allowed);
    const char *zh = jsonv_str(&s, "zh", 1, max), *en = jsonv_str(&s, "en", 1, max);
    json_t *out = jsonv_ok(&s) ? json_pack("{s:s, s:s}", "zh", zh, "en", en) : NULL;
    sub_fail(v, name, &s);
    jsonv_free(&s);
    return out;
}

/* One question (number no) into a new normalised object, or NULL (reasons in v). */
static json_t *question_read(jsonv *v, json_t *q, int no)
{
    char prefix[32];
    snprintf(prefix, sizeof prefix, "questions[%d]", no);
    if (!json_is_object(q)) {
        jsonv_fail(v, prefix, "must be an object");
        return NULL;
    }
    jsonv s;
    jsonv_init(&s, q);
    static const char *const allowed[] = {"kind", "text", "required", "options", "min", "max", NULL};
    jsonv_only(&s, allowed);
    const char *kind = jsonv_enum(&s, "kind", 1, kinds);
    int required = 0;
    jsonv_bool(&s, "required", 0, &required);
    json_t *out = json_pack("{s:i, s:s, s:b}", "no", no, "kind", kind ? kind : "", "required", required);
    json_t *text = bilingual(v, prefix, q, "text", 500);
    if (text)
        json_object_set_new(out, "text", text);
    int choice = kind && (strcmp(kind, "single") == 0 || strcmp(kind, "multiple") == 0);
    int scale = kind && strcmp(kind, "scale") == 0;
    json_t *opts = json_object_get(q, "options");
    if (choice) {
        size_t n = json_array_size(opts);
        if (!json_is_array(opts) || n < 2 || n > RS_MAX_OPTIONS)
            jsonv_fail(&s, "options", "must be a list of 2 to 20 options {zh, en}");
        json_t *list = json_array();
        for (size_t i = 0; json_is_array(opts) && i < n && i < RS_MAX_OPTIONS; i++) {
            char name[64];
            snprintf(name, sizeof name, "%s.options[%zu]", prefix, i + 1);
            jsonv o;
            jsonv_init(&o, NULL);
            json_t *wrap = json_pack("{s:O}", "o", json_array_get(opts, i));
            json_t *t = bilingual(&o, "", wrap, "o", 200);
            json_decref(wrap);
            if (t) {
                json_object_set_new(t, "no", json_integer((json_int_t)(i + 1)));
                json_array_append_new(list, t);
            } else {
                json_t *why = json_object_iter_value(json_object_iter(o.fields));
                jsonv_fail(v, name, json_string_value(why));
            }
            jsonv_free(&o);
        }
        json_object_set_new(out, "options", list);
    } else if (opts) {
        jsonv_fail(&s, "options", "only single and multiple questions have options");
    }
    long long lo = 1, hi = 5;
    if (scale) {
        jsonv_int_range(&s, "min", 1, 0, 9, &lo);
        jsonv_int_range(&s, "max", 1, 1, 10, &hi);
        if (jsonv_ok(&s) && hi <= lo)
            jsonv_fail(&s, "max", "must be above min");
        json_object_set_new(out, "min", json_integer(lo));
        json_object_set_new(out, "max", json_integer(hi));
    } else if (json_object_get(q, "min") || json_object_get(q, "max")) {
        jsonv_fail(&s, json_object_get(q, "min") ? "min" : "max", "only scale questions have min and max");
    }
    int ok = jsonv_ok(&s) && text;
    sub_fail(v, prefix, &s);
    jsonv_free(&s);
    if (!ok) {
        json_decref(out);
        return NULL;
    }
    return out;
}

json_t *rs_questions_read(jsonv *v, json_t *questions)
{
    size_t n = json_array_size(questions);
    if (!json_is_array(questions) || n < 1 || n > RS_MAX_QUESTIONS) {
        jsonv_fail(v, "questions", questions ? "must be a list of 1 to 50 questions" : "required");
        return NULL;
    }
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *q = question_read(v, json_array_get(questions, i), (int)i + 1);
        if (q)
            json_array_append_new(out, q);
    }
    if (!jsonv_ok(v)) {
        json_decref(out);
        return NULL;
    }
    return out;
}

json_t *rs_json(db_stmt *st)
{
    json_t *qs = json_loads(db_text(st, 4), 0, NULL);
    return json_pack("{s:s, s:{s:s, s:s}, s:o, s:s, s:I, s:s?, s:s?, s:o, s:o, s:s, s:o, s:o}",
                     "code", db_text(st, 1), "title", "zh", db_text(st, 2), "en", db_text(st, 3),
                     "questions", qs ? qs : json_array(), "status", db_text(st, 5), "version",
                     (json_int_t)db_int(st, 6), "segment", db_text(st, 7), "channel", db_text(st, 8),
                     "sent_at", db_isnull(st, 9) ? json_null() : dt_json(db_int(st, 9)),
                     "closed_at", db_isnull(st, 10) ? json_null() : dt_json(db_int(st, 10)),
                     "created_by", db_text(st, 11), "created_at", dt_json(db_int(st, 12)),
                     "updated_at", dt_json(db_int(st, 13)));
}

int rs_load(db_conn *c, const char *code, int64_t *id, char status[8], json_t **questions)
{
    db_stmt *st = db_prepare(c, "SELECT id, status, questions FROM questionnaires WHERE code = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, code);
    int s = db_step(st);
    if (s == DB_ROW) {
        *id = db_int(st, 0);
        snprintf(status, 8, "%s", db_text(st, 1));
        if (questions)
            *questions = json_loads(db_text(st, 2), 0, NULL);
    }
    db_done(st);
    if (s == DB_ROW && questions && !*questions)
        return DB_ERROR;
    return s == DB_ROW ? 0 : s == DB_DONE ? 1 : s;
}

struct rs_write {
    const char *code, *actor;
    json_t *title, *questions;
    long long version;
    char out[16];
    int state; /* 0 written, 1 missing, 2 not a draft, 3 stale */
};

/* The body's title and questions into w (reasons in v). */
static void read_body(jsonv *v, json_t *body, struct rs_write *w, int put)
{
    static const char *const allowed_new[] = {"title", "questions", NULL};
    static const char *const allowed_put[] = {"title", "questions", "version", NULL};
    jsonv_only(v, put ? allowed_put : allowed_new);
    if (put)
        jsonv_int_range(v, "version", 1, 1, INT64_MAX, &w->version);
    w->title = bilingual(v, "", body, "title", 200);
    w->questions = rs_questions_read(v, json_object_get(body, "questions"));
}

static int rs_insert(db_conn *c, void *arg)
{
    struct rs_write *w = arg;
    int rc = code_next(c, "questionnaire", "QN", 5, w->out, sizeof w->out);
    if (rc < 0)
        return rc;
    char *qs = json_dumps(w->questions, JSON_COMPACT);
    int64_t t = now_unix();
    int64_t k = db_exec(c, "INSERT INTO questionnaires (code, title_zh, title_en, questions,"
                           " created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        "tttttii", w->out, json_string_value(json_object_get(w->title, "zh")),
                        json_string_value(json_object_get(w->title, "en")), qs, w->actor, t, t);
    free(qs);
    if (k < 0)
        return (int)k;
    return audit_write(c, w->actor, "create", "questionnaire", w->out, NULL);
}

static int rs_update(db_conn *c, void *arg)
{
    struct rs_write *w = arg;
    int64_t id = 0;
    char status[8];
    int rc = rs_load(c, w->code, &id, status, NULL);
    if (rc != 0) {
        w->state = 1;
        return rc;
    }
    if (strcmp(status, "draft") != 0) {
        w->state = 2;
        return 1;
    }
    char *qs = json_dumps(w->questions, JSON_COMPACT);
    int64_t k = db_exec(c, "UPDATE questionnaires SET title_zh = ?, title_en = ?, questions = ?,"
                           " version = version + 1, updated_at = ? WHERE id = ? AND version = ?"
                           " AND status = 'draft'",
                        "tttiii", json_string_value(json_object_get(w->title, "zh")),
                        json_string_value(json_object_get(w->title, "en")), qs, now_unix(), id,
                        (int64_t)w->version);
    free(qs);
    if (k < 0)
        return (int)k;
    if (k == 0) {
        w->state = 3;
        return 1;
    }
    snprintf(w->out, sizeof w->out, "%s", w->code);
    return audit_write(c, w->actor, "update", "questionnaire", w->code, NULL);
}

/* Create (put 0) or edit (put 1) from r's body. */
static int write_route(req *r, int put)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv v;
    jsonv_init(&v, body);
    struct rs_write w = {.code = req_param(r, "code"), .actor = audit_actor(r)};
    read_body(&v, body, &w, put);
    int rc;
    if (!jsonv_ok(&v))
        rc = reply_error(r, 422, "validation_failed", "the questionnaire is not valid", jsonv_take(&v));
    else if ((rc = in_tx(req_db(r), put ? rs_update : rs_insert, &w)) < 0)
        rc = reply_db_failure(r, rc, "questionnaire");
    else if (w.state == 1)
        rc = reply_not_found(r, "questionnaire");
    else if (w.state == 2)
        rc = reply_error(r, 409, "conflict", "only a draft questionnaire can be edited", NULL);
    else if (w.state == 3)
        rc = reply_error(r, 409, "stale_version", "the questionnaire was changed meanwhile; reload it", NULL);
    else
        rc = reply_json(r, put ? 200 : 201,
                        json_pack("{s:s, s:s, s:I}", "code", w.out, "status", "draft", "version",
                                  (json_int_t)(put ? w.version + 1 : 1)));
    json_decref(w.title);
    json_decref(w.questions);
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

int rs_create(req *r) { return write_route(r, 0); }
int rs_put(req *r) { return write_route(r, 1); }

int rs_get(req *r)
{
    db_stmt *st = db_prepare(req_db(r), "SELECT " RS_COLS " FROM questionnaires q WHERE q.code = ?");
    if (!st)
        return -1;
    db_bind_text(st, 1, req_param(r, "code"));
    int s = db_step(st);
    json_t *j = s == DB_ROW ? rs_json(st) : NULL;
    db_done(st);
    if (s < 0)
        return reply_db_failure(r, s, "questionnaire");
    if (!j)
        return reply_not_found(r, "questionnaire");
    return reply_json(r, 200, j);
}

static int rs_page(req *r, const struct page *p, json_t *items, const char **next)
{
    int64_t after = page_after_id(r, p);
    if (after < 0)
        return LIST_ANSWERED;
    db_stmt *st = db_prepare(req_db(r), "SELECT " RS_COLS " FROM questionnaires q"
                                        " WHERE (CAST(? AS BIGINT) = 0 OR q.id < ?)"
                                        " ORDER BY q.id DESC LIMIT ?");
    if (!st)
        return -1;
    db_bind_int(st, 1, after);
    db_bind_int(st, 2, after);
    db_bind_int(st, 3, p->limit + 1);
    return list_rows_page(r, p, st, rs_json, 0, items, next);
}

static const struct table_col rs_cols[] = {
    {"code", NULL, TABLE_TEXT, 9, 0},         {"title_zh", "title.zh", TABLE_TEXT, 24, 0},
    {"title_en", "title.en", TABLE_TEXT, 24, 0}, {"status", NULL, TABLE_TEXT, 8, 0},
    {"segment", NULL, TABLE_TEXT, 9, 0},      {"channel", NULL, TABLE_TEXT, 8, 0},
    {"sent_at", NULL, TABLE_TIME, 17, 0},     {"closed_at", NULL, TABLE_TIME, 17, 0},
    {"created_by", NULL, TABLE_TEXT, 12, 0},
};

int rs_list(req *r)
{
    static const struct list_spec spec = {
        .name = "questionnaires",
        .cols = rs_cols,
        .ncols = (int)(sizeof rs_cols / sizeof *rs_cols),
        .def_limit = 50,
        .max_limit = 500,
        .nkeys = 1,
        .page = rs_page,
    };
    return list_reply(r, &spec);
}

struct rs_shut {
    const char *code, *actor;
    int state; /* 0 closed, 1 missing, 2 not open */
};

static int rs_shut_tx(db_conn *c, void *arg)
{
    struct rs_shut *a = arg;
    int64_t now = now_unix();
    int64_t k = db_exec(c, "UPDATE questionnaires SET status = 'closed', closed_at = ?, updated_at = ?,"
                           " version = version + 1 WHERE code = ? AND status = 'open'",
                        "iit", now, now, a->code);
    if (k < 0)
        return (int)k;
    if (k == 0) {
        int64_t id = 0;
        int rc = lookup_id(c, "SELECT id FROM questionnaires WHERE code = ?", a->code, &id);
        a->state = rc == 0 ? 2 : 1;
        return rc < 0 ? rc : 1;
    }
    return audit_write(c, a->actor, "close", "questionnaire", a->code, NULL);
}

int rs_close(req *r)
{
    struct rs_shut a = {.code = req_param(r, "code"), .actor = audit_actor(r)};
    int rc = in_tx(req_db(r), rs_shut_tx, &a);
    if (rc < 0)
        return reply_db_failure(r, rc, "questionnaire");
    if (a.state == 1)
        return reply_not_found(r, "questionnaire");
    if (a.state == 2)
        return reply_error(r, 409, "conflict", "only an open questionnaire can be closed", NULL);
    return reply_json(r, 200, json_pack("{s:s, s:s}", "code", a.code, "status", "closed"));
}
