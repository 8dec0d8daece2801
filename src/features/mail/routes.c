/* mail: the routes: stored messages (list by customer, one with its attachments list,
 * the raw message) and attachment downloads. Agents, supervisors and admins only. */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/datetime.h"
#include "base/page.h"
#include "base/table.h"
#include "features/common/common.h"
#include "features/customers/customers.h"
#include "features/mail/mail.h"

#define MAIL_ROLES (ROLE_ADMIN | ROLE_SUPERVISOR | ROLE_AGENT)

static json_t *opt_text(db_stmt *st, int col)
{
    return db_isnull(st, col) ? json_null() : json_string(db_text(st, col));
}

static json_t *opt_time(db_stmt *st, int col)
{
    char t[32];
    if (db_isnull(st, col))
        return json_null();
    dt_rfc3339(db_int(st, col), t);
    return json_string(t);
}

#define MSG_COLS                                                                                   \
    "m.id, m.received_at, m.message_id, m.from_addr, m.from_name, m.to_addr, m.subject, m.sent_at," \
    " m.kind, m.matched_by, k.code, r.code, m.acked, ct.code, m.in_reply_to, m.refs,"          \
    " (SELECT COUNT(*) FROM mail_attachments a WHERE a.message_id = m.id)"
#define MSG_FROM                                                                                   \
    " FROM mail_messages m LEFT JOIN customers k ON k.id = m.customer_id"                          \
    " LEFT JOIN repairs r ON r.id = m.repair_id LEFT JOIN contacts ct ON ct.id = m.contact_id"

static json_t *msg_json(db_stmt *st)
{
    return json_pack("{sI so ss? ss ss ss ss so ss ss so so sb so ss ss sI}", "id", (json_int_t)db_int(st, 0),
                     "received_at", opt_time(st, 1), "message_id", db_text(st, 2), "from", db_text(st, 3),
                     "from_name", db_text(st, 4), "to", db_text(st, 5), "subject", db_text(st, 6), "sent_at",
                     opt_time(st, 7), "kind", db_text(st, 8), "matched_by", db_text(st, 9), "customer",
                     opt_text(st, 10), "repair", opt_text(st, 11), "acked", (int)db_int(st, 12), "contact",
                     opt_text(st, 13), "in_reply_to",
                     db_text(st, 14), "references", db_text(st, 15), "attachments_count",
                     (json_int_t)db_int(st, 16));
}

static int msg_item(db_conn *c, int64_t id, json_t **out)
{
    db_stmt *st = db_prepare(c, "SELECT " MSG_COLS MSG_FROM " WHERE m.id = ?");
    if (!st)
        return -1;
    db_bind_int(st, 1, id);
    int rc = db_step(st);
    *out = rc == DB_ROW ? msg_json(st) : NULL;
    db_done(st);
    return *out ? 0 : -1;
}

static int messages_page(req *r, const struct page *p, json_t *items, const char **next)
{
    int64_t after = page_after_id(r, p), cust = 0;
    if (after < 0)
        return LIST_ANSWERED;
    const char *code = req_query(r, "customer"), *kind = req_query(r, "kind");
    if (code && *code && customers_resolve(req_db(r), code, &cust, NULL) != 0)
        return reply_not_found(r, "customer"), LIST_ANSWERED;
    if (kind && *kind && strcmp(kind, "message") && strcmp(kind, "auto") && strcmp(kind, "bounce"))
        return reply_bad_param(r, "kind", "one of message, auto, bounce"), LIST_ANSWERED;
    db_stmt *st = db_prepare(req_db(r), "SELECT id FROM mail_messages WHERE id > ?"
                                        " AND (CAST(? AS BIGINT) = 0 OR customer_id = ?)"
                                        " AND (CAST(? AS TEXT) IS NULL OR kind = ?) ORDER BY id LIMIT ?");
    if (!st)
        return -1;
    db_bind_int(st, 1, after);
    db_bind_int(st, 2, cust);
    db_bind_int(st, 3, cust);
    for (int i = 4; i <= 5; i++)
        if (kind && *kind)
            db_bind_text(st, i, kind);
        else
            db_bind_null(st, i);
    db_bind_int(st, 6, p->limit + 1);
    return list_ids_page(r, p, st, msg_item, items, next);
}

