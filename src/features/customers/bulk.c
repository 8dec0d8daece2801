/* customers: the bulk inserter (many customers in one transaction, multi-row INSERTs)
 * used by CSV import and demo data. */
#include "features/customers/internal.h"

#include "base/audit.h"
#include "base/db_bulk.h"
#include "features/campaigns/campaigns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for the next customer, for callers that build it in place (demo). */
struct cust_in *cust_bulk_slot(struct bulk *b)
{
    return &b->store[b->npending];
}
/* Secondary indexes of the customer tables, as the migrations create them. A bulk load
 * into empty tables drops them and builds them once at the end (sorting is several times
 * faster than inserting random keys row by row); the transaction keeps it atomic. The
 * unique index on customers.code stays (it catches duplicate codes in the file), and so do
 * the customer_id indexes: ids only grow, so those inserts are appends. */
static const struct {
    const char *name, *sqlite, *pg;
} bulk_indexes[] = {
    {"customers_name_key", "customers(name_key)", "customers(name_key, id)"},
    {"customer_phones_phone", "customer_phones(phone)", NULL},
    {"customer_phones_rev", "customer_phones(phone_rev)", NULL},
    {"customer_emails_email", "customer_emails(email)", NULL},
};

static int bulk_indexes_set(db_conn *c, int create)
{
    for (size_t i = 0; i < sizeof bulk_indexes / sizeof *bulk_indexes; i++) {
        char sql[200];
        const char *on = db_conn_kind(c) == DB_POSTGRES && bulk_indexes[i].pg
                             ? bulk_indexes[i].pg
                             : bulk_indexes[i].sqlite;
        if (create)
            snprintf(sql, sizeof sql, "CREATE INDEX %s ON %s", bulk_indexes[i].name, on);
        else
            snprintf(sql, sizeof sql, "DROP INDEX %s", bulk_indexes[i].name);
        if (db_exec_script(c, sql) < 0)
            return DB_ERROR;
    }
    return 0;
}

void cust_bulk_free(struct bulk *b)
{
    free(b->codes);
    b->codes = NULL;
    db_deferred_forget(b->trig); /* after a rollback (cust_bulk_end restored them otherwise) */
    b->trig = NULL;
}

int cust_bulk_begin(struct bulk *b, db_conn *c)
{
    memset(b, 0, sizeof *b);
    b->c = c;
    b->now = now_unix();
    b->codes = calloc(100000000 / 8, 1);
    if (!b->codes)
        return DB_ERROR;
    db_stmt *e = db_prepare(c, "SELECT COUNT(*) FROM (SELECT id FROM customers LIMIT 1) x");
    if (!e)
        return DB_ERROR;
    int empty = db_step(e) == DB_ROW && db_int(e, 0) == 0;
    db_done(e);
    if (empty) {
        if (bulk_indexes_set(c, 0) < 0)
            return DB_ERROR;
        b->reindex = 1;
    }
    /* SQLite: the triggers on customers (segment facts, 0020) cost about a third of the
     * rows' CPU when run per row; from the BULK_DEFER_ROWS-th row on, cust_bulk_flush sets
     * them aside and cust_bulk_end does their work in one statement. The load's
     * transaction is SQLite's one writer, and readers keep their snapshot. Not on
     * PostgreSQL, where dropping a trigger locks the table against readers until the
     * commit. Nor in load mode (a fresh demo), whose caller has set the triggers aside
     * already and rebuilds every customer's facts in its last step. */
    b->may_defer = db_conn_kind(c) == DB_SQLITE && !db_loading(c);
    /* lock the counter row for the whole transaction and read it */
    db_stmt *st = db_prepare(c, "UPDATE counters SET value = value WHERE name = 'customer'"
                                " RETURNING value");
    if (!st)
        return DB_ERROR;
    int rc = db_step(st);
    if (rc == DB_ROW)
        b->next = db_int(st, 0);
    db_done(st);
    return rc == DB_ROW ? 0 : rc < 0 ? rc : DB_ERROR;
}

/* "INSERT INTO table (cols) VALUES (?,..),(?,..)... [RETURNING ...]" for n rows. */
static void multi_insert_sql(char *out, size_t cap, const char *head, int ncols, int n,
                             const char *tail)
{
    size_t len = (size_t)snprintf(out, cap, "%s VALUES ", head);
    for (int r = 0; r < n && len < cap; r++) {
        len += (size_t)snprintf(out + len, cap - len, "%s(", r ? "," : "");
        for (int k = 0; k < ncols && len < cap; k++)
            len += (size_t)snprintf(out + len, cap - len, "%s?", k ? "," : "");
        if (len < cap)
            len += (size_t)snprintf(out + len, cap - len, ")");
    }
    if (len < cap)
        snprintf(out + len, cap - len, "%s", tail);
}

