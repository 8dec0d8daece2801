/* campaigns: segments: a filter over product line, model, purchase dates, region
 * prefix, last service date, survey score and consent per channel, counted as one scan
 * of the narrow per-customer segment_facts (0020; a model: one index range of
 * segment_units; purchase dates alone: one range of segment_days, 0025; a line with
 * purchase dates: the line's range of segment_line_months, 0027); saved, listed,
 * previewed with a sample. */
#include "base/audit.h"
#include "features/campaigns/internal.h"

#include <stdio.h>
#include <string.h>

const char *const seg_channels[SEG_CHANNELS + 1] = {"phone", "sms", "email", "fax", "post", NULL};

static int64_t day_start(db_conn *c, const char *date, int next)
{
    int y, m, d;
    if (!date || dt_parse_date(date, &y, &m, &d) != 0)
        return 0;
    return dt_local_midnight(org_zone(c), y, m, d) + (next ? 86400 : 0);
}

static int region_ok(const char *s)
{
    size_t n = strlen(s);
    if (n != 2 && n != 4 && n != 6)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int resolve(db_conn *c, jsonv *v, const char *field, const char *sql, const char *code,
                   int64_t *id)
{
    if (!code)
        return 0;
    int rc = lookup_id(c, sql, code, id);
    if (rc == 1)
        jsonv_fail(v, field, "unknown");
    return rc < 0 ? rc : 0;
}

int seg_filter_read(db_conn *c, jsonv *v, json_t *filter, struct seg_filter *f)
{
    memset(f, 0, sizeof *f);
    if (filter && !json_is_object(filter)) {
        jsonv_fail(v, "filter", "must be an object");
        return 0;
    }
    json_t *empty = filter ? NULL : json_object();
    jsonv fv;
    jsonv_init(&fv, filter ? filter : empty);
    static const char *const allowed[] = {"product_line", "model", "purchased_from",
                                          "purchased_to", "region", "served_from", "served_to",
                                          "score_min", "score_max", "consent", NULL};
    jsonv_only(&fv, allowed);
    const char *pl = jsonv_str(&fv, "product_line", 0, 32), *model = jsonv_str(&fv, "model", 0, 64);
    const char *pf = jsonv_date(&fv, "purchased_from", 0), *pt = jsonv_date(&fv, "purchased_to", 0);
    const char *sf = jsonv_date(&fv, "served_from", 0), *stt = jsonv_date(&fv, "served_to", 0);
    const char *region = jsonv_str(&fv, "region", 0, 6);
    jsonv_int_range(&fv, "score_min", 0, 1, 5, &f->score_min);
    jsonv_int_range(&fv, "score_max", 0, 1, 5, &f->score_max);
    json_t *consent = jsonv_strs(&fv, "consent", 0, SEG_CHANNELS, 8);
    if (region && *region && !region_ok(region))
        jsonv_fail(&fv, "region", "must be 2, 4 or 6 digits of a GB/T 2260 code");
    else if (region)
        snprintf(f->region, sizeof f->region, "%s", region);
    if (pf)
        snprintf(f->purchased_from, sizeof f->purchased_from, "%s", pf);
    if (pt)
        snprintf(f->purchased_to, sizeof f->purchased_to, "%s", pt);
    if (pf && pt && strcmp(pf, pt) > 0)
        jsonv_fail(&fv, "purchased_to", "must not be before purchased_from");
    if (sf && stt && strcmp(sf, stt) > 0)
        jsonv_fail(&fv, "served_to", "must not be before served_from");
    if (f->score_min && f->score_max && f->score_min > f->score_max)
        jsonv_fail(&fv, "score_max", "must not be below score_min");
    f->served_from = day_start(c, sf, 0);
    f->served_to = day_start(c, stt, 1);
    size_t i;
    json_t *ch;
    json_array_foreach(consent, i, ch)
    {
        int k = 0;
        while (seg_channels[k] && strcmp(seg_channels[k], json_string_value(ch)) != 0)
            k++;
        if (!seg_channels[k])
            jsonv_fail(&fv, "consent", "channels among phone, sms, email, fax, post");
        else
            f->consent |= 1u << k;
    }
    int rc = resolve(c, &fv, "product_line", "SELECT id FROM product_lines WHERE code = ?", pl,
                     &f->pl_id);
    f->pl_bit = -1;
    if (rc == 0 && f->pl_id) {
        int64_t bit = -1;
        db_stmt *st = db_prepare(c, "SELECT bit FROM segment_lines WHERE product_line_id = ?");
        if (!st)
            rc = DB_ERROR;
        else {
            db_bind_int(st, 1, f->pl_id);
            int s = db_step(st);
            if (s == DB_ROW)
                bit = db_int(st, 0);
            else if (s != DB_DONE)
                rc = s;
            db_done(st);
        }
        f->pl_bit = (int)bit;
    }
    if (rc == 0)
        rc = resolve(c, &fv, "model", "SELECT id FROM models WHERE code = ?", model, &f->model_id);
    if (!jsonv_ok(&fv)) {
        json_t *why = jsonv_take(&fv);
        const char *k;
        json_t *val;
        json_object_foreach(why, k, val)
        {
            char name[64];
            snprintf(name, sizeof name, "filter.%s", k);
            jsonv_fail(v, name, json_is_string(val) ? json_string_value(val) : "invalid");
        }
        json_decref(why);
    }
    jsonv_free(&fv);
    json_decref(empty);
    return rc;
}

static void p_text(struct seg_sql *q, const char *s)
{
    q->kind[q->n] = 't';
    q->text[q->n++] = s;
}

static void p_int(struct seg_sql *q, int64_t x)
{
    q->kind[q->n] = 'i';
    q->num[q->n++] = x;
}

/* The conditions of one unit u: of line pl (0: any), bought in [from, to] (NULL: open). */
static void unit_conds(struct seg_sql *q, int64_t pl, const char *from, const char *to)
{
    if (pl) {
        buf_adds(&q->where, " AND u.product_line_id = ?");
        p_int(q, pl);
    }
    if (from) {
        buf_adds(&q->where, " AND u.purchase_date >= ?");
        p_text(q, from);
    }
    if (to) {
        buf_adds(&q->where, " AND u.purchase_date <= ?");
        p_text(q, to);
    }
    buf_adds(&q->where, ")");
}

/* The month of a YYYY-MM-DD date as 0026 counts them (year * 12 + month - 1), and its day. */
static int month_of(const char *date, int *day)
{
    int y = 0, m = 1;
    *day = 1;
    sscanf(date, "%d-%d-%d", &y, &m, day);
    return y * 12 + m - 1;
}

/* The customer bought in one of the months a..b (b - a <= 60), by the purchase months
 * of 0026 (or of one line, 0027) in row t: the bits of pm (month pm_base + k at bit k)
 * moved so that month a is bit 0, when pm's 62 months meet a..b (which keeps either
 * shift below 62). */
static void months_hit(buf *w, const char *t, int a, int b)
{
    buf_addf(w, "(+%s.pm_base BETWEEN %d AND %d AND ((CASE WHEN %s.pm_base <= %d THEN %s.pm >> (%d - %s.pm_base)"
                " ELSE %s.pm << (%s.pm_base - %d) END) & %lld) <> 0)",
             t, a - 61, b, t, a, t, a, t, t, t, a, (long long)((INT64_C(2) << (b - a)) - 1));
}

/* A unit (of line pl, 0: any) bought in [from, to] (under 61 months apart), from the
 * purchase months of row t (segment_facts, or the line's segment_line_months): a
 * purchase in a month wholly inside the range is a match, none in the range's months no
 * match. A customer whose only months in the range are partial edge months (from not
 * the 1st, to not the 31st) is a match when among the customers of the units bought in
 * those edge days (the model index's ranges, read once: a probe per customer cost 4 s
 * at 10M); one without a bitmap (pm NULL) is looked up in segment_units. No text column
 * is read: covering indexes (or the line table's key) serve the scan. The unary + keeps
 * these terms from index use: with ANALYZE's statistics SQLite made an OR of skip-scans
 * of segment_facts_region out of them (pm_base is in its key), several times slower. */
static void month_conds(struct seg_sql *q, const char *t, int64_t pl, const char *from, const char *to,
                        int sample)
{
    buf *w = &q->where;
    int dfrom, dto;
    int fm = month_of(from, &dfrom), tm = month_of(to, &dto);
    int lo = dfrom == 1 ? fm : fm + 1, hi = dto == 31 ? tm : tm - 1; /* the whole months */
    buf_adds(w, " AND (");
    if (lo <= hi) {
        months_hit(w, t, lo, hi);
        buf_adds(w, " OR");
    }
    buf_addf(w, " (+%s.pm IS NULL AND EXISTS (SELECT 1 FROM segment_units u WHERE u.customer_id = %s.customer_id",
             t, t);
    unit_conds(q, pl, from, to);
    buf_adds(w, ")");
    /* the partial edge months and their days (validated YYYY-MM-DD dates, so literals) */
    int month[2], n = 0;
    char day[2][2][11];
    if (fm == tm && lo > hi) {
        month[n] = fm;
        snprintf(day[n][0], 11, "%s", from);
        snprintf(day[n++][1], 11, "%s", to);
    } else if (fm != tm) {
        if (dfrom != 1) {
            month[n] = fm;
            snprintf(day[n][0], 11, "%s", from);
            snprintf(day[n++][1], 11, "%.7s-31", from);
        }
        if (dto != 31) {
            month[n] = tm;
            snprintf(day[n][0], 11, "%.7s-01", to);
            snprintf(day[n++][1], 11, "%s", to);
        }
    }
    for (int e = 0; e < n; e++)
        buf_addf(w, " %s (+%s.pm_base BETWEEN %d AND %d AND ((%s.pm >> (%d - %s.pm_base)) & 1) = 1)",
                 e ? "OR" : "OR ((", t, month[e] - 61, month[e], t, month[e], t);
    if (n && sample) {
        /* the sample's first 20 rows: a probe for each row reached, not the whole list */
        buf_addf(w, ") AND EXISTS (SELECT 1 FROM segment_units u WHERE u.customer_id = %s.customer_id", t);
        unit_conds(q, pl, from, to);
        buf_adds(w, "))");
        return;
    }
    char models[96] = "SELECT m.id FROM models m";
    if (pl)
        snprintf(models, sizeof models, "SELECT m.id FROM models m WHERE m.product_line_id = %lld", (long long)pl);
    for (int e = 0; e < n; e++)
        buf_addf(w, "%s SELECT u.customer_id FROM segment_units u WHERE u.model_id IN (%s)"
                    " AND u.purchase_date >= '%s' AND u.purchase_date <= '%s'",
                 e ? " UNION ALL" : (t[0] == 'f' ? ") AND f.customer_id IN (" : ") AND g.customer_id IN ("),
                 models, day[e][0], day[e][1]);
    buf_adds(w, n ? ")))" : ")");
}

/* A range of purchase dates under 61 months (the purchase-month bitmaps decide it). */
static int by_months(const char *from, const char *to)
{
    int day;
    return from && to && month_of(to, &day) - month_of(from, &day) <= 60;
}

/* The conditions on row g of segment_line_months (0027): line pl, a unit of it bought
 * in [from, to] (by_months). */
static void line_month_conds(struct seg_sql *q, int64_t pl, const char *from, const char *to, int sample)
{
    buf_adds(&q->where, " g.product_line_id = ?");
    p_int(q, pl);
    month_conds(q, "g", pl, from, to, sample);
}

/* Every part is a condition on the narrow facts row f (segment_facts, live customers
 * only), one index range of segment_units for a model, or of segment_line_months for a
 * line with purchase dates. The integer conditions of the row come first: they reject
 * rows before the purchase months are shifted and masked. */
#define SQL_SAMPLE 1  /* for the sample's first rows: probes for each row reached */
#define SQL_NO_LINE 2 /* without a line's months (the count joins them, line first) */

static void sql_build(const struct seg_filter *f, struct seg_sql *q, int how)
{
    int sample = how & SQL_SAMPLE;
    memset(q, 0, sizeof *q);
    buf_init(&q->where);
    buf_adds(&q->where, " WHERE 1 = 1");
    if (f->region[0]) {
        buf_adds(&q->where, " AND f.region >= ? AND f.region < ?");
        p_text(q, f->region);
        p_text(q, "");
        q->kind[q->n - 1] = 'r'; /* the prefix's upper bound, made at bind time */
    }
    if (f->consent && !f->region[0]) {
        /* the consent values holding every channel asked (a sum of distinct channel bits,
         * 0..31: customer_consents has one row per channel), as ranges of the consent
         * index instead of a test of every entry */
        const char *sep = " AND f.consent IN (";
        for (unsigned v = 0; v < 1u << SEG_CHANNELS; v++)
            if ((v & f->consent) == f->consent) {
                buf_addf(&q->where, "%s%u", sep, v);
                sep = ", ";
            }
        buf_adds(&q->where, ")");
    } else if (f->consent) {
        buf_adds(&q->where, " AND (f.consent & CAST(? AS BIGINT)) = CAST(? AS BIGINT)");
        p_int(q, f->consent); /* seg_channels' order is the facts' bit order */
        p_int(q, f->consent);
    }
    /* The last service (latest repair registered) falls in [served_from, served_to). */
    if (f->served_from || f->served_to) {
        buf_adds(&q->where, " AND f.last_service >= ?");
        p_int(q, f->served_from);
    }
    if (f->served_to) {
        buf_adds(&q->where, " AND f.last_service < ?");
        p_int(q, f->served_to);
    }
    if (f->score_min || f->score_max) {
        int64_t mask = 0;
        for (long long s = f->score_min ? f->score_min : 1; s <= (f->score_max ? f->score_max : 5); s++)
            mask |= (int64_t)1 << s;
        buf_adds(&q->where, " AND (f.score_mask & CAST(? AS BIGINT)) <> 0");
        p_int(q, mask);
    }
    const char *from = f->purchased_from[0] ? f->purchased_from : NULL;
    const char *to = f->purchased_to[0] ? f->purchased_to : NULL;
    int months = by_months(from, to);
    if (f->pl_id && f->pl_bit >= 0 && !f->model_id && !months) {
        buf_adds(&q->where, " AND (f.pl_mask & CAST(? AS BIGINT)) <> 0");
        p_int(q, (int64_t)1 << f->pl_bit);
    }
    if (f->model_id) {
        /* a model is narrow: its units' index range gives the customers */
        buf_adds(&q->where, " AND f.customer_id IN (SELECT u.customer_id FROM segment_units u"
                            " WHERE u.model_id = ?");
        p_int(q, f->model_id);
        unit_conds(q, f->pl_id, from, to);
    } else if (f->pl_id && f->pl_bit < 0 && !from && !to) {
        /* a line without a bit in pl_mask (past the 62nd): the customer's units */
        buf_adds(&q->where, " AND EXISTS (SELECT 1 FROM segment_units u WHERE u.customer_id = f.customer_id");
        unit_conds(q, f->pl_id, NULL, NULL);
    } else if (f->pl_id && months) {
        /* a line with a range: the line's purchase months (0027), its key range (for
         * the sample's first rows or a region's range, the row of each customer
         * reached; the count of other conditions joins the line's rows first) */
        int each = sample || f->region[0];
        if (!(how & SQL_NO_LINE)) {
            buf_adds(&q->where, each ? " AND EXISTS (SELECT 1 FROM segment_line_months g WHERE g.customer_id = f.customer_id AND"
                                     : " AND f.customer_id IN (SELECT g.customer_id FROM segment_line_months g WHERE");
            line_month_conds(q, f->pl_id, from, to, each);
            buf_adds(&q->where, ")");
        }
    } else if (f->pl_id && (from || to)) {
        /* a line with one bound (or a range over 60 months): the index ranges of its
         * models' units bought in it (one probe of segment_units per customer cost more,
         * mostly in page reads) */
        buf_adds(&q->where, " AND f.customer_id IN (SELECT u.customer_id FROM segment_units u"
                            " WHERE u.model_id IN (SELECT m.id FROM models m WHERE m.product_line_id = ?)");
        p_int(q, f->pl_id);
        unit_conds(q, 0, from, to); /* (a unit's line is its model's, 0020's triggers) */
    } else if (months) {
        month_conds(q, "f", 0, from, to, sample);
    } else if (from && to && !f->pl_id) {
        /* a unit bought in [from, to]: the first/last purchase decide all but a customer
         * with units on both sides of the range, who is looked up by the customer index */
        buf_adds(&q->where, " AND f.bought_max >= ? AND f.bought_min <= ?");
        p_text(q, from);
        p_text(q, to);
        buf_adds(&q->where, " AND (f.bought_min >= ? OR f.bought_max <= ? OR");
        p_text(q, from);
        p_text(q, to);
        buf_adds(&q->where, " EXISTS (SELECT 1 FROM segment_units u WHERE u.customer_id = f.customer_id");
        unit_conds(q, 0, from, to);
        buf_adds(&q->where, ")");
    } else if (from || to) {
        /* one bound: the first/last purchase decide it */
        if (from) {
            buf_adds(&q->where, " AND f.bought_max >= ?");
            p_text(q, from);
        }
        if (to) {
            buf_adds(&q->where, " AND f.bought_min <= ?");
            p_text(q, to);
        }
    }
}

void seg_sql_build(const struct seg_filter *f, struct seg_sql *q)
{
    sql_build(f, q, 0);
}

/* A line with a range under 61 months and other conditions but a region (whose range
 * is narrow: each of its rows probes the line's key) or a model: counted from the
 * line's rows joined to the facts by key (at 10M, 1.0 s as an IN list of the line's
 * 1.3M customers tested against 4.4M consent entries). */
static int line_joined(const struct seg_filter *f)
{
    return f->pl_id && !f->model_id && !f->region[0] &&
           by_months(f->purchased_from[0] ? f->purchased_from : NULL, f->purchased_to[0] ? f->purchased_to : NULL) &&
           (f->served_from || f->served_to || f->score_min || f->score_max || f->consent);
}

/* The count of a line with a purchase-date range under 61 months and nothing else: the
 * line's range of segment_line_months alone (its rows are of live customers). */
static int line_months_only(const struct seg_filter *f)
{
    return f->pl_id && by_months(f->purchased_from[0] ? f->purchased_from : NULL,
                                 f->purchased_to[0] ? f->purchased_to : NULL) &&
           !f->model_id && !f->region[0] && !f->served_from && !f->served_to && !f->score_min &&
           !f->score_max && !f->consent;
}

void seg_sql_bind(const struct seg_sql *q, db_stmt *st, int first)
{
    for (int i = 0; i < q->n; i++) {
        if (q->kind[i] == 'i') {
            db_bind_int(st, first + i, q->num[i]);
        } else if (q->kind[i] == 'r') {
            /* "44" < region < "45": the prefix with its last digit raised (':' follows '9'). */
            char hi[7];
            snprintf(hi, sizeof hi, "%s", q->text[i - 1]);
            hi[strlen(hi) - 1]++;
            db_bind_text(st, first + i, hi);
        } else {
            db_bind_text(st, first + i, q->text[i]);
        }
    }
}

/* A filter of purchase dates alone is counted from segment_days (0025): the pairs (day,
 * the customer's previous purchase day) of live customers; a customer bought in
 * [from, to] when their first purchase day in it follows one before from (or none). */
static int dates_only(const struct seg_filter *f)
{
    return (f->purchased_from[0] || f->purchased_to[0]) && !f->pl_id && !f->model_id &&
           !f->region[0] && !f->served_from && !f->served_to && !f->score_min &&
           !f->score_max && !f->consent;
}

/* The count (first statement) or sample ids (second) of a dates-only filter; "0" and "~"
 * bound no date from below and above ('' < "0": a first purchase has prev ''). */
static db_stmt *dates_prepare(db_conn *c, const struct seg_filter *f, int sample)
{
    db_stmt *st = db_prepare(
        c, sample ? "SELECT c.code, c.name, c.region FROM (SELECT DISTINCT u.customer_id FROM units u"
                    " JOIN segment_facts f ON f.customer_id = u.customer_id WHERE u.purchase_date >= ?"
                    " AND u.purchase_date <= ? ORDER BY u.customer_id LIMIT 20) s JOIN customers c"
                    " ON c.id = s.customer_id ORDER BY s.customer_id"
                  : "SELECT COALESCE(SUM(n), 0) FROM segment_days WHERE day >= ? AND day <= ?"
                    " AND prev < ?");
    const char *from = f->purchased_from[0] ? f->purchased_from : "0";
    if (st) {
        db_bind_text(st, 1, from);
        db_bind_text(st, 2, f->purchased_to[0] ? f->purchased_to : "~");
        if (!sample)
            db_bind_text(st, 3, from);
    }
    return st;
}

/* Samples of fewer matches than this come from the units bought in the range (reading
 * them all); of more, from the facts in id order, which finds 20 after ~20N/count rows. */
#define SEG_SAMPLE_BY_UNITS 10000

json_t *seg_preview(db_conn *c, const struct seg_filter *f, int *rc)
{
    struct seg_sql q;
    seg_sql_build(f, &q);
    buf sql = BUF_INIT;
    int by_days = dates_only(f), by_line = line_months_only(f), line_first = line_joined(f);
    struct seg_sql lq = {.n = 0}, fq = {.n = 0};
    buf_init(&lq.where);
    buf_init(&fq.where);
    if (by_line || line_first)
        line_month_conds(&lq, f->pl_id, f->purchased_from, f->purchased_to, 0);
    if (by_line) {
        buf_addf(&sql, "SELECT COUNT(*) FROM segment_line_months g WHERE%s", lq.where.s);
    } else if (line_first) {
        /* the line's matching rows in customer order, each customer's facts row by key */
        buf_release(&fq.where);
        sql_build(f, &fq, SQL_NO_LINE);
        buf_addf(&sql, "SELECT COUNT(*) FROM segment_line_months g %s segment_facts f"
                       " ON f.customer_id = g.customer_id WHERE%s AND%s",
                 db_conn_kind(c) == DB_SQLITE ? "CROSS JOIN" : "JOIN", /* (SQLite: in this order) */
                 lq.where.s, fq.where.s + strlen(" WHERE"));
    } else {
        buf_addf(&sql, "SELECT COUNT(*) FROM segment_facts f%s", q.where.s);
    }
    db_stmt *st = by_days ? dates_prepare(c, f, 0) : db_prepare(c, sql.s);
    int s = -1;
    int64_t count = 0;
    if (st) {
        if (by_line || line_first)
            seg_sql_bind(&lq, st, 1);
        if (line_first)
            seg_sql_bind(&fq, st, 1 + lq.n);
        else if (!by_days && !by_line)
            seg_sql_bind(&q, st, 1);
        s = db_step(st);
        if (s == DB_ROW)
            count = db_int(st, 0);
        db_done(st);
    }
    json_t *sample = json_array();
    if (s == DB_ROW && count == 0) {
        s = DB_DONE; /* nothing to sample (and a scan would read every row to find so) */
    } else if (s == DB_ROW) {
        buf_release(&q.where);
        sql_build(f, &q, 1); /* (probes for the rows reached, not whole lists) */
        buf_reset(&sql);
        /* the 20 ids first (an index range may serve them), then their customers */
        buf_addf(&sql, "SELECT c.code, c.name, c.region FROM (SELECT f.customer_id FROM"
                       " segment_facts f%s ORDER BY f.customer_id LIMIT 20) s JOIN customers c"
                       " ON c.id = s.customer_id ORDER BY s.customer_id",
                 q.where.s);
        int by_units = by_days && count < SEG_SAMPLE_BY_UNITS;
        st = by_units ? dates_prepare(c, f, 1) : db_prepare(c, sql.s);
        s = -1;
        if (st) {
            if (!by_units)
                seg_sql_bind(&q, st, 1);
            while ((s = db_step(st)) == DB_ROW)
                json_array_append_new(sample, json_pack("{s:s, s:s, s:s?}", "code", db_text(st, 0),
                                                        "name", db_text(st, 1), "region",
                                                        db_text(st, 2)));
            db_done(st);
        }
    }
    buf_release(&sql);
    buf_release(&q.where);
    buf_release(&lq.where);
    buf_release(&fq.where);
    if (s != DB_DONE) {
        json_decref(sample);
        *rc = s < 0 ? s : -1;
        return NULL;
    }
    return json_pack("{s:I, s:o}", "count", (json_int_t)count, "sample", sample);
}

int seg_filter_of_text(db_conn *c, const char *text, struct seg_filter *f)
{
    json_t *j = json_loads(text, 0, NULL);
    jsonv v;
    jsonv_init(&v, j);
    int rc = seg_filter_read(c, &v, j, f);
    if (rc == 0 && !jsonv_ok(&v))
        rc = -1;
    jsonv_free(&v);
    json_decref(j);
    return rc;
}
