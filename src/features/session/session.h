/* session: staff log in and out and ask who they are: the route table and the demo
 * staff accounts. */
#ifndef FEATURES_SESSION_SESSION_H
#define FEATURES_SESSION_SESSION_H
#include "base/db.h"
#include "base/http.h"
#include "features/features.h"

extern const struct route session_routes[];
int session_demo(db *d, const struct demo_opts *o);

#endif
