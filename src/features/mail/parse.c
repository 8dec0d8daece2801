/* mail: one RFC 5322 message parsed with GMime into struct mail_parsed: decoded headers,
 * the UTF-8 bodies, attachments, the loop-guard verdict and what a bounce names. */
#include <gmime/gmime.h>
#include <stdlib.h>
#include <string.h>

#include "features/mail/internal.h"
#include "features/mail/mail.h"

/* s (malloc'd, may be NULL) as valid UTF-8 without NULs: GMime hands back raw bytes. */
static char *valid(char *s)
{
    if (!s)
        return g_strdup("");
    if (g_utf8_validate(s, -1, NULL))
        return s;
    char *v = mail_to_utf8(s, strlen(s), NULL);
    g_free(s);
    return v;
}

static void init_once(void)
{
    static gsize done = 0;
    if (g_once_init_enter(&done)) {
        g_mime_init();
        g_once_init_leave(&done, 1);
    }
}

/* A top-level header's raw value decoded, or NULL when absent. */
static char *header(GMimeObject *o, const char *name)
{
    GMimeHeaderList *hl = g_mime_object_get_header_list(o);
    GMimeHeader *h = hl ? g_mime_header_list_get_header(hl, name) : NULL;
    const char *v = h ? g_mime_header_get_raw_value(h) : NULL;
    return v ? mail_decode_header(v) : NULL;
}

/* Message ids of an In-Reply-To / References value, without brackets, space-separated. */
static char *ids(GMimeObject *o, const char *name)
{
    GMimeHeaderList *hl = g_mime_object_get_header_list(o);
    GMimeHeader *h = hl ? g_mime_header_list_get_header(hl, name) : NULL;
    const char *v = h ? g_mime_header_get_raw_value(h) : NULL;
    GString *s = g_string_new(NULL);
    GMimeReferences *refs = v ? g_mime_references_parse(NULL, v) : NULL;
    for (int i = 0; refs && i < g_mime_references_length(refs); i++) {
        const char *id = g_mime_references_get_message_id(refs, i);
        if (id && *id && !strchr(id, ' ')) {
            if (s->len)
                g_string_append_c(s, ' ');
            g_string_append(s, id);
        }
    }
    if (refs)
        g_mime_references_free(refs);
    return valid(g_string_free(s, FALSE));
}

static GByteArray *content(GMimePart *part)
{
    GByteArray *ba = g_byte_array_new();
    GMimeDataWrapper *w = g_mime_part_get_content(part);
    if (w) {
        GMimeStream *out = g_mime_stream_mem_new_with_byte_array(ba);
        g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(out), FALSE);
        g_mime_data_wrapper_write_to_stream(w, out);
        g_object_unref(out);
    }
    return ba;
}

/* "Status: 5.1.1" from a message/delivery-status body. */
static char *dsn_status(const GByteArray *ba)
{
    char *t = ba->len ? g_strndup((const char *)ba->data, ba->len) : g_strdup("");
    char **lines = g_strsplit_set(t, "\r\n", -1);
    char *s = NULL;
    for (char **l = lines; *l && !s; l++)
        if (g_ascii_strncasecmp(*l, "Status:", 7) == 0) {
            s = g_strstrip(g_strdup(*l + 7));
            if (strlen(s) > 32)
                s[32] = 0;
        }
    g_strfreev(lines);
    g_free(t);
    return valid(s);
}

static void add_attachment(struct mail_parsed *m, GMimePart *part, GByteArray *ba)
{
    struct mail_att *a = realloc(m->att, (m->natt + 1) * sizeof *a);
    if (!a)
        return;
    m->att = a;
    a = &m->att[m->natt++];
    const char *fn = g_mime_part_get_filename(part);
    a->filename = fn ? mail_to_utf8(fn, strlen(fn), NULL) : g_strdup("");
    GMimeContentType *ct = g_mime_object_get_content_type(GMIME_OBJECT(part));
    a->mime_type = valid(ct ? g_mime_content_type_get_mime_type(ct) : g_strdup("application/octet-stream"));
    a->size = ba->len;
    a->data = g_byte_array_free(ba, FALSE);
}

