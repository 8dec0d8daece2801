/* repairs: `aftersales import repairs FILE`, historic repairs from CSV in one
 * transaction. */
#include "base/audit.h"
#include "base/csv.h"
#include "features/customers/customers.h"
#include "features/repairs/internal.h"
#include "rules/repair_state.h"
#include "rules/warranty.h"

#include <string.h>

int repairs_import_csv(db *d, const char *path, FILE *in)
{
    static const struct csv_column cols[] = {
        {"code", 1},        {"customer", 1},    {"serial", 0},       {"model", 0},
        {"outlet", 0},      {"kind", 0},        {"channel", 0},      {"status", 0},
        {"received_at", 1}, {"repaired_at", 0}, {"delivered_at", 0}, {"cancelled_at", 0},
        {"fault", 0},       {NULL, 0}};
    enum { C_CODE, C_CUST, C_SERIAL, C_MODEL, C_OUTLET, C_KIND, C_CHANNEL, C_STATUS, C_RECV,
           C_REP, C_DEL, C_CANC, C_FAULT };
    int idx[13];
    char err[512] = "";
    csv_reader *csv = csv_reader_new(in);
    db_conn *c = db_acquire(d);
    json_t *seen = json_object();
    int rc = -1, n = 0, in_tx = 0;
    const char *actor = "import:repairs";
    int r;
    if (!csv) {
        snprintf(err, sizeof err, "out of memory");
        goto bad;
    }
    if (csv_header(csv, cols, idx) < 0) {
        snprintf(err, sizeof err, "%s", csv_error(csv));
        goto bad;
    }
    if (db_begin(c) < 0)
        goto dberr;
    in_tx = 1;
    int64_t now = now_unix();
    while ((r = csv_next(csv)) == 1) {
        const char *f[13];
        for (int k = 0; k < 13; k++)
            f[k] = csv_field(csv, idx[k]);
        const char *code = f[C_CODE];
        size_t cl = strlen(code);
        int code_good = cl >= 2 && cl <= 32;
        for (size_t i = 0; i < cl && code_good; i++)
            code_good = (code[i] >= '0' && code[i] <= '9') || (code[i] >= 'A' && code[i] <= 'Z') ||
                        code[i] == '-';
        if (!code_good) {
            snprintf(err, sizeof err, "code: 2-32 upper-case letters, digits or dashes");
            goto bad;
        }
        if (json_object_get(seen, code)) {
            snprintf(err, sizeof err, "repair %s appears twice in the file", code);
            goto bad;
        }
        json_object_set_new(seen, code, json_true());
        int64_t tmp;
        int k = rep_lookup_id(c, "SELECT id FROM repairs WHERE code = ?", code, &tmp);
        if (k < 0)
            goto dberr;
        if (k == 0) {
            snprintf(err, sizeof err, "repair %s already exists", code);
            goto bad;
        }
        int64_t cust = 0;
        if (!*f[C_CUST]) {
            snprintf(err, sizeof err, "customer: required");
            goto bad;
        }
        k = customers_resolve(c, f[C_CUST], &cust, NULL);
        if (k == -1) {
            snprintf(err, sizeof err, "customer: unknown customer %s", f[C_CUST]);
            goto bad;
        }
        if (k < 0)
            goto dberr;
        const char *kind = *f[C_KIND] ? f[C_KIND] : "carry_in";
        const char *channel = *f[C_CHANNEL] ? f[C_CHANNEL] : "phone";
        if (!rep_in_list(rep_kinds, kind)) {
            snprintf(err, sizeof err, "kind: one of carry_in, on_site, mail_in");
            goto bad;
        }
        if (!rep_in_list(rep_channels, channel)) {
            snprintf(err, sizeof err, "channel: one of phone, email, web, walk_in, letter, fax");
            goto bad;
        }
        int status = -1;
        if (*f[C_STATUS] && (status = repair_status_parse(f[C_STATUS])) < 0) {
            snprintf(err, sizeof err, "status: unknown status \"%s\"", f[C_STATUS]);
            goto bad;
        }
        int64_t t[4] = {0, 0, 0, 0};
        static const char *const tnames[4] = {"received_at", "repaired_at", "delivered_at",
                                              "cancelled_at"};
        for (int i = 0; i < 4; i++) {
            const char *s = f[C_RECV + i];
            if (*s && rep_parse_time(s, &t[i]) < 0) {
                snprintf(err, sizeof err, "%s: not a time (RFC 3339 or YYYY-MM-DD HH:MM[:SS])",
                         tnames[i]);
                goto bad;
            }
        }
        if (!*f[C_RECV]) {
            snprintf(err, sizeof err, "received_at: required");
            goto bad;
        }
        const char *why = repair_status_from_times(&status, t[0], t[1], t[2], t[3]);
        if (why) {
            snprintf(err, sizeof err, "status: %s", why);
            goto bad;
        }
        int64_t outlet = 0;
        if (*f[C_OUTLET]) {
            k = rep_lookup_id(c, "SELECT id FROM outlets WHERE code = ?", f[C_OUTLET], &outlet);
            if (k < 0)
                goto dberr;
            if (k == 1) {
                snprintf(err, sizeof err, "outlet: unknown outlet %s", f[C_OUTLET]);
                goto bad;
            }
        }
        int64_t model_id = 0, line_id = 0, unit_id = 0;
        const char *until = NULL;
        char until_buf[11] = "";
        if (*f[C_MODEL]) {
            char um[48];
            snprintf(um, sizeof um, "%s", f[C_MODEL]);
            for (char *p = um; *p; p++)
                if (*p >= 'a' && *p <= 'z')
                    *p = (char)(*p - 32);
            db_stmt *st = db_prepare(c, "SELECT id, product_line_id FROM models WHERE code = ?");
            if (!st)
                goto dberr;
            db_bind_text(st, 1, um);
            k = db_step(st);
            if (k == DB_ROW) {
                model_id = db_int(st, 0);
                line_id = db_int(st, 1);
            }
            db_done(st);
            if (k < 0)
                goto dberr;
            if (k == DB_DONE) {
                snprintf(err, sizeof err, "model: unknown model %s", f[C_MODEL]);
                goto bad;
            }
        }
        char serial[WARRANTY_SERIAL_MAX + 1] = "";
        if (*f[C_SERIAL]) {
            if (warranty_serial_normalize(f[C_SERIAL], serial) < 0) {
                snprintf(err, sizeof err, "serial: 4 to 32 letters, digits or dashes");
                goto bad;
            }
            db_stmt *st = db_prepare(c, "SELECT u.id, u.model_id, m.product_line_id, u.warranty_until"
                                        " FROM units u JOIN models m ON m.id = u.model_id WHERE u.serial = ?");
            if (!st)
                goto dberr;
            db_bind_text(st, 1, serial);
            k = db_step(st);
            if (k == DB_ROW) {
                unit_id = db_int(st, 0);
                model_id = db_int(st, 1);
                line_id = db_int(st, 2);
                if (!db_isnull(st, 3)) {
                    snprintf(until_buf, sizeof until_buf, "%s", db_text(st, 3));
                    until = until_buf;
                }
            }
            db_done(st);
            if (k < 0)
                goto dberr;
            if (!unit_id && model_id) {
                db_stmt *ins = db_prepare(c, "INSERT INTO units (serial, model_id, customer_id,"
                                             " created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id");
                if (!ins)
                    goto dberr;
                db_bind_text(ins, 1, serial);
                db_bind_int(ins, 2, model_id);
                db_bind_int(ins, 3, cust);
                db_bind_int(ins, 4, now);
                db_bind_int(ins, 5, now);
                k = db_step(ins);
                if (k == DB_ROW)
                    unit_id = db_int(ins, 0);
                db_done(ins);
                if (k != DB_ROW)
                    goto dberr;
            }
        }
        /* A repair imported as registered was not received yet: received_at is when it
         * was registered. */
        int64_t registered = t[0];
        int64_t received = status == RS_REGISTERED ? 0 : t[0];
        int64_t in_warranty = -1;
        if (received) {
            char day[11];
            rep_local_date(received, day);
            in_warranty = warranty_covers(until, day);
        }
        db_stmt *st = db_prepare(
            c, "INSERT INTO repairs (code, customer_id, unit_id, serial, model_id, product_line_id,"
               " outlet_id, kind, channel, status, fault, in_warranty, registered_at, received_at,"
               " repaired_at, delivered_at, cancelled_at, cancel_reason, created_at, updated_at)"
               " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
        if (!st)
            goto dberr;
        int p = 1;
        db_bind_text(st, p++, code);
        db_bind_int(st, p++, cust);
#define BIND_OPT(v)                                                                            \
    do {                                                                                       \
        if (v)                                                                                 \
            db_bind_int(st, p++, v);                                                           \
        else                                                                                   \
            db_bind_null(st, p++);                                                             \
    } while (0)
        BIND_OPT(unit_id);
        db_bind_text(st, p++, *serial ? serial : NULL);
        BIND_OPT(model_id);
        BIND_OPT(line_id);
        BIND_OPT(outlet);
        db_bind_text(st, p++, kind);
        db_bind_text(st, p++, channel);
        db_bind_text(st, p++, repair_status_name((enum repair_status)status));
        db_bind_text(st, p++, *f[C_FAULT] ? f[C_FAULT] : NULL);
        if (in_warranty >= 0)
            db_bind_int(st, p++, in_warranty);
        else
            db_bind_null(st, p++);
        db_bind_int(st, p++, registered);
        BIND_OPT(received);
        BIND_OPT(t[1]);
        BIND_OPT(t[2]);
        BIND_OPT(t[3]);
        db_bind_text(st, p++, t[3] ? "imported as cancelled" : NULL);
        db_bind_int(st, p++, now);
        db_bind_int(st, p++, now);
#undef BIND_OPT
        k = db_step(st);
        int64_t id = k == DB_ROW ? db_int(st, 0) : 0;
        db_done(st);
        if (k != DB_ROW)
            goto dberr;
        /* The timeline as far as the times tell it. */
        if (rep_event_add(c, id, "registered", registered, actor) < 0 ||
            (received && rep_event_add(c, id, "received", received, actor) < 0))
            goto dberr;
        if (status > RS_RECEIVED && status < RS_REPAIRED &&
            rep_event_add(c, id, repair_status_name((enum repair_status)status), received, actor) <
                0)
            goto dberr;
        if ((t[1] && rep_event_add(c, id, "repaired", t[1], actor) < 0) ||
            (t[2] && rep_event_add(c, id, "delivered", t[2], actor) < 0) ||
            (t[3] && rep_event_add(c, id, "cancelled", t[3], actor) < 0))
            goto dberr;
        json_t *detail = json_pack("{s:s, s:s, s:s?}", "customer", f[C_CUST], "status",
                                   repair_status_name((enum repair_status)status), "serial",
                                   *serial ? serial : NULL);
        k = audit_write(c, actor, "import", "repair", code, detail);
        json_decref(detail);
        if (k < 0)
            goto dberr;
        n++;
    }
    if (r < 0) {
        snprintf(err, sizeof err, "%s", csv_error(csv));
        goto bad;
    }
    if (db_commit(c) < 0)
        goto dberr;
    in_tx = 0;
    fprintf(stderr, "%s: %d repairs imported\n", path, n);
    rc = 0;
    goto cleanup;
dberr:
    snprintf(err, sizeof err, "database error: %s", db_errmsg(c));
bad:
    fprintf(stderr, "%s:%ld: %s\n", path, csv ? csv_line(csv) : 1L, err);
    if (in_tx)
        db_rollback(c);
cleanup:
    json_decref(seen);
    csv_reader_free(csv);
    db_release(c);
    return rc;
}
