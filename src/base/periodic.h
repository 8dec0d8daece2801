/* periodic: a background thread that runs one pass every N seconds until stopped (the
 * passes serve runs beside the HTTP server). */
#ifndef BASE_PERIODIC_H
#define BASE_PERIODIC_H

struct periodic;

/* Start a thread calling fn(arg) at once and then every interval_s seconds (the wait is
 * cut short by periodic_stop). NULL when interval_s <= 0 (off) or the thread cannot start. */
struct periodic *periodic_start(int interval_s, void (*fn)(void *arg), void *arg);
/* Stop and join the thread (a pass under way finishes first); NULL is fine. */
void periodic_stop(struct periodic *p);

#endif
