-- 0023: notifications reach people. users.email: a staff member's address (normalised
-- as identity_email does; NULL: none), to which the outbox sends rows of channel
-- 'staff' addressed to their role. customers.lang: the language automatic messages to
-- the customer use when the row's payload names none (zh-CN or en).
ALTER TABLE users ADD COLUMN email TEXT;
CREATE UNIQUE INDEX users_email ON users(email);
ALTER TABLE customers ADD COLUMN lang TEXT NOT NULL DEFAULT 'zh-CN' CHECK (lang IN ('zh-CN', 'en'));
-- contacts.outlet_id: the outlet whose staff logged the contact (a walk-in at the
-- counter); outlet staff see these and the contacts of their outlet's repairs.
ALTER TABLE contacts ADD COLUMN outlet_id BIGINT REFERENCES outlets(id);
CREATE INDEX contacts_outlet ON contacts(outlet_id);
