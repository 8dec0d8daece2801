-- 0008: complaints on SLA clocks (M10). Official holiday schedules (loaded from the
-- chinese-days package when the table is empty, and added to by `aftersales import
-- holidays`), business calendars, the complaint SLA policy, complaints with their
-- pauses and timeline. Due times are derived from received_at, the pauses and the
-- current calendar and policy; the columns *_due keep the last computation for sorting.

CREATE TABLE holidays (
  id       INTEGER PRIMARY KEY,
  region   TEXT NOT NULL,          -- 'cn': mainland China
  day      TEXT NOT NULL,       -- YYYY-MM-DD
  kind     TEXT NOT NULL CHECK (kind IN ('holiday', 'makeup_workday')),
  name_zh  TEXT,
  name_en  TEXT,
  source   TEXT NOT NULL,
  UNIQUE (region, day)
);

-- weekly: {"mon":[["09:00","18:00"]],...}; exceptions: [{"day","kind","hours","source"}].
CREATE TABLE calendars (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  zone        TEXT NOT NULL,
  weekly      TEXT NOT NULL,
  holidays    TEXT,
  exceptions  TEXT NOT NULL DEFAULT '[]',
  version     BIGINT NOT NULL DEFAULT 1,
  updated_at  BIGINT NOT NULL
);
INSERT INTO calendars (name, zone, weekly, holidays, exceptions, version, updated_at) VALUES
  ('always', 'Asia/Shanghai',
   '{"mon":[["00:00","24:00"]],"tue":[["00:00","24:00"]],"wed":[["00:00","24:00"]],"thu":[["00:00","24:00"]],"fri":[["00:00","24:00"]],"sat":[["00:00","24:00"]],"sun":[["00:00","24:00"]]}',
   NULL, '[]', 1, 0);

-- escalation: the shares of a target at which the scheduler fires a step ([0.75, 1.0]).
CREATE TABLE sla_policies (
  name                  TEXT PRIMARY KEY,
  calendar              TEXT NOT NULL,
  first_response_hours  BIGINT NOT NULL,
  resolution_hours      BIGINT NOT NULL,
  escalation            TEXT NOT NULL DEFAULT '[0.75,1.0]',
  version               BIGINT NOT NULL DEFAULT 1,
  updated_at            BIGINT NOT NULL
);
INSERT INTO sla_policies (name, calendar, first_response_hours, resolution_hours, escalation, version, updated_at)
  VALUES ('complaint', 'always', 24, 72, '[0.75,1.0]', 1, 0);

-- clock_rank orders the queue: 0 a running clock (clock_key = its next due instant),
-- 1 paused (clock_key = business seconds left), 2 no clock running (resolved, closed).
CREATE TABLE complaints (
  id                   INTEGER PRIMARY KEY,
  code                 TEXT NOT NULL UNIQUE,
  customer_id          BIGINT NOT NULL REFERENCES customers(id),
  repair_id            BIGINT REFERENCES repairs(id),
  outlet_id            BIGINT REFERENCES outlets(id),
  product_line_id      BIGINT REFERENCES product_lines(id),
  channel              TEXT NOT NULL,
  text                 TEXT NOT NULL,
  category             TEXT,
  severity             TEXT NOT NULL,
  status               TEXT NOT NULL,
  policy               TEXT NOT NULL DEFAULT 'complaint',
  received_at          BIGINT NOT NULL,
  first_response_at    BIGINT,
  resolved_at          BIGINT,
  closed_at            BIGINT,
  resolution_note      TEXT,
  first_response_due   BIGINT,
  resolution_due       BIGINT,
  first_response_left  BIGINT,
  resolution_left      BIGINT,
  clock_rank           INTEGER NOT NULL DEFAULT 0,
  clock_key            BIGINT NOT NULL DEFAULT 0,
  version              BIGINT NOT NULL DEFAULT 1,
  created_at           BIGINT NOT NULL,
  updated_at           BIGINT NOT NULL
);
CREATE INDEX complaints_queue ON complaints(clock_rank, clock_key, id);
CREATE INDEX complaints_outlet ON complaints(outlet_id, clock_rank, clock_key, id);
CREATE INDEX complaints_received ON complaints(received_at);
CREATE INDEX complaints_customer ON complaints(customer_id);

CREATE TABLE complaint_pauses (
  id            INTEGER PRIMARY KEY,
  complaint_id  BIGINT NOT NULL REFERENCES complaints(id),
  started_at    BIGINT NOT NULL,
  ended_at      BIGINT,
  reason        TEXT NOT NULL,
  started_by    TEXT NOT NULL,
  ended_by      TEXT
);
CREATE INDEX complaint_pauses_complaint ON complaint_pauses(complaint_id, started_at);

-- The timeline: received, response, pause, resume, resolved, in_progress, closed,
-- reopened (and, later, escalation steps).
CREATE TABLE complaint_events (
  id            INTEGER PRIMARY KEY,
  complaint_id  BIGINT NOT NULL REFERENCES complaints(id),
  kind          TEXT NOT NULL,
  at            BIGINT NOT NULL,
  actor         TEXT NOT NULL,
  note          TEXT
);
CREATE INDEX complaint_events_complaint ON complaint_events(complaint_id, at);

-- Escalation steps fired: one row per complaint, clock and share. The unique key makes
-- each step fire once even with several servers on one database: the server whose
-- insert lands writes the timeline event and the notification in the same transaction.
CREATE TABLE complaint_escalations (
  complaint_id  BIGINT NOT NULL REFERENCES complaints(id),
  clock         TEXT NOT NULL,
  share_pct     INTEGER NOT NULL,
  fired_at      BIGINT NOT NULL,
  fired_by      TEXT NOT NULL,
  PRIMARY KEY (complaint_id, clock, share_pct)
);

INSERT INTO counters (name, value) VALUES ('complaint', 0) ON CONFLICT (name) DO NOTHING;
