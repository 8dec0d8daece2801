/* repairs: repairs from registration to hand-back (M4): the route table, the CSV
 * import/export of historic repairs, the demo repairs, and the UTC+8 local date the
 * demo generator uses (util.c). */
#ifndef FEATURES_REPAIRS_REPAIRS_H
#define FEATURES_REPAIRS_REPAIRS_H
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "base/db.h"
#include "base/http.h"
#include "features/features.h"

extern const struct route repairs_routes[];
int repairs_import_csv(db *d, const char *path, FILE *in);
int repairs_export_csv(db *d, FILE *out);
int repairs_demo(db *d, const struct demo_opts *o);

/* One lifecycle step of repair `code` inside the caller's open write transaction,
 * checked and recorded exactly as POST /api/v1/repairs/:code/transitions makes it
 * (confinement, role, state, timeline, audit, the feature_repair_steps statements).
 * to: a status name; quote_fen: > 0 for quoted, else -1; reason: for cancelled, else
 * NULL. The step to quoted is made only here, by the quote route, which priced it;
 * POST .../transitions refuses it (422 quote_required). Returns 0 when the step was made, with *out the repair as GET answers it (the
 * caller commits, then answers; it owns *out); 1 after answering a refusal itself (404
 * hidden or missing, 403, 409, 422: the caller rolls back); -1 on a database error. */
int repairs_step(req *r, db_conn *c, const char *code, const char *to, int64_t quote_fen,
                 const char *reason, json_t **out);
/* ---- for the parts capability (parts.c) ---- */

/* A repair as another capability needs it. status: enum repair_status; in_warranty:
 * 1, 0 or -1 (not decided yet). */
struct repair_ref {
    int64_t id, outlet_id, version; /* outlet_id 0: none */
    int status, in_warranty;
};
/* Find repair `code` as outlet scope `scope` may see it (0: all; see scope_outlet). 0
 * with *out, 1 when not found or another outlet's, or a negative db code. */
int repairs_ref(db_conn *c, const char *code, int64_t scope, struct repair_ref *out);
/* Why a paid repair may not skip its quote (rules/repair_state.h repair_skips_quote),
 * the message of the 409 quote_not_approved, in arena a. */
const char *repairs_quote_first_msg(arena *a, const char *code);
/* 1 when the repair is waiting for parts already, or role may move it there. */
int repairs_can_wait_for_parts(const struct repair_ref *ref, unsigned role);
/* Inside the caller's transaction: move the repair to waiting_parts (timeline event and
 * audit), as the lifecycle allows. 0 when moved or already waiting, 1 when its state
 * has no way there, or a negative db code. */
int repairs_wait_for_parts(db_conn *c, const struct repair_ref *ref, const char *actor,
                           int64_t now);

/* ---- for demo.c (util.c) ---- */

/* Local time is Asia/Shanghai: UTC+8 all year (no daylight saving since 1991). */
#define REP_TZ_OFFSET (8 * 3600)

/* The local date at UTC+8 of instant t, "YYYY-MM-DD". */
void rep_local_date(int64_t t, char out[11]);

#endif
