/* repairs: `aftersales import repairs FILE`, historic repairs from CSV in one
 * transaction. */
#include "base/audit.h"
#include "base/csv.h"
#include "features/common/common.h"
#include "features/customers/customers.h"
#include "features/repairs/internal.h"
#include "rules/repair_state.h"
#include "rules/warranty.h"

#include <stdarg.h>
#include <string.h>

enum { C_CODE, C_CUST, C_SERIAL, C_MODEL, C_OUTLET, C_KIND, C_CHANNEL, C_STATUS, C_RECV,
       C_REP, C_DEL, C_CANC, C_FAULT, C_COUNT };

static const char *const import_actor = "import:repairs";

/* One line of the file, checked and resolved. */
struct rep_import_row {
    const char *f[C_COUNT];
    const char *kind, *channel;
    int status;
    int64_t t[4]; /* received, repaired, delivered, cancelled; 0 when empty */
    int64_t cust, outlet, model_id, line_id, unit_id;
    char serial[WARRANTY_SERIAL_MAX + 1];
    char until_buf[11];
    const char *until; /* the unit's warranty end, NULL when not registered */
};

/* The outcome of a step: 0 fine, ROW_BAD (the message is in err), ROW_DB (a database
 * error). */
enum { ROW_BAD = IMPORT_BAD, ROW_DB = DB_ERROR };

static int bad(char *err, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, n, fmt, ap);
    va_end(ap);
    return ROW_BAD;
}

/* The code: well formed, once in the file, not in the database yet. */
static int check_code(db_conn *c, json_t *seen, const char *code, char *err, size_t n)
{
    size_t cl = strlen(code);
    int good = cl >= 2 && cl <= 32;
    for (size_t i = 0; i < cl && good; i++)
        good = (code[i] >= '0' && code[i] <= '9') || (code[i] >= 'A' && code[i] <= 'Z') ||
               code[i] == '-';
    if (!good)
        return bad(err, n, "code: 2-32 upper-case letters, digits or dashes");
    if (json_object_get(seen, code))
        return bad(err, n, "repair %s appears twice in the file", code);
    json_object_set_new(seen, code, json_true());
    int64_t tmp;
    int k = lookup_id(c, "SELECT id FROM repairs WHERE code = ?", code, &tmp);
    if (k < 0)
        return ROW_DB;
    return k == 0 ? bad(err, n, "repair %s already exists", code) : 0;
}

/* Kind, channel, status and the four times, and the status they allow. */
static int check_lifecycle(db_conn *c, struct rep_import_row *w, char *err, size_t n)
{
    const char *const *f = w->f;
    w->kind = *f[C_KIND] ? f[C_KIND] : "carry_in";
    w->channel = *f[C_CHANNEL] ? f[C_CHANNEL] : "phone";
    if (!rep_in_list(rep_kinds, w->kind))
        return bad(err, n, "kind: one of carry_in, on_site, mail_in");
    if (!rep_in_list(rep_channels, w->channel))
        return bad(err, n, "channel: one of phone, email, web, walk_in, letter, fax");
    w->status = -1;
    if (*f[C_STATUS] && (w->status = repair_status_parse(f[C_STATUS])) < 0)
        return bad(err, n, "status: unknown status \"%s\"", f[C_STATUS]);
    static const char *const tnames[4] = {"received_at", "repaired_at", "delivered_at",
                                          "cancelled_at"};
    for (int i = 0; i < 4; i++) {
        const char *s = f[C_RECV + i];
        w->t[i] = 0;
        if (*s && dt_parse_time(s, org_zone(c), &w->t[i]) < 0)
            return bad(err, n, "%s: not a time (RFC 3339 or YYYY-MM-DD HH:MM[:SS])", tnames[i]);
    }
    if (!*f[C_RECV])
        return bad(err, n, "received_at: required");
    const char *why = repair_status_from_times(&w->status, w->t[0], w->t[1], w->t[2], w->t[3]);
    return why ? bad(err, n, "status: %s", why) : 0;
}

