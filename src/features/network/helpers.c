/* helpers: the small helpers the network files share (today, hours, tokens, name keys). */
#include "features/network/internal.h"

#include "base/buf.h"
#include "base/log.h"

#include <ctype.h>
#include "rules/t2s.h"
#include <stdlib.h>
#include <string.h>

static const char *const outlet_types[] = {"service_center", "authorised", "designated",
                                           "certified", "agent", NULL};

void net_bind_day4(db_stmt *st, int first, const char *day)
{
    for (int i = 0; i < 4; i++)
        db_bind_text(st, first + i, day);
}

/* Today in the organisation's time zone. */
void net_today(db_conn *c, char out[11])
{
    dt_local_date(org_zone(c), now_unix(), out);
}

/* A failed database call inside a list's page function: LIST_ANSWERED after a 503 busy
 * answer, else -1 (logged; the server answers 500). */
int net_page_failure(req *r, int rc, const char *what)
{
    return reply_db_failure(r, rc, what) < 0 ? -1 : LIST_ANSWERED;
}

int net_page_rows(req *r, db_stmt *st, const struct page *p, int bind_at, int key_col,
                  json_t *(*row)(db_stmt *st), json_t *items, const char **next,
                  const char *what)
{
    const char *after = p->nkeys ? p->key[0] : NULL;
    db_bind_text(st, bind_at, after);
    db_bind_text(st, bind_at + 1, after);
    db_bind_int(st, bind_at + 2, p->limit + 1);
    const char *last = NULL;
    int s;
    long n = 0;
    while ((s = db_step(st)) == DB_ROW) {
        if (n == p->limit) {
            *next = page_cursor(r->a, 1, &last);
            break;
        }
        last = arena_strdup(r->a, db_text(st, key_col));
        json_array_append_new(items, row(st));
        n++;
    }
    db_done(st);
    return s < 0 ? net_page_failure(r, s, what) : 0;
}

/* A LIKE pattern matching s anywhere, its % _ \ taken literally (arena text). */
const char *net_like_anywhere(arena *a, const char *s)
{
    buf b = BUF_INIT;
    buf_addc(&b, '%');
    for (const char *p = s; *p; p++) {
        if (*p == '%' || *p == '_' || *p == '\\')
            buf_addc(&b, '\\');
        buf_addc(&b, *p);
    }
    buf_addc(&b, '%');
    const char *out = arena_strdup(a, b.s);
    buf_release(&b);
    return out;
}

int net_valid_hhmm(const char *s)
{
    if (!s || strlen(s) != 5 || s[2] != ':' || !isdigit((unsigned char)s[0]) ||
        !isdigit((unsigned char)s[1]) || !isdigit((unsigned char)s[3]) ||
        !isdigit((unsigned char)s[4]))
        return 0;
    int h = atoi(s), m = atoi(s + 3);
    return (h < 24 && m < 60) || (h == 24 && m == 0);
}

int net_valid_token(const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
            return 0;
    return 1;
}

int net_is_outlet_type(const char *s)
{
    for (int i = 0; outlet_types[i]; i++)
        if (s && strcmp(s, outlet_types[i]) == 0)
            return 1;
    return 0;
}

/* ---- name keys: simplified Chinese, no spaces, ASCII lower case ---- */

/* malloc'd key for name search (traditional -> simplified via OpenCC t2s; text that is
 * not valid UTF-8, which OpenCC would read past, is keyed as typed). */
char *net_name_key(const char *s)
{
    char *conv = rules_t2s_convert(s, strlen(s));
    const char *src = conv ? conv : s;
    buf b = BUF_INIT;
    for (const unsigned char *p = (const unsigned char *)src; *p; p++) {
        if (isspace(*p))
            continue;
        if (p[0] == 0xC2 && p[1] == 0xB7) { /* U+00B7 middle dot */
            p++;
            continue;
        }
        buf_addc(&b, (char)tolower(*p));
    }
    free(conv);
    return buf_detach(&b);
}
