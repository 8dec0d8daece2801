/* libFuzzer target: every CSV importer of `aftersales import KIND` (the feature_csv table)
 * on the demo database (tests/fuzz/harness.c). Input: byte 0 picks the kind; the rest is
 * the file. An import must succeed or fail as a whole without a crash, a leak or undefined
 * behaviour, and leave no transaction open. Seeds in tests/fuzz/corpus/import/. */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/db_impl.h"
#include "features/features.h"
#include "harness.h"

static const struct csv_kind *kinds[64];
static int nkinds;
static sqlite3 *handle;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    harness_init();
    for (const struct csv_kind *k = feature_csv; k->name && nkinds < 64; k++)
        if (k->import)
            kinds[nkinds++] = k;
    if (getenv("FUZZ_LIST")) { /* for scripts/fuzz-seeds: what byte 0 picks */
        for (int i = 0; i < nkinds; i++)
            printf("%d %s %s\n", i, kinds[i]->name, kinds[i]->columns ? kinds[i]->columns : "");
        exit(0);
    }
    db_conn *c = db_acquire(harness_db());
    handle = c->handle;
    db_release(c);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const struct csv_kind *k = kinds[data[0] % nkinds];
    data++, size--;
    char *copy = malloc(size + 1);
    if (!copy)
        abort();
    memcpy(copy, data, size);
    FILE *f = size ? fmemopen(copy, size, "r") : fopen("/dev/null", "r");
    if (!f)
        abort();
    struct timespec t0, t1;
    static int timing = -1;
    if (timing < 0)
        timing = getenv("FUZZ_TIMING") != NULL;
    if (timing)
        clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = k->import(harness_db(), "fuzz.csv", f);
    if (timing) { /* FUZZ_TIMING=1: each import's time, kind, outcome and size */
        clock_gettime(CLOCK_MONOTONIC, &t1);
        printf("T %lld %s %s %zu\n",
               (long long)(t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000,
               k->name, rc == 0 ? "ok" : "refused", size);
    }
    if (!sqlite3_get_autocommit(handle))
        abort(); /* the import left a transaction open */
    fclose(f);
    free(copy);
    harness_reset();
    return 0;
}