/* The model named (upper-cased), if any. */
static int find_model(db_conn *c, struct rep_import_row *w, char *err, size_t n)
{
    const char *model = w->f[C_MODEL];
    if (!*model)
        return 0;
    char um[48];
    snprintf(um, sizeof um, "%s", model);
    for (char *p = um; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 32);
    db_stmt *st = db_prepare(c, "SELECT id, product_line_id FROM models WHERE code = ?");
    if (!st)
        return ROW_DB;
    db_bind_text(st, 1, um);
    int k = db_step(st);
    if (k == DB_ROW) {
        w->model_id = db_int(st, 0);
        w->line_id = db_int(st, 1);
    }
    db_done(st);
    if (k < 0)
        return ROW_DB;
    return k == DB_DONE ? bad(err, n, "model: unknown model %s", model) : 0;
}

/* The unit of the serial, if any: known (its model and warranty end win), or made
 * when the model is known. */
static int find_unit(db_conn *c, struct rep_import_row *w, int64_t now, char *err, size_t n)
{
    if (!*w->f[C_SERIAL])
        return 0;
    if (warranty_serial_normalize(w->f[C_SERIAL], w->serial) < 0)
        return bad(err, n, "serial: 4 to 32 letters, digits or dashes");
    db_stmt *st = db_prepare(c, "SELECT u.id, u.model_id, m.product_line_id, u.warranty_until"
                                " FROM units u JOIN models m ON m.id = u.model_id WHERE u.serial = ?");
    if (!st)
        return ROW_DB;
    db_bind_text(st, 1, w->serial);
    int k = db_step(st);
    if (k == DB_ROW) {
        w->unit_id = db_int(st, 0);
        w->model_id = db_int(st, 1);
        w->line_id = db_int(st, 2);
        if (!db_isnull(st, 3)) {
            snprintf(w->until_buf, sizeof w->until_buf, "%s", db_text(st, 3));
            w->until = w->until_buf;
        }
    }
    db_done(st);
    if (k < 0)
        return ROW_DB;
    if (w->unit_id || !w->model_id)
        return 0;
    db_stmt *ins = db_prepare(c, "INSERT INTO units (serial, model_id, customer_id,"
                                 " created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id");
    if (!ins)
        return ROW_DB;
    db_bind_text(ins, 1, w->serial);
    db_bind_int(ins, 2, w->model_id);
    db_bind_int(ins, 3, w->cust);
    db_bind_int(ins, 4, now);
    db_bind_int(ins, 5, now);
    k = db_step(ins);
    if (k == DB_ROW)
        w->unit_id = db_int(ins, 0);
    db_done(ins);
    return k == DB_ROW ? 0 : ROW_DB;
}

/* Check the line and resolve what it names, in the order the messages are given. */
static int check_row(db_conn *c, json_t *seen, struct rep_import_row *w, int64_t now, char *err,
                     size_t n)
{
    const char *const *f = w->f;
    int k = check_code(c, seen, f[C_CODE], err, n);
    if (k != 0)
        return k;
    if (!*f[C_CUST])
        return bad(err, n, "customer: required");
    k = customers_resolve(c, f[C_CUST], &w->cust, NULL);
    if (k == -1)
        return bad(err, n, "customer: unknown customer %s", f[C_CUST]);
    if (k < 0)
        return ROW_DB;
    if ((k = check_lifecycle(c, w, err, n)) != 0)
        return k;
    if (*f[C_OUTLET]) {
        k = lookup_id(c, "SELECT id FROM outlets WHERE code = ?", f[C_OUTLET], &w->outlet);
        if (k < 0)
            return ROW_DB;
        if (k == 1)
            return bad(err, n, "outlet: unknown outlet %s", f[C_OUTLET]);
    }
    if ((k = find_model(c, w, err, n)) != 0)
        return k;
    return find_unit(c, w, now, err, n);
}

static void bind_opt(db_stmt *st, int *p, int64_t v)
{
    if (v)
        db_bind_int(st, (*p)++, v);
    else
        db_bind_null(st, (*p)++);
}

/* The repair row. A repair imported as registered was not received yet: received_at
 * is when it was registered. 0 with *id, or ROW_DB. */
