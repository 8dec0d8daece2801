-- 0016: segments (M12): a saved filter over customers, counted live.
--  * filter is the JSON the API validated (product_line, model, purchased_from/to,
--    region prefix, served_from/to, score_min/max, consent channels);
--  * customers_region makes the GB/T 2260 prefix an index range.
CREATE TABLE segments (
  id          INTEGER PRIMARY KEY,
  code        TEXT NOT NULL UNIQUE,
  name        TEXT NOT NULL,
  filter      TEXT NOT NULL,
  created_by  TEXT NOT NULL,
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL
);
CREATE INDEX customers_region ON customers(region);
CREATE INDEX units_model_customer ON units(model_id, customer_id);
CREATE INDEX units_purchase_customer ON units(purchase_date, customer_id);
CREATE INDEX repairs_registered_customer ON repairs(registered_at, customer_id);
CREATE INDEX surveys_overall_customer ON surveys(q_overall, customer_id);
INSERT INTO counters (name, value) VALUES ('segment', 0) ON CONFLICT (name) DO NOTHING;
