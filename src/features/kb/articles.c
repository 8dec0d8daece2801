/* kb: articles over HTTP: create, read, update (a new version each time) and the
 * lifecycle draft -> review -> published -> withdrawn. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/audit.h"
#include "base/jsonv.h"
#include "features/kb/internal.h"
#include "features/kb/store.h"

static const char *const langs[] = {"zh-CN", "en", NULL};
static const char *const kinds[] = {"product_info", "promotion", "faq", "tech_qa", "news", NULL};
static const char *const audiences[] = {"public", "internal", NULL};

int kb_with_body(req *r, int (*fn)(req *r, json_t *body))
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    int rc = fn(r, body);
    json_decref(body);
    return rc;
}

/* Read the body fields into w (create: the required ones must be there). */
static void read_fields(jsonv *v, struct kb_write *w, int create)
{
    static const char *const allowed[] = {"lang", "kind", "audience", "title", "body",
                                          "valid_from", "valid_to", "product_lines", "models",
                                          "translation_of", "version", NULL};
    jsonv_only(v, allowed);
    w->lang = create ? jsonv_enum(v, "lang", 1, langs) : NULL;
    w->kind = jsonv_enum(v, "kind", create, kinds);
    w->audience = jsonv_enum(v, "audience", 0, audiences);
    w->title = jsonv_str(v, "title", create, 200);
    if (w->title && !*w->title)
        jsonv_fail(v, "title", "required");
    w->raw_body = jsonv_str(v, "body", 0, 200000);
    w->has_valid_from = jsonv_time(v, "valid_from", 0, &w->valid_from) == 1;
    w->has_valid_to = jsonv_time(v, "valid_to", 0, &w->valid_to) == 1;
    w->lines = jsonv_strs(v, "product_lines", 0, 50, 32);
    w->models = jsonv_strs(v, "models", 0, 50, 32);
    w->translation_of = create ? jsonv_str(v, "translation_of", 0, 32) : NULL;
    if (create && json_object_get(v->body, "version"))
        jsonv_fail(v, "version", "not allowed here");
    if (!create && jsonv_int_range(v, "version", 1, 1, 1000000000, &w->version) != 1)
        jsonv_fail(v, "version", "required: the version being edited");
    if (w->has_valid_from && w->has_valid_to && w->valid_to <= w->valid_from)
        jsonv_fail(v, "valid_to", "must be after valid_from");
}

static int create_tx(db_conn *c, void *arg)
{
    struct kb_write *w = arg;
    int64_t now = now_unix();
    char code[16];
    if (code_next(c, "kb_article", "K", 6, code, sizeof code) < 0)
        return DB_ERROR;
    db_stmt *st = db_prepare(
        c, "INSERT INTO kb_articles (code, lang, kind, audience, status, title, body, body_text,"
           " tokens_title, tokens_all, bi_title, bi_all, valid_from, valid_to, created_by, updated_by,"
           " created_at, updated_at) VALUES (?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
           " RETURNING id");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, code);
    db_bind_text(st, 2, w->lang);
    db_bind_text(st, 3, w->kind);
    db_bind_text(st, 4, w->audience ? w->audience : "public");
    db_bind_text(st, 5, w->title);
    db_bind_text(st, 6, w->body);
    db_bind_text(st, 7, w->text);
    db_bind_text(st, 8, w->tokens_title);
    db_bind_text(st, 9, w->tokens_all);
    db_bind_text(st, 10, w->bi_title);
    db_bind_text(st, 11, w->bi_all);
    db_bind_int(st, 12, w->has_valid_from ? w->valid_from : now);
    if (w->has_valid_to)
        db_bind_int(st, 13, w->valid_to);
    else
        db_bind_null(st, 13);
    db_bind_text(st, 14, w->actor);
    db_bind_text(st, 15, w->actor);
    db_bind_int(st, 16, now);
    db_bind_int(st, 17, now);
    int rc = db_step(st);
    if (rc == DB_ROW)
        w->id = db_int(st, 0);
    db_done(st);
    if (rc != DB_ROW)
        return rc < 0 ? rc : DB_ERROR;
    if (w->has_valid_to && w->valid_to <= (w->has_valid_from ? w->valid_from : now))
        return w->field = "valid_to", w->why = "must be after valid_from", KB_BAD;
    if ((rc = kb_links_store(c, w->id, w)) != 0)
        return rc;
    if (w->translation_of && (rc = kb_twin_store(c, w->id, w->lang, w->translation_of, w)) != 0)
        return rc;
    if ((rc = kb_snapshot(c, w->id, w->actor, now)) != 0)
        return rc;
    json_t *d = json_pack("{s:s, s:s, s:s}", "lang", w->lang, "kind", w->kind, "title", w->title);
    rc = audit_write(c, w->actor, "create", "kb_article", code, d);
    json_decref(d);
    return rc < 0 ? DB_ERROR : 0;
}

