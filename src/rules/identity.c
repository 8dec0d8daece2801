/* identity: normalisation of phones, emails, names and regions, and match strength (M1). */
#include "rules/identity.h"
#include "rules/t2s.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* ---- phones ---- */

/* Characters people put between digits. */
static int phone_separator(int32_t cp)
{
    switch (cp) {
    case ' ':
    case '\t':
    case '-':
    case '.':
    case '(':
    case ')':
    case '/':
    case 0x00A0: /* no-break space */
    case 0x3000: /* ideographic space */
    case 0x2212: /* minus sign */
    case 0x30FC: /* katakana prolonged sound mark, typed as a dash by some IMEs */
    case 0xFF08:
    case 0xFF09: /* full-width brackets */
    case 0xFF0D:
    case 0xFF0E:
    case 0xFF0F: /* full-width - . / */
        return 1;
    }
    return cp >= 0x2010 && cp <= 0x2015; /* hyphens and dashes */
}

/* Digits of in into d (at most cap-1), with *plus set when it starts with + or ＋.
 * -1 on any other character, a misplaced +, or too many digits. */
static int phone_scan(const char *in, char *d, size_t cap, int *plus)
{
    const utf8proc_uint8_t *s = (const utf8proc_uint8_t *)in;
    size_t n = 0;
    *plus = 0;
    if (!in)
        return -1;
    while (*s) {
        int32_t cp;
        utf8proc_ssize_t len = utf8proc_iterate(s, -1, &cp);
        if (len <= 0)
            return -1;
        s += len;
        if (cp >= '0' && cp <= '9') {
            if (n + 1 >= cap)
                return -1;
            d[n++] = (char)cp;
        } else if (cp >= 0xFF10 && cp <= 0xFF19) {
            if (n + 1 >= cap)
                return -1;
            d[n++] = (char)('0' + (cp - 0xFF10));
        } else if (cp == '+' || cp == 0xFF0B) {
            if (n > 0 || *plus)
                return -1;
            *plus = 1;
        } else if (!phone_separator(cp)) {
            return -1;
        }
    }
    d[n] = '\0';
    return (int)n;
}

