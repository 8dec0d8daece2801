/* kb: the lists editors work from (articles by state, the review queue, those expiring
 * soon, one article's versions), every one downloadable as CSV and XLSX, and the expiry
 * pass that withdraws articles whose valid_to has passed. */
#include <stdlib.h>
#include <string.h>

#include "base/datetime.h"
#include "features/kb/internal.h"

static const struct table_col cols[] = {
    {"code", NULL, TABLE_TEXT, 10, 0},       {"lang", NULL, TABLE_TEXT, 7, 0},
    {"kind", NULL, TABLE_TEXT, 12, 0},       {"audience", NULL, TABLE_TEXT, 9, 0},
    {"status", NULL, TABLE_TEXT, 10, 0},     {"title", NULL, TABLE_TEXT, 40, 0},
    {"valid_from", NULL, TABLE_TEXT, 21, 0}, {"valid_to", NULL, TABLE_TEXT, 21, 0},
    {"version", NULL, TABLE_INT, 8, 0},      {"updated_by", NULL, TABLE_TEXT, 12, 0},
    {"updated_at", NULL, TABLE_TEXT, 21, 0},
};

static int one(db_conn *c, int64_t id, json_t **out)
{
    return kb_article_json(c, id, 0, out);
}

static int id_after(req *r, const struct page *p, int64_t *after)
{
    *after = 0;
    if (p->nkeys && page_key_pos(p, 0, after) < 0)
        return reply_bad_param(r, "cursor", "not a cursor of this list"), LIST_ANSWERED;
    return 0;
}

/* ?status= ?kind= ?lang= ?q= (part of the title), newest first. */
static int articles_page(req *r, const struct page *p, json_t *items, const char **next)
{
    static const char *const statuses[] = {"draft", "review", "published", "withdrawn", NULL};
    const char *status = req_query(r, "status"), *kind = req_query(r, "kind"),
               *lang = req_query(r, "lang"), *q = req_query(r, "q");
    status = status && *status ? status : NULL;
    kind = kind && *kind ? kind : NULL;
    lang = lang && *lang ? lang : NULL;
    int ok = !status;
    for (int i = 0; statuses[i] && !ok; i++)
        ok = strcmp(statuses[i], status) == 0;
    if (!ok)
        return reply_bad_param(r, "status", "one of draft, review, published, withdrawn"),
               LIST_ANSWERED;
    if (q && strlen(q) > 200)
        return reply_bad_param(r, "q", "at most 200 bytes"), LIST_ANSWERED;
    char *like = q && *q ? arena_printf(r->a, "%%%s%%", q) : NULL;
    int64_t after;
    if (id_after(r, p, &after))
        return LIST_ANSWERED;
    db_stmt *st = db_prepare(req_db(r), "SELECT id FROM kb_articles WHERE (? = 0 OR id < ?)"
                                        " AND (CAST(? AS TEXT) IS NULL OR status = ?)"
                                        " AND (CAST(? AS TEXT) IS NULL OR kind = ?)"
                                        " AND (CAST(? AS TEXT) IS NULL OR lang = ?)"
                                        " AND (CAST(? AS TEXT) IS NULL OR title LIKE ? OR code = ?)"
                                        " ORDER BY id DESC LIMIT ?");
    if (!st)
        return -1;
    db_bind_int(st, 1, after);
    db_bind_int(st, 2, after);
    db_bind_text(st, 3, status);
    db_bind_text(st, 4, status);
    db_bind_text(st, 5, kind);
    db_bind_text(st, 6, kind);
    db_bind_text(st, 7, lang);
    db_bind_text(st, 8, lang);
    db_bind_text(st, 9, like);
    db_bind_text(st, 10, like);
    db_bind_text(st, 11, q && *q ? q : NULL);
    db_bind_int(st, 12, p->limit + 1);
    return list_ids_page(r, p, st, one, items, next);
}

int kb_articles_list(req *r)
{
    static const struct list_spec spec = {
        .name = "kb-articles", .cols = cols, .ncols = (int)(sizeof cols / sizeof *cols),
        .def_limit = 50, .max_limit = 500, .nkeys = 1, .page = articles_page,
    };
    return list_reply(r, &spec);
}

