/* csv: a streaming RFC 4180 reader over a FILE* and a writer to a FILE* or a buf. */
#include "base/csv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { IBUF = 64 * 1024 };

struct csv_reader {
    FILE *in;
    unsigned char *ib; /* input buffer: ib[ipos..iend) not consumed yet */
    size_t ipos, iend;
    int eof;
    char *rec; /* the current record: its fields, each NUL-terminated */
    size_t len, cap;
    size_t *off; /* off[i]: start of field i in rec; off[n] is len */
    int n;
    long line;  /* physical line of the next byte */
    long start; /* line where the current record starts */
    int started, failed;
    int width;                     /* fields every record must have (the header's), 0 any */
    const struct csv_column *cols; /* from csv_header, for messages */
    int *colof;                    /* position -> index into cols */
    char err[400];
};

csv_reader *csv_reader_new(FILE *in)
{
    csv_reader *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->in = in;
    r->line = r->start = 1;
    r->ib = malloc(IBUF);
    r->off = malloc((CSV_FIELDS_MAX + 1) * sizeof *r->off);
    r->cap = 256; /* grows to the largest record; small so that fuzzing reaches the growth */
    r->rec = malloc(r->cap);
    if (!r->ib || !r->off || !r->rec) {
        csv_reader_free(r);
        return NULL;
    }
    return r;
}

void csv_reader_free(csv_reader *r)
{
    if (!r)
        return;
    free(r->ib);
    free(r->rec);
    free(r->off);
    free(r->colof);
    free(r);
}

/* Record an error (field: its position, or -1 when it concerns the record). */
static int fail(csv_reader *r, int field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(csv_reader *r, int field, const char *fmt, ...)
{
    size_t at = 0;
    if (field >= 0 && r->cols && field < r->width && r->colof[field] >= 0)
        at = (size_t)snprintf(r->err, sizeof r->err, "%s: ", r->cols[r->colof[field]].name);
    else if (field >= 0)
        at = (size_t)snprintf(r->err, sizeof r->err, "field %d: ", field + 1);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err + at, sizeof r->err - at, fmt, ap);
    va_end(ap);
    r->failed = 1;
    return -1;
}

/* Refill the input buffer; 0 at the end of the file (or on a read error, see ferror). */
static int fill(csv_reader *r)
{
    if (r->eof)
        return 0;
    size_t got = fread(r->ib, 1, IBUF, r->in);
    r->ipos = 0;
    r->iend = got;
    if (got == 0)
        r->eof = 1;
    return got > 0;
}

static inline int peekc(csv_reader *r)
{
    if (r->ipos == r->iend && !fill(r))
        return EOF;
    return r->ib[r->ipos];
}

/* Room for n more bytes in the record buffer. */
static int reserve(csv_reader *r, size_t n)
{
    if (r->len + n <= r->cap)
        return 0;
    size_t cap = r->cap;
    while (r->len + n > cap)
        cap *= 2;
    char *nr = realloc(r->rec, cap);
    if (!nr)
        return fail(r, -1, "out of memory");
    r->rec = nr;
    r->cap = cap;
    return 0;
}

/* Append n bytes to the current field, within the limits. */
static int put(csv_reader *r, const void *p, size_t n)
{
    size_t flen = r->len - r->off[r->n - 1];
    if (flen + n > CSV_FIELD_MAX)
        return fail(r, r->n - 1, "a field is longer than %d bytes", CSV_FIELD_MAX);
    if (r->len + n > CSV_RECORD_MAX)
        return fail(r, -1, "a record is longer than %d bytes", CSV_RECORD_MAX);
    if (reserve(r, n) < 0)
        return -1;
    memcpy(r->rec + r->len, p, n);
    r->len += n;
    return 0;
}

static int field_start(csv_reader *r)
{
    if (r->n >= CSV_FIELDS_MAX)
        return fail(r, -1, "more than %d fields", CSV_FIELDS_MAX);
    if (r->len + 1 > CSV_RECORD_MAX)
        return fail(r, -1, "a record is longer than %d bytes", CSV_RECORD_MAX);
    r->off[r->n++] = r->len;
    return 0;
}

/* Offset of the first byte of s[0..n) that is not well-formed UTF-8 (or is NUL), or n. */
static size_t utf8_bad(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        /* eight ASCII bytes at a time, none of them NUL */
        if (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (!(w & 0x8080808080808080ull) &&
                !((w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull)) {
                i += 8;
                continue;
            }
        }
        unsigned c = s[i];
        if (c == 0)
            return i;
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t k;
        unsigned lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF)
            k = 1;
        else if (c >= 0xE0 && c <= 0xEF) {
            k = 2;
            if (c == 0xE0)
                lo = 0xA0; /* overlong */
            else if (c == 0xED)
                hi = 0x9F; /* surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            k = 3;
            if (c == 0xF0)
                lo = 0x90; /* overlong */
            else if (c == 0xF4)
                hi = 0x8F; /* beyond U+10FFFF */
        } else
            return i;
        if (i + k >= n) /* truncated */
            return i;
        if (s[i + 1] < lo || s[i + 1] > hi)
            return i;
        for (size_t j = 2; j <= k; j++)
            if (s[i + j] < 0x80 || s[i + j] > 0xBF)
                return i;
        i += k + 1;
    }
    return n;
}