/* A domestic number: mobile or 0-prefixed landline. Kind, or 0 when invalid. */
static int phone_domestic(const char *d)
{
    size_t n = strlen(d);
    if (n == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9')
        return IDENTITY_MOBILE;
    if (d[0] != '0' || n < 10 || n > 12)
        return 0;
    size_t area;
    if (d[1] == '1') {
        if (d[2] != '0')
            return 0;
        area = 3; /* 010 Beijing */
    } else if (d[1] == '2') {
        area = 3; /* 020-029 */
    } else if (d[1] >= '3' && d[1] <= '9') {
        area = 4; /* 0311, 0755, ... */
    } else {
        return 0;
    }
    size_t sub = n - area;
    if (sub != 7 && sub != 8)
        return 0;
    if (area == 3 && sub != 8)
        return 0;
    if (d[area] == '0' || d[area] == '1')
        return 0;
    return IDENTITY_LANDLINE;
}

/* The number after a country prefix: a mobile, a landline with its 0 ("(0)21 ..."), or a
 * landline without it (21 6234 5678). */
static int phone_international(const char *rest, char *out)
{
    size_t n = strlen(rest);
    if (n == 0 || n + 2 > IDENTITY_PHONE_MAX)
        return 0;
    if (rest[0] == '0' || (rest[0] == '1' && n == 11)) {
        memcpy(out, rest, n + 1); /* "(0)21 ..." or a mobile */
    } else {                      /* 21 6234 5678, 10 8599 0000: the area code lost its 0 */
        out[0] = '0';
        memcpy(out + 1, rest, n + 1);
    }
    return phone_domestic(out);
}

int identity_phone(const char *in, char out[IDENTITY_PHONE_MAX], int *kind)
{
    char d[24], tmp[IDENTITY_PHONE_MAX];
    int plus, k = 0;
    out[0] = '\0';
    int n = phone_scan(in, d, sizeof d, &plus);
    if (n < 7)
        return -1;
    if (plus) {
        if (strncmp(d, "86", 2) != 0)
            return -1; /* another country */
        k = phone_international(d + 2, tmp);
    } else if (strncmp(d, "0086", 4) == 0) {
        k = phone_international(d + 4, tmp);
    } else if ((size_t)n < sizeof tmp && (k = phone_domestic(d)) != 0) {
        memcpy(tmp, d, (size_t)n + 1);
    } else if (strncmp(d, "86", 2) == 0) {
        k = phone_international(d + 2, tmp);
    }
    if (!k)
        return -1;
    strcpy(out, tmp);
    if (kind)
        *kind = k;
    return 0;
}

int identity_phone_digits(const char *in, char out[IDENTITY_PHONE_MAX])
{
    char d[24];
    int plus;
    out[0] = '\0';
    int n = phone_scan(in, d, sizeof d, &plus);
    if (n < 4 || n > 12 || plus)
        return -1;
    memcpy(out, d, (size_t)n + 1);
    return n;
}

void identity_phone_reverse(const char *phone, char out[IDENTITY_PHONE_MAX])
{
    size_t n = strnlen(phone, IDENTITY_PHONE_MAX - 1);
    for (size_t i = 0; i < n; i++)
        out[i] = phone[n - 1 - i];
    out[n] = '\0';
}

/* ---- emails ---- */

static int email_local_char(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           (ch && strchr("!#$%&'*+/=?^_`{|}~-.", ch) != NULL);
}

int identity_email(const char *in, char out[IDENTITY_EMAIL_MAX])
{
    out[0] = '\0';
    if (!in)
        return -1;
    utf8proc_uint8_t *m = NULL;
    utf8proc_ssize_t len =
        utf8proc_map((const utf8proc_uint8_t *)in, 0, &m,
                     UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT);
    if (len < 0)
        return -1;
    char *s = (char *)m;
    /* trim ASCII whitespace (NFKC turned the ideographic space into ' ') */
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    int rc = -1;
    if (n == 0 || n >= IDENTITY_EMAIL_MAX)
        goto cleanup;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 0x80)
            goto cleanup; /* internationalised addresses are not accepted */
        if (ch >= 'A' && ch <= 'Z')
            s[i] = (char)(ch - 'A' + 'a');
    }
    s[n] = '\0';
    char *at = strchr(s, '@');
    if (!at || strchr(at + 1, '@'))
        goto cleanup;
    size_t local = (size_t)(at - s);
    if (local < 1 || local > 64 || s[0] == '.' || at[-1] == '.')
        goto cleanup;
    for (size_t i = 0; i < local; i++)
        if (!email_local_char((unsigned char)s[i]) || (s[i] == '.' && s[i + 1] == '.'))
            goto cleanup;
    /* domain: labels of [a-z0-9-], no leading/trailing '-', at least two, last 2+ letters */
    const char *dom = at + 1;
    int labels = 0;
    const char *label = dom;
    for (const char *p = dom;; p++) {
        if (*p == '.' || *p == '\0') {
            size_t ll = (size_t)(p - label);
            if (ll == 0 || ll > 63 || label[0] == '-' || p[-1] == '-')
                goto cleanup;
            labels++;
            if (*p == '\0')
                break;
            label = p + 1;
        } else if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-')) {
            goto cleanup;
        }
    }
    if (labels < 2)
        goto cleanup;
    size_t tl = strlen(label);
    if (tl < 2)
        goto cleanup;
    for (size_t i = 0; i < tl; i++)
        if (!(label[i] >= 'a' && label[i] <= 'z'))
            goto cleanup;
    memcpy(out, s, n + 1);
    rc = 0;
cleanup:
    free(m);
    return rc;
}

/* ---- names ---- */