/* Published articles whose valid_to falls in the next ?days= (default 14, 1..365). */
static int expiring_page(req *r, const struct page *p, json_t *items, const char **next)
{
    const char *days_s = req_query(r, "days");
    long days = 14;
    if (days_s && *days_s && page_limit(days_s, 14, 365, &days) < 0)
        return reply_bad_param(r, "days", "a whole number of days, 1 to 365"), LIST_ANSWERED;
    int64_t after, now = now_unix();
    if (id_after(r, p, &after))
        return LIST_ANSWERED;
    db_stmt *st = db_prepare(req_db(r), "SELECT id FROM kb_articles WHERE status = 'published'"
                                        " AND valid_to > ? AND valid_to <= ? AND (? = 0 OR id > ?)"
                                        " ORDER BY id LIMIT ?");
    if (!st)
        return -1;
    db_bind_int(st, 1, now);
    db_bind_int(st, 2, now + (int64_t)days * 86400);
    db_bind_int(st, 3, after);
    db_bind_int(st, 4, after);
    db_bind_int(st, 5, p->limit + 1);
    return list_ids_page(r, p, st, one, items, next);
}

int kb_articles_expiring(req *r)
{
    static const struct list_spec spec = {
        .name = "kb-expiring", .cols = cols, .ncols = (int)(sizeof cols / sizeof *cols),
        .def_limit = 50, .max_limit = 500, .nkeys = 1, .page = expiring_page,
    };
    return list_reply(r, &spec);
}

static const struct table_col version_cols[] = {
    {"version", NULL, TABLE_INT, 8, 0},  {"status", NULL, TABLE_TEXT, 10, 0},
    {"kind", NULL, TABLE_TEXT, 12, 0},   {"audience", NULL, TABLE_TEXT, 9, 0},
    {"title", NULL, TABLE_TEXT, 40, 0},  {"actor", NULL, TABLE_TEXT, 12, 0},
    {"at", NULL, TABLE_TEXT, 21, 0},
};

/* An article's versions, newest first; ?full=1 adds each version's body. */
static int versions_page(req *r, const struct page *p, json_t *items, const char **next)
{
    int64_t id, after;
    int rc = kb_find(req_db(r), req_param(r, "code"), &id);
    if (rc == 1)
        return reply_not_found(r, "article"), LIST_ANSWERED;
    if (rc < 0)
        return -1;
    if (id_after(r, p, &after))
        return LIST_ANSWERED;
    const char *full = req_query(r, "full");
    db_stmt *st = db_prepare(req_db(r), "SELECT version, status, kind, audience, title, actor, at, body"
                                        " FROM kb_versions WHERE article_id = ? AND (? = 0 OR version < ?)"
                                        " ORDER BY version DESC LIMIT ?");
    if (!st)
        return -1;
    db_bind_int(st, 1, id);
    db_bind_int(st, 2, after);
    db_bind_int(st, 3, after);
    db_bind_int(st, 4, p->limit + 1);
    long n = 0;
    int64_t last = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        if (n == p->limit) {
            *next = page_cursor_int(r->a, last);
            break;
        }
        char at[21];
        dt_rfc3339(db_int(st, 6), at);
        json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "version",
                              (json_int_t)db_int(st, 0), "status", db_text(st, 1), "kind",
                              db_text(st, 2), "audience", db_text(st, 3), "title", db_text(st, 4),
                              "actor", db_text(st, 5), "at", at);
        if (full && strcmp(full, "1") == 0)
            json_object_set_new(j, "body", json_string(db_text(st, 7)));
        json_array_append_new(items, j);
        last = db_int(st, 0);
        n++;
    }
    db_done(st);
    return rc < 0 ? -1 : 0;
}

int kb_articles_versions(req *r)
{
    static const struct list_spec spec = {
        .name = "kb-versions", .cols = version_cols,
        .ncols = (int)(sizeof version_cols / sizeof *version_cols), .def_limit = 50,
        .max_limit = 500, .nkeys = 1, .page = versions_page,
    };
    return list_reply(r, &spec);
}

/* ---------------------------------------------------------------- expiry */

/* Safe with several servers: a second pass that raced this one finds the versions
 * already there (ON CONFLICT) and, re-checked after the first commits, nothing published. */
int kb_expire(db_conn *c, int64_t now, int *n)
{
    *n = 0;
    if (db_begin(c) < 0)
        return DB_ERROR;
    int64_t e = db_exec(c, "INSERT INTO kb_versions (article_id, version, status, kind, audience,"
                           " title, body, valid_from, valid_to, actor, at) SELECT id, version + 1,"
                           " 'withdrawn', kind, audience, title, body, valid_from, valid_to,"
                           " 'expiry', ? FROM kb_articles WHERE status = 'published'"
                           " AND valid_to <= ? ON CONFLICT DO NOTHING",
                        "ii", now, now);
    if (e >= 0)
        e = db_exec(c, "UPDATE kb_articles SET status = 'withdrawn', version = version + 1,"
                       " updated_by = 'expiry', updated_at = ? WHERE status = 'published'"
                       " AND valid_to <= ?",
                    "ii", now, now);
    if (e < 0) {
        db_rollback(c);
        return (int)e;
    }
    *n = (int)e;
    return db_commit(c) < 0 ? DB_ERROR : 0;
}