static void each_part(GMimeObject *parent, GMimeObject *o, gpointer data)
{
    struct mail_parsed *m = data;
    (void)parent;
    if (!GMIME_IS_PART(o))
        return;
    GMimePart *part = (GMimePart *)o;
    GMimeContentType *ct = g_mime_object_get_content_type(o);
    const char *type = ct ? g_mime_content_type_get_media_type(ct) : "text";
    const char *sub = ct ? g_mime_content_type_get_media_subtype(ct) : "plain";
    GByteArray *ba = content(part);
    int text = type && g_ascii_strcasecmp(type, "text") == 0;
    if (type && sub && g_ascii_strcasecmp(type, "message") == 0 &&
        g_ascii_strcasecmp(sub, "delivery-status") == 0 && !m->dsn_status) {
        m->dsn_status = dsn_status(ba);
        g_byte_array_free(ba, TRUE);
        return;
    }
    if (!g_mime_part_is_attachment(part) && !g_mime_part_get_filename(part) && text && sub) {
        const char *cs = g_mime_object_get_content_type_parameter(o, "charset");
        char **slot = g_ascii_strcasecmp(sub, "plain") == 0  ? &m->body_text
                      : g_ascii_strcasecmp(sub, "html") == 0 ? &m->body_html
                                                             : NULL;
        if (slot && !*slot) {
            *slot = mail_to_utf8((const char *)ba->data, ba->len, cs);
            g_byte_array_free(ba, TRUE);
            return;
        }
    }
    add_attachment(m, part, ba);
}

/* The loop guard on the top-level headers. */
static int no_auto_reply(GMimeObject *o, struct mail_parsed *m, int report)
{
    char *as = header(o, "Auto-Submitted"), *prec = header(o, "Precedence"),
         *list = header(o, "List-Id");
    int no = report || list != NULL || (as && g_ascii_strcasecmp(as, "no") != 0) ||
             (prec && (g_ascii_strcasecmp(prec, "bulk") == 0 || g_ascii_strcasecmp(prec, "list") == 0 ||
                       g_ascii_strcasecmp(prec, "junk") == 0));
    const char *rp = m->return_path;
    GMimeHeaderList *hl = g_mime_object_get_header_list(o);
    if (strcmp(rp, "<>") == 0 || (hl && g_mime_header_list_contains(hl, "Return-Path") && !*rp))
        no = 1;
    if (g_ascii_strncasecmp(m->from_addr, "mailer-daemon@", 14) == 0 ||
        g_ascii_strcasecmp(m->from_addr, "mailer-daemon") == 0 ||
        (strlen(rp) >= 13 && g_ascii_strncasecmp(rp[0] == '<' ? rp + 1 : rp, "mailer-daemon", 13) == 0))
        no = 1;
    g_free(as);
    g_free(prec);
    g_free(list);
    return no;
}

static void addresses(GMimeMessage *msg, struct mail_parsed *m)
{
    InternetAddressList *from = g_mime_message_get_from(msg);
    InternetAddress *ia = from && internet_address_list_length(from) > 0
                              ? internet_address_list_get_address(from, 0) : NULL;
    const char *addr = ia && INTERNET_ADDRESS_IS_MAILBOX(ia)
                           ? internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)) : NULL;
    m->from_addr = valid(g_strdup(addr ? addr : ""));
    /* the display name from our own decoding of From (GMime's charset table would read
     * a GBK name labelled gb2312 wrongly) */
    char *f = header(GMIME_OBJECT(msg), "From");
    char *lt = f ? strrchr(f, '<') : NULL;
    if (lt) {
        *lt = 0;
        g_strstrip(f);
        size_t n = strlen(f);
        if (n >= 2 && f[0] == '"' && f[n - 1] == '"') {
            memmove(f, f + 1, n - 2);
            f[n - 2] = 0;
        }
        m->from_name = g_strdup(f);
    } else {
        m->from_name = g_strdup("");
    }
    g_free(f);
    InternetAddressList *to = g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_TO);
    m->to_addr = valid(to ? internet_address_list_to_string(to, NULL, FALSE) : NULL);
    char *rp = header(GMIME_OBJECT(msg), "Return-Path");
    m->return_path = rp ? rp : g_strdup("");
}

/* The outbox id of the first "<outbox-N." anywhere in the message (a DSN quotes the
 * original's headers, or carries it as an Original-Envelope-Id). */
