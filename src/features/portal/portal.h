/* portal: the customer's public repair status lookup (M4, M14): the route table. */
#ifndef FEATURES_PORTAL_PORTAL_H
#define FEATURES_PORTAL_PORTAL_H
#include "base/http.h"

extern const struct route portal_routes[];

#endif
