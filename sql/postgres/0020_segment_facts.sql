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
  product_line_id  BIGINT PRIMARY KEY,
  bit              INTEGER NOT NULL UNIQUE CHECK (bit BETWEEN 0 AND 61)
);
CREATE TABLE segment_units (
  unit_id          BIGINT PRIMARY KEY,
  customer_id      BIGINT NOT NULL,
  product_line_id  BIGINT NOT NULL,
  model_id         BIGINT NOT NULL,
  purchase_date    TEXT COLLATE "C"
);
CREATE INDEX segment_units_model ON segment_units(model_id, purchase_date, customer_id);
CREATE INDEX segment_units_customer ON segment_units(customer_id, purchase_date, product_line_id);
CREATE TABLE segment_facts (
  customer_id   BIGINT PRIMARY KEY,
  region        TEXT COLLATE "C",
  consent       BIGINT NOT NULL,
  last_service  BIGINT,
  score_mask    BIGINT NOT NULL,
  pl_mask       BIGINT NOT NULL,
  bought_min    TEXT COLLATE "C",
  bought_max    TEXT COLLATE "C"
);
-- Covering indexes narrower than the rows: a region prefix is a range of the first, a
-- consent, product-line or last-service filter a scan of the second.
CREATE INDEX segment_facts_region ON segment_facts(region, consent, score_mask);
CREATE INDEX segment_facts_consent ON segment_facts(consent, pl_mask, last_service);

CREATE VIEW segment_fact_source AS
SELECT c.id AS customer_id, c.region AS region,
  CAST(COALESCE((SELECT SUM(CASE k.channel WHEN 'phone' THEN 1 WHEN 'sms' THEN 2 WHEN 'email' THEN 4
                       WHEN 'fax' THEN 8 WHEN 'post' THEN 16 ELSE 0 END)
            FROM customer_consents k WHERE k.customer_id = c.id AND k.granted = 1), 0) AS BIGINT) AS consent,
  (SELECT MAX(r.registered_at) FROM repairs r WHERE r.customer_id = c.id) AS last_service,
  CAST(COALESCE((SELECT SUM(DISTINCT 1 << s.q_overall) FROM surveys s
            WHERE s.customer_id = c.id AND s.q_overall IS NOT NULL), 0) AS BIGINT) AS score_mask,
  CAST(COALESCE((SELECT SUM(DISTINCT CAST(1 AS BIGINT) << l.bit) FROM segment_units u
            JOIN segment_lines l ON l.product_line_id = u.product_line_id
            WHERE u.customer_id = c.id), 0) AS BIGINT) AS pl_mask,
  (SELECT MIN(u.purchase_date) FROM segment_units u WHERE u.customer_id = c.id) AS bought_min,
  (SELECT MAX(u.purchase_date) FROM segment_units u WHERE u.customer_id = c.id) AS bought_max
FROM customers c WHERE c.merged_into IS NULL AND c.erased_at IS NULL;

-- The customer's facts computed again (nothing for NULL).
CREATE FUNCTION segment_refresh(p_id BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF p_id IS NULL THEN RETURN; END IF;
  DELETE FROM segment_facts WHERE customer_id = p_id;
  INSERT INTO segment_facts SELECT * FROM segment_fact_source WHERE customer_id = p_id;
END $$;

INSERT INTO segment_lines (product_line_id, bit)
SELECT id, n - 1 FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM product_lines) p
WHERE n <= 62;
INSERT INTO segment_units (unit_id, customer_id, product_line_id, model_id, purchase_date)
SELECT u.id, u.customer_id, m.product_line_id, u.model_id, u.purchase_date
FROM units u JOIN models m ON m.id = u.model_id WHERE u.customer_id IS NOT NULL;
INSERT INTO segment_facts SELECT * FROM segment_fact_source;

CREATE FUNCTION segment_lines_trg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO segment_lines (product_line_id, bit)
  SELECT NEW.id, COALESCE(MAX(bit) + 1, 0) FROM segment_lines HAVING COALESCE(MAX(bit) + 1, 0) < 62;
  RETURN NULL;
END $$;
CREATE TRIGGER segment_lines_ins AFTER INSERT ON product_lines
  FOR EACH ROW EXECUTE FUNCTION segment_lines_trg();

CREATE FUNCTION segment_models_trg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE segment_units SET product_line_id = NEW.product_line_id WHERE model_id = NEW.id;
  PERFORM segment_refresh(x.customer_id)
    FROM (SELECT DISTINCT customer_id FROM segment_units WHERE model_id = NEW.id) x;
  RETURN NULL;
END $$;
CREATE TRIGGER segment_models_upd AFTER UPDATE OF product_line_id ON models
  FOR EACH ROW EXECUTE FUNCTION segment_models_trg();

