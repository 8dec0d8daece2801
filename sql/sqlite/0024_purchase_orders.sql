-- 0024: purchase orders (M7 replenishment): a confirmed purchase suggestion, or one made
-- by hand, orders parts from a supplier for a warehouse. Each line is received in full or
-- in parts; every receipt is a normal ledger receipt move (stock_moves.po_line_id names
-- the line) that fills backorders first in, first out. stock.on_order is the quantity
-- ordered on open or partly received orders and not yet received, kept in the same
-- transaction as the order's changes, so replenishment counts it and does not suggest
-- the same purchase twice.
-- source: where the parts come from (domestic or imported, from the parts: imported when
-- any line is); expected_date: the local date the order is due, today plus the lead time
-- of its slowest part's source (domestic 3 days, imported 7).

CREATE TABLE purchase_orders (
  id               INTEGER PRIMARY KEY,
  code             TEXT NOT NULL UNIQUE,
  warehouse_id     INTEGER NOT NULL REFERENCES warehouses(id),
  supplier         TEXT,
  source           TEXT NOT NULL CHECK (source IN ('domestic','imported')),
  status           TEXT NOT NULL CHECK (status IN ('open','partly_received','received','cancelled')),
  expected_date    TEXT NOT NULL,
  note             TEXT,
  idempotency_key  TEXT UNIQUE,
  version          INTEGER NOT NULL DEFAULT 1,
  created_by       TEXT NOT NULL,
  created_at       BIGINT NOT NULL,
  updated_at       BIGINT NOT NULL,
  received_at      BIGINT,
  cancelled_at     BIGINT,
  cancelled_by     TEXT,
  cancel_reason    TEXT
);
CREATE INDEX purchase_orders_status ON purchase_orders(status, id);
CREATE INDEX purchase_orders_warehouse ON purchase_orders(warehouse_id, id);

CREATE TABLE purchase_order_lines (
  id             INTEGER PRIMARY KEY,
  po_id          INTEGER NOT NULL REFERENCES purchase_orders(id),
  line_no        INTEGER NOT NULL,
  part_id        INTEGER NOT NULL REFERENCES parts(id),
  qty            BIGINT NOT NULL CHECK (qty > 0),
  received_qty   BIGINT NOT NULL DEFAULT 0 CHECK (received_qty >= 0),
  expected_date  TEXT NOT NULL,
  UNIQUE (po_id, line_no),
  CHECK (received_qty <= qty)
);
CREATE INDEX purchase_order_lines_part ON purchase_order_lines(part_id, po_id);

ALTER TABLE stock ADD COLUMN on_order BIGINT NOT NULL DEFAULT 0 CHECK (on_order >= 0);
ALTER TABLE stock_moves ADD COLUMN po_line_id INTEGER REFERENCES purchase_order_lines(id);
CREATE INDEX stock_moves_po_line ON stock_moves(po_line_id) WHERE po_line_id IS NOT NULL;

-- The backorders of a part, oldest first, are all that part_request_lines_backorder
-- serves (receipts fill them): a partial index of the backordered lines only, so that a
-- line reserved or ordered at once (most of them) writes no entry into it; that was one
-- page of the WAL per line of a part request, at a random place (bench/README.md).
DROP INDEX part_request_lines_backorder;
CREATE INDEX part_request_lines_backorder ON part_request_lines(part_id, created_at, id)
  WHERE status = 'backordered';

INSERT INTO counters (name, value) VALUES ('purchase_order', 0) ON CONFLICT (name) DO NOTHING;