/* Answer a write's outcome: the article (status ok) or the refusal. */
static int write_reply(req *r, struct kb_write *w, int rc, int ok)
{
    json_t *j = NULL;
    if (rc == KB_BAD)
        rc = reply_error(r, 422, "validation_failed", w->why, json_pack("{s:s}", w->field, w->why));
    else if (rc == KB_STALE)
        rc = reply_error(r, 409, "stale_version", "the article was changed meanwhile; reload it", NULL);
    else if (rc == KB_MISSING)
        rc = reply_not_found(r, "article");
    else if (rc != 0)
        rc = reply_db_failure(r, rc, "article write");
    else if ((rc = kb_article_json(req_db(r), w->id, 1, &j)) != 0)
        rc = reply_db_failure(r, rc < 0 ? rc : DB_ERROR, "article read");
    else
        rc = reply_json(r, ok, j);
    kb_write_free(w);
    return rc;
}

/* POST /api/v1/kb/articles */
static int create_with(req *r, json_t *body)
{
    jsonv v;
    jsonv_init(&v, body);
    struct kb_write w = {.actor = audit_actor(r)};
    read_fields(&v, &w, 1);
    if (!jsonv_ok(&v))
        return reply_error(r, 422, "validation_failed", "the article is not valid", jsonv_take(&v));
    jsonv_free(&v);
    int rc = kb_prepare(&w);
    if (rc == 0)
        rc = in_tx(req_db(r), create_tx, &w);
    return write_reply(r, &w, rc, 201);
}

