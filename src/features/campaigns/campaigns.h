/* campaigns: segments of M12 (saved customer filters with a live count and sample);
 * the public API of the folder. */
#ifndef FEATURES_CAMPAIGNS_H
#define FEATURES_CAMPAIGNS_H
#include "base/http.h"

extern const struct route campaigns_routes[];

#endif