/* Close the current field: check its text, terminate it. */
static int field_end(csv_reader *r)
{
    size_t at = r->off[r->n - 1], n = r->len - at;
    size_t bad = utf8_bad((const unsigned char *)r->rec + at, n);
    if (bad < n)
        return fail(r, r->n - 1, r->rec[at + bad] ? "invalid UTF-8" : "a NUL byte");
    if (reserve(r, 1) < 0)
        return -1;
    r->rec[r->len++] = '\0';
    return 0;
}

/* The rest of a quoted field, after its opening quote, up to and with its closing one. */
static int quoted(csv_reader *r)
{
    for (;;) {
        if (r->ipos == r->iend && !fill(r))
            return fail(r, -1, "a quoted field is not closed");
        const unsigned char *p = r->ib + r->ipos, *e = r->ib + r->iend, *q = p;
        while (q < e && *q != '"' && *q != '\n' && *q != '\r')
            q++;
        if (q > p && put(r, p, (size_t)(q - p)) < 0)
            return -1;
        r->ipos += (size_t)(q - p);
        if (q == e)
            continue;
        int c = *q;
        r->ipos++;
        if (c == '"') {
            if (peekc(r) != '"')
                return 0;
            r->ipos++;
            if (put(r, "\"", 1) < 0)
                return -1;
            continue;
        }
        if (put(r, q, 1) < 0)
            return -1;
        if (c == '\n' || peekc(r) != '\n') /* CRLF counts once, a lone CR as a line */
            r->line++;
    }
}

/* An unquoted field: up to the next comma or line break. */
static int unquoted(csv_reader *r)
{
    for (;;) {
        if (r->ipos == r->iend && !fill(r))
            return 0;
        const unsigned char *p = r->ib + r->ipos, *e = r->ib + r->iend, *q = p;
        while (q < e && *q != ',' && *q != '\n' && *q != '\r')
            q++;
        if (q > p && put(r, p, (size_t)(q - p)) < 0)
            return -1;
        r->ipos += (size_t)(q - p);
        if (q < e)
            return 0;
    }
}

/* Skip a UTF-8 byte-order mark at the very start of the input. */
static void skip_bom(csv_reader *r)
{
    /* fread may return fewer bytes than asked (a pipe): gather the first three */
    r->iend = 0;
    while (r->iend < 3) {
        size_t got = fread(r->ib + r->iend, 1, IBUF - r->iend, r->in);
        if (got == 0)
            break;
        r->iend += got;
    }
    if (r->iend == 0)
        r->eof = 1;
    r->ipos = 0;
    if (r->iend >= 3 && memcmp(r->ib, "\xEF\xBB\xBF", 3) == 0)
        r->ipos = 3;
}

int csv_next(csv_reader *r)
{
    if (r->failed)
        return -1;
    if (!r->started) {
        r->started = 1;
        skip_bom(r);
    }
    int c;
    for (;;) { /* blank lines */
        c = peekc(r);
        if (c == '\n') {
            r->ipos++;
            r->line++;
        } else if (c == '\r') {
            r->ipos++;
            if (peekc(r) == '\n')
                r->ipos++;
            r->line++;
        } else {
            break;
        }
    }
    r->len = 0;
    r->n = 0;
    r->start = r->line;
    if (c == EOF) {
        if (ferror(r->in))
            return fail(r, -1, "read error: %s", strerror(errno));
        return 0;
    }
    for (;;) {
        if (field_start(r) < 0)
            return -1;
        c = peekc(r);
        if (c == '"') {
            r->ipos++;
            if (quoted(r) < 0)
                return -1;
            c = peekc(r);
            if (c != ',' && c != '\n' && c != '\r' && c != EOF)
                return fail(r, -1, "text after a closing quote");
        } else {
            if (unquoted(r) < 0)
                return -1;
            c = peekc(r);
        }
        if (field_end(r) < 0)
            return -1;
        if (c == ',') {
            r->ipos++;
            continue;
        }
        if (c == '\r') {
            r->ipos++;
            if (peekc(r) == '\n')
                r->ipos++;
            r->line++;
        } else if (c == '\n') {
            r->ipos++;
            r->line++;
        } else if (ferror(r->in)) {
            return fail(r, -1, "read error: %s", strerror(errno));
        }
        break;
    }
    r->off[r->n] = r->len;
    if (r->width && r->n != r->width)
        return fail(r, -1, "%d fields where the header has %d", r->n, r->width);
    return 1;
}

