/* mail: a stored message becomes an email contact (the contacts feature's log). */
#include "features/mail/internal.h"

int mail_contact(db_conn *c, int64_t mail_id, int64_t customer_id, int64_t repair_id,
                 const char *subject, int64_t now)
{
    /* Until the contacts feature (branch wip-contacts, contacts.h) is merged, the
     * mail_messages row itself carries customer_id and repair_id and contact_id stays
     * NULL; this is the one place that changes then. */
    (void)c;
    (void)mail_id;
    (void)customer_id;
    (void)repair_id;
    (void)subject;
    (void)now;
    return 0;
}
