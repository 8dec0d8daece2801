/* warranty: what the files of the warranty folder share with each other (not used
 * outside it): a unit as JSON and the registration handlers of the route table. */
#ifndef FEATURES_WARRANTY_INTERNAL_H
#define FEATURES_WARRANTY_INTERNAL_H
#include <jansson.h>

#include "base/db.h"
#include "base/http.h"
#include "features/common/common.h"
#include "features/warranty/warranty.h"

/* The unit's registration as JSON (staff: with the owner). 0 with *out, 1 when there is
 * no such unit, or a negative db code. */
int wty_unit_json(db_conn *c, const char *serial, int staff, json_t **out);

/* POST /api/v1/public/warranty-registrations and POST /api/v1/warranty-registrations. */
int wty_registrations_public(req *r);
int wty_registrations_staff(req *r);

#endif
