-- 0006: spare parts supply (M7): the part catalog with compatible models and supersession,
-- warehouses (central parts center, branches, one per outlet, third-party managed,
-- overseas), stock balances per (part, warehouse), the append-only ledger of stock moves,
-- transfers between warehouses, part requests of repairs with their lines, expected
-- returns of defective parts, and reorder points.
-- Dates without time (promise, due) are 'YYYY-MM-DD' local text; instants are unix
-- seconds (UTC); quantities are whole units.

CREATE TABLE parts (
  id              INTEGER PRIMARY KEY,
  number          TEXT NOT NULL UNIQUE,
  description     TEXT NOT NULL,
  description_en  TEXT,
  price_fen       BIGINT NOT NULL CHECK (price_fen >= 0),
  superseded_by   INTEGER REFERENCES parts(id),
  source          TEXT NOT NULL CHECK (source IN ('domestic','imported')),
  serial_tracked  INTEGER NOT NULL DEFAULT 0,
  version         INTEGER NOT NULL DEFAULT 1,
  created_at      BIGINT NOT NULL,
  updated_at      BIGINT NOT NULL
);
CREATE INDEX parts_superseded_by ON parts(superseded_by);

-- Which models a part fits.
CREATE TABLE part_models (
  part_id   INTEGER NOT NULL REFERENCES parts(id),
  model_id  INTEGER NOT NULL REFERENCES models(id),
  PRIMARY KEY (part_id, model_id)
);
CREATE INDEX part_models_model ON part_models(model_id, part_id);

-- region: a GB/T 2260 code (NULL for overseas); province: the province code of region,
-- kept for the fill order ("a branch or third-party warehouse in the outlet's province").
-- A warehouse of kind outlet belongs to exactly one outlet, and each outlet has at most one.
CREATE TABLE warehouses (
  id          INTEGER PRIMARY KEY,
  code        TEXT NOT NULL UNIQUE,
  name        TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('central','branch','outlet','third_party','overseas')),
  region      TEXT,
  province    TEXT,
  outlet_id   INTEGER UNIQUE REFERENCES outlets(id),
  active      INTEGER NOT NULL DEFAULT 1,
  version     INTEGER NOT NULL DEFAULT 1,
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL,
  CHECK ((kind = 'outlet') = (outlet_id IS NOT NULL))
);
CREATE INDEX warehouses_kind_province ON warehouses(kind, province);

-- The balance of one part in one warehouse. available = on_hand - reserved never goes
-- below zero: every move takes stock with a conditional UPDATE checked by rows affected,
-- and these CHECKs are the last line. in_transit: shipped to this warehouse, not yet
-- received. defective: faulty parts returned here (not sellable, not in on_hand).
CREATE TABLE stock (
  part_id        INTEGER NOT NULL REFERENCES parts(id),
  warehouse_id   INTEGER NOT NULL REFERENCES warehouses(id),
  on_hand        BIGINT NOT NULL DEFAULT 0 CHECK (on_hand >= 0),
  reserved       BIGINT NOT NULL DEFAULT 0 CHECK (reserved >= 0),
  in_transit     BIGINT NOT NULL DEFAULT 0 CHECK (in_transit >= 0),
  defective      BIGINT NOT NULL DEFAULT 0 CHECK (defective >= 0),
  reorder_point  BIGINT CHECK (reorder_point >= 0),
  reorder_qty    BIGINT CHECK (reorder_qty > 0),
  updated_at     BIGINT NOT NULL,
  PRIMARY KEY (part_id, warehouse_id),
  CHECK (on_hand >= reserved)
);
CREATE INDEX stock_warehouse ON stock(warehouse_id, part_id);

