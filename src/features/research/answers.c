/* research: the answers of a questionnaire, one row per response (recipient, customer,
 * time) and one column per question ("q1", "q2", ...: the chosen option's text, the
 * options joined by "; ", the scale value or the text), as a list that downloads as
 * CSV/XLSX with the question texts as headers (?lang=en for English). */
#include "features/research/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The option texts of question q in lang for answer rows. */
static const char *option_text(json_t *q, int64_t no, const char *l)
{
    json_t *o = json_array_get(json_object_get(q, "options"), (size_t)(no - 1));
    return json_string_value(json_object_get(o, l));
}

/* Put the answers of recipient rid into item under "q<no>". */
static int fill_item(db_conn *c, int64_t rid, json_t *qs, const char *l, json_t *item)
{
    db_stmt *st = db_prepare(c, "SELECT question_no, option_no, value, text FROM research_answers"
                                " WHERE recipient_id = ? ORDER BY question_no, option_no");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, rid);
    int s;
    while ((s = db_step(st)) == DB_ROW) {
        int64_t no = db_int(st, 0);
        json_t *q = json_array_get(qs, (size_t)(no - 1));
        if (!q)
            continue;
        char key[16];
        snprintf(key, sizeof key, "q%lld", (long long)no);
        const char *kind = json_string_value(json_object_get(q, "kind"));
        json_t *had = json_object_get(item, key);
        if (!db_isnull(st, 1)) {
            const char *t = option_text(q, db_int(st, 1), l);
            if (strcmp(kind, "multiple") == 0 && had) {
                char *j = NULL;
                if (asprintf(&j, "%s; %s", json_string_value(had), t ? t : "") > 0) {
                    json_object_set_new(item, key, json_string(j));
                    free(j);
                }
            } else {
                json_object_set_new(item, key, json_string(t ? t : ""));
            }
        } else if (!db_isnull(st, 2)) {
            json_object_set_new(item, key, json_integer((json_int_t)db_int(st, 2)));
        } else {
            json_object_set_new(item, key, json_string(db_text(st, 3) ? db_text(st, 3) : ""));
        }
    }
    db_done(st);
    return s < 0 ? s : 0;
}

static const char *lang_of(req *r)
{
    const char *l = req_query(r, "lang");
    return l && strcmp(l, "en") == 0 ? "en" : "zh";
}

static int ans_page(req *r, const struct page *p, json_t *items, const char **next)
{
    int64_t after = page_after_id(r, p), id = 0;
    if (after < 0)
        return LIST_ANSWERED;
    json_t *qs = NULL;
    int rc = rs_load_or_404(r, &id, &qs);
    if (rc)
        return rc;
    db_conn *c = req_db(r);
    db_stmt *st = db_prepare(c, "SELECT r.id, c.code, r.answered_at FROM research_recipients r"
                                " JOIN customers c ON c.id = r.customer_id WHERE r.questionnaire_id = ?"
                                " AND r.status = 'answered' AND r.id > ? ORDER BY r.id LIMIT ?");
    if (!st) {
        json_decref(qs);
        return -1;
    }
    db_bind_int(st, 1, id);
    db_bind_int(st, 2, after);
    db_bind_int(st, 3, p->limit + 1);
    json_t *rows = json_array();
    int s;
    while ((s = db_step(st)) == DB_ROW)
        json_array_append_new(rows, json_pack("{s:I, s:s, s:o}", "id", (json_int_t)db_int(st, 0),
                                              "customer", db_text(st, 1), "answered_at",
                                              dt_json(db_int(st, 2))));
    db_done(st);
    size_t n = json_array_size(rows);
    for (size_t i = 0; s == DB_DONE && i < n && i < (size_t)p->limit; i++) {
        json_t *item = json_array_get(rows, i);
        if (fill_item(c, json_integer_value(json_object_get(item, "id")), qs, lang_of(r), item) < 0)
            s = DB_ERROR;
        else
            json_array_append(items, item);
    }
    if (s == DB_DONE && n > (size_t)p->limit)
        *next = page_cursor_int(r->a, json_integer_value(json_object_get(json_array_get(rows, (size_t)p->limit - 1), "id")));
    json_decref(rows);
    json_decref(qs);
    return s == DB_DONE ? 0 : -1;
}

int rs_answers(req *r)
{
    int64_t id = 0;
    json_t *qs = NULL;
    int rc = rs_load_or_404(r, &id, &qs);
    if (rc)
        return rc == LIST_ANSWERED ? 0 : -1;
    size_t n = json_array_size(qs);
    struct table_col *cols = arena_alloc(r->a, (n + 3) * sizeof *cols);
    if (!cols) {
        json_decref(qs);
        return -1;
    }
    cols[0] = (struct table_col){"response", "id", TABLE_INT, 9, 0};
    cols[1] = (struct table_col){"customer", NULL, TABLE_TEXT, 11, 0};
    cols[2] = (struct table_col){"answered_at", NULL, TABLE_TIME, 17, 0};
    const char *l = lang_of(r);
    for (size_t i = 0; i < n; i++) {
        json_t *q = json_array_get(qs, i);
        const char *text = json_string_value(json_object_get(json_object_get(q, "text"), l));
        int scale = strcmp(json_string_value(json_object_get(q, "kind")), "scale") == 0;
        cols[3 + i] = (struct table_col){arena_printf(r->a, "Q%zu %s", i + 1, text ? text : ""),
                                         arena_printf(r->a, "q%zu", i + 1),
                                         scale ? TABLE_INT : TABLE_TEXT, 24, 0};
    }
    json_decref(qs);
    struct list_spec spec = {
        .name = "questionnaire-answers",
        .cols = cols,
        .ncols = (int)n + 3,
        .def_limit = 50,
        .max_limit = 500,
        .nkeys = 1,
        .page = ans_page,
    };
    return list_reply(r, &spec);
}
