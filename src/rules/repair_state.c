/* repair_state: the repair lifecycle (SPEC M4) as one table of transitions. */
#include "rules/repair_state.h"

#include <string.h>

static const char *const names[RS_COUNT] = {
    "registered", "received", "diagnosing", "quoted",    "approved",
    "waiting_parts", "repairing", "repaired", "delivered", "cancelled",
};

#define OUTLET (RS_ROLE_OUTLET_MANAGER | RS_ROLE_TECHNICIAN)
#define BOSS (RS_ROLE_SUPERVISOR | RS_ROLE_ADMIN)
/* Who cancels: the agent (customer withdraws) and the outlet's manager, not technicians. */
#define CANCELLERS (RS_ROLE_AGENT | RS_ROLE_OUTLET_MANAGER | BOSS)

static const struct repair_transition table[] = {
    {RS_REGISTERED, RS_RECEIVED, OUTLET | BOSS, 0},
    {RS_RECEIVED, RS_DIAGNOSING, OUTLET | BOSS, 0},
    {RS_DIAGNOSING, RS_QUOTED, OUTLET | BOSS, RS_NEEDS_QUOTE},
    {RS_DIAGNOSING, RS_WAITING_PARTS, OUTLET | BOSS, 0},
    {RS_DIAGNOSING, RS_REPAIRING, OUTLET | BOSS, 0},
    /* The customer approves the quote by phone (agent) or at the counter (outlet). */
    {RS_QUOTED, RS_APPROVED, RS_ROLE_AGENT | OUTLET | BOSS, 0},
    {RS_APPROVED, RS_WAITING_PARTS, OUTLET | BOSS, 0},
    {RS_APPROVED, RS_REPAIRING, OUTLET | BOSS, 0},
    {RS_WAITING_PARTS, RS_REPAIRING, OUTLET | BOSS, 0},
    /* Another part turns out to be needed mid-repair. */
    {RS_REPAIRING, RS_WAITING_PARTS, OUTLET | BOSS, 0},
    {RS_REPAIRING, RS_REPAIRED, OUTLET | BOSS, 0},
    {RS_REPAIRED, RS_DELIVERED, OUTLET | BOSS, 0},
    /* Declined quote, customer withdrawal, beyond repair: any open state before repaired. */
    {RS_REGISTERED, RS_CANCELLED, CANCELLERS, RS_NEEDS_REASON},
    {RS_RECEIVED, RS_CANCELLED, CANCELLERS, RS_NEEDS_REASON},
    {RS_DIAGNOSING, RS_CANCELLED, CANCELLERS, RS_NEEDS_REASON},
    {RS_QUOTED, RS_CANCELLED, CANCELLERS, RS_NEEDS_REASON},
    {RS_APPROVED, RS_CANCELLED, CANCELLERS, RS_NEEDS_REASON},
    {RS_WAITING_PARTS, RS_CANCELLED, CANCELLERS, RS_NEEDS_REASON},
    {RS_REPAIRING, RS_CANCELLED, CANCELLERS, RS_NEEDS_REASON},
};

const char *repair_status_name(enum repair_status s)
{
    return (unsigned)s < RS_COUNT ? names[s] : NULL;
}

int repair_status_parse(const char *name)
{
    if (!name)
        return -1;
    for (int i = 0; i < RS_COUNT; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

int repair_status_final(enum repair_status s)
{
    return s == RS_DELIVERED || s == RS_CANCELLED;
}

const struct repair_transition *repair_transition_find(enum repair_status from,
                                                       enum repair_status to)
{
    for (size_t i = 0; i < sizeof table / sizeof *table; i++)
        if (table[i].from == from && table[i].to == to)
            return &table[i];
    return NULL;
}

int repair_transition_check(enum repair_status from, enum repair_status to, unsigned role,
                            int64_t quote_fen, const char *reason)
{
    const struct repair_transition *t = repair_transition_find(from, to);
    if (!t)
        return RS_ILLEGAL;
    if (!(t->roles & role))
        return RS_FORBIDDEN_ROLE;
    if ((t->needs & RS_NEEDS_QUOTE) && quote_fen <= 0)
        return RS_MISSING_QUOTE;
    if (t->needs & RS_NEEDS_REASON) {
        const char *p = reason;
        while (p && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
            p++;
        if (!p || !*p)
            return RS_MISSING_REASON;
    }
    return RS_OK;
}

int repair_skips_quote(enum repair_status from, enum repair_status to, int in_warranty)
{
    return in_warranty == 0 && from == RS_DIAGNOSING &&
           (to == RS_WAITING_PARTS || to == RS_REPAIRING);
}

int repair_next_states(enum repair_status from, unsigned role, enum repair_status out[RS_COUNT])
{
    int n = 0;
    for (size_t i = 0; i < sizeof table / sizeof *table && n < RS_COUNT; i++)
        if (table[i].from == from && (table[i].roles & role))
            out[n++] = table[i].to;
    return n;
}

int repair_status_time(enum repair_status to)
{
    switch (to) {
    case RS_RECEIVED:
        return RS_TIME_RECEIVED;
    case RS_REPAIRED:
        return RS_TIME_REPAIRED;
    case RS_DELIVERED:
        return RS_TIME_DELIVERED;
    case RS_CANCELLED:
        return RS_TIME_CANCELLED;
    default:
        return RS_TIME_NONE;
    }
}

const char *repair_status_from_times(int *status, int64_t received, int64_t repaired,
                                     int64_t delivered, int64_t cancelled)
{
    if (!received)
        return "received_at is required";
    if (repaired && repaired < received)
        return "repaired_at is before received_at";
    if (delivered && !repaired)
        return "delivered_at without repaired_at";
    if (delivered && delivered < repaired)
        return "delivered_at is before repaired_at";
    if (cancelled && cancelled < received)
        return "cancelled_at is before received_at";
    if (cancelled && (repaired || delivered))
        return "a cancelled repair cannot have repaired_at or delivered_at";
    int s = *status;
    if (s < 0) {
        s = cancelled ? RS_CANCELLED : delivered ? RS_DELIVERED : repaired ? RS_REPAIRED
                                                                           : RS_RECEIVED;
        *status = s;
        return NULL;
    }
    switch (s) {
    case RS_CANCELLED:
        if (!cancelled)
            return "status cancelled needs cancelled_at";
        return NULL;
    case RS_DELIVERED:
        if (!delivered)
            return "status delivered needs delivered_at";
        break;
    case RS_REPAIRED:
        if (!repaired)
            return "status repaired needs repaired_at";
        if (delivered)
            return "status repaired but delivered_at is set";
        break;
    default:
        if (s < 0 || s >= RS_COUNT)
            return "unknown status";
        if (repaired || delivered)
            return "an open status cannot have repaired_at or delivered_at";
        break;
    }
    if (cancelled)
        return "cancelled_at is set but status is not cancelled";
    return NULL;
}