-- A new customer has no units, repairs, surveys or consents yet: its row is its region.
CREATE FUNCTION segment_customers_trg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.merged_into IS NULL AND NEW.erased_at IS NULL THEN
      INSERT INTO segment_facts (customer_id, region, consent, score_mask, pl_mask)
      VALUES (NEW.id, NEW.region, 0, 0, 0);
    END IF;
  ELSE
    PERFORM segment_refresh(NEW.id);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER segment_customers_ins AFTER INSERT ON customers
  FOR EACH ROW EXECUTE FUNCTION segment_customers_trg();
CREATE TRIGGER segment_customers_upd AFTER UPDATE OF region, merged_into, erased_at ON customers
  FOR EACH ROW EXECUTE FUNCTION segment_customers_trg();

-- Units, repairs, surveys and consents: only the facts they feed are computed again, for
-- the customer before and after (a customer with no row, merged or erased, has none).
-- TG_ARGV[0] names them: units, service, score, consent.
CREATE FUNCTION segment_part_refresh(what TEXT, a BIGINT, b BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF what = 'units' THEN
    UPDATE segment_facts SET (pl_mask, bought_min, bought_max) = (SELECT s.pl_mask, s.bought_min, s.bought_max FROM segment_fact_source s
      WHERE s.customer_id = segment_facts.customer_id) WHERE customer_id IN (a, b);
  ELSIF what = 'service' THEN
    UPDATE segment_facts SET last_service = (SELECT s.last_service FROM segment_fact_source s
      WHERE s.customer_id = segment_facts.customer_id) WHERE customer_id IN (a, b);
  ELSIF what = 'score' THEN
    UPDATE segment_facts SET score_mask = (SELECT s.score_mask FROM segment_fact_source s
      WHERE s.customer_id = segment_facts.customer_id) WHERE customer_id IN (a, b);
  ELSE
    UPDATE segment_facts SET consent = (SELECT s.consent FROM segment_fact_source s
      WHERE s.customer_id = segment_facts.customer_id) WHERE customer_id IN (a, b);
  END IF;
END $$;

CREATE FUNCTION segment_units_trg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM segment_units WHERE unit_id = OLD.id;
  END IF;
  IF TG_OP <> 'DELETE' AND NEW.customer_id IS NOT NULL THEN
    INSERT INTO segment_units (unit_id, customer_id, product_line_id, model_id, purchase_date)
    SELECT NEW.id, NEW.customer_id, m.product_line_id, NEW.model_id, NEW.purchase_date
    FROM models m WHERE m.id = NEW.model_id;
  END IF;
  PERFORM segment_part_refresh('units', CASE WHEN TG_OP <> 'INSERT' THEN OLD.customer_id END,
                               CASE WHEN TG_OP <> 'DELETE' THEN NEW.customer_id END);
  RETURN NULL;
END $$;
CREATE TRIGGER segment_units_ins AFTER INSERT ON units
  FOR EACH ROW EXECUTE FUNCTION segment_units_trg();
CREATE TRIGGER segment_units_upd AFTER UPDATE OF customer_id, model_id, purchase_date ON units
  FOR EACH ROW EXECUTE FUNCTION segment_units_trg();
CREATE TRIGGER segment_units_del AFTER DELETE ON units
  FOR EACH ROW EXECUTE FUNCTION segment_units_trg();

CREATE FUNCTION segment_owner_trg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM segment_part_refresh(TG_ARGV[0], CASE WHEN TG_OP <> 'INSERT' THEN OLD.customer_id END,
                               CASE WHEN TG_OP <> 'DELETE' THEN NEW.customer_id END);
  RETURN NULL;
END $$;
CREATE TRIGGER segment_repairs_ins AFTER INSERT ON repairs
  FOR EACH ROW EXECUTE FUNCTION segment_owner_trg('service');
CREATE TRIGGER segment_repairs_upd AFTER UPDATE OF customer_id, registered_at ON repairs
  FOR EACH ROW EXECUTE FUNCTION segment_owner_trg('service');
CREATE TRIGGER segment_repairs_del AFTER DELETE ON repairs
  FOR EACH ROW EXECUTE FUNCTION segment_owner_trg('service');
CREATE TRIGGER segment_surveys_ins AFTER INSERT ON surveys
  FOR EACH ROW EXECUTE FUNCTION segment_owner_trg('score');
CREATE TRIGGER segment_surveys_upd AFTER UPDATE OF customer_id, q_overall ON surveys
  FOR EACH ROW EXECUTE FUNCTION segment_owner_trg('score');
CREATE TRIGGER segment_surveys_del AFTER DELETE ON surveys
  FOR EACH ROW EXECUTE FUNCTION segment_owner_trg('score');
CREATE TRIGGER segment_customer_consents_ins AFTER INSERT ON customer_consents
  FOR EACH ROW EXECUTE FUNCTION segment_owner_trg('consent');
CREATE TRIGGER segment_customer_consents_upd AFTER UPDATE OF customer_id, channel, granted ON customer_consents
  FOR EACH ROW EXECUTE FUNCTION segment_owner_trg('consent');
CREATE TRIGGER segment_customer_consents_del AFTER DELETE ON customer_consents
  FOR EACH ROW EXECUTE FUNCTION segment_owner_trg('consent');

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