static const struct table_col msg_cols[] = {
    {"id", NULL, TABLE_INT, 8, 0},           {"received_at", NULL, TABLE_TEXT, 20, 0},
    {"from", NULL, TABLE_TEXT, 24, 0},       {"from_name", NULL, TABLE_TEXT, 14, 0},
    {"subject", NULL, TABLE_TEXT, 40, 0},    {"kind", NULL, TABLE_TEXT, 8, 0},
    {"matched_by", NULL, TABLE_TEXT, 10, 0}, {"customer", NULL, TABLE_TEXT, 12, 0},
    {"repair", NULL, TABLE_TEXT, 14, 0},     {"attachments_count", NULL, TABLE_INT, 6, 0},
};

static int list_messages(req *r)
{
    static const struct list_spec spec = {"mail", msg_cols, (int)(sizeof msg_cols / sizeof *msg_cols),
                                          50, 500, 1, messages_page};
    return list_reply(r, &spec);
}

/* The message id of the :id parameter, 0 when it is not a stored message's. */
static int64_t param_id(req *r)
{
    const char *s = req_param(r, "id");
    char *end;
    long long v = s ? strtoll(s, &end, 10) : 0;
    return s && *s && !*end && v > 0 ? (int64_t)v : 0;
}

/* {n, filename, mime_type, size} of a "SELECT n, filename, mime_type, size" row. */
static json_t *att_json(db_stmt *st)
{
    return json_pack("{sI ss ss sI}", "n", (json_int_t)db_int(st, 0), "filename", db_text(st, 1), "mime_type",
                     db_text(st, 2), "size", (json_int_t)db_int(st, 3));
}

static int get_message(req *r)
{
    db_conn *c = req_db(r);
    db_stmt *st = db_prepare(c, "SELECT " MSG_COLS ", m.body_text, m.body_html, m.headers" MSG_FROM
                                " WHERE m.id = ?");
    if (!st)
        return reply_db_failure(r, DB_ERROR, "mail message");
    db_bind_int(st, 1, param_id(r));
    int rc = db_step(st);
    if (rc != DB_ROW) {
        db_done(st);
        return rc < 0 ? reply_db_failure(r, rc, "mail message") : reply_not_found(r, "mail message");
    }
    json_t *m = msg_json(st);
    json_object_set_new(m, "body_text", json_string(db_text(st, 17)));
    json_object_set_new(m, "body_html", opt_text(st, 18));
    json_object_set_new(m, "headers", json_loads(db_text(st, 19), 0, NULL));
    db_done(st);
    json_t *atts = json_array();
    st = db_prepare(c, "SELECT n, filename, mime_type, size FROM mail_attachments WHERE message_id = ? ORDER BY n");
    if (!st)
        return json_decref(m), json_decref(atts), reply_db_failure(r, DB_ERROR, "attachments");
    db_bind_int(st, 1, json_integer_value(json_object_get(m, "id")));
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(atts, att_json(st));
    db_done(st);
    json_object_set_new(m, "attachments", atts);
    return reply_json(r, 200, m);
}

static int attachments_page(req *r, const struct page *p, json_t *items, const char **next)
{
    int64_t after = page_after_id(r, p), id = param_id(r);
    if (after < 0)
        return LIST_ANSWERED;
    int64_t found = 0;
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)id);
    if (lookup_id(req_db(r), "SELECT id FROM mail_messages WHERE id = CAST(? AS BIGINT)", key, &found) != 0)
        return reply_not_found(r, "mail message"), LIST_ANSWERED;
    db_stmt *st = db_prepare(req_db(r), "SELECT n, filename, mime_type, size FROM mail_attachments"
                                        " WHERE message_id = ? AND n > ? ORDER BY n LIMIT ?");
    if (!st)
        return -1;
    db_bind_int(st, 1, id);
    db_bind_int(st, 2, after);
    db_bind_int(st, 3, p->limit + 1);
    int rc, n = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        if (n++ == p->limit) {
            *next = page_cursor_int(r->a, db_int(st, 0) - 1);
            break;
        }
        json_array_append_new(items, att_json(st));
    }
    db_done(st);
    return rc < 0 ? -1 : 0;
}