static int insert_row(db_conn *c, const struct rep_import_row *w, int64_t now, int64_t *id)
{
    int64_t registered = w->t[0];
    int64_t received = w->status == RS_REGISTERED ? 0 : w->t[0];
    int64_t in_warranty = -1;
    if (received) {
        char day[11];
        dt_local_date(org_zone(c), received, day);
        in_warranty = warranty_covers(w->until, day);
    }
    db_stmt *st = db_prepare(
        c, "INSERT INTO repairs (code, customer_id, unit_id, serial, model_id, product_line_id,"
           " outlet_id, kind, channel, status, fault, in_warranty, registered_at, received_at,"
           " repaired_at, delivered_at, cancelled_at, cancel_reason, created_at, updated_at)"
           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
    if (!st)
        return ROW_DB;
    int p = 1;
    db_bind_text(st, p++, w->f[C_CODE]);
    db_bind_int(st, p++, w->cust);
    bind_opt(st, &p, w->unit_id);
    db_bind_text(st, p++, *w->serial ? w->serial : NULL);
    bind_opt(st, &p, w->model_id);
    bind_opt(st, &p, w->line_id);
    bind_opt(st, &p, w->outlet);
    db_bind_text(st, p++, w->kind);
    db_bind_text(st, p++, w->channel);
    db_bind_text(st, p++, repair_status_name((enum repair_status)w->status));
    db_bind_text(st, p++, *w->f[C_FAULT] ? w->f[C_FAULT] : NULL);
    if (in_warranty >= 0)
        db_bind_int(st, p++, in_warranty);
    else
        db_bind_null(st, p++);
    db_bind_int(st, p++, registered);
    bind_opt(st, &p, received);
    bind_opt(st, &p, w->t[1]);
    bind_opt(st, &p, w->t[2]);
    bind_opt(st, &p, w->t[3]);
    db_bind_text(st, p++, w->t[3] ? "imported as cancelled" : NULL);
    db_bind_int(st, p++, now);
    db_bind_int(st, p++, now);
    int k = db_step(st);
    *id = k == DB_ROW ? db_int(st, 0) : 0;
    db_done(st);
    return k == DB_ROW ? 0 : ROW_DB;
}

/* The timeline as far as the times tell it, and the audit entry. 0 or ROW_DB. */
static int record_row(db_conn *c, const struct rep_import_row *w, int64_t id)
{
    const char *actor = import_actor;
    int64_t registered = w->t[0];
    int64_t received = w->status == RS_REGISTERED ? 0 : w->t[0];
    const char *status = repair_status_name((enum repair_status)w->status);
    if (rep_event_add(c, id, "registered", registered, actor) < 0 ||
        (received && rep_event_add(c, id, "received", received, actor) < 0))
        return ROW_DB;
    if (w->status > RS_RECEIVED && w->status < RS_REPAIRED &&
        rep_event_add(c, id, status, received, actor) < 0)
        return ROW_DB;
    if ((w->t[1] && rep_event_add(c, id, "repaired", w->t[1], actor) < 0) ||
        (w->t[2] && rep_event_add(c, id, "delivered", w->t[2], actor) < 0) ||
        (w->t[3] && rep_event_add(c, id, "cancelled", w->t[3], actor) < 0))
        return ROW_DB;
    json_t *detail = json_pack("{s:s, s:s, s:s?}", "customer", w->f[C_CUST], "status", status,
                               "serial", *w->serial ? w->serial : NULL);
    int k = audit_write(c, actor, "import", "repair", w->f[C_CODE], detail);
    json_decref(detail);
    return k < 0 ? ROW_DB : 0;
}

/* One line of the file: checked, stored, its timeline recorded. 0, ROW_BAD (=
 * IMPORT_BAD, the reason in ir->err) or ROW_DB. */
static int import_row(struct import_row *ir)
{
    struct rep_import_row w = {0};
    for (int i = 0; i < C_COUNT; i++)
        w.f[i] = import_field(ir, i);
    int64_t id;
    int k;
    if ((k = check_row(ir->c, ir->ctx, &w, ir->now, ir->err, sizeof ir->err)) != 0 ||
        (k = insert_row(ir->c, &w, ir->now, &id)) != 0)
        return k;
    return record_row(ir->c, &w, id);
}

int repairs_import_csv(db *d, const char *path, FILE *in)
{
    static const struct csv_column cols[] = {
        {"code", 1},        {"customer", 1},    {"serial", 0},       {"model", 0},
        {"outlet", 0},      {"kind", 0},        {"channel", 0},      {"status", 0},
        {"received_at", 1}, {"repaired_at", 0}, {"delivered_at", 0}, {"cancelled_at", 0},
        {"fault", 0},       {NULL, 0}};
    json_t *seen = json_object();
    const struct import_spec spec = {
        .kind = "repairs", .cols = cols, .row = import_row, .ctx = seen};
    int rc = import_csv(d, path, in, &spec);
    json_decref(seen);
    return rc;
}
