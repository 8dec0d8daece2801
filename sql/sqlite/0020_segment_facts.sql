-- 0020: segment facts (M12, issue 13): one narrow row per live customer (not merged, not
-- erased: those have no row) with every fact a segment filters on, so a segment count is
-- one scan of segment_facts (or of an index of segment_units) instead of semi-joins over
-- customers, units, repairs, surveys and consents. Triggers keep it current inside the
-- statement that changes a source row; bulk loads that set triggers aside (db_defer) end
-- with `aftersales segment-facts --rebuild` (the demo runs it as its last step).
--  * region: the customer's GB/T 2260 code (prefix = range);
--  * consent: bit per channel granted (phone 1, sms 2, email 4, fax 8, post 16);
--  * last_service: the latest repair's registered_at;
--  * score_mask: bit q set when a survey of the customer has q_overall = q;
--  * pl_mask: bit segment_lines.bit set when the customer owns a unit of that line;
--  * bought_min/max: the first and last purchase date of the customer's units.
CREATE TABLE segment_lines (
  product_line_id  INTEGER PRIMARY KEY,
  bit              INTEGER NOT NULL UNIQUE CHECK (bit BETWEEN 0 AND 61)
);
CREATE TABLE segment_units (
  unit_id          INTEGER PRIMARY KEY,
  customer_id      BIGINT NOT NULL,
  product_line_id  BIGINT NOT NULL,
  model_id         BIGINT NOT NULL,
  purchase_date    TEXT
);
CREATE INDEX segment_units_model ON segment_units(model_id, purchase_date, customer_id);
CREATE INDEX segment_units_customer ON segment_units(customer_id, purchase_date, product_line_id);
CREATE TABLE segment_facts (
  customer_id   INTEGER PRIMARY KEY,
  region        TEXT,
  consent       INTEGER NOT NULL,
  last_service  BIGINT,
  score_mask    INTEGER NOT NULL,
  pl_mask       BIGINT NOT NULL,
  bought_min    TEXT,
  bought_max    TEXT
);
-- Covering indexes narrower than the rows: a region prefix is a range of the first, a
-- consent, product-line or last-service filter a scan of the second.
CREATE INDEX segment_facts_region ON segment_facts(region, consent, score_mask);
CREATE INDEX segment_facts_consent ON segment_facts(consent, pl_mask, last_service);

CREATE VIEW segment_fact_source AS
SELECT c.id AS customer_id, c.region AS region,
  COALESCE((SELECT SUM(CASE k.channel WHEN 'phone' THEN 1 WHEN 'sms' THEN 2 WHEN 'email' THEN 4
                       WHEN 'fax' THEN 8 WHEN 'post' THEN 16 ELSE 0 END)
            FROM customer_consents k WHERE k.customer_id = c.id AND k.granted = 1), 0) AS consent,
  (SELECT MAX(r.registered_at) FROM repairs r WHERE r.customer_id = c.id) AS last_service,
  COALESCE((SELECT SUM(DISTINCT 1 << s.q_overall) FROM surveys s
            WHERE s.customer_id = c.id AND s.q_overall IS NOT NULL), 0) AS score_mask,
  COALESCE((SELECT SUM(DISTINCT CAST(1 AS BIGINT) << l.bit) FROM segment_units u
            JOIN segment_lines l ON l.product_line_id = u.product_line_id
            WHERE u.customer_id = c.id), 0) AS pl_mask,
  (SELECT MIN(u.purchase_date) FROM segment_units u WHERE u.customer_id = c.id) AS bought_min,
  (SELECT MAX(u.purchase_date) FROM segment_units u WHERE u.customer_id = c.id) AS bought_max
FROM customers c WHERE c.merged_into IS NULL AND c.erased_at IS NULL;

