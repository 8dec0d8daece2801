/* parts: the part catalog over HTTP (the list, one part, creation) and the lookups of
 * parts the other files share. */
#include <string.h>

#include "base/audit.h"
#include "base/jsonv.h"
#include "features/common/common.h"
#include "features/parts/internal.h"

/* ---------------------------------------------------------------- helpers */

int pt_part_find(db_conn *c, const char *number, struct pt_part *out)
{
    db_stmt *st = db_prepare(c, "SELECT id, COALESCE(superseded_by, 0), price_fen, source,"
                                " serial_tracked FROM parts WHERE number = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, number);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        out->id = db_int(st, 0);
        out->superseded_by = db_int(st, 1);
        out->price_fen = db_int(st, 2);
        out->imported = strcmp(db_text(st, 3), "imported") == 0;
        out->serial_tracked = db_int(st, 4) != 0;
    }
    db_done(st);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? 1 : rc;
}

/* ---------------------------------------------------------------- JSON */

#define PART_COLS                                                                              \
    "p.id, p.number, p.description, p.description_en, p.price_fen, s.number, p.source,"        \
    " p.serial_tracked, p.version"
#define PART_FROM " FROM parts p LEFT JOIN parts s ON s.id = p.superseded_by"

/* A row of PART_COLS as JSON, without its models and supersedes. */
static json_t *part_row(db_stmt *st)
{
    return json_pack("{s:s, s:s, s:o, s:I, s:o, s:s, s:b, s:I}", "number", db_text(st, 1),
                     "description", db_text(st, 2), "description_en",
                     db_isnull(st, 3) ? json_null() : json_string(db_text(st, 3)), "price_fen",
                     (json_int_t)db_int(st, 4), "superseded_by",
                     db_isnull(st, 5) ? json_null() : json_string(db_text(st, 5)), "source",
                     db_text(st, 6), "serial_tracked", db_int(st, 7) != 0, "version",
                     (json_int_t)db_int(st, 8));
}

