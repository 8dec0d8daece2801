/* metrics: request counters and latency histograms, rendered in Prometheus text format. */
#ifndef BASE_METRICS_H
#define BASE_METRICS_H
#include "base/buf.h"

/* Pseudo route indexes for requests that matched no route. */
enum { METRICS_STATIC = -2, METRICS_UNMATCHED = -1 };

void metrics_observe(int route_index, int status, double seconds);
void metrics_render(buf *out);

#endif
