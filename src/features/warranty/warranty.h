/* warranty: warranty registration (M3) and warranty lookup by serial: the route table. */
#ifndef FEATURES_WARRANTY_WARRANTY_H
#define FEATURES_WARRANTY_WARRANTY_H
#include "base/http.h"

extern const struct route warranty_routes[];

#endif
