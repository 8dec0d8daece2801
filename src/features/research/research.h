/* research: market research questionnaires of M12 (single choice, multiple choice,
 * scale and text questions sent to a segment, answered by signed single-use links on
 * the portal, counted and exported); the public API of the folder. */
#ifndef FEATURES_RESEARCH_H
#define FEATURES_RESEARCH_H
#include "base/http.h"

extern const struct route research_routes[];

#endif
