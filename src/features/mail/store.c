/* mail: storing a parsed message in one transaction: threading (our Message-IDs, then a
 * repair code from that repair's customer, then the sender's customer), attachments,
 * bounces onto their outbox rows, and the once-a-day acknowledgement. */
#include <glib.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "base/datetime.h"
#include "features/common/common.h"
#include "features/outbox/outbox.h"
#include "features/mail/internal.h"
#include "features/mail/mail.h"
#include "rules/identity.h"

struct job {
    struct mail_parsed *m;
    const char *raw64;
    const char *from;     /* normalised sender address, "" when unusable */
    int64_t now, id;
    int64_t customer_id, repair_id, outbox_id;
    const char *matched;
};

/* 1 and *out set when the query gives a row with a non-NULL first column, 0 when not. */
static int one_int(db_conn *c, const char *sql, const char *arg, int64_t iarg, int64_t *out, int64_t *out2)
{
    db_stmt *st = db_prepare(c, sql);
    if (!st)
        return DB_ERROR;
    if (arg)
        db_bind_text(st, 1, arg);
    else
        db_bind_int(st, 1, iarg);
    int rc = db_step(st), found = 0;
    if (rc == DB_ROW && !db_isnull(st, 0)) {
        *out = db_int(st, 0);
        if (out2)
            *out2 = db_ncols(st) > 1 && !db_isnull(st, 1) ? db_int(st, 1) : 0;
        found = 1;
    }
    db_done(st);
    return rc < 0 ? rc : found;
}

/* The live customer with this normalised email (following merges), 0 when none. */
static int customer_by_email(db_conn *c, const char *email, int64_t *id)
{
    *id = 0;
    if (!*email)
        return 0;
    return one_int(c, "SELECT COALESCE(k.merged_into, k.id) FROM customer_emails e"
                      " JOIN customers k ON k.id = e.customer_id"
                      " WHERE e.email = ? AND k.erased_at IS NULL ORDER BY k.merged_into IS NOT NULL, k.id LIMIT 1",
                   email, 0, id, NULL);
}

/* One referenced id: one of our outbox messages, or a message already stored. */
static int thread_one(db_conn *c, struct job *j, const char *mid)
{
    int64_t ob = mail_outbox_id_of(mid), cust = 0, rep = 0;
    int rc;
    if (ob > 0) {
        db_stmt *st = db_prepare(c, "SELECT customer_id, template, payload FROM outbox WHERE id = ?");
        if (!st)
            return DB_ERROR;
        db_bind_int(st, 1, ob);
        rc = db_step(st);
        if (rc == DB_ROW) {
            j->outbox_id = ob;
            j->customer_id = db_isnull(st, 0) ? 0 : db_int(st, 0);
            j->matched = "outbox";
            json_t *p = strncmp(db_text(st, 1), "repair", 6) == 0 ? json_loads(db_text(st, 2), 0, NULL) : NULL;
            const char *code = p ? json_string_value(json_object_get(p, "code")) : NULL;
            char code_copy[64] = "";
            if (code)
                snprintf(code_copy, sizeof code_copy, "%s", code);
            json_decref(p);
            db_done(st);
            if (*code_copy && (rc = one_int(c, "SELECT id FROM repairs WHERE code = ?", code_copy, 0,
                                            &j->repair_id, NULL)) < 0)
                return rc;
            return 1;
        }
        db_done(st);
        if (rc < 0)
            return rc;
    }
    rc = one_int(c, "SELECT customer_id, repair_id FROM mail_messages WHERE message_id = ?"
                    " AND customer_id IS NOT NULL ORDER BY id DESC LIMIT 1", mid, 0, &cust, &rep);
    if (rc == 1) {
        j->customer_id = cust;
        j->repair_id = rep;
        j->matched = "thread";
    }
    return rc;
}

/* Our own Message-IDs first: In-Reply-To, then References from the newest. */
static int thread_refs(db_conn *c, struct job *j)
{
    char **irt = g_strsplit(j->m->in_reply_to, " ", 0), **refs = g_strsplit(j->m->refs, " ", 0);
    int rc = 0;
    for (char **p = irt; *p && rc == 0; p++)
        if (**p)
            rc = thread_one(c, j, *p);
    guint n = g_strv_length(refs);
    for (guint i = n; i > 0 && rc == 0; i--)
        if (*refs[i - 1])
            rc = thread_one(c, j, refs[i - 1]);
    g_strfreev(irt);
    g_strfreev(refs);
    return rc;
}

