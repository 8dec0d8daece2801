/* campaigns: segment facts (and the purchase-day pairs of 0025, the line months of 0027) rebuilt in bulk (`aftersales segment-facts --rebuild`, and the
 * demo's last step): the triggers of 0020 keep segment_facts and segment_units current row
 * by row, but loads that set triggers aside (db_defer) leave them behind. */
#include "base/db_bulk.h"
#include "features/campaigns/internal.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

/* Every customer's facts at once on SQLite: segment_fact_source (0020) computes each
 * from six subqueries run per customer (two of them with a temporary B-tree for their
 * DISTINCT), this from one grouped pass over each table, joined by customer (1M customers
 * in the sqlite3 shell: 4.5 -> 3.4 s CPU). The same values: a sum over no rows is NULL, so 0; MAX and MIN NULL.
 * The repairs are read in table order and sorted, not through repairs_customer, which
 * would fetch every repair's row at random (that part 0.95 -> 0.51 s at 500k repairs). */
static const char *const facts_sqlite =
    "INSERT INTO segment_facts (customer_id, region, consent, last_service, score_mask, pl_mask,"
    " bought_min, bought_max, pm, pm_base)"
    " SELECT c.id, c.region, COALESCE(k.v, 0), r.v, COALESCE(s.v, 0), COALESCE(p.v, 0), p.mn, p.mx,"
    " CASE WHEN b.customer_id IS NULL THEN 0 ELSE b.pm END, COALESCE(b.pm_base, 0)"
    " FROM customers c"
    " LEFT JOIN (SELECT customer_id, SUM(CASE channel WHEN 'phone' THEN 1 WHEN 'sms' THEN 2"
    "   WHEN 'email' THEN 4 WHEN 'fax' THEN 8 WHEN 'post' THEN 16 ELSE 0 END) v"
    "   FROM customer_consents WHERE granted = 1 GROUP BY customer_id) k ON k.customer_id = c.id"
    " LEFT JOIN (SELECT customer_id, MAX(registered_at) v FROM repairs NOT INDEXED"
    "   GROUP BY customer_id) r ON r.customer_id = c.id"
    " LEFT JOIN (SELECT customer_id, SUM(DISTINCT 1 << q_overall) v FROM surveys"
    "   WHERE q_overall IS NOT NULL GROUP BY customer_id) s ON s.customer_id = c.id"
    " LEFT JOIN (SELECT u.customer_id, SUM(DISTINCT CAST(1 AS BIGINT) << l.bit) v,"
    "   MIN(u.purchase_date) mn, MAX(u.purchase_date) mx FROM segment_units u"
    "   LEFT JOIN segment_lines l ON l.product_line_id = u.product_line_id"
    "   GROUP BY u.customer_id) p ON p.customer_id = c.id"
    " LEFT JOIN segment_month_bits b ON b.customer_id = c.id" /* purchase months (0026) */
    " WHERE c.merged_into IS NULL AND c.erased_at IS NULL";

