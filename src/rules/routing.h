/* routing: which outlet a new repair goes to (M6), and the coverage arithmetic.
 * Pure logic: the caller gathers the candidates (active outlets that cover the
 * customer's county and are authorised for the product line) and their loads. */
#ifndef RULES_ROUTING_H
#define RULES_ROUTING_H
#include <stddef.h>
#include <stdint.h>

/* How far an outlet sits from the customer in the region tree. */
enum routing_distance {
    ROUTING_SAME_COUNTY = 0,
    ROUTING_SAME_CITY = 1,
    ROUTING_SAME_PROVINCE = 2,
    ROUTING_ELSEWHERE = 3,
};

struct routing_candidate {
    int64_t outlet_id;
    const char *code;     /* borrowed */
    const char *grade;    /* "A".."D" or NULL */
    int64_t open_repairs; /* repairs in progress at the outlet */
    int64_t capacity;     /* repairs in progress it can hold; <= 0: none */
    int distance;         /* enum routing_distance */
    /* filled by routing_rank */
    double load;          /* open / capacity (1 when capacity <= 0) */
    double score;         /* lower is better */
    int full;             /* open >= capacity */
};

/* Distance between a customer's county code and an outlet's region code (both
 * six-digit GB/T 2260; the outlet's may be a city or province code). */
int routing_distance(const char *customer_county, const char *outlet_region);

/* 0 for grade A, 1 B, 2 C, 3 D; 4 for none or anything else. */
int routing_grade_rank(const char *grade);

/* Compute load, full and score of each candidate and sort them best first:
 * outlets with room before full ones; then by score = load + 0.15 per grade step
 * below A + 0.2 per step of distance (county, city, province, elsewhere); ties by
 * code. Stable and deterministic. */
void routing_rank(struct routing_candidate *c, size_t n);

/* "chosen because …" for the first candidate (c[0]) among n ranked ones, as a
 * malloc'd string; customer_county and line are quoted in it. NULL when n == 0. */
char *routing_explain(const struct routing_candidate *c, size_t n, const char *customer_county,
                      const char *line);

/* Coverage = covered / total as a rate; a zero total is no rate: returns -1. */
double coverage_rate(int64_t covered, int64_t total);

/* Does a cover code (county, city or province, six digits) include the county? */
int coverage_includes(const char *cover, const char *county, const char *county_city);

/* 1 when s is a six-digit region code. */
int region_code_valid(const char *s);

/* ---- on-site appointments (instants and local days: base/datetime.h) ---- */

/* Minutes after midnight of "HH:MM" (00:00 .. 24:00), or -1. */
int hhmm_minutes(const char *s);
/* ISO weekday (1 Monday .. 7 Sunday) of a valid "YYYY-MM-DD", or 0. */
int date_weekday(const char *date);

/* Free slots of len minutes in opening hours [opens, closes) (minutes after midnight),
 * starting at opens and every len minutes, that overlap none of the n busy intervals
 * [busy_from[i], busy_to[i]). Writes at most max slot starts to out; returns how many. */
size_t free_slots(int opens, int closes, int len, const int *busy_from, const int *busy_to,
                  size_t n, int *out, size_t max);

#endif
