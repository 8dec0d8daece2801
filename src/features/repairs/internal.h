/* repairs: what the files of the repairs folder share with each other (not used outside
 * it): the list of kinds and channels, lookups, the repair columns
 * and their JSON, timeline events and the handlers of the route table. */
#ifndef FEATURES_REPAIRS_INTERNAL_H
#define FEATURES_REPAIRS_INTERNAL_H
#include "features/repairs/repairs.h"

extern const char *const rep_kinds[];    /* NULL-terminated */
extern const char *const rep_channels[]; /* NULL-terminated */

/* 1 when s is one of list. */
int rep_in_list(const char *const *list, const char *s);
/* One timeline event of repair id. */
int rep_event_add(db_conn *c, int64_t id, const char *status, int64_t at, const char *actor);

/* The columns rep_repair_row_json reads, and the joins they come from. */
#define REPAIR_COLS                                                                            \
    "r.id, r.code, r.status, r.kind, r.channel, r.fault, r.in_warranty, r.quote_fen,"          \
    " r.cancel_reason, cu.code, cu.name, r.serial, m.code, m.name, p.code, p.name, o.code,"     \
    " o.name, o.phone, r.registered_at, r.received_at, r.repaired_at, r.delivered_at,"          \
    " r.cancelled_at, r.version, r.outlet_id, u.warranty_until"
#define REPAIR_FROM                                                                            \
    " FROM repairs r JOIN customers cu ON cu.id = r.customer_id"                                \
    " LEFT JOIN units u ON u.id = r.unit_id LEFT JOIN models m ON m.id = r.model_id"            \
    " LEFT JOIN product_lines p ON p.id = r.product_line_id LEFT JOIN outlets o ON o.id = r.outlet_id"

/* One repair row (REPAIR_COLS) as JSON; full adds the detail fields. */
json_t *rep_repair_row_json(db_stmt *st, int full);
/* Load one repair as the caller may see it. 0 with *out, 1 when not found (or another
 * outlet's), or a negative db code. */
int rep_repair_load(db_conn *c, const char *code, int64_t outlet, unsigned role, json_t **out,
                    int64_t *id_out);

/* Route handlers (routes.c holds the table). */
int repairs_list(req *r);
int repairs_create(req *r);
int repairs_transition(req *r);

#endif