-- INSERT INTO segment_dirty VALUES (id): the customer's facts computed again.
CREATE VIEW segment_dirty AS SELECT CAST(0 AS BIGINT) AS customer_id;
CREATE TRIGGER segment_dirty_ins INSTEAD OF INSERT ON segment_dirty BEGIN
  DELETE FROM segment_facts WHERE customer_id = NEW.customer_id;
  INSERT INTO segment_facts SELECT * FROM segment_fact_source WHERE customer_id = NEW.customer_id;
END;

INSERT INTO segment_lines (product_line_id, bit)
SELECT id, n - 1 FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM product_lines) p
WHERE n <= 62;
INSERT INTO segment_units (unit_id, customer_id, product_line_id, model_id, purchase_date)
SELECT u.id, u.customer_id, m.product_line_id, u.model_id, u.purchase_date
FROM units u JOIN models m ON m.id = u.model_id WHERE u.customer_id IS NOT NULL;
INSERT INTO segment_facts SELECT * FROM segment_fact_source;

CREATE TRIGGER segment_lines_ins AFTER INSERT ON product_lines BEGIN
  INSERT INTO segment_lines (product_line_id, bit)
  SELECT NEW.id, COALESCE(MAX(bit) + 1, 0) FROM segment_lines HAVING COALESCE(MAX(bit) + 1, 0) < 62;
END;
CREATE TRIGGER segment_models_upd AFTER UPDATE OF product_line_id ON models BEGIN
  UPDATE segment_units SET product_line_id = NEW.product_line_id WHERE model_id = NEW.id;
  INSERT INTO segment_dirty SELECT DISTINCT customer_id FROM segment_units WHERE model_id = NEW.id;
END;

-- A new customer has no units, repairs, surveys or consents yet: its row is its region.
CREATE TRIGGER segment_customers_ins AFTER INSERT ON customers
WHEN NEW.merged_into IS NULL AND NEW.erased_at IS NULL BEGIN
  INSERT INTO segment_facts (customer_id, region, consent, score_mask, pl_mask)
  VALUES (NEW.id, NEW.region, 0, 0, 0);
END;
CREATE TRIGGER segment_customers_upd AFTER UPDATE OF region, merged_into, erased_at ON customers BEGIN
  INSERT INTO segment_dirty VALUES (NEW.id);
END;

-- Units, repairs, surveys and consents: only the facts they feed are computed again, for
-- the customer before and after (a customer with no row, merged or erased, has none).
CREATE TRIGGER segment_units_ins AFTER INSERT ON units WHEN NEW.customer_id IS NOT NULL BEGIN
  INSERT INTO segment_units (unit_id, customer_id, product_line_id, model_id, purchase_date)
  SELECT NEW.id, NEW.customer_id, m.product_line_id, NEW.model_id, NEW.purchase_date
  FROM models m WHERE m.id = NEW.model_id;
  UPDATE segment_facts SET (pl_mask, bought_min, bought_max) = (SELECT s.pl_mask, s.bought_min, s.bought_max FROM segment_fact_source s
    WHERE s.customer_id = segment_facts.customer_id) WHERE customer_id IN (NEW.customer_id);
END;
CREATE TRIGGER segment_units_upd AFTER UPDATE OF customer_id, model_id, purchase_date ON units BEGIN
  DELETE FROM segment_units WHERE unit_id = OLD.id;
  INSERT INTO segment_units (unit_id, customer_id, product_line_id, model_id, purchase_date)
  SELECT NEW.id, NEW.customer_id, m.product_line_id, NEW.model_id, NEW.purchase_date
  FROM models m WHERE m.id = NEW.model_id AND NEW.customer_id IS NOT NULL;
  UPDATE segment_facts SET (pl_mask, bought_min, bought_max) = (SELECT s.pl_mask, s.bought_min, s.bought_max FROM segment_fact_source s
    WHERE s.customer_id = segment_facts.customer_id) WHERE customer_id IN (OLD.customer_id, NEW.customer_id);
END;
CREATE TRIGGER segment_units_del AFTER DELETE ON units BEGIN
  DELETE FROM segment_units WHERE unit_id = OLD.id;
  UPDATE segment_facts SET (pl_mask, bought_min, bought_max) = (SELECT s.pl_mask, s.bought_min, s.bought_max FROM segment_fact_source s
    WHERE s.customer_id = segment_facts.customer_id) WHERE customer_id IN (OLD.customer_id);