/* Set the customers' triggers aside for the rest of the load (see cust_bulk_begin): the
 * rows inserted so far had theirs run; first_id is the last of them. Not for a small
 * load: dropping and restoring the triggers changes the schema, which every prepared
 * statement of the connection then prepares again (about 7 ms of CPU under ASan for each
 * import of a few rows, most of fuzz_import's time; docs/fuzzing.md). */
enum { BULK_DEFER_ROWS = 256 };
static int bulk_defer(struct bulk *b)
{
    b->may_defer = 0;
    static const char *const trig_tables[] = {"customers", NULL};
    if (db_defer_triggers(b->c, trig_tables, &b->trig) < 0)
        return DB_ERROR;
    db_stmt *e = db_prepare(b->c, "SELECT COALESCE(MAX(id), 0) FROM customers");
    if (!e)
        return DB_ERROR;
    int s0 = db_step(e);
    b->first_id = s0 == DB_ROW ? db_int(e, 0) : 0;
    db_done(e);
    return s0 == DB_ROW ? 0 : DB_ERROR;
}

/* Insert the pending customers, several rows per statement, then their phones and
 * emails the same way. */
int cust_bulk_flush(struct bulk *b)
{
    int n = b->npending, rc;
    if (n == 0)
        return 0;
    if (b->may_defer && b->rows + n >= BULK_DEFER_ROWS && bulk_defer(b) < 0)
        return DB_ERROR;
    char sql[2048];
    int64_t ids[BULK_BATCH] = {0};
    db_stmt *st = b->ins_cust[n];
    if (!st) {
        multi_insert_sql(sql, sizeof sql,
                         "INSERT INTO customers (code, name, name_key, region, address,"
                         " created_at, updated_at, lang)",
                         8, n, " RETURNING id, code");
        st = b->ins_cust[n] = db_prepare(b->c, sql);
        if (!st)
            return DB_ERROR;
    }
    for (int i = 0; i < n; i++) {
        const struct cust_in *in = b->pending[i];
        int p = i * 8;
        db_bind_text(st, p + 1, b->pcode[i]);
        db_bind_text(st, p + 2, in->name);
        db_bind_text(st, p + 3, in->name_key);
        db_bind_text(st, p + 4, in->region[0] ? in->region : NULL);
        db_bind_text(st, p + 5, in->address[0] ? in->address : NULL);
        db_bind_int(st, p + 6, b->now);
        db_bind_int(st, p + 7, b->now);
        db_bind_text(st, p + 8, in->lang[0] ? in->lang : "zh-CN");
    }
    for (int k = 0; (rc = db_step(st)) == DB_ROW; k++) {
        /* the rows come back in the order given (SQLite); matched by code in case not */
        const char *code = db_text(st, 1);
        if (k < n && strcmp(b->pcode[k], code) == 0) {
            ids[k] = db_int(st, 0);
            continue;
        }
        for (int i = 0; i < n; i++)
            if (strcmp(b->pcode[i], code) == 0)
                ids[i] = db_int(st, 0);
    }
    db_done(st);
    if (rc < 0)
        return rc;
    /* phones (5 columns, 12 a statement) and emails (3 columns, 21 a statement) */
    for (int pass = 0; pass < 2; pass++) {
        int per = pass == 0 ? BULK_PHONES : BULK_EMAILS, ncols = pass == 0 ? 5 : 3;
        struct {
            int64_t id;
            const char *v;
            int kind;
        } rows[BULK_BATCH * CUST_MAX_PHONES];
        int nr = 0;
        for (int i = 0; i < n; i++) {
            const struct cust_in *in = b->pending[i];
            int cnt = pass == 0 ? in->nphones : in->nemails;
            for (int k = 0; k < cnt; k++) {
                rows[nr].id = ids[i];
                rows[nr].v = pass == 0 ? in->phones[k] : in->emails[k];
                rows[nr++].kind = pass == 0 ? in->kinds[k] : 0;
            }
        }
        for (int at = 0; at < nr; at += per) {
            int m = nr - at < per ? nr - at : per;
            db_stmt **slot = pass == 0 ? &b->ins_phone[m] : &b->ins_email[m];
            if (!*slot) {
                multi_insert_sql(sql, sizeof sql,
                                 pass == 0 ? "INSERT INTO customer_phones (customer_id, phone,"
                                             " phone_rev, kind, created_at)"
                                           : "INSERT INTO customer_emails (customer_id, email,"
                                             " created_at)",
                                 ncols, m, "");
                *slot = db_prepare(b->c, sql);
                if (!*slot)
                    return DB_ERROR;
            }
            st = *slot;
            char revs[BULK_PHONES][IDENTITY_PHONE_MAX];
            for (int j = 0; j < m; j++) {
                int p = j * ncols;
                db_bind_int(st, p + 1, rows[at + j].id);
                db_bind_text(st, p + 2, rows[at + j].v);
                if (pass == 0) {
                    identity_phone_reverse(rows[at + j].v, revs[j]);
                    db_bind_text(st, p + 3, revs[j]);
                    db_bind_text(st, p + 4, cust_kind_name(rows[at + j].kind));
                    db_bind_int(st, p + 5, b->now);
                } else {
                    db_bind_int(st, p + 3, b->now);
                }
            }
            rc = db_step(st);
            db_done(st);
            if (rc < 0)
                return rc;
        }
    }
    b->rows += n;
    b->npending = 0;
    return 0;
}

