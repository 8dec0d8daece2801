-- 0011: inbound email (M9). Every message read by `aftersales mail-in` / `mail-fetch`
-- is kept whole (raw, base64 because it may hold 8-bit non-UTF-8 bytes), with its
-- decoded headers and UTF-8 body, how it was threaded, its attachments, the bounces
-- that name our outbox messages, and the automatic acknowledgements sent per address
-- and day (the loop guard's "at most one a day").

CREATE TABLE mail_messages (
  id           INTEGER PRIMARY KEY,
  received_at  BIGINT NOT NULL,
  message_id   TEXT,                       -- without the angle brackets
  in_reply_to  TEXT,
  refs         TEXT,                       -- References, space-separated ids
  from_addr    TEXT NOT NULL DEFAULT '',   -- identity_email form when valid, else as given
  from_name    TEXT NOT NULL DEFAULT '',
  to_addr      TEXT NOT NULL DEFAULT '',
  subject      TEXT NOT NULL DEFAULT '',
  sent_at      BIGINT,                     -- the Date header
  body_text    TEXT NOT NULL DEFAULT '',   -- UTF-8, text/plain preferred
  body_html    TEXT,                       -- UTF-8, when the message had an HTML part
  headers      TEXT NOT NULL DEFAULT '[]', -- JSON [[name, decoded value], ...]
  raw          TEXT NOT NULL,              -- base64 of the message as received
  kind         TEXT NOT NULL,              -- message | auto | bounce
  matched_by   TEXT NOT NULL,              -- outbox | thread | repair | customer | none | ignored
  customer_id  INTEGER REFERENCES customers(id),
  repair_id    INTEGER REFERENCES repairs(id),
  outbox_id    INTEGER REFERENCES outbox(id), -- the message of ours it replies to, or bounces
  contact_id   INTEGER,                    -- the contact logged for it (contacts feature)
  acked        INTEGER NOT NULL DEFAULT 0  -- 1: an acknowledgement was queued in the outbox
);
CREATE INDEX mail_messages_message_id ON mail_messages(message_id);
CREATE INDEX mail_messages_customer ON mail_messages(customer_id, id);

CREATE TABLE mail_attachments (
  id          INTEGER PRIMARY KEY,
  message_id  INTEGER NOT NULL REFERENCES mail_messages(id),
  n           INTEGER NOT NULL,             -- 1, 2, ... in message order
  filename    TEXT NOT NULL,
  mime_type   TEXT NOT NULL,
  size        BIGINT NOT NULL,
  data        TEXT NOT NULL,                -- base64
  UNIQUE (message_id, n)
);

-- One row per bounce (delivery status notification) naming one of our outbox messages.
CREATE TABLE mail_bounces (
  id          INTEGER PRIMARY KEY,
  outbox_id   INTEGER NOT NULL REFERENCES outbox(id),
  mail_id     INTEGER NOT NULL REFERENCES mail_messages(id),
  status      TEXT NOT NULL DEFAULT '',     -- the DSN's Status (5.1.1) when given
  at          BIGINT NOT NULL
);
CREATE INDEX mail_bounces_outbox ON mail_bounces(outbox_id);

-- At most one automatic acknowledgement per address per local day.
CREATE TABLE mail_acks (
  address  TEXT NOT NULL,
  day      TEXT NOT NULL,                   -- YYYY-MM-DD in the organisation's zone
  mail_id  INTEGER NOT NULL REFERENCES mail_messages(id),
  PRIMARY KEY (address, day)
);
