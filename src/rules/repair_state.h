/* repair_state: the repair lifecycle of SPEC M4 as a table. Pure functions, no I/O.
 *
 *   registered -> received -> diagnosing -> (quoted -> approved) -> waiting_parts
 *   -> repairing -> repaired -> delivered; any open state -> cancelled.
 *
 * Who may make a transition is given as a mask of role bits; the bits are the same as
 * ROLE_* in base/http.h (features/repairs/common.c asserts that at compile time). */
#ifndef RULES_REPAIR_STATE_H
#define RULES_REPAIR_STATE_H
#include <stdint.h>

enum repair_status {
    RS_REGISTERED,
    RS_RECEIVED,
    RS_DIAGNOSING,
    RS_QUOTED,
    RS_APPROVED,
    RS_WAITING_PARTS,
    RS_REPAIRING,
    RS_REPAIRED,
    RS_DELIVERED,
    RS_CANCELLED,
    RS_COUNT,
};

/* Role bits (equal to ROLE_* in base/http.h). */
enum {
    RS_ROLE_ADMIN = 1u << 0,
    RS_ROLE_SUPERVISOR = 1u << 1,
    RS_ROLE_AGENT = 1u << 2,
    RS_ROLE_OUTLET_MANAGER = 1u << 3,
    RS_ROLE_TECHNICIAN = 1u << 4,
};

/* What a transition needs besides the role. */
enum {
    RS_NEEDS_QUOTE = 1u << 0,  /* a quote amount (fen, > 0) */
    RS_NEEDS_REASON = 1u << 1, /* a non-empty reason */
};

/* Which instant column a transition into `to` sets (NULL for none). */
enum { RS_TIME_NONE, RS_TIME_RECEIVED, RS_TIME_REPAIRED, RS_TIME_DELIVERED, RS_TIME_CANCELLED };

struct repair_transition {
    enum repair_status from, to;
    unsigned roles;
    unsigned needs;
};

/* Status names ("registered", ...) <-> values. -1 for an unknown name. */
const char *repair_status_name(enum repair_status s);
int repair_status_parse(const char *name);
/* 1 for delivered and cancelled. */
int repair_status_final(enum repair_status s);

/* The transition from -> to, or NULL when the lifecycle has none. */
const struct repair_transition *repair_transition_find(enum repair_status from,
                                                       enum repair_status to);

/* Verdicts of repair_transition_check. */
enum {
    RS_OK = 0,
    RS_ILLEGAL = 1,        /* no such transition (answer 409) */
    RS_FORBIDDEN_ROLE = 2, /* the role may not make it (answer 403) */
    RS_MISSING_QUOTE = 3,  /* quoted needs quote_fen > 0 (answer 422) */
    RS_MISSING_REASON = 4, /* cancelled needs a reason (answer 422) */
};
/* Check a transition by a role: quote_fen < 0 when none given, reason NULL when none. */
int repair_transition_check(enum repair_status from, enum repair_status to, unsigned role,
                            int64_t quote_fen, const char *reason);

/* 1 when moving a repair from `from` to `to` would skip the quote a paid repair needs:
 * an out-of-warranty repair (in_warranty 0; 1 in warranty, -1 not known yet) gets a
 * quote from the price guide, which the customer approves or declines, before parts
 * are requested or the repair starts (SPEC M4: diagnosing -> (quoted -> approved) ->
 * waiting for parts; "Out-of-warranty repairs get a quote"). So diagnosing ->
 * waiting_parts and diagnosing -> repairing are for repairs in warranty only; a paid
 * repair goes through quoted and approved. 0 otherwise. */
int repair_skips_quote(enum repair_status from, enum repair_status to, int in_warranty);

/* The next states `role` may move a repair in `from` to; returns how many were written
 * into out (at most RS_COUNT). */
int repair_next_states(enum repair_status from, unsigned role, enum repair_status out[RS_COUNT]);

/* Which instant column entering `to` stamps (RS_TIME_*). */
int repair_status_time(enum repair_status to);

/* Imports: check (or derive, when *status is -1) a status from the instants present
 * (0 = absent). received is required by the import contract; for status registered it
 * is the registration time. Returns NULL when consistent (and sets *status when derived)
 * or a static English reason. */
const char *repair_status_from_times(int *status, int64_t received, int64_t repaired,
                                     int64_t delivered, int64_t cancelled);

#endif
