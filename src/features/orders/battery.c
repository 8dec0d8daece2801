/* orders: the genuine-battery check (M14): `aftersales import battery-serials FILE`
 * stores the serials of genuine batteries, and GET /api/v1/public/battery/{serial}
 * answers only "genuine" or "unknown", nothing else about the battery. */
#include <string.h>

#include "features/orders/internal.h"

#define SERIAL_MAX 40

/* The serial trimmed and upper-cased into out; 0, or -1 when it is not 4 to 40
 * letters, digits or dashes. */
static int serial_norm(const char *s, char out[SERIAL_MAX + 1])
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    if (n < 4 || n > SERIAL_MAX)
        return -1;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 32);
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-'))
            return -1;
        out[i] = ch;
    }
    out[n] = 0;
    return 0;
}

static int import_serial(struct import_row *ir)
{
    char s[SERIAL_MAX + 1];
    if (serial_norm(import_field(ir, 0), s) < 0)
        return import_bad(ir, "serial: 4 to 40 letters, digits or dashes");
    int64_t e = db_exec(ir->c, "INSERT INTO battery_serials (serial, imported_at) VALUES (?, ?)"
                               " ON CONFLICT (serial) DO NOTHING", "ti", s, ir->now);
    return e < 0 ? (int)e : 0;
}

int orders_import_battery_serials(db *d, const char *path, FILE *in)
{
    static const struct csv_column cols[] = {{"serial", 1}, {NULL, 0}};
    struct import_spec spec = {"battery serials", cols, import_serial, NULL, NULL};
    return import_csv(d, path, in, &spec);
}

int ord_battery(req *r)
{
    char s[SERIAL_MAX + 1];
    const char *verdict = "unknown";
    if (serial_norm(req_param(r, "serial") ? req_param(r, "serial") : "", s) < 0)
        return reply_bad_param(r, "serial", "4 to 40 letters, digits or dashes");
    {
        db_conn *c = req_db(r);
        db_stmt *st = db_prepare(c, "SELECT 1 FROM battery_serials WHERE serial = ?");
        if (!st)
            return -1;
        db_bind_text(st, 1, s);
        int rc = db_step(st);
        db_done(st);
        if (rc < 0)
            return reply_db_failure(r, rc, "battery check");
        if (rc == DB_ROW)
            verdict = "genuine";
    }
    return reply_json(r, 200, json_pack("{s:s}", "result", verdict));
}
