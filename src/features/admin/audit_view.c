/* admin audit: the audit viewer list (admin, supervisor), filtered by actor, record,
 * action and time, newest first; each row names the changed fields, never their values,
 * and the client address the change came from. */
#include "features/admin/admin.h"

#include "base/datetime.h"
#include "features/common/common.h"

#include <string.h>

static const struct table_col cols[] = {
    {"id", NULL, TABLE_INT, 8, 0},      {"at", NULL, TABLE_TEXT, 21, 0},
    {"actor", NULL, TABLE_TEXT, 16, 0}, {"action", NULL, TABLE_TEXT, 12, 0},
    {"entity", NULL, TABLE_TEXT, 14, 0}, {"code", NULL, TABLE_TEXT, 16, 0},
    {"fields", NULL, TABLE_TEXT, 30, 0}, {"client", NULL, TABLE_TEXT, 18, 0},
};

/* The field names of a detail: its "fields" list when it has one, else its keys. */
static char *field_names(arena *a, const char *detail)
{
    json_t *d = detail ? json_loads(detail, 0, NULL) : NULL;
    char *out = arena_strdup(a, "");
    json_t *list = json_is_object(d) ? json_object_get(d, "fields") : NULL;
    if (json_is_array(list)) {
        size_t i;
        json_t *v;
        json_array_foreach(list, i, v) if (json_is_string(v)) out =
            arena_printf(a, "%s%s%s", out, *out ? "," : "", json_string_value(v));
    } else if (json_is_object(d)) {
        const char *k;
        json_t *v;
        json_object_foreach(d, k, v) out = arena_printf(a, "%s%s%s", out, *out ? "," : "", k);
    }
    json_decref(d);
    return out;
}

static int opt_time(req *r, const char *name, int64_t *out)
{
    const char *v = req_query(r, name);
    if (!v || !*v)
        return 0;
    if (dt_parse_time(v, org_zone(req_db(r)), out) == 0)
        return 0;
    reply_bad_param(r, name, "an RFC 3339 instant or local YYYY-MM-DD HH:MM");
    return 1;
}

static const char *opt_text(req *r, const char *name)
{
    const char *v = req_query(r, name);
    return v && *v ? v : NULL;
}

/* ?actor= ?entity= ?code= ?action= ?from= ?to= ([from, to)). */
static int audit_page(req *r, const struct page *p, json_t *items, const char **next)
{
    const char *actor = opt_text(r, "actor"), *entity = opt_text(r, "entity"),
               *code = opt_text(r, "code"), *action = opt_text(r, "action");
    int64_t from = INT64_MIN, to = INT64_MAX, before = INT64_MAX;
    if (opt_time(r, "from", &from) || opt_time(r, "to", &to))
        return LIST_ANSWERED;
    if (p->nkeys && page_key_pos(p, 0, &before) < 0)
        return reply_bad_param(r, "cursor", "not a cursor of this list"), LIST_ANSWERED;
    db_stmt *st = db_prepare(req_db(r),
                             "SELECT id, at, actor, action, entity, entity_code, detail, client FROM audit"
                             " WHERE id < ? AND at >= ? AND at < ?"
                             " AND (CAST(? AS TEXT) IS NULL OR actor = ?)"
                             " AND (CAST(? AS TEXT) IS NULL OR entity = ?)"
                             " AND (CAST(? AS TEXT) IS NULL OR entity_code = ?)"
                             " AND (CAST(? AS TEXT) IS NULL OR action = ?)"
                             " ORDER BY id DESC LIMIT ?");
    if (!st)
        return -1;
    db_bind_int(st, 1, before);
    db_bind_int(st, 2, from);
    db_bind_int(st, 3, to);
    const char *texts[] = {actor, actor, entity, entity, code, code, action, action};
    for (int i = 0; i < 8; i++)
        db_bind_text(st, 4 + i, texts[i]);
    db_bind_int(st, 12, p->limit + 1);
    long n = 0;
    int s;
    while ((s = db_step(st)) == DB_ROW) {
        int64_t id = db_int(st, 0);
        if (n++ == p->limit) {
            *next = page_cursor_int(r->a, id + 1);
            break;
        }
        char at[21];
        dt_rfc3339(db_int(st, 1), at);
        json_array_append_new(
            items,
            json_pack("{s:I, s:s, s:s, s:s, s:s, s:s?, s:s, s:s?}", "id", (json_int_t)id, "at", at,
                      "actor", db_text(st, 2), "action", db_text(st, 3), "entity", db_text(st, 4),
                      "code", db_isnull(st, 5) ? NULL : db_text(st, 5), "fields",
                      field_names(r->a, db_isnull(st, 6) ? NULL : db_text(st, 6)), "client",
                      db_isnull(st, 7) ? NULL : db_text(st, 7)));
    }
    db_done(st);
    return s < 0 ? -1 : 0;
}

int admin_audit_list(req *r)
{
    static const struct list_spec spec = {
        .name = "audit", .cols = cols, .ncols = (int)(sizeof cols / sizeof *cols),
        .def_limit = 50, .max_limit = 500, .nkeys = 1, .page = audit_page,
    };
    return list_reply(r, &spec);
}
