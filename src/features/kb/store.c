/* kb: one article as JSON, finding one by code, its version rows and the checked write
 * of its content (tokens, links, twin) shared by create and update. */
#include <stdlib.h>
#include <string.h>

#include "base/datetime.h"
#include "features/kb/internal.h"
#include "features/kb/store.h"
#include "rules/html.h"
#include "rules/kbtext.h"

int kb_sees_drafts(const req *r)
{
    return (r->who.role & KB_WRITERS) != 0;
}

int kb_find(db_conn *c, const char *code, int64_t *id)
{
    return lookup_id(c, "SELECT id FROM kb_articles WHERE code = ?", code, id);
}

static json_t *time_or_null(db_stmt *st, int col)
{
    if (db_isnull(st, col))
        return json_null();
    char s[21];
    dt_rfc3339(db_int(st, col), s);
    return json_string(s);
}

static json_t *text_or_null(db_stmt *st, int col)
{
    return db_isnull(st, col) ? json_null() : json_string(db_text(st, col));
}

/* The codes of an article's product lines or models. */
static json_t *link_codes(db_conn *c, int64_t id, const char *sql)
{
    json_t *a = json_array();
    db_stmt *st = db_prepare(c, sql);
    if (!st)
        return a;
    db_bind_int(st, 1, id);
    while (db_step(st) == DB_ROW)
        json_array_append_new(a, json_string(db_text(st, 0)));
    db_done(st);
    return a;
}

int kb_article_json(db_conn *c, int64_t id, int full, json_t **out)
{
    db_stmt *st = db_prepare(
        c, "SELECT a.code, a.lang, a.kind, a.audience, a.status, a.title, a.valid_from, a.valid_to,"
           " a.version, t.code, a.created_by, a.updated_by, a.published_by, a.published_at,"
           " a.created_at, a.updated_at, a.body FROM kb_articles a"
           " LEFT JOIN kb_articles t ON t.id = a.twin_id WHERE a.id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, id);
    int rc = db_step(st);
    if (rc != DB_ROW) {
        db_done(st);
        return rc == DB_DONE ? 1 : rc;
    }
    int64_t now = now_unix();
    /* an article whose valid_to has passed is withdrawn from the moment it passes, even
     * before the expiry pass writes it down */
    int expired = !db_isnull(st, 7) && db_int(st, 7) <= now;
    const char *status = db_text(st, 4);
    if (expired && strcmp(status, "published") == 0)
        status = "withdrawn";
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:I, s:o, s:s, s:s, s:o, s:o,"
                          " s:o, s:o, s:b}",
                          "code", db_text(st, 0), "lang", db_text(st, 1), "kind", db_text(st, 2),
                          "audience", db_text(st, 3), "status", status, "title", db_text(st, 5),
                          "valid_from", time_or_null(st, 6), "valid_to", time_or_null(st, 7),
                          "version", (json_int_t)db_int(st, 8), "twin", text_or_null(st, 9),
                          "created_by", db_text(st, 10), "updated_by", db_text(st, 11),
                          "published_by", text_or_null(st, 12), "published_at",
                          time_or_null(st, 13), "created_at", time_or_null(st, 14), "updated_at",
                          time_or_null(st, 15), "expired", expired);
    if (full && j)
        json_object_set_new(j, "body", json_string(db_text(st, 16)));
    db_done(st);
    if (!j)
        return DB_ERROR;
    if (full) {
        json_object_set_new(j, "product_lines",
                            link_codes(c, id, "SELECT p.code FROM kb_article_lines l JOIN product_lines p"
                                              " ON p.id = l.product_line_id WHERE l.article_id = ?"
                                              " ORDER BY p.code"));
        json_object_set_new(j, "models",
                            link_codes(c, id, "SELECT m.code FROM kb_article_models l JOIN models m"
                                              " ON m.id = l.model_id WHERE l.article_id = ?"
                                              " ORDER BY m.code"));
    }
    *out = j;
    return 0;
}

int kb_snapshot(db_conn *c, int64_t id, const char *actor, int64_t now)
{
    int64_t e = db_exec(c,
                        "INSERT INTO kb_versions (article_id, version, status, kind, audience, title,"
                        " body, valid_from, valid_to, actor, at) SELECT id, version, status, kind,"
                        " audience, title, body, valid_from, valid_to, ?, ? FROM kb_articles"
                        " WHERE id = ?",
                        "tii", actor, now, id);
    return e < 0 ? (int)e : 0;
}