static int part_load(db_conn *c, const char *number, json_t **out)
{
    db_stmt *st = db_prepare(c, "SELECT " PART_COLS PART_FROM " WHERE p.number = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, number);
    int rc = db_step(st);
    json_t *j = NULL;
    /* the models query needs its own statement: read the row first */
    int64_t id = 0;
    if (rc == DB_ROW) {
        id = db_int(st, 0);
        j = part_row(st);
    }
    db_done(st);
    if (rc != DB_ROW)
        return rc == DB_DONE ? 1 : rc;
    st = db_prepare(c, "SELECT m.code FROM part_models pm JOIN models m ON m.id = pm.model_id"
                       " WHERE pm.part_id = ? ORDER BY m.code");
    if (!st) {
        json_decref(j);
        return DB_ERROR;
    }
    db_bind_int(st, 1, id);
    json_t *models = json_array();
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(models, json_string(db_text(st, 0)));
    db_done(st);
    json_object_set_new(j, "models", models);
    /* what it is replaced by, to the end of the chain */
    st = db_prepare(c, "SELECT number FROM parts WHERE superseded_by = ? ORDER BY number");
    if (!st) {
        json_decref(j);
        return DB_ERROR;
    }
    db_bind_int(st, 1, id);
    json_t *sup = json_array();
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(sup, json_string(db_text(st, 0)));
    db_done(st);
    json_object_set_new(j, "supersedes", sup);
    if (rc < 0) {
        json_decref(j);
        return rc;
    }
    *out = j;
    return 0;
}

/* ---------------------------------------------------------------- list */

static const struct table_col part_cols[] = {
    {"number", NULL, TABLE_TEXT, 16, 0},
    {"description", NULL, TABLE_TEXT, 30, 0},
    {"description_en", NULL, TABLE_TEXT, 30, 0},
    {"models", NULL, TABLE_LIST, 30, 0},
    {"price_fen", NULL, TABLE_INT, 10, 0},
    {"superseded_by", NULL, TABLE_TEXT, 16, 0},
    {"source", NULL, TABLE_TEXT, 10, 0},
};

/* The list's filters (?q=, ?source=, ?model=) over parts p: 8 parameters. */
#define PARTS_WHERE                                                                            \
    " (CAST(? AS TEXT) IS NULL OR p.number LIKE ? OR p.description LIKE ?"                     \
    "  OR p.description_en LIKE ?)"                                                            \
    " AND (CAST(? AS TEXT) IS NULL OR p.source = ?)"                                           \
    " AND (CAST(? AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM part_models pm"                    \
    "  JOIN models m ON m.id = pm.model_id WHERE pm.part_id = p.id AND m.code = ?))"

static void parts_bind_where(db_stmt *st, int at, const char *like, const char *source,
                             const char *model)
{
    for (int i = 0; i < 4; i++)
        db_bind_text(st, at + i, like);
    db_bind_text(st, at + 4, source);
    db_bind_text(st, at + 5, source);
    db_bind_text(st, at + 6, model);
    db_bind_text(st, at + 7, model);
}

/* One page by number, filtered by ?q= (part of the number or a description), ?model=
 * (a model code) and ?source=. */
static int parts_page(req *r, const struct page *p, json_t *items, const char **next)
{
    const char *q = req_query(r, "q"), *model = req_query(r, "model");
    const char *source = req_query(r, "source");
    if (source && *source && strcmp(source, "domestic") && strcmp(source, "imported"))
        return reply_bad_param(r, "source", "one of domestic, imported"), LIST_ANSWERED;
    if (source && !*source)
        source = NULL;
    if (model && !*model)
        model = NULL;
    char *like = q && *q ? arena_printf(r->a, "%%%s%%", q) : NULL;
    const char *after = p->nkeys ? p->key[0] : NULL;
    db_conn *c = req_db(r);
    db_stmt *st = db_prepare(c, "SELECT " PART_COLS PART_FROM
                                " WHERE (CAST(? AS TEXT) IS NULL OR p.number > ?) AND" PARTS_WHERE
                                " ORDER BY p.number LIMIT ?");
    if (!st)
        return -1;
    db_bind_text(st, 1, after);
    db_bind_text(st, 2, after);
    parts_bind_where(st, 3, like, source, model);
    db_bind_int(st, 11, p->limit + 1);
    /* the page's rows, each with an empty models array that the second query fills */
    json_t *models = json_object(); /* number -> that item's models (borrowed) */
    const char *first = NULL, *last = NULL;
    int rc;
    long n = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        if (n == p->limit) {
            *next = page_cursor(r->a, 1, &last);
            break;
        }
        json_t *j = part_row(st), *m = json_array();
        json_object_set_new(j, "models", m);
        json_object_set(models, db_text(st, 1), m);
        json_array_append_new(items, j);
        last = arena_strdup(r->a, db_text(st, 1));
        if (!first)
            first = last;
        n++;
    }
    db_done(st);
    /* The models of the whole page in one query: the parts of the same filter numbered
     * from the page's first to its last are exactly the page's parts. */
    if (rc >= 0 && n) {
        st = db_prepare(c, "SELECT p.number, pmm.code FROM parts p"
                           " JOIN part_models ppm ON ppm.part_id = p.id"
                           " JOIN models pmm ON pmm.id = ppm.model_id"
                           " WHERE p.number >= ? AND p.number <= ? AND" PARTS_WHERE
                           " ORDER BY p.number, pmm.code");
        if (!st)
            rc = -1;
        else {
            db_bind_text(st, 1, first);
            db_bind_text(st, 2, last);
            parts_bind_where(st, 3, like, source, model);
            while ((rc = db_step(st)) == DB_ROW) {
                json_t *m = json_object_get(models, db_text(st, 0));
                if (m)
                    json_array_append_new(m, json_string(db_text(st, 1)));
            }
            db_done(st);
        }
    }
    json_decref(models);
    return rc < 0 ? -1 : 0;
}

int parts_list(req *r)
{
    static const struct list_spec spec = {
        .name = "parts", .cols = part_cols, .ncols = (int)(sizeof part_cols / sizeof *part_cols),
        .def_limit = 50, .max_limit = 500, .nkeys = 1, .page = parts_page,
    };
    return list_reply(r, &spec);
}

int parts_get(req *r)
{
    json_t *j = NULL;
    int rc = part_load(req_db(r), code_upper(r->a, req_param(r, "number")), &j);
    if (rc < 0)
        return reply_db_failure(r, rc, "load part");
    if (rc == 1)
        return reply_not_found(r, "part");
    return reply_json(r, 200, j);
}

/* ---------------------------------------------------------------- create */

struct part_write {
    const char *actor, *number, *description, *description_en, *superseded_by, *source;
    json_t *models, *body;
    int64_t price;
    int serial_tracked;
    const char *bad_field, *bad_why;
};