static int facts_fill(db_conn *c, void *arg)
{
    int64_t *rows = arg;
    static const char *const sql[] = {
        "DELETE FROM segment_units",
        "INSERT INTO segment_units (unit_id, customer_id, product_line_id, model_id, purchase_date)"
        " SELECT u.id, u.customer_id, m.product_line_id, u.model_id, u.purchase_date"
        " FROM units u JOIN models m ON m.id = u.model_id WHERE u.customer_id IS NOT NULL",
        NULL,
    };
    static const char *const units[] = {"segment_units", NULL};
    db_deferred *saved = NULL;
    int rc = db_defer(c, units, &saved);
    for (int i = 0; rc == 0 && sql[i]; i++) {
        int64_t n = db_exec(c, sql[i], "");
        rc = n < 0 ? (int)n : 0;
    }
    int back = db_restore(c, saved); /* the customer index serves the facts' subqueries */
    if (rc == 0)
        rc = back;
    static const char *const facts[] = {"segment_facts", NULL};
    saved = NULL;
    if (rc == 0)
        rc = db_defer(c, facts, &saved);
    if (rc == 0) {
        int64_t n = db_exec(c, "DELETE FROM segment_facts", "");
        if (n >= 0)
            n = db_exec(c, db_conn_kind(c) == DB_SQLITE ? facts_sqlite
                           : "INSERT INTO segment_facts SELECT * FROM segment_fact_source", "");
        rc = n < 0 ? (int)n : 0;
        *rows = n;
    }
    back = saved ? db_restore(c, saved) : 0;
    if (rc == 0)
        rc = back;
    /* the purchase-day pairs of the live customers (0025) */
    static const char *const days[] = {
        "DELETE FROM segment_days",
        "INSERT INTO segment_days (day, prev, n) SELECT p.day, p.prev, COUNT(*)"
        " FROM segment_day_pairs p WHERE p.customer_id IN (SELECT customer_id FROM segment_facts)"
        " GROUP BY p.day, p.prev",
        /* and the purchase months per line (0027) */
        "DELETE FROM segment_line_months",
        "INSERT INTO segment_line_months (product_line_id, customer_id, pm_base, pm)"
        " SELECT product_line_id, customer_id, pm_base, pm FROM segment_line_month_bits",
        NULL,
    };
    for (int i = 0; rc == 0 && days[i]; i++) {
        int64_t n = db_exec(c, days[i], "");
        rc = n < 0 ? (int)n : 0;
    }
    return rc;
}

int campaigns_facts_added(db_conn *c, int64_t after)
{
    int64_t n = db_exec(c, "INSERT INTO segment_facts (customer_id, region, consent, score_mask, pl_mask)"
                           " SELECT id, region, 0, 0, 0 FROM customers WHERE id > ?"
                           " AND merged_into IS NULL AND erased_at IS NULL",
                        "i", after);
    if (n >= 0)
        n = db_exec(c, "UPDATE segment_facts SET consent = (SELECT s.consent FROM segment_fact_source s"
                       " WHERE s.customer_id = segment_facts.customer_id) WHERE customer_id IN"
                       " (SELECT customer_id FROM customer_consents WHERE customer_id > ?)",
                    "i", after);
    return n < 0 ? (int)n : 0;
}

int campaigns_facts_rebuild(db_conn *c, int64_t *rows)
{
    int64_t n = 0;
    db_bulk_cache(c, 1);
    int rc = in_tx(c, facts_fill, &n);
    db_bulk_cache(c, 0);
    if (rows)
        *rows = n;
    return rc;
}

/* Rebuild on a connection of d: "DONE<n> customers" on out, or "WHO: error"; 0 or -1. */
static int rebuild_said(db *d, const char *who, FILE *out, const char *done)
{
    db_conn *c = db_acquire(d);
    int64_t n = 0;
    int rc = campaigns_facts_rebuild(c, &n);
    if (rc < 0)
        fprintf(stderr, "%s: %s\n", who, db_errmsg(c));
    else
        fprintf(out, "%s%lld customers\n", done, (long long)n);
    db_release(c);
    return rc < 0 ? -1 : 0;
}

int campaigns_demo(db *d, const struct demo_opts *o)
{
    (void)o;
    return rebuild_said(d, "demo segment facts", stderr, "demo: segment facts of ");
}

int campaigns_cmd_facts(int argc, char **argv, db *d)
{
    static struct option opts[] = {{"rebuild", no_argument, 0, 'b'}, {0, 0, 0, 0}};
    int rebuild = 0, ch;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (ch != 'b') {
            fprintf(stderr, "aftersales segment-facts: unknown option\n");
            return 2;
        }
        rebuild = 1;
    }
    if (!rebuild || optind < argc) {
        fprintf(stderr, "aftersales segment-facts: say --rebuild\n");
        return 2;
    }
    return rebuild_said(d, "aftersales segment-facts", stdout, "segment facts rebuilt: ") < 0 ? 1 : 0;
}
