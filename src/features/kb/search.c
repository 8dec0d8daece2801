/* kb: search of published articles inside their validity window, for the public portal
 * (public articles) and the staff (internal ones too): the query's tokens (rules/kbtext)
 * as phrases, SQLite FTS5 or PostgreSQL to_tsvector('simple') @@ phraseto_tsquery over
 * the same token text (phrases of two or more Chinese characters on the bigram stream),
 * title matches first, then newest first; a zh-CN query with no result retried in en. */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/datetime.h"
#include "features/kb/internal.h"
#include "rules/kbtext.h"

enum { Q_MAX = 500 };

struct query {
    char *groups[KBTEXT_QUERY_GROUPS]; /* each phrase as its column reads it */
    int bigram[KBTEXT_QUERY_GROUPS];   /* 1: on the bigram stream (bi_*), else tokens_* */
    int n;
    int internal;
    long limit;
};

/* 1 when every phrase of q is in the title's tokens (the phrase test FTS5 and tsvector
 * make: the tokens in a row, whole). */
static int title_has(const struct query *q, const char *tokens, const char *bigrams)
{
    for (int i = 0; i < q->n; i++) {
        const char *hay = q->bigram[i] ? bigrams : tokens;
        size_t n = strlen(q->groups[i]), h = strlen(hay);
        int found = 0;
        for (const char *p = hay; !found && (p = strstr(p, q->groups[i])) != NULL; p++)
            found = (p == hay || p[-1] == ' ') && (p + n == hay + h || p[n] == ' ');
        if (!found)
            return 0;
    }
    return 1;
}

/* The FTS5 expression of the phrases on the title or the whole article (arena). */
static const char *fts_expr(arena *a, int title, const struct query *q)
{
    buf b = BUF_INIT;
    for (int i = 0; i < q->n; i++)
        buf_addf(&b, "%s%s%s : \"%s\"", i ? " AND " : "", q->bigram[i] ? "bi_" : "tokens_",
                 title ? "title" : "all", q->groups[i]);
    char *s = arena_strdup(a, b.s);
    buf_release(&b);
    return s;
}

/* The phrases as conditions on the title or the whole article (the latter indexed). */
static void pg_conds(buf *b, const struct query *q, int title)
{
    for (int i = 0; i < q->n; i++)
        buf_addf(b, "%sto_tsvector('simple', a.%s%s) @@ phraseto_tsquery('simple', CAST(? AS TEXT))",
                 i ? " AND " : "", q->bigram[i] ? "bi_" : "tokens_", title ? "title" : "all");
}

#define KB_COLS "a.code, a.title, a.kind, trim(substr(a.body_text, 1, 120)), a.tokens_title, a.bi_title"
#define KB_VISIBLE                                                                              \
    " AND a.status = 'published' AND a.lang = ? AND a.valid_from <= ?"                          \
    " AND (a.valid_to IS NULL OR a.valid_to > ?) AND (CAST(? AS BIGINT) = 1 OR a.audience = 'public')"

enum { ROWS_MAX = 64 };
struct rows {
    json_t *item[ROWS_MAX];
    int title[ROWS_MAX];
    int n;
};

/* The newest `lim` visible matches of the phrases (in the title only when title), newest
 * first: SQLite FTS5 hands rows out by rowid, so nothing is sorted. */
static int fetch(req *r, const struct query *q, const char *lang, int64_t now, int title, long lim,
                 struct rows *out)
{
    int pg = db_conn_kind(req_db(r)) == DB_POSTGRES;
    db_stmt *st;
    int k = 1;
    if (pg) {
        buf b = BUF_INIT;
        buf_adds(&b, "SELECT " KB_COLS " FROM kb_articles a WHERE ");
        pg_conds(&b, q, 0);
        if (title) {
            buf_adds(&b, " AND ");
            pg_conds(&b, q, 1);
        }
        buf_adds(&b, KB_VISIBLE " ORDER BY a.id DESC LIMIT ?");
        st = db_prepare(req_db(r), b.s);
        buf_release(&b);
        if (!st)
            return DB_ERROR;
        for (int twice = 0; twice <= title; twice++)
            for (int i = 0; i < q->n; i++)
                db_bind_text(st, k++, q->groups[i]);
    } else {
        st = db_prepare(req_db(r), "SELECT " KB_COLS " FROM kb_fts JOIN kb_articles a"
                                   " ON a.id = kb_fts.rowid WHERE kb_fts MATCH ?" KB_VISIBLE
                                   " ORDER BY kb_fts.rowid DESC LIMIT ?");
        if (!st)
            return DB_ERROR;
        db_bind_text(st, k++, fts_expr(r->a, title, q));
    }
    db_bind_text(st, k++, lang);
    db_bind_int(st, k++, now);
    db_bind_int(st, k++, now);
    db_bind_int(st, k++, q->internal);
    db_bind_int(st, k, lim);
    int rc;
    while ((rc = db_step(st)) == DB_ROW && out->n < ROWS_MAX) {
        out->title[out->n] = title_has(q, db_text(st, 4), db_text(st, 5));
        out->item[out->n++] = json_pack("{s:s, s:s, s:s, s:s}", "code", db_text(st, 0), "title",
                                        db_text(st, 1), "kind", db_text(st, 2), "snippet",
                                        db_text(st, 3));
    }
    db_done(st);
    return rc < 0 ? rc : 0;
}