static int part_store(db_conn *c, void *arg)
{
    struct part_write *w = arg;
    int64_t now = now_unix(), sup = 0;
    if (w->superseded_by) {
        struct pt_part s;
        int k = pt_part_find(c, w->superseded_by, &s);
        if (k < 0)
            return k;
        if (k == 1) {
            w->bad_field = "superseded_by", w->bad_why = "unknown part";
            return PW_BAD;
        }
        sup = s.id;
    }
    db_stmt *st = db_prepare(c, "INSERT INTO parts (number, description, description_en,"
                                " price_fen, superseded_by, source, serial_tracked, created_at,"
                                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, w->number);
    db_bind_text(st, 2, w->description);
    db_bind_text(st, 3, w->description_en);
    db_bind_int(st, 4, w->price);
    if (sup)
        db_bind_int(st, 5, sup);
    else
        db_bind_null(st, 5);
    db_bind_text(st, 6, w->source);
    db_bind_int(st, 7, w->serial_tracked);
    db_bind_int(st, 8, now);
    db_bind_int(st, 9, now);
    int rc = db_step(st);
    int64_t id = rc == DB_ROW ? db_int(st, 0) : 0;
    db_done(st);
    if (rc == DB_EUNIQUE)
        return PW_DUPLICATE;
    if (rc != DB_ROW)
        return rc < 0 ? rc : DB_ERROR;
    size_t i;
    json_t *m;
    json_array_foreach(w->models, i, m) {
        int64_t e = db_exec(c, "INSERT INTO part_models (part_id, model_id) SELECT ?, id"
                               " FROM models WHERE code = ? ON CONFLICT DO NOTHING",
                            "it", id, json_string_value(m));
        if (e < 0)
            return (int)e;
        if (e == 0) {
            /* a model already listed adds nothing; an unknown one is an error */
            db_stmt *k = db_prepare(c, "SELECT 1 FROM models WHERE code = ?");
            if (!k)
                return DB_ERROR;
            db_bind_text(k, 1, json_string_value(m));
            int f = db_step(k);
            db_done(k);
            if (f < 0)
                return f;
            if (f != DB_ROW) {
                w->bad_field = "models";
                w->bad_why = "unknown model";
                return PW_BAD;
            }
        }
    }
    return audit_write(c, w->actor, "create", "part", w->number, w->body) < 0 ? DB_ERROR : 0;
}

/* POST /api/v1/parts */
int parts_create(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    static const char *const allowed[] = {"number", "description", "description_en", "models",
                                          "price_fen", "superseded_by", "source",
                                          "serial_tracked", NULL};
    static const char *const sources[] = {"domestic", "imported", NULL};
    jsonv v;
    jsonv_init(&v, body);
    jsonv_only(&v, allowed);
    struct part_write w = {.actor = audit_actor(r), .body = body};
    const char *number = jsonv_str(&v, "number", 1, 40);
    w.description = jsonv_str(&v, "description", 1, 200);
    w.description_en = jsonv_str(&v, "description_en", 0, 200);
    w.models = jsonv_strs(&v, "models", 0, 200, 40);
    jsonv_fen(&v, "price_fen", 1, 100000000, &w.price);
    const char *sup = jsonv_str(&v, "superseded_by", 0, 40);
    w.source = jsonv_enum(&v, "source", 1, sources);
    jsonv_bool(&v, "serial_tracked", 0, &w.serial_tracked);
    if (number && !code_ok(number, 40))
        jsonv_fail(&v, "number", "1-40 letters, digits or - _ . /");
    if (number)
        w.number = code_upper(r->a, number);
    if (sup)
        w.superseded_by = code_upper(r->a, sup);
    if (w.number && w.superseded_by && strcmp(w.number, w.superseded_by) == 0)
        jsonv_fail(&v, "superseded_by", "a part cannot supersede itself");
    json_t *none = json_array();
    if (!w.models)
        w.models = none;
    int rc;
    if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed", "the part is not valid", jsonv_take(&v));
    } else if ((rc = in_tx(req_db(r), part_store, &w)) == PW_DUPLICATE) {
        rc = reply_error(r, 409, "duplicate", "a part with this number exists", NULL);
    } else if (rc == PW_BAD) {
        rc = reply_error(r, 422, "validation_failed", w.bad_why,
                         json_pack("{s:s}", w.bad_field, w.bad_why));
    } else if (rc == 0) {
        json_t *j = NULL;
        rc = part_load(req_db(r), w.number, &j);
        rc = rc == 0 ? reply_json(r, 201, j) : reply_db_failure(r, rc < 0 ? rc : DB_ERROR, "load part");
    } else {
        rc = reply_db_failure(r, rc, "create part");
    }
    json_decref(none);
    jsonv_free(&v);
    json_decref(body);
    return rc;
}
