/* In-process customer matching latency (bench/customers.sh builds and runs it).
 * usage: customers_match DB PROBES N
 * PROBES: lines "kind<TAB>value" with kind phone, email or name, as typed (the phone in a
 * display form). For each kind, N lookups cycle through its probes; each lookup is the
 * whole path of GET /customers/match without HTTP: normalise (identity_*) and
 * customers_match() (candidate queries, identities of each candidate, strength, JSON).
 * Prints one line per kind: "kind n p50_us p90_us p99_us max_us found%". */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/db.h"
#include "features/customers/customers.h"
#include "rules/identity.h"

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s DB PROBES N\n", argv[0]);
        return 2;
    }
    long n = atol(argv[3]);
    db *d = NULL;
    char *err = NULL;
    if (db_open(argv[1], 1, &d, &err) < 0) {
        fprintf(stderr, "%s\n", err ? err : "cannot open");
        return 1;
    }
    FILE *f = fopen(argv[2], "r");
    if (!f) {
        perror(argv[2]);
        return 1;
    }
    static const char *kinds[] = {"phone", "email", "name"};
    char **probes[3] = {0};
    long np[3] = {0}, cap[3] = {0};
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *tab = strchr(line, '\t');
        if (!tab)
            continue;
        *tab = '\0';
        for (int k = 0; k < 3; k++)
            if (strcmp(line, kinds[k]) == 0) {
                if (np[k] == cap[k]) {
                    cap[k] = cap[k] ? cap[k] * 2 : 1024;
                    probes[k] = realloc(probes[k], (size_t)cap[k] * sizeof *probes[k]);
                }
                probes[k][np[k]++] = strdup(tab + 1);
            }
    }
    fclose(f);
    db_conn *c = db_acquire(d);
    double *lat = malloc((size_t)n * sizeof *lat);
    for (int k = 0; k < 3; k++) {
        if (!np[k])
            continue;
        long found = 0;
        for (long i = 0; i < n; i++) {
            const char *v = probes[k][i % np[k]];
            char ph[IDENTITY_PHONE_MAX] = "", em[IDENTITY_EMAIL_MAX] = "",
                 nk[IDENTITY_NAME_KEY_MAX] = "";
            double t0 = now_us();
            if (k == 0)
                identity_phone(v, ph, NULL);
            else if (k == 1)
                identity_email(v, em);
            else
                identity_name_key(v, nk);
            json_t *m = NULL;
            if (customers_match(c, ph, em, nk, NULL, 0, &m) < 0) {
                fprintf(stderr, "match failed: %s\n", db_errmsg(c));
                return 1;
            }
            lat[i] = now_us() - t0;
            found += json_array_size(m) > 0;
            json_decref(m);
        }
        qsort(lat, (size_t)n, sizeof *lat, cmp_d);
        printf("%s %ld %.1f %.1f %.1f %.1f %.1f\n", kinds[k], n, lat[n / 2], lat[n * 9 / 10],
               lat[n * 99 / 100], lat[n - 1], 100.0 * (double)found / (double)n);
    }
    free(lat);
    db_release(c);
    db_close(d);
    identity_thread_cleanup();
    return 0;
}
