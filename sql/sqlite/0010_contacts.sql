-- 0010: the contact center's log (M9). Every contact under its customer (or unmatched,
-- with the raw number or address), hotlines with opening hours on a business calendar,
-- CTI integrations (tokens stored only as hashes) and their calls, staff extensions for
-- the screen pop, and the call-back list with its attempts.

CREATE TABLE hotlines (
  id          INTEGER PRIMARY KEY,
  code        TEXT NOT NULL UNIQUE,
  number      TEXT NOT NULL UNIQUE,  -- normalised (M1 rules), e.g. 4008100000
  name        TEXT NOT NULL,
  calendar    TEXT NOT NULL REFERENCES calendars(name),
  active      INTEGER NOT NULL DEFAULT 1,
  version     BIGINT NOT NULL DEFAULT 1,
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL
);
CREATE TABLE hotline_lines (
  hotline_id       BIGINT NOT NULL REFERENCES hotlines(id),
  product_line_id  BIGINT NOT NULL REFERENCES product_lines(id),
  PRIMARY KEY (hotline_id, product_line_id)
);

-- channel/direction/reason/outcome: see contacts.h. address: the raw number or mail
-- address when no customer matched (kept too when one did, for the record).
CREATE TABLE contacts (
  id            INTEGER PRIMARY KEY,
  code          TEXT NOT NULL UNIQUE,
  channel       TEXT NOT NULL CHECK (channel IN ('phone','email','web','letter','fax','walk_in','sms')),
  direction     TEXT NOT NULL CHECK (direction IN ('in','out')),
  hotline_id    BIGINT REFERENCES hotlines(id),
  reason        TEXT CHECK (reason IN ('consultation','purchase','repair_registration',
                  'status_query','complaint','suggestion','marketing')),
  outcome       TEXT CHECK (outcome IN ('resolved','follow_up','transferred','escalated',
                  'call_back','missed','no_answer','logged')),
  handled_by    BIGINT REFERENCES users(id),
  started_at    BIGINT NOT NULL,
  duration_s    BIGINT NOT NULL DEFAULT 0,
  customer_id   BIGINT REFERENCES customers(id),
  address       TEXT,
  repair_id     BIGINT REFERENCES repairs(id),
  complaint_id  BIGINT REFERENCES complaints(id),
  order_id      BIGINT,               -- an order (M12) when there is one; no FK yet
  out_of_hours  INTEGER NOT NULL DEFAULT 0,
  subject       TEXT,
  body          TEXT,
  call_id       BIGINT,               -- the cti_calls row this contact came from
  version       BIGINT NOT NULL DEFAULT 1,
  created_at    BIGINT NOT NULL,
  updated_at    BIGINT NOT NULL
);
CREATE INDEX contacts_started ON contacts(started_at, id);
CREATE INDEX contacts_customer ON contacts(customer_id, started_at);
CREATE INDEX contacts_repair ON contacts(repair_id);
CREATE INDEX contacts_complaint ON contacts(complaint_id);
CREATE INDEX contacts_agent ON contacts(handled_by, started_at);

CREATE TABLE cti_tokens (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL,
  token_hash  TEXT NOT NULL UNIQUE,
  created_at  BIGINT NOT NULL,
  revoked_at  BIGINT
);

-- One row per callId of an integration; the contact is written at hangup.
CREATE TABLE cti_calls (
  id           INTEGER PRIMARY KEY,
  token_id     BIGINT NOT NULL REFERENCES cti_tokens(id),
  call_ref     TEXT NOT NULL,
  direction    TEXT NOT NULL CHECK (direction IN ('in','out')),
  from_number  TEXT,
  to_number    TEXT,
  extension    TEXT,
  hotline_id   BIGINT REFERENCES hotlines(id),
  customer_id  BIGINT REFERENCES customers(id),
  matches      INTEGER NOT NULL DEFAULT 0,
  state        TEXT NOT NULL CHECK (state IN ('ringing','answered','ended')),
  started_at   BIGINT NOT NULL,
  answered_at  BIGINT,
  ended_at     BIGINT,
  cause        TEXT,
  contact_id   BIGINT REFERENCES contacts(id),
  UNIQUE (token_id, call_ref)
);

-- The extension whose ringing pops on this staff member's screen.
CREATE TABLE staff_extensions (
  user_id    BIGINT PRIMARY KEY REFERENCES users(id),
  extension  TEXT NOT NULL UNIQUE,
  updated_at BIGINT NOT NULL
);

-- Missed and out-of-hours calls that agents call back.
CREATE TABLE callbacks (
  id           INTEGER PRIMARY KEY,
  code         TEXT NOT NULL UNIQUE,
  contact_id   BIGINT NOT NULL REFERENCES contacts(id),
  customer_id  BIGINT REFERENCES customers(id),
  number       TEXT NOT NULL,
  cause        TEXT NOT NULL CHECK (cause IN ('missed','out_of_hours','requested')),
  status       TEXT NOT NULL CHECK (status IN ('open','done','given_up')),
  attempts     INTEGER NOT NULL DEFAULT 0,
  last_outcome TEXT,
  version      BIGINT NOT NULL DEFAULT 1,
  created_at   BIGINT NOT NULL,
  updated_at   BIGINT NOT NULL
);
CREATE INDEX callbacks_status ON callbacks(status, created_at, id);
CREATE INDEX callbacks_customer ON callbacks(customer_id);

CREATE TABLE callback_attempts (
  id           INTEGER PRIMARY KEY,
  callback_id  BIGINT NOT NULL REFERENCES callbacks(id),
  at           BIGINT NOT NULL,
  by_user      BIGINT REFERENCES users(id),
  outcome      TEXT NOT NULL CHECK (outcome IN ('reached','no_answer','busy','voicemail','wrong_number')),
  note         TEXT
);
CREATE INDEX callback_attempts_cb ON callback_attempts(callback_id, at);

INSERT INTO counters (name, value) VALUES ('hotline', 0) ON CONFLICT (name) DO NOTHING;

-- The published hours of the hotlines: 08:30-20:30 every day, holidays included.
INSERT INTO calendars (name, zone, weekly, holidays, exceptions, version, updated_at) VALUES
  ('hotline', 'Asia/Shanghai',
   '{"mon":[["08:30","20:30"]],"tue":[["08:30","20:30"]],"wed":[["08:30","20:30"]],"thu":[["08:30","20:30"]],"fri":[["08:30","20:30"]],"sat":[["08:30","20:30"]],"sun":[["08:30","20:30"]]}',
   NULL, '[]', 1, 0);
