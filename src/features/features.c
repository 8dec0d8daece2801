/* features: the tables that bind every capability into the program. */
#include "features/features.h"

const struct route *const feature_routes[] = {
    system_routes,
    session_routes,
    NULL,
};

const struct history_source feature_history[] = {
    {0},
};

const char *const feature_customer_moves[] = {
    "UPDATE units SET customer_id = ? WHERE customer_id = ?",
    "UPDATE repairs SET customer_id = ? WHERE customer_id = ?",
    "UPDATE outbox SET customer_id = ? WHERE customer_id = ?",
    NULL,
};

const struct csv_kind feature_csv[] = {
    {0},
};

const struct demo_step feature_demo[] = {
    {"staff", session_demo},
    {0},
};
