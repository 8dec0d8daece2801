/* features: the one list of capabilities. Each feature file exports its route table and,
 * when it has them, command-line importers, exporters and demo data. Adding a capability
 * = one line in each table here (see features.c), not edits across the tree. */
#ifndef FEATURES_FEATURES_H
#define FEATURES_FEATURES_H
#include <stdint.h>
#include <stdio.h>

#include "base/db.h"
#include "base/http.h"

/* Options of `aftersales demo`. */
struct demo_opts {
    long customers; /* 0: the small default set */
    long repairs;
    unsigned seed;
    long units; /* 0: half the repairs */
};

/* A CSV importer/exporter for `aftersales import|export KIND FILE`. Import returns 0 or
 * -1 after printing "FILE:LINE: reason" on stderr (nothing stored). */
struct csv_kind {
    const char *name;
    int (*import)(db *d, const char *path, FILE *in);
    int (*export)(db *d, FILE *out);
    const char *columns; /* the header row, for --help (NULL: not shown) */
};

/* Demo data filler: runs in order on an empty database. 0 or -1 (message on stderr). */
struct demo_step {
    const char *name;
    int (*fill)(db *d, const struct demo_opts *o);
};

/* A source of events for a customer's history timeline (M1). sql takes one parameter,
 * the customer id, and returns rows (at BIGINT unix seconds, code TEXT, summary TEXT). */
struct history_source {
    const char *kind; /* "repair", "warranty", "contact", ... */
    const char *sql;
};

extern const struct route *const feature_routes[]; /* NULL-terminated */
extern const struct history_source feature_history[]; /* zeroed entry ends it */
/* Statements that move a customer's records to another customer when two are merged:
 * each takes (survivor_id, duplicate_id), e.g.
 * "UPDATE repairs SET customer_id = ? WHERE customer_id = ?". NULL ends the list. */
extern const char *const feature_customer_moves[];
/* Statements that remove a customer's personal data kept by other features (copies of
 * phones, emails, names) when the customer is erased: each takes (customer_id,
 * customer_id) and applies to the customer and the records merged into it. NULL ends it. */
extern const char *const feature_customer_erasures[];
/* Statements run inside the transaction of every repair lifecycle step, after the repair
 * has moved (its status is the new one): each takes (actor TEXT, at BIGINT, repair_id
 * BIGINT), e.g. to record the customer's decision on a quote. NULL ends the list. */
extern const char *const feature_repair_steps[];
/* Functions run inside the transaction of every repair lifecycle step, after the
 * statements of feature_repair_steps: (c, repair id, the new status's name, now), e.g.
 * to invite the customer to a survey at delivery. 0 or a negative db code. NULL ends it. */
typedef int (*feature_repair_hook)(db_conn *c, int64_t repair_id, const char *status, int64_t now);
extern const feature_repair_hook feature_repair_hooks[];
/* Functions run inside the transaction that marks an on-site visit (appointment)
 * completed: (c, appointment id, now). 0 or a negative db code. NULL ends it. */
typedef int (*feature_visit_hook)(db_conn *c, int64_t appointment_id, int64_t now);
extern const feature_visit_hook feature_visit_hooks[];
extern const struct csv_kind feature_csv[];        /* zeroed entry ends it */
extern const struct demo_step feature_demo[];      /* zeroed entry ends it */

/* Each feature's route table, CSV kinds and demo step: declared in the capability's
 * header (features/<capability>/<capability>.h). */

#endif