/* A repair code in the subject counts only from an address of that repair's customer. */
static int thread_repair(db_conn *c, struct job *j)
{
    const char *s = j->m->subject;
    while (*s) {
        while (*s && !g_ascii_isalnum(*s))
            s++;
        const char *b = s;
        while (g_ascii_isalnum(*s) || *s == '-')
            s++;
        size_t n = (size_t)(s - b);
        if (n < 5 || n > 32 || g_ascii_toupper(*b) != 'R')
            continue;
        char code[33];
        for (size_t i = 0; i < n; i++)
            code[i] = g_ascii_toupper(b[i]);
        code[n] = 0;
        int64_t rid = 0, cust = 0;
        int rc = one_int(c, "SELECT id, customer_id FROM repairs WHERE code = ?", code, 0, &rid, &cust);
        if (rc < 0)
            return rc;
        if (rc == 0 || !*j->from)
            continue;
        db_stmt *st = db_prepare(c, "SELECT 1 FROM customer_emails e JOIN customers k ON k.id = e.customer_id"
                                    " WHERE e.email = ? AND k.erased_at IS NULL AND (k.id = ? OR k.merged_into = ?)");
        if (!st)
            return DB_ERROR;
        db_bind_text(st, 1, j->from);
        db_bind_int(st, 2, cust);
        db_bind_int(st, 3, cust);
        rc = db_step(st);
        db_done(st);
        if (rc < 0)
            return rc;
        if (rc == DB_ROW) {
            j->customer_id = cust;
            j->repair_id = rid;
            j->matched = "repair";
            return 1;
        }
    }
    return 0;
}

