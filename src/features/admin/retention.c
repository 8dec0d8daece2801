/* admin retention: `aftersales retention`, the PIPL retention period. Closed records older
 * than N years lose their personal data: deleted where nothing else refers to them,
 * otherwise anonymised in place (KPIs, the parts ledger, warranty history and the audit
 * keep their rows); a customer with nothing recent or open left and no units is erased
 * through the customer erasure. docs/retention.md says which table gets what and why.
 * Every "?" of a rule is the cutoff instant; a rule matches only rows it still changes,
 * so the dry run's counts are what the real run changes, and a second run finds none. */
#include "features/admin/admin.h"

#include "base/audit.h"
#include "features/customers/customers.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define YEAR_SECONDS 31556952LL /* the mean Gregorian year */

struct rule {
    const char *table, *action; /* "delete" or "anonymise" */
    const char *where;          /* over the table's own columns; every ? is the cutoff */
    const char *set;            /* anonymise: the SET list */
};

static const struct rule rules[] = {
    {"mail_attachments", "delete",
     "message_id IN (SELECT id FROM mail_messages WHERE received_at < ?)", NULL},
    {"mail_acks", "delete", "mail_id IN (SELECT id FROM mail_messages WHERE received_at < ?)",
     NULL},
    {"mail_messages", "anonymise", "received_at < ? AND raw <> ''",
     "from_addr = '', from_name = '', to_addr = '', subject = '', body_text = '',"
     " body_html = NULL, headers = '[]', raw = ''"},
    {"outbox", "anonymise",
     "created_at < ? AND status NOT IN ('queued', 'retry', 'sending') AND recipient <> ''",
     "recipient = '', payload = '{}'"},
    {"feedback", "delete", "received_at < ?", NULL},
    {"complaints", "anonymise",
     "closed_at IS NOT NULL AND closed_at < ? AND (text <> '' OR resolution_note IS NOT NULL)",
     "text = '', resolution_note = NULL"},
    {"repairs", "anonymise",
     "status IN ('delivered', 'cancelled') AND COALESCE(delivered_at, cancelled_at) < ?"
     " AND (COALESCE(fault, '') <> '' OR cancel_reason IS NOT NULL)",
     "fault = '', cancel_reason = NULL"},
    {"orders", "anonymise",
     "status IN ('delivered', 'cancelled', 'returned') AND updated_at < ?"
     " AND (contact_name <> '' OR contact_phone <> '' OR address IS NOT NULL OR note IS NOT NULL)",
     "contact_name = '', contact_phone = '', address = NULL, note = NULL"},
    {"contacts", "anonymise",
     "started_at < ? AND (address IS NOT NULL OR subject IS NOT NULL OR body IS NOT NULL)",
     "address = NULL, subject = NULL, body = NULL"},
    {"cti_calls", "anonymise",
     "state = 'ended' AND started_at < ? AND (COALESCE(from_number, '') <> ''"
     " OR COALESCE(to_number, '') <> '')",
     "from_number = '', to_number = ''"},
    {"callbacks", "anonymise", "status <> 'open' AND updated_at < ? AND number <> ''",
     "number = ''"},
    {"surveys", "anonymise", "status <> 'open' AND created_at < ? AND comment IS NOT NULL",
     "comment = NULL"},
};
#define NRULES (sizeof rules / sizeof *rules)

/* Customers with nothing left: not erased, not merged away, untouched and without units,
 * and no record that is open or newer than the cutoff. */
