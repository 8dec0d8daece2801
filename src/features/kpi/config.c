/* kpi: the configured time zone and bucket offset (the zone itself comes from
 * base/datetime's cache of the system's zoneinfo). */
#include "base/log.h"
#include "features/kpi/internal.h"

#include <stdio.h>

/* ---------------------------------------------------------------- config */

int kpi_cfg_load(db_conn *c, struct kpi_cfg *cfg)
{
    db_stmt *st = db_prepare(c, "SELECT time_zone, bucket_offset FROM kpi_config WHERE id = 1");
    if (!st)
        return -1;
    int rc = -1;
    if (db_step(st) == DB_ROW) {
        snprintf(cfg->zone, sizeof cfg->zone, "%s", db_text(st, 0));
        cfg->bucket_offset = db_int(st, 1);
        rc = 0;
    }
    db_done(st);
    if (rc == 0 && !(cfg->z = dt_zone_get(cfg->zone))) {
        log_error("kpi: time zone %s not found in the zoneinfo", cfg->zone);
        rc = -1;
    }
    return rc;
}