static int middle_dot(int32_t cp)
{
    switch (cp) {
    case 0x00B7: /* · middle dot */
    case 0x0387: /* Greek ano teleia (NFKC gives 00B7 anyway) */
    case 0x2022: /* • bullet */
    case 0x2027: /* ‧ hyphenation point */
    case 0x2219: /* ∙ bullet operator */
    case 0x22C5: /* ⋅ dot operator */
    case 0x2E31: /* ⸱ word separator middle dot */
    case 0x30FB: /* ・ katakana middle dot (NFKC of ･) */
    case 0xFF65: /* ･ half-width katakana middle dot */
        return 1;
    }
    return 0;
}

static int name_space(int32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\v' || cp == '\f' ||
           utf8proc_category(cp) == UTF8PROC_CATEGORY_ZS ||
           utf8proc_category(cp) == UTF8PROC_CATEGORY_ZL ||
           utf8proc_category(cp) == UTF8PROC_CATEGORY_ZP;
}

/* Most names are in simplified characters already, and OpenCC's dictionary walk costs
 * microseconds per name. A bitmap of the CJK code points (U+3400-U+9FFF) that t2s leaves
 * unchanged when converted alone is built once per process; a key made only of ASCII and
 * such characters skips OpenCC. Every key goes through this same function, so stored and
 * typed names stay comparable. */
enum { STABLE_LO = 0x3400, STABLE_HI = 0xA000 };
static uint8_t stable_bits[(STABLE_HI - STABLE_LO) / 8];
static int stable_ready;
static pthread_once_t stable_once = PTHREAD_ONCE_INIT;

static void stable_build(void)
{
    /* this thread's converter (rules/t2s.c), which it keeps for the names to come */
    opencc_t cc = rules_t2s();
    if (cc == (opencc_t)-1)
        return;
    for (int32_t cp = STABLE_LO; cp < STABLE_HI; cp++) {
        utf8proc_uint8_t u[8];
        utf8proc_ssize_t l = utf8proc_encode_char(cp, u);
        u[l] = 0;
        char *conv = rules_t2s_utf8(cc, (const char *)u, (size_t)l);
        if (conv && strcmp(conv, (const char *)u) == 0)
            stable_bits[(cp - STABLE_LO) / 8] |= (uint8_t)(1u << ((cp - STABLE_LO) % 8));
        if (conv)
            rules_t2s_free(conv);
    }
    stable_ready = 1;
}

/* 1 when t2s would leave s (NUL-terminated UTF-8) as it is, by the bitmap. */
static int t2s_stable(const char *s)
{
    pthread_once(&stable_once, stable_build);
    if (!stable_ready)
        return 0;
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    while (*p) {
        if (*p < 0x80) {
            p++;
            continue;
        }
        int32_t cp;
        utf8proc_ssize_t l = utf8proc_iterate(p, -1, &cp);
        if (l <= 0 || cp < STABLE_LO || cp >= STABLE_HI ||
            !(stable_bits[(cp - STABLE_LO) / 8] & (1u << ((cp - STABLE_LO) % 8))))
            return 0;
        p += l;
    }
    return 1;
}

/* 1 when s is one or more CJK unified ideographs (U+3400-U+4DBF, U+4E00-U+9FFF) and
 * nothing else: the usual Chinese name. NFKC and case folding leave those code points as
 * they are, and they are never spaces, dots or control characters. */
static int cjk_only(const char *s)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    if (!*p)
        return 0;
    while (*p) {
        int32_t cp;
        utf8proc_ssize_t l = utf8proc_iterate(p, -1, &cp);
        if (l <= 0 || !((cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF)))
            return 0;
        p += l;
    }
    return 1;
}