static const char customers_where[] =
    "c.erased_at IS NULL AND c.merged_into IS NULL AND c.created_at < ? AND c.updated_at < ?"
    " AND NOT EXISTS (SELECT 1 FROM units u WHERE u.customer_id = c.id)"
    " AND NOT EXISTS (SELECT 1 FROM repairs x WHERE x.customer_id = c.id AND (x.updated_at >= ?"
    "  OR x.status NOT IN ('delivered', 'cancelled')))"
    " AND NOT EXISTS (SELECT 1 FROM complaints x WHERE x.customer_id = c.id AND"
    "  (x.closed_at IS NULL OR x.closed_at >= ?))"
    " AND NOT EXISTS (SELECT 1 FROM orders x WHERE x.customer_id = c.id AND (x.updated_at >= ?"
    "  OR x.status NOT IN ('delivered', 'cancelled', 'returned')))"
    " AND NOT EXISTS (SELECT 1 FROM contacts x WHERE x.customer_id = c.id AND x.started_at >= ?)"
    " AND NOT EXISTS (SELECT 1 FROM feedback x WHERE x.customer_id = c.id AND x.received_at >= ?)"
    " AND NOT EXISTS (SELECT 1 FROM surveys x WHERE x.customer_id = c.id AND (x.created_at >= ?"
    "  OR x.status = 'open'))"
    " AND NOT EXISTS (SELECT 1 FROM callbacks x WHERE x.customer_id = c.id AND (x.updated_at >= ?"
    "  OR x.status = 'open'))"
    " AND NOT EXISTS (SELECT 1 FROM cti_calls x WHERE x.customer_id = c.id AND (x.started_at >= ?"
    "  OR x.state <> 'ended'))"
    " AND NOT EXISTS (SELECT 1 FROM mail_messages x WHERE x.customer_id = c.id"
    "  AND x.received_at >= ?)"
    " AND NOT EXISTS (SELECT 1 FROM outbox x WHERE x.customer_id = c.id AND (x.created_at >= ?"
    "  OR x.status IN ('queued', 'retry', 'sending')))";

static void bind_cutoff(db_stmt *st, const char *sql, int64_t cutoff)
{
    int n = 0;
    for (const char *p = sql; *p; p++)
        if (*p == '?')
            db_bind_int(st, ++n, cutoff);
}

static int64_t count_of(db_conn *c, const char *sql, int64_t cutoff)
{
    db_stmt *st = db_prepare(c, sql);
    if (!st)
        return DB_ERROR;
    bind_cutoff(st, sql, cutoff);
    int s = db_step(st);
    int64_t n = s == DB_ROW ? db_int(st, 0) : s < 0 ? s : DB_ERROR;
    db_done(st);
    return n;
}

static int64_t run_sql(db_conn *c, const char *sql, int64_t cutoff)
{
    db_stmt *st = db_prepare(c, sql);
    if (!st)
        return DB_ERROR;
    bind_cutoff(st, sql, cutoff);
    int s;
    while ((s = db_step(st)) == DB_ROW)
        ;
    int64_t n = db_changes(st);
    db_done(st);
    return s < 0 ? s : n;
}

/* Erase every customer with nothing left; the number erased, or a negative db code. */
static int64_t erase_customers(db_conn *c, int64_t cutoff)
{
    char q[sizeof customers_where + 64];
    snprintf(q, sizeof q, "SELECT c.id FROM customers c WHERE %s ORDER BY c.id", customers_where);
    db_stmt *st = db_prepare(c, q);
    if (!st)
        return DB_ERROR;
    bind_cutoff(st, q, cutoff);
    size_t n = 0, cap = 64;
    int64_t *ids = malloc(cap * sizeof *ids);
    int s;
    while (ids && (s = db_step(st)) == DB_ROW) {
        if (n == cap) {
            int64_t *more = realloc(ids, (cap *= 2) * sizeof *ids);
            if (!more) {
                free(ids);
                ids = NULL;
                break;
            }
            ids = more;
        }
        ids[n++] = db_int(st, 0);
    }
    db_done(st);
    if (!ids)
        return DB_ERROR;
    int64_t rc = s < 0 ? s : 0;
    for (size_t i = 0; i < n && rc >= 0; i++)
        rc = customers_erase_id(c, ids[i]);
    free(ids);
    return rc < 0 ? rc : (int64_t)n;
}

/* Count (dry) or apply every rule into counts[NRULES + 1] (the last: customers). */
static int64_t pass(db_conn *c, int64_t cutoff, int dry, int64_t *counts)
{
    char sql[1024];
    for (size_t i = 0; i < NRULES; i++) {
        const struct rule *u = &rules[i];
        if (dry)
            snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE %s", u->table, u->where);
        else if (u->set)
            snprintf(sql, sizeof sql, "UPDATE %s SET %s WHERE %s", u->table, u->set, u->where);
        else
            snprintf(sql, sizeof sql, "DELETE FROM %s WHERE %s", u->table, u->where);
        counts[i] = dry ? count_of(c, sql, cutoff) : run_sql(c, sql, cutoff);
        if (counts[i] < 0)
            return counts[i];
    }
    if (dry) {
        char q[sizeof customers_where + 64];
        snprintf(q, sizeof q, "SELECT count(*) FROM customers c WHERE %s", customers_where);
        counts[NRULES] = count_of(c, q, cutoff);
    } else
        counts[NRULES] = erase_customers(c, cutoff);
    return counts[NRULES] < 0 ? counts[NRULES] : 0;
}

