/* kpi: the configured time zone and bucket offset, and the zones parsed from the
 * system's zoneinfo (kept for the life of the process). */
#include "base/log.h"
#include "features/kpi/internal.h"
#include "rules/kpi.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- zone and config */

static pthread_mutex_t zone_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    char name[64];
    struct kpi_zone z;
} zone_cache[8];
static int zone_count;

static int zone_name_ok(const char *n)
{
    size_t len = strlen(n);
    if (len == 0 || len >= 64 || n[0] == '/' || strstr(n, ".."))
        return 0;
    return strspn(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_+-/") == len;
}

/* The parsed zone `name` from the system's zoneinfo (TZDIR overrides the directory).
 * Loaded once and kept for the life of the process; NULL when unknown. */
const struct kpi_zone *kpi_zone_get(const char *name)
{
    if (!zone_name_ok(name))
        return NULL;
    const struct kpi_zone *found = NULL;
    pthread_mutex_lock(&zone_lock);
    for (int i = 0; i < zone_count; i++)
        if (strcmp(zone_cache[i].name, name) == 0) {
            found = &zone_cache[i].z;
            goto done;
        }
    if (zone_count == (int)(sizeof zone_cache / sizeof zone_cache[0]))
        goto done;
    const char *dir = getenv("TZDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
    FILE *f = fopen(path, "rb");
    if (!f)
        goto done;
    static unsigned char data[1 << 17];
    size_t n = fread(data, 1, sizeof data, f);
    fclose(f);
    if (kpi_zone_parse(data, n, &zone_cache[zone_count].z) == 0) {
        snprintf(zone_cache[zone_count].name, sizeof zone_cache[0].name, "%s", name);
        found = &zone_cache[zone_count++].z;
    }
done:
    pthread_mutex_unlock(&zone_lock);
    return found;
}

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
    if (rc == 0 && !(cfg->z = kpi_zone_get(cfg->zone))) {
        log_error("kpi: time zone %s not found in the zoneinfo", cfg->zone);
        rc = -1;
    }
    return rc;
}
