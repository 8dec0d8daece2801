-- 0014: sales orders of accessories (M13: accessories are parts of the M7 catalog),
-- the accessories offered on the portal, genuine-battery serials (M14), and feedback
-- from the portal, kiosk and counter (M14; the voice-of-customer store builds on it).
-- Instants are unix seconds (UTC); money is integer fen.

-- The parts offered for sale to customers on the portal (staff may order any part).
CREATE TABLE accessories (
  part_id   INTEGER PRIMARY KEY REFERENCES parts(id),
  kind      TEXT NOT NULL DEFAULT 'accessory',   -- battery, memory_card, accessory
  sort      INTEGER NOT NULL DEFAULT 0
);

-- outlet_id: the outlet that took the order (NULL: online); warehouse_id: the one that
-- fulfils it and holds its reservations (the outlet's own, or central for online).
CREATE TABLE orders (
  id             INTEGER PRIMARY KEY,
  code           TEXT NOT NULL UNIQUE,
  customer_id    INTEGER NOT NULL REFERENCES customers(id),
  channel        TEXT NOT NULL CHECK (channel IN ('online','outlet')),
  outlet_id      INTEGER REFERENCES outlets(id),
  warehouse_id   INTEGER NOT NULL REFERENCES warehouses(id),
  status         TEXT NOT NULL CHECK (status IN ('placed','confirmed','picked','shipped',
                                                 'delivered','cancelled','returned')),
  total_fen      BIGINT NOT NULL CHECK (total_fen >= 0),
  contact_name   TEXT NOT NULL,
  contact_phone  TEXT NOT NULL,
  address        TEXT,
  note           TEXT,
  paid           INTEGER NOT NULL DEFAULT 0,
  pay_method     TEXT,
  pay_reference  TEXT,
  paid_at        BIGINT,
  placed_at      BIGINT NOT NULL,
  confirmed_at   BIGINT,
  picked_at      BIGINT,
  shipped_at     BIGINT,
  delivered_at   BIGINT,
  cancelled_at   BIGINT,
  returned_at    BIGINT,
  version        INTEGER NOT NULL DEFAULT 1,
  updated_at     BIGINT NOT NULL
);
CREATE INDEX orders_customer ON orders(customer_id);
CREATE INDEX orders_outlet ON orders(outlet_id, id);
CREATE INDEX orders_status ON orders(status, id);

CREATE TABLE order_lines (
  id         INTEGER PRIMARY KEY,
  order_id   INTEGER NOT NULL REFERENCES orders(id),
  part_id    INTEGER NOT NULL REFERENCES parts(id),
  qty        BIGINT NOT NULL CHECK (qty > 0),
  price_fen  BIGINT NOT NULL CHECK (price_fen >= 0),
  UNIQUE (order_id, part_id)
);

CREATE TABLE order_events (
  id        INTEGER PRIMARY KEY,
  order_id  INTEGER NOT NULL REFERENCES orders(id),
  status    TEXT NOT NULL,
  note      TEXT,
  actor     TEXT NOT NULL,
  at        BIGINT NOT NULL
);
CREATE INDEX order_events_order ON order_events(order_id, id);

-- Serials of genuine batteries (`aftersales import battery-serials FILE`).
CREATE TABLE battery_serials (
  serial       TEXT PRIMARY KEY,
  imported_at  BIGINT NOT NULL
);

-- Feedback: customer_id when the contact matched a customer, else anonymous.
CREATE TABLE feedback (
  id           INTEGER PRIMARY KEY,
  code         TEXT NOT NULL UNIQUE,
  channel      TEXT NOT NULL CHECK (channel IN ('portal','kiosk','counter')),
  category     TEXT NOT NULL CHECK (category IN ('praise','suggestion','complaint','product',
                                                 'service','other')),
  text         TEXT NOT NULL,
  contact      TEXT,
  customer_id  INTEGER REFERENCES customers(id),
  outlet_id    INTEGER REFERENCES outlets(id),
  received_at  BIGINT NOT NULL
);
CREATE INDEX feedback_outlet ON feedback(outlet_id, id);
CREATE INDEX feedback_customer ON feedback(customer_id);

INSERT INTO counters (name, value) VALUES ('feedback', 0) ON CONFLICT (name) DO NOTHING;
