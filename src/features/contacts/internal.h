/* contacts: what the files of the contacts folder share (nobody else includes it): the
 * value sets, the hotline hours check, the contact JSON, the CTI call store and the
 * route handlers. */
#ifndef FEATURES_CONTACTS_INTERNAL_H
#define FEATURES_CONTACTS_INTERNAL_H
#include <jansson.h>

#include "features/common/common.h"
#include "features/contacts/contacts.h"

extern const char *const ct_channels[];
extern const char *const ct_directions[];
extern const char *const ct_reasons[];
extern const char *const ct_outcomes[];
/* 1 when s is one of the NULL-ended set. */
int ct_in(const char *const *set, const char *s);

/* *closed = 1 when hotline id's calendar is closed at t. 0, 1 no such hotline, or <0. */
int ct_hotline_closed(db_conn *c, int64_t hotline_id, int64_t t, int *closed);

#endif
