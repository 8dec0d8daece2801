-- 0004: product catalog (M2), units and warranty registration (M3), repairs (M4).
-- Dates without time (purchase, launch, warranty end) are 'YYYY-MM-DD' text;
-- instants are unix seconds (UTC).

CREATE TABLE product_lines (
  id          INTEGER PRIMARY KEY,
  code        TEXT NOT NULL UNIQUE,
  name        TEXT NOT NULL,
  name_en     TEXT,
  created_at  BIGINT NOT NULL
);

CREATE TABLE models (
  id               INTEGER PRIMARY KEY,
  code             TEXT NOT NULL UNIQUE,
  name             TEXT NOT NULL,
  product_line_id  INTEGER NOT NULL REFERENCES product_lines(id),
  warranty_months  INTEGER NOT NULL,
  launched_on      TEXT,
  version          INTEGER NOT NULL DEFAULT 1,
  created_at       BIGINT NOT NULL,
  updated_at       BIGINT NOT NULL
);

-- A unit is one physical product, known by its serial (stored upper-cased).
CREATE TABLE units (
  id              INTEGER PRIMARY KEY,
  serial          TEXT NOT NULL UNIQUE,
  model_id        INTEGER NOT NULL REFERENCES models(id),
  customer_id     INTEGER REFERENCES customers(id),
  purchase_date   TEXT,
  dealer          TEXT,
  warranty_until  TEXT,
  registered_at   BIGINT,
  registered_via  TEXT,
  version         INTEGER NOT NULL DEFAULT 1,
  created_at      BIGINT NOT NULL,
  updated_at      BIGINT NOT NULL
);
CREATE INDEX units_customer ON units(customer_id);

-- Repairs: serial and product line are copied in so KPIs need no joins.
CREATE TABLE repairs (
  id               INTEGER PRIMARY KEY,
  code             TEXT NOT NULL UNIQUE,
  customer_id      INTEGER NOT NULL REFERENCES customers(id),
  unit_id          INTEGER REFERENCES units(id),
  serial           TEXT,
  model_id         INTEGER REFERENCES models(id),
  product_line_id  INTEGER REFERENCES product_lines(id),
  outlet_id        INTEGER REFERENCES outlets(id),
  kind             TEXT NOT NULL DEFAULT 'carry_in',
  channel          TEXT NOT NULL DEFAULT 'phone',
  status           TEXT NOT NULL,
  fault            TEXT,
  in_warranty      INTEGER,
  quote_fen        BIGINT,
  cancel_reason    TEXT,
  registered_at    BIGINT NOT NULL,
  received_at      BIGINT,
  repaired_at      BIGINT,
  delivered_at     BIGINT,
  cancelled_at     BIGINT,
  version          INTEGER NOT NULL DEFAULT 1,
  created_at       BIGINT NOT NULL,
  updated_at       BIGINT NOT NULL
);
CREATE INDEX repairs_customer ON repairs(customer_id);
CREATE INDEX repairs_outlet_status ON repairs(outlet_id, status);
CREATE INDEX repairs_repaired_at ON repairs(repaired_at);
CREATE INDEX repairs_serial_received ON repairs(serial, received_at);
-- Work queues and lists walk newest first within an outlet or a status.
CREATE INDEX repairs_outlet_id ON repairs(outlet_id, id);
CREATE INDEX repairs_status_id ON repairs(status, id);

-- Every state change of a repair: who and when.
CREATE TABLE repair_events (
  id         INTEGER PRIMARY KEY,
  repair_id  INTEGER NOT NULL REFERENCES repairs(id),
  status     TEXT NOT NULL,
  at         BIGINT NOT NULL,
  actor      TEXT NOT NULL,
  note       TEXT
);
CREATE INDEX repair_events_repair ON repair_events(repair_id, at);

-- Durable outbox: messages to customers (confirmations, status changes); sent later.
CREATE TABLE outbox (
  id           INTEGER PRIMARY KEY,
  channel      TEXT NOT NULL,
  recipient    TEXT NOT NULL,
  template     TEXT NOT NULL,
  payload      TEXT NOT NULL,
  customer_id  INTEGER REFERENCES customers(id),
  created_at   BIGINT NOT NULL,
  sent_at      BIGINT,
  attempts     INTEGER NOT NULL DEFAULT 0,
  last_error   TEXT
);
CREATE INDEX outbox_pending ON outbox(sent_at, id);