int identity_name_key(const char *in, char out[IDENTITY_NAME_KEY_MAX])
{
    out[0] = '\0';
    if (!in)
        return -1;
    /* Fast path (a fifth of a bulk import's time went to utf8proc): a name of simplified
     * ideographs is its own key, exactly as the full path below would make it. */
    if (cjk_only(in) && t2s_stable(in)) {
        size_t n = strlen(in);
        if (n >= IDENTITY_NAME_KEY_MAX)
            return -1;
        memcpy(out, in, n + 1);
        return 0;
    }
    utf8proc_uint8_t *m = NULL;
    utf8proc_ssize_t len = utf8proc_map((const utf8proc_uint8_t *)in, 0, &m,
                                        UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE |
                                            UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE);
    if (len < 0)
        return -1;
    /* drop spaces and middle dots in place; refuse control characters */
    const utf8proc_uint8_t *s = m;
    char *w = (char *)m;
    int ascii = 1, rc = -1;
    while (*s) {
        int32_t cp;
        utf8proc_ssize_t l = utf8proc_iterate(s, -1, &cp);
        if (l <= 0)
            goto cleanup;
        if (name_space(cp) || middle_dot(cp)) {
            s += l;
            continue;
        }
        utf8proc_category_t cat = utf8proc_category(cp);
        if (cat == UTF8PROC_CATEGORY_CC || cat == UTF8PROC_CATEGORY_CS ||
            cat == UTF8PROC_CATEGORY_CO || cat == UTF8PROC_CATEGORY_CN)
            goto cleanup;
        if (cp >= 0x80)
            ascii = 0;
        memmove(w, s, (size_t)l);
        w += l;
        s += l;
    }
    *w = '\0';
    size_t n = (size_t)(w - (char *)m);
    if (n == 0)
        goto cleanup;
    if (ascii || t2s_stable((const char *)m)) {
        if (n >= IDENTITY_NAME_KEY_MAX)
            goto cleanup;
        memcpy(out, m, n + 1);
        rc = 0;
        goto cleanup;
    }
    opencc_t cc = rules_t2s();
    if (cc == (opencc_t)-1) {
        /* No dictionary: keep the folded form rather than refuse every name. */
        if (n >= IDENTITY_NAME_KEY_MAX)
            goto cleanup;
        memcpy(out, m, n + 1);
        rc = 0;
        goto cleanup;
    }
    char *conv = rules_t2s_utf8(cc, (const char *)m, n);
    if (!conv)
        goto cleanup;
    size_t cn = strlen(conv);
    if (cn > 0 && cn < IDENTITY_NAME_KEY_MAX) {
        memcpy(out, conv, cn + 1);
        rc = 0;
    }
    rules_t2s_free(conv);
cleanup:
    free(m);
    return rc;
}

int identity_name(const char *in, char *out, size_t outsz)
{
    if (outsz)
        out[0] = '\0';
    if (!in)
        return -3;
    const utf8proc_uint8_t *s = (const utf8proc_uint8_t *)in;
    const utf8proc_uint8_t *start = NULL, *end = NULL;
    size_t chars = 0;
    while (*s) {
        int32_t cp;
        utf8proc_ssize_t l = utf8proc_iterate(s, -1, &cp);
        if (l <= 0)
            return -1;
        utf8proc_category_t cat = utf8proc_category(cp);
        if (cat == UTF8PROC_CATEGORY_CC || cat == UTF8PROC_CATEGORY_CS ||
            cat == UTF8PROC_CATEGORY_CO || cat == UTF8PROC_CATEGORY_CN)
            return -1;
        if (!name_space(cp)) {
            if (!start)
                start = s;
            end = s + l;
        }
        if (start)
            chars++;
        s += l;
    }
    if (!start)
        return -3;
    /* chars counted trailing spaces too; recount within [start, end) */
    chars = 0;
    for (const utf8proc_uint8_t *p = start; p < end;) {
        int32_t cp;
        p += utf8proc_iterate(p, end - p, &cp);
        chars++;
    }
    size_t n = (size_t)(end - start);
    if (chars > IDENTITY_NAME_CHARS || n + 1 > outsz)
        return -2;
    char key[IDENTITY_NAME_KEY_MAX];
    char *tmp = strndup((const char *)start, n);
    if (!tmp)
        return -1;
    int k = identity_name_key(tmp, key);
    free(tmp);
    if (k < 0)
        return -1; /* only dots, or nothing a key can be made of */
    memcpy(out, start, n);
    out[n] = '\0';
    return 0;
}

