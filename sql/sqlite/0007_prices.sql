-- 0007: the price guide and quotes (M8): labour prices and their official caps per
-- product line, repair level (A-D) and region (a GB/T 2260 code, or 000000 for the
-- national standard), and the charges of a repair: quotes of paid repairs (labour plus
-- parts at catalog price, with the customer's decision) and the cost of in-warranty
-- repairs (labour and parts at the same rates, borne by the maker), each with its lines.
-- Money is integer fen; instants are unix seconds (UTC).

CREATE TABLE labour_prices (
  id               INTEGER PRIMARY KEY,
  product_line_id  INTEGER NOT NULL REFERENCES product_lines(id),
  level            TEXT NOT NULL CHECK (level IN ('A','B','C','D')),
  region           TEXT NOT NULL,
  labour_fen       BIGINT NOT NULL CHECK (labour_fen > 0),
  version          INTEGER NOT NULL DEFAULT 1,
  updated_by       TEXT NOT NULL,
  created_at       BIGINT NOT NULL,
  updated_at       BIGINT NOT NULL,
  UNIQUE (product_line_id, level, region)
);
CREATE INDEX labour_prices_region ON labour_prices(region, product_line_id, level);

CREATE TABLE labour_caps (
  id               INTEGER PRIMARY KEY,
  product_line_id  INTEGER NOT NULL REFERENCES product_lines(id),
  level            TEXT NOT NULL CHECK (level IN ('A','B','C','D')),
  region           TEXT NOT NULL,
  cap_fen          BIGINT NOT NULL CHECK (cap_fen > 0),
  version          INTEGER NOT NULL DEFAULT 1,
  updated_by       TEXT NOT NULL,
  created_at       BIGINT NOT NULL,
  updated_at       BIGINT NOT NULL,
  UNIQUE (product_line_id, level, region)
);
CREATE INDEX labour_caps_region ON labour_caps(region, product_line_id, level);

-- kind quote: a paid repair's quote; decision approved/declined is set when the repair
-- leaves quoted (to approved, or cancelled = declined), with who and when.
-- kind warranty: the cost of an in-warranty repair (no decision).
-- outlet, product line and price region are copied from the repair when the charge is
-- made, so reports need no joins and do not move when the repair is edited.
CREATE TABLE repair_charges (
  id               INTEGER PRIMARY KEY,
  repair_id        INTEGER NOT NULL REFERENCES repairs(id),
  kind             TEXT NOT NULL CHECK (kind IN ('quote','warranty')),
  level            TEXT NOT NULL,
  outlet_id        INTEGER REFERENCES outlets(id),
  product_line_id  INTEGER REFERENCES product_lines(id),
  price_region     TEXT NOT NULL,
  labour_fen       BIGINT NOT NULL,
  parts_fen        BIGINT NOT NULL,
  total_fen        BIGINT NOT NULL,
  currency         TEXT NOT NULL DEFAULT 'CNY',
  created_by       TEXT NOT NULL,
  created_at       BIGINT NOT NULL,
  decision         TEXT CHECK (decision IN ('approved','declined')),
  decided_by       TEXT,
  decided_at       BIGINT
);
CREATE INDEX repair_charges_repair ON repair_charges(repair_id, id);
CREATE INDEX repair_charges_kind_created ON repair_charges(kind, created_at);

CREATE TABLE repair_charge_lines (
  charge_id    INTEGER NOT NULL REFERENCES repair_charges(id),
  line_no      INTEGER NOT NULL,
  part_number  TEXT NOT NULL,
  qty          INTEGER NOT NULL CHECK (qty > 0),
  unit_fen     BIGINT NOT NULL,
  PRIMARY KEY (charge_id, line_no)
);