-- Transfers between warehouses: shipped (from's on_hand down, to's in_transit up), then
-- received (to's in_transit down, on_hand up). line_id: the part request line it serves.
CREATE TABLE transfers (
  id                 INTEGER PRIMARY KEY,
  code               TEXT NOT NULL UNIQUE,
  part_id            INTEGER NOT NULL REFERENCES parts(id),
  from_warehouse_id  INTEGER NOT NULL REFERENCES warehouses(id),
  to_warehouse_id    INTEGER NOT NULL REFERENCES warehouses(id),
  qty                BIGINT NOT NULL CHECK (qty > 0),
  status             TEXT NOT NULL CHECK (status IN ('in_transit','received')),
  line_id            INTEGER,
  shipped_at         BIGINT NOT NULL,
  received_at        BIGINT,
  shipped_by         TEXT NOT NULL,
  received_by        TEXT,
  CHECK (from_warehouse_id <> to_warehouse_id)
);
CREATE INDEX transfers_to_status ON transfers(to_warehouse_id, status, id);
CREATE INDEX transfers_from_status ON transfers(from_warehouse_id, status, id);

-- The ledger: one row per change of stock, never updated or deleted. qty > 0; the kind
-- says which way it goes: receipt (to), transfer_ship (from, to: in transit),
-- transfer_receive (to), issue (from, to a repair), defective_return (from an outlet's
-- repair to a warehouse's defective), adjustment (from: down, to: up; with a reason),
-- reserve / release (reserved up / down at from, for a part request line).
CREATE TABLE stock_moves (
  id                 INTEGER PRIMARY KEY,
  kind               TEXT NOT NULL CHECK (kind IN ('receipt','transfer_ship','transfer_receive',
                                                   'issue','defective_return','adjustment',
                                                   'reserve','release')),
  part_id            INTEGER NOT NULL REFERENCES parts(id),
  qty                BIGINT NOT NULL CHECK (qty > 0),
  from_warehouse_id  INTEGER REFERENCES warehouses(id),
  to_warehouse_id    INTEGER REFERENCES warehouses(id),
  transfer_id        INTEGER REFERENCES transfers(id),
  repair_id          INTEGER REFERENCES repairs(id),
  line_id            INTEGER,
  reason             TEXT,
  serial             TEXT,
  idempotency_key    TEXT UNIQUE,
  actor              TEXT NOT NULL,
  at                 BIGINT NOT NULL
);
CREATE INDEX stock_moves_part ON stock_moves(part_id, id);
CREATE INDEX stock_moves_from ON stock_moves(from_warehouse_id, id);
CREATE INDEX stock_moves_to ON stock_moves(to_warehouse_id, id);
CREATE INDEX stock_moves_repair ON stock_moves(repair_id);

-- A part request of a repair (outlet copied in for confinement).
CREATE TABLE part_requests (
  id          INTEGER PRIMARY KEY,
  code        TEXT NOT NULL UNIQUE,
  repair_id   INTEGER NOT NULL REFERENCES repairs(id),
  outlet_id   INTEGER REFERENCES outlets(id),
  actor       TEXT NOT NULL,
  created_at  BIGINT NOT NULL
);
CREATE INDEX part_requests_repair ON part_requests(repair_id, id);

-- One line: requested_part as asked, part as filled (a superseding part when the asked
-- one had no stock). warehouse: where it is reserved or ordered (NULL while backordered).
-- first_status: the status the line got when first requested (fill_rate counts the
-- lines first reserved from domestic stock: first_status = 'reserved').
CREATE TABLE part_request_lines (
  id                 INTEGER PRIMARY KEY,
  request_id         INTEGER NOT NULL REFERENCES part_requests(id),
  line_no            INTEGER NOT NULL,
  repair_id          INTEGER NOT NULL REFERENCES repairs(id),
  outlet_id          INTEGER REFERENCES outlets(id),
  requested_part_id  INTEGER NOT NULL REFERENCES parts(id),
  part_id            INTEGER NOT NULL REFERENCES parts(id),
  qty                BIGINT NOT NULL CHECK (qty > 0),
  status             TEXT NOT NULL CHECK (status IN ('reserved','ordered','backordered',
                                                     'received','issued','cancelled')),
  first_status       TEXT NOT NULL,
  warehouse_id       INTEGER REFERENCES warehouses(id),
  transfer_id        INTEGER REFERENCES transfers(id),
  promise_date       TEXT,
  fitted_serial      TEXT,
  faulty_serial      TEXT,
  version            INTEGER NOT NULL DEFAULT 1,
  created_at         BIGINT NOT NULL,
  received_at        BIGINT,
  issued_at          BIGINT,
  cancelled_at       BIGINT,
  UNIQUE (request_id, line_no)
);
CREATE INDEX part_request_lines_repair ON part_request_lines(repair_id, id);
CREATE INDEX part_request_lines_backorder ON part_request_lines(status, part_id, id);
CREATE INDEX part_request_lines_created ON part_request_lines(created_at);
CREATE INDEX part_request_lines_received ON part_request_lines(received_at);
CREATE INDEX part_request_lines_promise ON part_request_lines(status, promise_date);

-- The faulty part expected back for each part issued on a warranty repair.
CREATE TABLE part_returns (
  id             INTEGER PRIMARY KEY,
  line_id        INTEGER NOT NULL REFERENCES part_request_lines(id),
  repair_id      INTEGER NOT NULL REFERENCES repairs(id),
  outlet_id      INTEGER REFERENCES outlets(id),
  part_id        INTEGER NOT NULL REFERENCES parts(id),
  qty            BIGINT NOT NULL CHECK (qty > 0),
  faulty_serial  TEXT,
  due_date       TEXT NOT NULL,
  status         TEXT NOT NULL CHECK (status IN ('expected','received')),
  warehouse_id   INTEGER REFERENCES warehouses(id),
  created_at     BIGINT NOT NULL,
  received_at    BIGINT,
  received_by    TEXT
);
CREATE INDEX part_returns_status_due ON part_returns(status, due_date, id);
CREATE INDEX part_returns_outlet ON part_returns(outlet_id, id);

INSERT INTO counters (name, value) VALUES ('part_request', 0) ON CONFLICT (name) DO NOTHING;
INSERT INTO counters (name, value) VALUES ('transfer', 0) ON CONFLICT (name) DO NOTHING;