static int update_tx(db_conn *c, void *arg)
{
    struct kb_write *w = arg;
    int64_t now = now_unix();
    db_stmt *st = db_prepare(c, "SELECT id, version, title, body, valid_from, valid_to, kind, audience"
                                " FROM kb_articles WHERE code = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, w->code);
    int rc = db_step(st);
    int64_t version = 0, from = 0, to = 0;
    int has_to = 0;
    if (rc == DB_ROW) {
        w->id = db_int(st, 0);
        version = db_int(st, 1);
        free(w->cur_title);
        free(w->cur_body);
        w->cur_title = strdup(w->title ? w->title : db_text(st, 2));
        w->cur_body = strdup(w->raw_body ? w->raw_body : db_text(st, 3));
        from = db_int(st, 4);
        has_to = !db_isnull(st, 5);
        to = has_to ? db_int(st, 5) : 0;
        snprintf(w->cur_kind, sizeof w->cur_kind, "%s", w->kind ? w->kind : db_text(st, 6));
        snprintf(w->cur_audience, sizeof w->cur_audience, "%s",
                 w->audience ? w->audience : db_text(st, 7));
    }
    db_done(st);
    if (rc != DB_ROW)
        return rc < 0 ? rc : KB_MISSING;
    if (!w->cur_title || !w->cur_body)
        return DB_ERROR;
    if (version != w->version)
        return KB_STALE;
    if (w->has_valid_from)
        from = w->valid_from;
    if (w->has_valid_to)
        to = w->valid_to, has_to = 1;
    if (has_to && to <= from)
        return w->field = "valid_to", w->why = "must be after valid_from", KB_BAD;
    const char *title = w->title, *raw = w->raw_body;
    w->title = w->cur_title;
    w->raw_body = w->cur_body;
    rc = kb_prepare(w);
    w->title = title;
    w->raw_body = raw;
    if (rc != 0)
        return rc;
    /* an edit of a published or withdrawn article goes back to draft: it is reviewed again */
    st = db_prepare(c, "UPDATE kb_articles SET kind = ?, audience = ?, title = ?, body = ?,"
                       " body_text = ?, tokens_title = ?, tokens_all = ?, bi_title = ?, bi_all = ?,"
                       " valid_from = ?, valid_to = ?,"
                       " status = CASE WHEN status IN ('published', 'withdrawn') THEN 'draft'"
                       " ELSE status END, version = version + 1, updated_by = ?, updated_at = ?"
                       " WHERE id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, w->cur_kind);
    db_bind_text(st, 2, w->cur_audience);
    db_bind_text(st, 3, w->cur_title);
    db_bind_text(st, 4, w->body);
    db_bind_text(st, 5, w->text);
    db_bind_text(st, 6, w->tokens_title);
    db_bind_text(st, 7, w->tokens_all);
    db_bind_text(st, 8, w->bi_title);
    db_bind_text(st, 9, w->bi_all);
    db_bind_int(st, 10, from);
    if (has_to)
        db_bind_int(st, 11, to);
    else
        db_bind_null(st, 11);
    db_bind_text(st, 12, w->actor);
    db_bind_int(st, 13, now);
    db_bind_int(st, 14, w->id);
    rc = db_step(st);
    db_done(st);
    if (rc < 0)
        return rc;
    if ((rc = kb_links_store(c, w->id, w)) != 0 || (rc = kb_snapshot(c, w->id, w->actor, now)) != 0)
        return rc;
    json_t *d = json_pack("{s:I}", "version", (json_int_t)version + 1);
    rc = audit_write(c, w->actor, "update", "kb_article", w->code, d);
    json_decref(d);
    return rc < 0 ? DB_ERROR : 0;
}

/* PATCH /api/v1/kb/articles/:code */
static int update_with(req *r, json_t *body)
{
    jsonv v;
    jsonv_init(&v, body);
    struct kb_write w = {.actor = audit_actor(r), .code = req_param(r, "code")};
    read_fields(&v, &w, 0);
    if (!jsonv_ok(&v))
        return reply_error(r, 422, "validation_failed", "the article is not valid", jsonv_take(&v));
    jsonv_free(&v);
    return write_reply(r, &w, in_tx(req_db(r), update_tx, &w), 200);
}

/* GET /api/v1/kb/articles/:code: writers see every state; other staff published only. */
int kb_articles_get(req *r)
{
    db_conn *c = req_db(r);
    int64_t id;
    int rc = kb_find(c, req_param(r, "code"), &id);
    json_t *j = NULL;
    if (rc == 0)
        rc = kb_article_json(c, id, 1, &j);
    if (rc == 1)
        return reply_not_found(r, "article");
    if (rc < 0)
        return reply_db_failure(r, rc, "article");
    if (!kb_sees_drafts(r) && strcmp(json_string_value(json_object_get(j, "status")), "published")) {
        json_decref(j);
        return reply_not_found(r, "article");
    }
    return reply_json(r, 200, j);
}

/* ---------------------------------------------------------------- lifecycle */

struct step {
    const char *code, *to, *actor;
    unsigned role;
    int64_t id;
    const char *why;
};

static int step_tx(db_conn *c, void *arg)
{
    struct step *s = arg;
    int64_t now = now_unix();
    db_stmt *st = db_prepare(c, "SELECT id, status, valid_to FROM kb_articles WHERE code = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, s->code);
    int rc = db_step(st);
    char from[16] = "";
    int expired = 0;
    if (rc == DB_ROW) {
        s->id = db_int(st, 0);
        snprintf(from, sizeof from, "%s", db_text(st, 1));
        expired = !db_isnull(st, 2) && db_int(st, 2) <= now;
    }
    db_done(st);
    if (rc != DB_ROW)
        return rc < 0 ? rc : KB_MISSING;
    static const struct {
        const char *from, *to;
        unsigned roles;
    } steps[] = {
        {"draft", "review", KB_WRITERS},        {"review", "published", KB_PUBLISHERS},
        {"review", "draft", KB_WRITERS},        {"published", "withdrawn", KB_WRITERS},
        {"withdrawn", "draft", KB_WRITERS},     {NULL, NULL, 0},
    };
    int found = -1;
    for (int i = 0; steps[i].from; i++)
        if (strcmp(steps[i].from, from) == 0 && strcmp(steps[i].to, s->to) == 0)
            found = i;
    if (found < 0)
        return s->why = "this step is not allowed from the article's state", KB_BAD;
    if (!(steps[found].roles & s->role))
        return s->why = "only a supervisor publishes", KB_DUPLICATE;
    if (strcmp(s->to, "published") == 0 && expired)
        return s->why = "valid_to has passed: move it first", KB_BAD;
    int publish = strcmp(s->to, "published") == 0;
    int64_t e = publish ? db_exec(c, "UPDATE kb_articles SET status = ?, version = version + 1,"
                                     " updated_by = ?, updated_at = ?, published_by = ?,"
                                     " published_at = ? WHERE id = ?",
                                  "ttitii", s->to, s->actor, now, s->actor, now, s->id)
                        : db_exec(c, "UPDATE kb_articles SET status = ?, version = version + 1,"
                                     " updated_by = ?, updated_at = ? WHERE id = ?",
                                  "ttii", s->to, s->actor, now, s->id);
    if (e < 0)
        return (int)e;
    if ((rc = kb_snapshot(c, s->id, s->actor, now)) != 0)
        return rc;
    json_t *d = json_pack("{s:s, s:s}", "from", from, "to", s->to);
    rc = audit_write(c, s->actor, "transition", "kb_article", s->code, d);
    json_decref(d);
    return rc < 0 ? DB_ERROR : 0;
}

/* POST /api/v1/kb/articles/:code/transitions {"to": ...} */
static int transition_with(req *r, json_t *body)
{
    static const char *const allowed[] = {"to", NULL};
    static const char *const tos[] = {"draft", "review", "published", "withdrawn", NULL};
    jsonv v;
    jsonv_init(&v, body);
    jsonv_only(&v, allowed);
    struct step s = {.code = req_param(r, "code"), .actor = audit_actor(r), .role = r->who.role};
    s.to = jsonv_enum(&v, "to", 1, tos);
    if (!jsonv_ok(&v))
        return reply_error(r, 422, "validation_failed", "the step is not valid", jsonv_take(&v));
    jsonv_free(&v);
    int rc = in_tx(req_db(r), step_tx, &s);
    json_t *j = NULL;
    if (rc == KB_BAD)
        return reply_error(r, 409, "conflict", s.why, NULL);
    if (rc == KB_DUPLICATE)
        return reply_error(r, 403, "forbidden", s.why, NULL);
    if (rc == KB_MISSING)
        return reply_not_found(r, "article");
    if (rc != 0 || (rc = kb_article_json(req_db(r), s.id, 1, &j)) != 0)
        return reply_db_failure(r, rc < 0 ? rc : DB_ERROR, "article step");
    return reply_json(r, 200, j);
}

int kb_articles_create(req *r) { return kb_with_body(r, create_with); }

int kb_articles_update(req *r) { return kb_with_body(r, update_with); }

int kb_articles_transition(req *r) { return kb_with_body(r, transition_with); }
