/* orders: `aftersales import accessories FILE`: which parts of the catalog are on sale
 * on the portal (part,kind[,sort]; kind battery, memory_card, accessory or product: a
 * finished product, such as a speaker or headphones, is a part of the catalog too, with
 * its stock in the ledger, so it is ordered, reserved and shipped the same way). A row for a
 * part already on sale updates its kind and place. */
#include <stdlib.h>
#include <string.h>

#include "features/orders/internal.h"
#include "features/parts/parts.h"

enum { C_PART, C_KIND, C_SORT };

static int import_accessory(struct import_row *ir)
{
    const char *number = code_upper(ir->a, import_field(ir, C_PART));
    const char *kind = import_field(ir, C_KIND), *sort = import_field(ir, C_SORT);
    if (strcmp(kind, "battery") && strcmp(kind, "memory_card") && strcmp(kind, "accessory") &&
        strcmp(kind, "product"))
        return import_bad(ir, "kind: battery, memory_card, accessory or product");
    char *end = NULL;
    long s = *sort ? strtol(sort, &end, 10) : 0;
    if (*sort && (*end || s < 0 || s > 100000))
        return import_bad(ir, "sort: a whole number from 0 to 100000");
    int64_t id, price;
    int rc = parts_lookup(ir->c, number, &id, &price);
    if (rc == 1)
        return import_bad(ir, "part: no part %s in the catalog", number);
    if (rc < 0)
        return rc;
    int64_t e = db_exec(ir->c, "INSERT INTO accessories (part_id, kind, sort) VALUES (?, ?, ?)"
                               " ON CONFLICT (part_id) DO UPDATE SET kind = excluded.kind,"
                               " sort = excluded.sort", "iti", id, kind, (int64_t)s);
    return e < 0 ? (int)e : 0;
}

int orders_import_accessories(db *d, const char *path, FILE *in)
{
    static const struct csv_column cols[] = {{"part", 1}, {"kind", 1}, {"sort", 0}, {NULL, 0}};
    struct import_spec spec = {"accessories", cols, import_accessory, NULL, NULL};
    return import_csv(d, path, in, &spec);
}
