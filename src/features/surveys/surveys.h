/* surveys: satisfaction surveys after a delivered repair or a completed on-site visit
 * (M11): the route table, the hooks the repair lifecycle and the visit completion call,
 * the KPI slices of dispatch_satisfaction, and the demo surveys. */
#ifndef FEATURES_SURVEYS_SURVEYS_H
#define FEATURES_SURVEYS_SURVEYS_H
#include <stdint.h>

#include "base/db.h"
#include "base/http.h"
#include "features/common/common.h"
#include "features/features.h"

extern const struct route surveys_routes[];
int surveys_demo(db *d, const struct demo_opts *o);

/* Inside the transaction of a repair step (see feature_repair_hooks): at delivered,
 * invite the repair's customer. 0 or a negative db code. */
int surveys_repair_step(db_conn *c, int64_t repair_id, const char *status, int64_t now);
/* Inside the transaction of a visit's completion (see feature_visit_hooks): invite the
 * customer of the appointment's repair. 0 or a negative db code. */
int surveys_visit_done(db_conn *c, int64_t appointment_id, int64_t now);

/* KPI slices (see kpi_slice): per key and bucket of the invitation time, three pairs
 * from one scan: fns[0] (visit surveys sent, answered), fns[1] (visit surveys answered,
 * satisfied = overall >= 4), fns[2] (all surveys answered, satisfied). 0 or a negative
 * db code. */
int surveys_kpi_rows(db_conn *c, const struct kpi_slice *s, const kpi_row_fn fns[3], void *arg);

#endif
