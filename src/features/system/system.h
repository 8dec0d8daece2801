/* system: liveness, Prometheus metrics and the API description: the route table. */
#ifndef FEATURES_SYSTEM_SYSTEM_H
#define FEATURES_SYSTEM_SYSTEM_H
#include "base/http.h"

extern const struct route system_routes[];

#endif