/* Replace the article's links to the codes in a (product lines or models). */
static int set_links(db_conn *c, int64_t id, json_t *a, int models, struct kb_write *w)
{
    if (!a)
        return 0;
    if (db_exec(c, models ? "DELETE FROM kb_article_models WHERE article_id = ?"
                          : "DELETE FROM kb_article_lines WHERE article_id = ?", "i", id) < 0)
        return DB_ERROR;
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v) {
        int64_t ref;
        int rc = lookup_id(c, models ? "SELECT id FROM models WHERE code = ?"
                                     : "SELECT id FROM product_lines WHERE code = ?",
                           json_string_value(v), &ref);
        if (rc == 1)
            return w->field = models ? "models" : "product_lines",
                   w->why = models ? "unknown model" : "unknown product line", KB_BAD;
        if (rc < 0)
            return rc;
        int64_t e = db_exec(c, models ? "INSERT INTO kb_article_models (article_id, model_id)"
                                        " VALUES (?, ?) ON CONFLICT DO NOTHING"
                                      : "INSERT INTO kb_article_lines (article_id, product_line_id)"
                                        " VALUES (?, ?) ON CONFLICT DO NOTHING",
                            "ii", id, ref);
        if (e < 0)
            return (int)e;
    }
    return 0;
}

int kb_prepare(struct kb_write *w)
{
    char *text = NULL;
    free(w->body);
    free(w->text);
    free(w->tokens_title);
    free(w->tokens_all);
    free(w->bi_title);
    free(w->bi_all);
    w->body = w->text = w->tokens_title = w->tokens_all = w->bi_title = w->bi_all = NULL;
    w->body = html_sanitize(w->raw_body ? w->raw_body : "", &text);
    if (!w->body)
        return DB_ERROR;
    size_t tn = strlen(w->title) + strlen(text) + 2;
    char *all = malloc(tn);
    if (!all) {
        free(text);
        return DB_ERROR;
    }
    snprintf(all, tn, "%s %s", w->title, text);
    w->tokens_title = kbtext_tokens(w->title, 0);
    w->tokens_all = kbtext_tokens(all, 0);
    free(all);
    w->text = text;
    if (!w->tokens_title || !w->tokens_all)
        return w->field = "body", w->why = "not valid UTF-8", KB_BAD;
    w->bi_title = kbtext_bigrams(w->tokens_title);
    w->bi_all = kbtext_bigrams(w->tokens_all);
    if (!w->bi_title || !w->bi_all)
        return DB_ERROR;
    return 0;
}

void kb_write_free(struct kb_write *w)
{
    free(w->body);
    free(w->text);
    free(w->tokens_title);
    free(w->tokens_all);
    free(w->bi_title);
    free(w->bi_all);
    free(w->cur_title);
    free(w->cur_body);
}

int kb_links_store(db_conn *c, int64_t id, struct kb_write *w)
{
    int rc = set_links(c, id, w->lines, 0, w);
    return rc ? rc : set_links(c, id, w->models, 1, w);
}

/* Link id and the article of code twin (the other language, not linked yet). */
int kb_twin_store(db_conn *c, int64_t id, const char *lang, const char *twin, struct kb_write *w)
{
    db_stmt *st = db_prepare(c, "SELECT id, lang, twin_id FROM kb_articles WHERE code = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, twin);
    int rc = db_step(st);
    int64_t tid = 0;
    int same = 0, taken = 0;
    if (rc == DB_ROW) {
        tid = db_int(st, 0);
        same = strcmp(db_text(st, 1), lang) == 0;
        taken = !db_isnull(st, 2) && db_int(st, 2) != id;
    }
    db_done(st);
    if (rc < 0)
        return rc;
    if (rc != DB_ROW)
        return w->field = "translation_of", w->why = "no such article", KB_BAD;
    if (same || tid == id)
        return w->field = "translation_of", w->why = "must be an article in the other language", KB_BAD;
    if (taken)
        return w->field = "translation_of", w->why = "that article has a translation already", KB_BAD;
    if (db_exec(c, "UPDATE kb_articles SET twin_id = ? WHERE id = ?", "ii", tid, id) < 0 ||
        db_exec(c, "UPDATE kb_articles SET twin_id = ? WHERE id = ?", "ii", id, tid) < 0)
        return DB_ERROR;
    return 0;
}
