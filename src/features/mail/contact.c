/* mail: a stored message becomes an email contact in the contacts feature's log. */
#include <string.h>

#include "features/contacts/contacts.h"
#include "features/mail/internal.h"

int mail_contact(db_conn *c, int64_t mail_id, int64_t customer_id, int64_t repair_id,
                 const char *address, const char *subject, const char *body, int64_t now)
{
    struct contact_new n = {
        .channel = "email",
        .direction = "in",
        .started_at = now,
        .customer_id = customer_id,
        .address = address,
        .repair_id = repair_id,
        .subject = subject,
        .body = body,
        .actor = "mail-in",
    };
    int64_t id = 0;
    int rc = contacts_log(c, &n, &id, NULL, 0);
    if (rc != 0)
        return rc < 0 ? rc : DB_ERROR;
    int64_t e = db_exec(c, "UPDATE mail_messages SET contact_id = ? WHERE id = ?", "ii", id, mail_id);
    return e < 0 ? (int)e : 0;
}
