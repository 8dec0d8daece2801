/* kpi: turnaround and quality KPI arithmetic (SPEC "KPI definitions") over instants;
 * local days and zones are base/datetime's. Pure: no I/O. */
#ifndef RULES_KPI_H
#define RULES_KPI_H
#include <stddef.h>
#include <stdint.h>

#define KPI_NONE INT64_MIN            /* an absent instant */
#define KPI_4D_SECONDS (96 * 3600)    /* TAT <= 96 h is "within 4 days" */
#define KPI_14D_SECONDS (336 * 3600)  /* TAT > 336 h is "over 14 days" */
#define KPI_RR90_SECONDS (2160 * 3600) /* the re-repair window */

/* The times of one repair (unix seconds UTC, KPI_NONE when absent). serial is the
 * stored (upper-cased) serial or NULL; cancelled is 1 for a cancelled repair. */
struct kpi_rec {
    int64_t id;
    int64_t received_at, repaired_at, delivered_at;
    const char *serial;
    int cancelled;
};

/* Counts of one period (and one group). Rates are derived by kpi_rate. */
struct kpi_counts {
    int64_t completed;     /* repaired in [from, to), not cancelled, received */
    int64_t within_4d;     /* ... with TAT <= 96 h */
    int64_t over_14d;      /* ... with TAT > 336 h */
    int64_t with_serial;   /* ... with a known serial (the RR90 denominator) */
    int64_t rr90;          /* ... with a known serial that came back within 2160 h */
    int64_t open_over_14d; /* received before to - 336 h, not repaired at to */
};

enum { KPI_F_WITHIN_4D = 1, KPI_F_OVER_14D = 2 };

/* 1 when r counts at all (not cancelled, received, repaired). */
int kpi_is_completed(const struct kpi_rec *r);
/* KPI_F_* flags of a completed repair's TAT (0 for one that is not completed). */
int kpi_tat_flags(const struct kpi_rec *r);
/* The instant the RR90 window opens: delivered_at, else repaired_at (KPI_NONE if neither). */
int64_t kpi_rr90_anchor(const struct kpi_rec *r);
/* 1 when `back` is a return of `done`: both not cancelled, same known serial, different
 * repairs, back received within [anchor, anchor + 2160 h] of done. */
int kpi_is_return(const struct kpi_rec *done, const struct kpi_rec *back);
/* 1 when r is open at instant `to` and has been for more than 336 h: received before
 * to - 336 h, not cancelled, not repaired at to. */
int kpi_is_open_over_14d(const struct kpi_rec *r, int64_t to);

/* All counts for the period [from, to) over n records (any order). The records must
 * hold every repair that could be a return (all repairs of the serials involved).
 * Returns 0, or -1 when memory runs out. */
int kpi_compute(const struct kpi_rec *recs, size_t n, int64_t from, int64_t to,
                struct kpi_counts *out);
/* Per-record flags for the same arithmetic: out[i] gets KPI_F_* | KPI_F_COMPLETED |
 * KPI_F_SERIAL | KPI_F_RR90 for recs[i]. 0 or -1 (memory). */
enum { KPI_F_COMPLETED = 4, KPI_F_SERIAL = 8, KPI_F_RR90 = 16 };
int kpi_flags(const struct kpi_rec *recs, size_t n, int *out);

/* num / den into *rate; returns 0 and leaves *rate alone when den is 0 (a null rate). */
int kpi_rate(int64_t num, int64_t den, double *rate);

/* Local days and zones: base/datetime.h. */

#endif