/* ---- regions ---- */

int identity_region(const char *in, char out[IDENTITY_REGION_MAX])
{
    static const char provinces[] = "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 "
                                    "45 46 50 51 52 53 54 61 62 63 64 65 71 81 82";
    out[0] = '\0';
    if (!in || strlen(in) != 6)
        return -1;
    for (int i = 0; i < 6; i++)
        if (in[i] < '0' || in[i] > '9')
            return -1;
    char p[3] = {in[0], in[1], 0};
    if (!strstr(provinces, p))
        return -1;
    memcpy(out, in, 7);
    return 0;
}

/* Significant length of a region code: 310000 -> 2, 310100 -> 4, 310104 -> 6. */
static size_t region_sig(const char *r)
{
    if (strcmp(r + 2, "0000") == 0)
        return 2;
    if (strcmp(r + 4, "00") == 0)
        return 4;
    return 6;
}

int identity_region_related(const char *a, const char *b)
{
    if (!a || !b || strlen(a) != 6 || strlen(b) != 6)
        return 0;
    size_t la = region_sig(a), lb = region_sig(b);
    size_t l = la < lb ? la : lb;
    return memcmp(a, b, l) == 0;
}

/* ---- match strength ---- */

const char *identity_reason_name(unsigned bit)
{
    switch (bit) {
    case IDENTITY_R_PHONE:
        return "phone";
    case IDENTITY_R_EMAIL:
        return "email";
    case IDENTITY_R_NAME:
        return "name";
    case IDENTITY_R_REGION:
        return "region";
    case IDENTITY_R_PHONE_TAIL:
        return "phone_tail";
    }
    return "";
}

static int present(const char *s)
{
    return s && *s;
}

static int same_tail(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    return la >= 4 && lb >= 4 && memcmp(a + la - 4, b + lb - 4, 4) == 0;
}

enum identity_strength identity_match(const struct identity_probe *p, const struct identity_cand *c,
                                      unsigned *reasons)
{
    unsigned r = 0;
    if (present(p->phone)) {
        for (int i = 0; i < c->nphones; i++) {
            if (strcmp(p->phone, c->phones[i]) == 0)
                r |= IDENTITY_R_PHONE;
            else if (same_tail(p->phone, c->phones[i]))
                r |= IDENTITY_R_PHONE_TAIL;
        }
        if (r & IDENTITY_R_PHONE)
            r &= ~(unsigned)IDENTITY_R_PHONE_TAIL;
    }
    if (present(p->email))
        for (int i = 0; i < c->nemails; i++)
            if (strcmp(p->email, c->emails[i]) == 0)
                r |= IDENTITY_R_EMAIL;
    if (present(p->name_key) && present(c->name_key) && strcmp(p->name_key, c->name_key) == 0)
        r |= IDENTITY_R_NAME;
    if (present(p->region) && present(c->region) && identity_region_related(p->region, c->region))
        r |= IDENTITY_R_REGION;

    enum identity_strength s = IDENTITY_NONE;
    if (r & (IDENTITY_R_PHONE | IDENTITY_R_EMAIL)) {
        s = IDENTITY_STRONG;
    } else if (r & IDENTITY_R_NAME) {
        int clue = (r & (IDENTITY_R_REGION | IDENTITY_R_PHONE_TAIL)) != 0;
        int name_alone = !present(p->phone) && !present(p->email) && !present(p->region);
        if (clue || name_alone)
            s = IDENTITY_WEAK;
    }
    if (s == IDENTITY_NONE)
        r = 0;
    else if (s == IDENTITY_STRONG)
        r &= IDENTITY_R_PHONE | IDENTITY_R_EMAIL | IDENTITY_R_NAME; /* weaker clues add nothing */
    if (reasons)
        *reasons = r;
    return s;
}