static int64_t scan_outbox(const char *raw, size_t len)
{
    const char *p = raw, *end = raw + len;
    while ((p = memmem(p, (size_t)(end - p), "outbox-", 7)) != NULL) {
        char id[MAIL_MSGID_MAX];
        size_t n = 0;
        while (p + n < end && n + 1 < sizeof id && p[n] != '>' && p[n] != '@' && p[n] > ' ')
            n++;
        memcpy(id, p, n);
        id[n] = 0;
        int64_t v = mail_outbox_id_of(id);
        if (v > 0)
            return v;
        p += 7;
    }
    return 0;
}

int mail_parse(const char *raw, size_t len, struct mail_parsed *m)
{
    memset(m, 0, sizeof *m);
    init_once();
    GMimeStream *s = g_mime_stream_mem_new_with_buffer(raw, len);
    GMimeParser *p = g_mime_parser_new_with_stream(s);
    GMimeMessage *msg = g_mime_parser_construct_message(p, NULL);
    g_object_unref(p);
    g_object_unref(s);
    if (!msg)
        msg = g_mime_message_new(TRUE);
    GMimeObject *o = GMIME_OBJECT(msg);
    const char *mid = g_mime_message_get_message_id(msg);
    m->message_id = valid(g_strdup(mid && !strchr(mid, ' ') ? mid : ""));
    m->in_reply_to = ids(o, "In-Reply-To");
    m->refs = ids(o, "References");
    char *subj = header(o, "Subject");
    m->subject = subj ? subj : g_strdup("");
    GDateTime *dt = g_mime_message_get_date(msg);
    m->date = dt ? (int64_t)g_date_time_to_unix(dt) : 0;
    addresses(msg, m);
    m->headers = json_array();
    GMimeHeaderList *hl = g_mime_object_get_header_list(o);
    for (int i = 0; hl && i < g_mime_header_list_get_count(hl); i++) {
        GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
        const char *rv = g_mime_header_get_raw_value(h);
        char *v = mail_decode_header(rv ? rv : "");
        json_array_append_new(m->headers, json_pack("[ss]", g_mime_header_get_name(h), v));
        g_free(v);
    }
    GMimeObject *top = g_mime_message_get_mime_part(msg);
    GMimeContentType *ct = top ? g_mime_object_get_content_type(top) : NULL;
    int report = ct && g_mime_content_type_is_type(ct, "multipart", "report");
    if (top && GMIME_IS_PART(top))
        each_part(NULL, top, m);
    else
        g_mime_message_foreach(msg, each_part, m);
    m->no_auto_reply = no_auto_reply(o, m, report);
    const char *rt = ct ? g_mime_content_type_get_parameter(ct, "report-type") : NULL;
    m->is_bounce = (report && rt && g_ascii_strcasecmp(rt, "delivery-status") == 0) ||
                   (m->dsn_status != NULL);
    if (m->is_bounce)
        m->bounce_outbox = scan_outbox(raw, len);
    if (!m->dsn_status)
        m->dsn_status = g_strdup("");
    if (!m->body_text)
        m->body_text = g_strdup("");
    g_object_unref(msg);
    return 0;
}

void mail_parsed_free(struct mail_parsed *m)
{
    char **s[] = {&m->message_id, &m->in_reply_to, &m->refs,    &m->from_addr,
                  &m->from_name,  &m->to_addr,     &m->return_path, &m->subject,
                  &m->body_text,  &m->body_html,   &m->dsn_status};
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++) {
        g_free(*s[i]);
        *s[i] = NULL;
    }
    for (size_t i = 0; i < m->natt; i++) {
        g_free(m->att[i].filename);
        g_free(m->att[i].mime_type);
        g_free(m->att[i].data);
    }
    free(m->att);
    m->att = NULL;
    m->natt = 0;
    json_decref(m->headers);
    m->headers = NULL;
}

int mail_outbox_message_id(int64_t outbox_id, const char *random, const char *host,
                           char out[MAIL_MSGID_MAX])
{
    int n = snprintf(out, MAIL_MSGID_MAX, "<outbox-%lld.%s@%s>", (long long)outbox_id, random, host);
    return n < 0 || n >= MAIL_MSGID_MAX ? -1 : 0;
}

int64_t mail_outbox_id_of(const char *msgid)
{
    if (!msgid)
        return 0;
    if (*msgid == '<')
        msgid++;
    if (strncmp(msgid, "outbox-", 7) != 0)
        return 0;
    int64_t v = 0;
    const char *p = msgid + 7;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (v > (INT64_MAX - 9) / 10)
            return 0;
        v = v * 10 + (*p - '0');
    }
    if (*p != '.' || p == msgid + 7)
        return 0;
    return v;
}