static int usage(const char *msg)
{
    fprintf(stderr, "aftersales retention: %s\n"
                    "usage: aftersales retention [--years N] [--dry-run] [--save] [--db URL]\n",
            msg);
    return 2;
}

/* The stored period (retention_settings.years): N, 0 when none is set, or a db code. */
static int64_t stored_years(db_conn *c)
{
    db_stmt *st = db_prepare(c, "SELECT COALESCE(years, 0) FROM retention_settings WHERE id = 1");
    if (!st)
        return DB_ERROR;
    int s = db_step(st);
    int64_t y = s == DB_ROW ? db_int(st, 0) : s < 0 ? s : 0;
    db_done(st);
    return y;
}

/* One transaction: the counts or the changes, the setting when save, the audit row. */
static int64_t retention_tx(db_conn *c, int64_t years, int dry, int save, int64_t *counts)
{
    int64_t now = now_unix(), cutoff = now - years * YEAR_SECONDS;
    int64_t rc = db_begin(c);
    if (rc >= 0)
        rc = pass(c, cutoff, dry, counts);
    if (rc >= 0 && save)
        rc = db_exec(c, "UPDATE retention_settings SET years = ?, updated_at = ? WHERE id = 1",
                     "ii", years, now);
    if (rc >= 0 && !dry) {
        json_t *per = json_object();
        for (size_t i = 0; i <= NRULES; i++)
            json_object_set_new(per, i < NRULES ? rules[i].table : "customers",
                                json_integer(counts[i]));
        json_t *d = json_pack("{s:I, s:o}", "years", (json_int_t)years, "counts", per);
        rc = audit_write(c, "cli", "retention", "retention", NULL, d);
        json_decref(d);
    }
    if (rc >= 0 && !dry)
        rc = db_commit(c);
    if (rc < 0 || dry)
        db_rollback(c);
    return rc;
}

int admin_cmd_retention(int argc, char **argv, db *d)
{
    static struct option opts[] = {{"years", required_argument, 0, 'y'},
                                   {"dry-run", no_argument, 0, 'n'},
                                   {"save", no_argument, 0, 's'},
                                   {0, 0, 0, 0}};
    long long years = 0;
    int dry = 0, save = 0, o;
    char *end;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'y') {
            years = strtoll(optarg, &end, 10);
            if (!*optarg || *end || years < 1 || years > 100)
                return usage("--years wants a whole number of years from 1 to 100");
        } else if (o == 'n')
            dry = 1;
        else if (o == 's')
            save = 1;
        else
            return usage("unknown option");
    }
    if (optind != argc)
        return usage("unexpected argument");
    if (save && (!years || dry))
        return usage("--save stores --years N as the setting (not with --dry-run)");
    db_conn *c = db_acquire(d);
    int64_t y = years ? years : stored_years(c);
    int rc = 1;
    if (y < 0)
        fprintf(stderr, "aftersales retention: %s\n", db_errmsg(c));
    else if (y == 0)
        fprintf(stderr, "aftersales retention: no retention period set; give --years N (--save "
                        "stores it)\n");
    else {
        int64_t counts[NRULES + 1];
        if (retention_tx(c, y, dry, save, counts) < 0)
            fprintf(stderr, "aftersales retention: %s\n", db_errmsg(c));
        else {
            printf("%s: closed records older than %lld years%s\n", dry ? "dry run" : "retention",
                   (long long)y, dry ? " (nothing changed)" : "");
            for (size_t i = 0; i <= NRULES; i++)
                printf("%-17s %-9s %lld\n", i < NRULES ? rules[i].table : "customers",
                       i < NRULES ? rules[i].action : "erase", (long long)counts[i]);
            if (save)
                printf("retention period set to %lld years\n", (long long)y);
            rc = 0;
        }
    }
    db_release(c);
    return rc;
}