int csv_nfields(const csv_reader *r)
{
    return r->n;
}

const char *csv_field(const csv_reader *r, int i)
{
    if (i < 0 || i >= r->n)
        return "";
    return r->rec + r->off[i];
}

size_t csv_field_len(const csv_reader *r, int i)
{
    if (i < 0 || i >= r->n)
        return 0;
    return r->off[i + 1] - r->off[i] - 1;
}

long csv_line(const csv_reader *r)
{
    return r->start;
}

const char *csv_error(const csv_reader *r)
{
    return r->failed ? r->err : "";
}

/* ---- header ---- */

int csv_header(csv_reader *r, const struct csv_column *cols, int *idx)
{
    int rc = csv_next(r);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return fail(r, -1, "the file is empty; a header row is required");
    int ncols = 0;
    while (cols[ncols].name)
        idx[ncols++] = -1;
    int *colof = malloc((size_t)r->n * sizeof *colof);
    if (!colof)
        return fail(r, -1, "out of memory");
    for (int i = 0; i < r->n; i++) {
        const char *name = csv_field(r, i);
        size_t len = csv_field_len(r, i);
        while (len && (*name == ' ' || *name == '\t'))
            name++, len--;
        while (len && (name[len - 1] == ' ' || name[len - 1] == '\t'))
            len--;
        int k = 0;
        for (; k < ncols; k++)
            if (strlen(cols[k].name) == len && strncasecmp(cols[k].name, name, len) == 0)
                break;
        if (k == ncols) {
            buf known = BUF_INIT;
            for (int j = 0; j < ncols; j++)
                buf_addf(&known, "%s%s", j ? ", " : "", cols[j].name);
            fail(r, -1, "unknown column \"%.*s\" (columns: %s)", (int)(len > 64 ? 64 : len), name,
                 known.s);
            buf_release(&known);
            free(colof);
            return -1;
        }
        if (idx[k] >= 0) {
            free(colof);
            return fail(r, -1, "column \"%s\" appears twice", cols[k].name);
        }
        idx[k] = i;
        colof[i] = k;
    }
    for (int k = 0; k < ncols; k++)
        if (cols[k].required && idx[k] < 0) {
            free(colof);
            return fail(r, -1, "missing column \"%s\"", cols[k].name);
        }
    free(r->colof);
    r->colof = colof;
    r->cols = cols;
    r->width = r->n;
    return 0;
}

/* ---- writer ---- */

csv_writer csv_writer_file(FILE *f, int flags)
{
    return (csv_writer){f, NULL, flags, 0, 0};
}

csv_writer csv_writer_buf(buf *b, int flags)
{
    return (csv_writer){NULL, b, flags, 0, 0};
}

static void emit(csv_writer *w, const char *p, size_t n)
{
    w->bytes = 1;
    if (w->f)
        fwrite(p, 1, n, w->f);
    else
        buf_add(w->b, p, n);
}

void csv_cell(csv_writer *w, const char *s)
{
    if (w->col++)
        emit(w, ",", 1);
    if (!s || !*s)
        return;
    int guard = (w->flags & CSV_GUARD_FORMULAS) && strchr("=+-@", s[0]) && s[1] &&
                !(s[0] == '-' && s[1] >= '0' && s[1] <= '9');
    size_t n = strcspn(s, ",\"\r\n");
    /* a leading byte-order mark would be taken for the file's own at the start */
    int bom = strncmp(s, "\xEF\xBB\xBF", 3) == 0;
    if (!guard && !bom && !s[n]) {
        emit(w, s, n);
        return;
    }
    emit(w, guard ? "\"'" : "\"", guard ? 2 : 1);
    for (;;) { /* runs up to each quote, which is doubled */
        const char *q = strchr(s, '"');
        if (!q) {
            emit(w, s, strlen(s));
            break;
        }
        emit(w, s, (size_t)(q - s) + 1);
        emit(w, "\"", 1);
        s = q + 1;
    }
    emit(w, "\"", 1);
}

void csv_cellf(csv_writer *w, const char *fmt, ...)
{
    char small[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < sizeof small) {
        csv_cell(w, small);
        return;
    }
    buf b = BUF_INIT;
    va_start(ap, fmt);
    buf_vaddf(&b, fmt, ap);
    va_end(ap);
    csv_cell(w, b.s);
    buf_release(&b);
}

void csv_end_row(csv_writer *w)
{
    if (w->col == 1 && !w->bytes)
        emit(w, "\"\"", 2);
    if (w->flags & CSV_CRLF)
        emit(w, "\r\n", 2);
    else
        emit(w, "\n", 1);
    w->col = 0;
    w->bytes = 0;
}

void csv_row(csv_writer *w, const char *const *fields, int n)
{
    for (int i = 0; i < n; i++)
        csv_cell(w, fields[i]);
    csv_end_row(w);
}