static void rows_free(struct rows *rs)
{
    for (int i = 0; i < rs->n; i++)
        json_decref(rs->item[i]);
}

/* Title matches first, newest first, then the other matches, newest first. One statement
 * when the article matches are few (they are then all known and split here); when there
 * are more, the title matches are asked for, and the newest of the rest fill up. */
static int run(req *r, const struct query *q, const char *lang, int64_t now, json_t *items)
{
    struct rows all = {0}, title = {0};
    int rc = fetch(r, q, lang, now, 0, q->limit + 1, &all);
    if (rc == 0 && all.n > q->limit)
        rc = fetch(r, q, lang, now, 1, q->limit, &title);
    else if (rc == 0)
        for (int i = 0; i < all.n; i++)
            if (all.title[i])
                title.item[title.n++] = json_incref(all.item[i]);
    for (int i = 0; rc == 0 && i < title.n; i++)
        json_array_append(items, title.item[i]);
    for (int i = 0; rc == 0 && i < all.n && (long)json_array_size(items) < q->limit; i++)
        if (!all.title[i])
            json_array_append(items, all.item[i]);
    rows_free(&all);
    rows_free(&title);
    return rc;
}

static int search(req *r, int internal)
{
    const char *text = req_query(r, "q"), *lang = req_query(r, "lang");
    if (!text || !*text)
        return reply_bad_param(r, "q", "required: the words to look for");
    if (strlen(text) > Q_MAX)
        return reply_bad_param(r, "q", "at most 500 bytes");
    if (lang && *lang && strcmp(lang, "zh-CN") && strcmp(lang, "en"))
        return reply_bad_param(r, "lang", "zh-CN or en");
    lang = lang && *lang ? lang : "zh-CN";
    struct query q = {.internal = internal};
    if (page_limit(req_query(r, "limit"), 10, 50, &q.limit) < 0)
        return reply_bad_param(r, "limit", "1 to 50");
    int groups = 0;
    char *tok = kbtext_query(text, &groups);
    if (!tok)
        return reply_bad_param(r, "q", "not valid UTF-8");
    if (groups == 0 || groups > KBTEXT_QUERY_GROUPS) {
        free(tok);
        return reply_bad_param(r, "q", groups ? "at most 8 separate words or phrases"
                                              : "no letters, digits or characters to look for");
    }
    char *save = NULL;
    for (char *g = strtok_r(tok, "\n", &save); g && q.n < groups; g = strtok_r(NULL, "\n", &save)) {
        /* two or more Chinese characters: their pairs, on the bigram stream */
        q.bigram[q.n] = kbtext_cjk_run(g);
        char *bi = q.bigram[q.n] ? kbtext_bigrams(g) : NULL;
        q.groups[q.n++] = bi ? arena_strdup(r->a, bi) : arena_strdup(r->a, g);
        free(bi);
    }
    json_t *items = json_array();
    int64_t now = now_unix();
    int rc = run(r, &q, lang, now, items);
    const char *used = lang;
    if (rc == 0 && json_array_size(items) == 0 && strcmp(lang, "zh-CN") == 0) {
        used = "en"; /* nothing in Chinese: the English articles may have it */
        rc = run(r, &q, "en", now, items);
    }
    free(tok);
    if (rc != 0) {
        json_decref(items);
        return reply_db_failure(r, rc, "search");
    }
    return reply_json(r, 200, json_pack("{s:o, s:s}", "items", items, "lang", used));
}

/* GET /api/v1/public/kb/search?q=&lang= */
int kb_search_public(req *r)
{
    return search(r, 0);
}