static const struct table_col att_cols[] = {
    {"n", NULL, TABLE_INT, 4, 0},
    {"filename", NULL, TABLE_TEXT, 30, 0},
    {"mime_type", NULL, TABLE_TEXT, 20, 0},
    {"size", NULL, TABLE_INT, 10, 0},
};

static int list_attachments(req *r)
{
    static const struct list_spec spec = {"mail-attachments", att_cols, 4, 100, 500, 1, attachments_page};
    return list_reply(r, &spec);
}

/* Bytes of a base64 column answered as a download. */
static int reply_b64(req *r, const char *b64, const char *type, const char *filename)
{
    gsize len = 0;
    guchar *data = g_base64_decode(b64, &len);
    char cd[600];
    char *esc = g_uri_escape_string(filename, NULL, FALSE);
    snprintf(cd, sizeof cd, "attachment; filename*=UTF-8''%s", esc);
    g_free(esc);
    reply_header(r, "Content-Disposition", cd);
    int rc = reply_bytes(r, 200, type, data, len);
    g_free(data);
    return rc;
}

static int get_attachment(req *r)
{
    const char *ns = req_param(r, "n");
    char *end;
    long long n = ns ? strtoll(ns, &end, 10) : 0;
    db_stmt *st = db_prepare(req_db(r), "SELECT filename, mime_type, data FROM mail_attachments"
                                        " WHERE message_id = ? AND n = ?");
    if (!st)
        return reply_db_failure(r, DB_ERROR, "attachment");
    db_bind_int(st, 1, param_id(r));
    db_bind_int(st, 2, ns && *ns && !*end ? (int64_t)n : 0);
    int rc = db_step(st);
    if (rc != DB_ROW) {
        db_done(st);
        return rc < 0 ? reply_db_failure(r, rc, "attachment") : reply_not_found(r, "attachment");
    }
    char fn[400], type[128];
    snprintf(fn, sizeof fn, "%s", *db_text(st, 0) ? db_text(st, 0) : "attachment");
    snprintf(type, sizeof type, "%s", db_text(st, 1));
    /* the sender chose the type: only a plain type/subtype token goes out, and never one
     * a browser would run from our origin (the download is an attachment anyway) */
    int plain = strchr(type, '/') != NULL && strspn(type, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                          "0123456789!#$&^_.+-/") == strlen(type);
    if (!plain || g_ascii_strncasecmp(type, "text/html", 9) == 0 || strstr(type, "xml") || strstr(type, "javascript"))
        snprintf(type, sizeof type, "application/octet-stream");
    char *b64 = strdup(db_text(st, 2));
    db_done(st);
    rc = b64 ? reply_b64(r, b64, type, fn) : -1;
    free(b64);
    return rc;
}

static int get_raw(req *r)
{
    db_stmt *st = db_prepare(req_db(r), "SELECT raw FROM mail_messages WHERE id = ?");
    if (!st)
        return reply_db_failure(r, DB_ERROR, "mail message");
    db_bind_int(st, 1, param_id(r));
    int rc = db_step(st);
    char *b64 = rc == DB_ROW ? strdup(db_text(st, 0)) : NULL;
    db_done(st);
    if (rc != DB_ROW)
        return rc < 0 ? reply_db_failure(r, rc, "mail message") : reply_not_found(r, "mail message");
    char fn[40];
    snprintf(fn, sizeof fn, "mail-%s.eml", req_param(r, "id"));
    rc = b64 ? reply_b64(r, b64, "message/rfc822", fn) : -1;
    free(b64);
    return rc;
}

const struct route mail_routes[] = {
    {"GET", "/api/v1/mail/messages", list_messages, MAIL_ROLES, 0},
    {"GET", "/api/v1/mail/messages/:id", get_message, MAIL_ROLES, 0},
    {"GET", "/api/v1/mail/messages/:id/raw", get_raw, MAIL_ROLES, 0},
    {"GET", "/api/v1/mail/messages/:id/attachments", list_attachments, MAIL_ROLES, 0},
    {"GET", "/api/v1/mail/messages/:id/attachments/:n", get_attachment, MAIL_ROLES, 0},
    {0},
};