static int insert_message(db_conn *c, struct job *j, const char *kind)
{
    struct mail_parsed *m = j->m;
    char *hdrs = json_dumps(m->headers, JSON_COMPACT);
    db_stmt *st = db_prepare(c, "INSERT INTO mail_messages (received_at, message_id, in_reply_to, refs,"
                                " from_addr, from_name, to_addr, subject, sent_at, body_text, body_html, headers,"
                                " raw, kind, matched_by, customer_id, repair_id, outbox_id)"
                                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
    if (!st) {
        free(hdrs);
        return DB_ERROR;
    }
    int i = 1;
    db_bind_int(st, i++, j->now);
    if (*m->message_id)
        db_bind_text(st, i++, m->message_id);
    else
        db_bind_null(st, i++);
    db_bind_text(st, i++, m->in_reply_to);
    db_bind_text(st, i++, m->refs);
    db_bind_text(st, i++, *j->from ? j->from : m->from_addr);
    db_bind_text(st, i++, m->from_name);
    db_bind_text(st, i++, m->to_addr);
    db_bind_text(st, i++, m->subject);
    if (m->date)
        db_bind_int(st, i++, m->date);
    else
        db_bind_null(st, i++);
    db_bind_text(st, i++, m->body_text);
    if (m->body_html)
        db_bind_text(st, i++, m->body_html);
    else
        db_bind_null(st, i++);
    db_bind_text(st, i++, hdrs ? hdrs : "[]");
    db_bind_text(st, i++, j->raw64);
    db_bind_text(st, i++, kind);
    db_bind_text(st, i++, j->matched);
    int64_t ids[3] = {j->customer_id, j->repair_id, j->outbox_id};
    for (int k = 0; k < 3; k++) {
        if (ids[k])
            db_bind_int(st, i++, ids[k]);
        else
            db_bind_null(st, i++);
    }
    int rc = db_step(st);
    if (rc == DB_ROW)
        j->id = db_int(st, 0);
    db_done(st);
    free(hdrs);
    return rc == DB_ROW ? 0 : rc < 0 ? rc : DB_ERROR;
}

static int insert_attachments(db_conn *c, struct job *j)
{
    for (size_t i = 0; i < j->m->natt; i++) {
        struct mail_att *a = &j->m->att[i];
        char *b64 = g_base64_encode(a->data, a->size);
        int64_t e = db_exec(c, "INSERT INTO mail_attachments (message_id, n, filename, mime_type, size, data)"
                               " VALUES (?, ?, ?, ?, ?, ?)",
                            "iittit", j->id, (int64_t)(i + 1), a->filename, a->mime_type, (int64_t)a->size, b64);
        g_free(b64);
        if (e < 0)
            return (int)e;
    }
    return 0;
}

/* At most one acknowledgement per address and local day, queued in the outbox. */
static int acknowledge(db_conn *c, struct job *j)
{
    char day[11];
    dt_local_date(org_zone(c), j->now, day);
    int64_t e = db_exec(c, "INSERT INTO mail_acks (address, day, mail_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                        "tti", j->from, day, j->id);
    if (e <= 0)
        return (int)e;
    json_t *p = json_pack("{ss ss ss s{ss}}", "subject", j->m->subject, "in_reply_to", j->m->message_id,
                          "references", j->m->refs, "headers", "Auto-Submitted", "auto-generated");
    char *ps = json_dumps(p, JSON_COMPACT);
    json_decref(p);
    const char *sql = "INSERT INTO outbox (channel, recipient, template, payload, customer_id, created_at)"
                      " VALUES ('email', ?, 'mail_ack', ?, ?, ?)";
    e = !ps ? DB_ERROR
        : j->customer_id ? db_exec(c, sql, "ttii", j->from, ps, j->customer_id, j->now)
                         : db_exec(c, sql, "ttni", j->from, ps, j->now);
    free(ps);
    if (e < 0)
        return (int)e;
    e = db_exec(c, "UPDATE mail_messages SET acked = 1 WHERE id = ?", "i", j->id);
    return e < 0 ? (int)e : 0;
}

static int store_tx(db_conn *c, void *arg)
{
    struct job *j = arg;
    struct mail_parsed *m = j->m;
    j->customer_id = j->repair_id = j->outbox_id = 0;
    j->matched = "none";
    int rc;
    if (m->is_bounce) {
        j->matched = "ignored";
        if (m->bounce_outbox > 0 &&
            (rc = one_int(c, "SELECT id FROM outbox WHERE id = ?", NULL, m->bounce_outbox, &j->outbox_id, NULL)) < 0)
            return rc;
        if ((rc = insert_message(c, j, "bounce")) < 0 || (rc = insert_attachments(c, j)) < 0)
            return rc;
        if (!j->outbox_id)
            return 0;
        char why[64];
        snprintf(why, sizeof why, "bounced: %s", *m->dsn_status ? m->dsn_status : "undeliverable");
        int64_t e = db_exec(c, "INSERT INTO mail_bounces (outbox_id, mail_id, status, at) VALUES (?, ?, ?, ?)",
                            "iiti", j->outbox_id, j->id, m->dsn_status, j->now);
        if (e < 0)
            return (int)e;
        /* a sent row becomes bounced; one not (yet) sent keeps its state, the why noted */
        rc = outbox_mark_bounced(c, j->outbox_id, why);
        if (rc == 0)
            e = db_exec(c, "UPDATE outbox SET last_error = ? WHERE id = ?", "ti", why, j->outbox_id);
        return rc < 0 ? rc : e < 0 ? (int)e : 0;
    }
    if ((rc = thread_refs(c, j)) < 0)
        return rc;
    if (rc == 0 && (rc = thread_repair(c, j)) < 0)
        return rc;
    if (rc == 0) {
        if ((rc = customer_by_email(c, j->from, &j->customer_id)) < 0)
            return rc;
        j->matched = rc ? "customer" : "none";
    }
    if ((rc = insert_message(c, j, m->no_auto_reply ? "auto" : "message")) < 0 ||
        (rc = insert_attachments(c, j)) < 0)
        return rc;
    if ((rc = mail_contact(c, j->id, j->customer_id, j->repair_id, *j->from ? j->from : m->from_addr,
                           m->subject, m->body_text, j->now)) < 0)
        return rc;
    if (!m->no_auto_reply && *j->from)
        return acknowledge(c, j);
    return 0;
}

int mail_store(db_conn *c, const char *raw, size_t len, int64_t now, int64_t *mail_id_out)
{
    struct mail_parsed m;
    if (mail_parse(raw, len, &m) < 0)
        return DB_ERROR;
    char from[IDENTITY_EMAIL_MAX];
    if (identity_email(m.from_addr, from) < 0)
        from[0] = 0;
    char *raw64 = g_base64_encode((const guchar *)raw, len);
    struct job j = {.m = &m, .raw64 = raw64, .from = from, .now = now};
    int rc = in_tx(c, store_tx, &j);
    g_free(raw64);
    mail_parsed_free(&m);
    if (rc == 0 && mail_id_out)
        *mail_id_out = j.id;
    return rc;
}