/* GET /api/v1/kb/search?q=&lang= (staff: internal articles too) */
int kb_search_staff(req *r)
{
    return search(r, 1);
}

/* GET /api/v1/public/kb/articles/:code: a published public article inside its window. */
int kb_public_article(req *r)
{
    db_conn *c = req_db(r);
    int64_t now = now_unix();
    db_stmt *st = db_prepare(c, "SELECT id FROM kb_articles WHERE code = ? AND status = 'published'"
                                " AND audience = 'public' AND valid_from <= ?"
                                " AND (valid_to IS NULL OR valid_to > ?)");
    if (!st)
        return -1;
    db_bind_text(st, 1, req_param(r, "code"));
    db_bind_int(st, 2, now);
    db_bind_int(st, 3, now);
    int rc = db_step(st);
    int64_t id = rc == DB_ROW ? db_int(st, 0) : 0;
    db_done(st);
    if (rc < 0)
        return reply_db_failure(r, rc, "article");
    json_t *j = NULL;
    if (!id || (rc = kb_article_json(c, id, 1, &j)) == 1)
        return reply_not_found(r, "article");
    if (rc < 0)
        return reply_db_failure(r, rc, "article");
    json_t *out = json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O}", "code",
                            json_object_get(j, "code"), "lang", json_object_get(j, "lang"), "kind",
                            json_object_get(j, "kind"), "title", json_object_get(j, "title"), "body",
                            json_object_get(j, "body"), "twin", json_object_get(j, "twin"),
                            "published_at", json_object_get(j, "published_at"), "models",
                            json_object_get(j, "models"));
    json_decref(j);
    /* the other language's version is shown only when the public may read it too */
    const char *twin = json_string_value(json_object_get(out, "twin"));
    if (twin) {
        st = db_prepare(c, "SELECT 1 FROM kb_articles WHERE code = ? AND status = 'published'"
                           " AND audience = 'public' AND valid_from <= ?"
                           " AND (valid_to IS NULL OR valid_to > ?)");
        if (!st) {
            json_decref(out);
            return -1;
        }
        db_bind_text(st, 1, twin);
        db_bind_int(st, 2, now);
        db_bind_int(st, 3, now);
        rc = db_step(st);
        db_done(st);
        if (rc != DB_ROW)
            json_object_set_new(out, "twin", json_null());
    }
    return reply_json(r, 200, out);
}

/* GET /api/v1/public/kb/articles?kind=&lang=: the newest published public articles of a
 * kind inside their window (the portal's FAQ, news and promotions pages), at most 50. */
int kb_public_list(req *r)
{
    static const char *const kinds[] = {"product_info", "promotion", "faq", "news", NULL};
    const char *kind = req_query(r, "kind"), *lang = req_query(r, "lang");
    int ok = 0;
    for (int i = 0; kind && kinds[i]; i++)
        ok |= strcmp(kind, kinds[i]) == 0;
    if (!ok)
        return reply_bad_param(r, "kind", "one of product_info, promotion, faq, news");
    if (lang && *lang && strcmp(lang, "zh-CN") && strcmp(lang, "en"))
        return reply_bad_param(r, "lang", "zh-CN or en");
    long limit;
    if (page_limit(req_query(r, "limit"), 20, 50, &limit) < 0)
        return reply_bad_param(r, "limit", "1 to 50");
    int64_t now = now_unix();
    db_stmt *st = db_prepare(req_db(r), "SELECT code, title, kind, trim(substr(body_text, 1, 120)),"
                                        " published_at FROM kb_articles WHERE status = 'published'"
                                        " AND audience = 'public' AND kind = ? AND lang = ?"
                                        " AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)"
                                        " ORDER BY published_at DESC, id DESC LIMIT ?");
    if (!st)
        return -1;
    db_bind_text(st, 1, kind);
    db_bind_text(st, 2, lang && *lang ? lang : "zh-CN");
    db_bind_int(st, 3, now);
    db_bind_int(st, 4, now);
    db_bind_int(st, 5, limit);
    json_t *items = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        char at[21];
        dt_rfc3339(db_isnull(st, 4) ? 0 : db_int(st, 4), at);
        json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s, s:s}", "code", db_text(st, 0),
                                               "title", db_text(st, 1), "kind", db_text(st, 2),
                                               "snippet", db_text(st, 3), "published_at", at));
    }
    db_done(st);
    if (rc < 0) {
        json_decref(items);
        return reply_db_failure(r, rc, "articles");
    }
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}