END;

CREATE TRIGGER segment_repairs_ins AFTER INSERT ON repairs BEGIN
  UPDATE segment_facts SET last_service = (SELECT s.last_service FROM segment_fact_source s
    WHERE s.customer_id = segment_facts.customer_id) WHERE customer_id IN (NEW.customer_id);
END;
CREATE TRIGGER segment_repairs_upd AFTER UPDATE OF customer_id, registered_at ON repairs BEGIN
  UPDATE segment_facts SET last_service = (SELECT s.last_service FROM segment_fact_source s
    WHERE s.customer_id = segment_facts.customer_id) WHERE customer_id IN (OLD.customer_id, NEW.customer_id);
END;
CREATE TRIGGER segment_repairs_del AFTER DELETE ON repairs BEGIN
  UPDATE segment_facts SET last_service = (SELECT s.last_service FROM segment_fact_source s
    WHERE s.customer_id = segment_facts.customer_id) WHERE customer_id IN (OLD.customer_id);
END;

CREATE TRIGGER segment_surveys_ins AFTER INSERT ON surveys BEGIN
  UPDATE segment_facts SET score_mask = (SELECT s.score_mask FROM segment_fact_source s
    WHERE s.customer_id = segment_facts.customer_id) WHERE customer_id IN (NEW.customer_id);
END;
CREATE TRIGGER segment_surveys_upd AFTER UPDATE OF customer_id, q_overall ON surveys BEGIN
  UPDATE segment_facts SET score_mask = (SELECT s.score_mask FROM segment_fact_source s
    WHERE s.customer_id = segment_facts.customer_id) WHERE customer_id IN (OLD.customer_id, NEW.customer_id);
END;
CREATE TRIGGER segment_surveys_del AFTER DELETE ON surveys BEGIN
  UPDATE segment_facts SET score_mask = (SELECT s.score_mask FROM segment_fact_source s
    WHERE s.customer_id = segment_facts.customer_id) WHERE customer_id IN (OLD.customer_id);
END;

CREATE TRIGGER segment_customer_consents_ins AFTER INSERT ON customer_consents BEGIN
  UPDATE segment_facts SET consent = (SELECT s.consent FROM segment_fact_source s
    WHERE s.customer_id = segment_facts.customer_id) WHERE customer_id IN (NEW.customer_id);
END;
CREATE TRIGGER segment_customer_consents_upd AFTER UPDATE OF customer_id, channel, granted ON customer_consents BEGIN
  UPDATE segment_facts SET consent = (SELECT s.consent FROM segment_fact_source s
    WHERE s.customer_id = segment_facts.customer_id) WHERE customer_id IN (OLD.customer_id, NEW.customer_id);
END;
CREATE TRIGGER segment_customer_consents_del AFTER DELETE ON customer_consents BEGIN
  UPDATE segment_facts SET consent = (SELECT s.consent FROM segment_fact_source s
    WHERE s.customer_id = segment_facts.customer_id) WHERE customer_id IN (OLD.customer_id);
END;

-- Voice of the customer (M11, issue 13 item 2): the feedback of 0014 worked by staff:
-- status new -> in_progress -> closed, a note, the staff who took it at the counter,
-- and a version for checked changes.
ALTER TABLE feedback ADD COLUMN status TEXT NOT NULL DEFAULT 'new'
  CHECK (status IN ('new','in_progress','closed'));
ALTER TABLE feedback ADD COLUMN note TEXT;
ALTER TABLE feedback ADD COLUMN taken_by TEXT;
ALTER TABLE feedback ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE feedback ADD COLUMN updated_at BIGINT;
ALTER TABLE feedback ADD COLUMN updated_by TEXT;
CREATE INDEX feedback_status ON feedback(status, id);
CREATE INDEX feedback_received ON feedback(received_at, id);