/* Queue one customer (in must stay valid until the next cust_bulk_flush or cust_bulk_end).
 * Its code is code_in (checked unused: BULK_CODE_TAKEN otherwise) or the next from the
 * counter. With id_out, it is inserted at once and its id returned. */
int cust_bulk_add(struct bulk *b, const struct cust_in *in, const char *code_in, int64_t *id_out,
                  char code_out[16])
{
    char code[16];
    int64_t num;
    if (code_out)
        snprintf(code_out, 16, "%s", code_in ? code_in : "");
    if (code_in && *code_in) {
        snprintf(code, sizeof code, "%s", code_in);
        num = strtoll(code + 1, NULL, 10);
        if (!b->reindex) { /* the table had rows: is the code one of them? */
            db_stmt *st = db_prepare(b->c, "SELECT 1 FROM customers WHERE code = ?");
            if (!st)
                return DB_ERROR;
            db_bind_text(st, 1, code);
            int rc = db_step(st);
            db_done(st);
            if (rc < 0)
                return rc;
            if (rc == DB_ROW)
                return BULK_CODE_TAKEN;
        }
        if (num > b->max_code)
            b->max_code = num;
    } else {
        do {
            if (b->next >= 99999999)
                return DB_ERROR;
            num = ++b->next;
        } while (b->codes[num / 8] & (1u << (num % 8))); /* skip codes given earlier */
        snprintf(code, sizeof code, "C%08d", (int)num);
    }
    if (b->codes[num / 8] & (1u << (num % 8)))
        return BULK_CODE_TAKEN; /* given twice in this load */
    b->codes[num / 8] |= (uint8_t)(1u << (num % 8));
    b->pending[b->npending] = in;
    memcpy(b->pcode[b->npending], code, 16);
    b->npending++;
    if (code_out)
        memcpy(code_out, code, 16);
    if (b->npending == BULK_BATCH || id_out) {
        int rc = cust_bulk_flush(b);
        if (rc < 0)
            return rc;
        if (id_out) {
            db_stmt *st = db_prepare(b->c, "SELECT id FROM customers WHERE code = ?");
            if (!st)
                return DB_ERROR;
            db_bind_text(st, 1, code);
            rc = db_step(st);
            if (rc == DB_ROW)
                *id_out = db_int(st, 0);
            db_done(st);
            if (rc != DB_ROW)
                return DB_ERROR;
        }
    }
    return 0;
}

int cust_bulk_end(struct bulk *b, const char *actor, json_t *detail)
{
    if (cust_bulk_flush(b) < 0)
        return DB_ERROR;
    int64_t v = b->next > b->max_code ? b->next : b->max_code;
    if (db_exec(b->c, "UPDATE counters SET value = ? WHERE name = 'customer'", "i", v) < 0)
        return DB_ERROR;
    /* SQLite sorts an index in memory on one thread when the cache can hold it; a small
     * cache makes it sort runs on the worker threads (PRAGMA threads) and merge them. */
    if (b->reindex && db_conn_kind(b->c) == DB_SQLITE)
        db_exec_script(b->c, "PRAGMA cache_size=-16384");
    if (b->reindex && bulk_indexes_set(b->c, 1) < 0)
        return DB_ERROR;
    if (b->trig) {
        if (campaigns_facts_added(b->c, b->first_id) < 0)
            return DB_ERROR; /* cust_bulk_free forgets the triggers after the rollback */
        db_deferred *trig = b->trig;
        b->trig = NULL;
        if (db_restore(b->c, trig) < 0)
            return DB_ERROR;
    }
    return audit_write(b->c, actor, "import", "customer", NULL, detail);
}

/* SQLite: a large page cache for the duration of a bulk load (indexes stay in memory) and
 * worker threads for the sorts of CREATE INDEX (base/db_bulk.h). */
void cust_bulk_cache(db_conn *c, int big) { db_bulk_cache(c, big); }
