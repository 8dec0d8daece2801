-- 0026: purchase months per customer (M12, issue 13). A purchase-date range combined with
-- another condition (consent, region, line, service, score) scanned segment_facts and
-- probed segment_units for every customer who bought both before and after the range
-- (2.1 s CPU at 10M). segment_facts now keeps, per customer:
--  * pm_base: the month of the first purchase (year * 12 + month - 1; 0: none);
--  * pm: bit k set when the customer bought in month pm_base + k (k <= 61); 0 with no
--    dated unit; NULL when their purchases span more than 62 months or a purchase date
--    is not YYYY-MM-DD with a month 01-12 and a day 01-31 (those are probed as before).
-- For a range under 61 months a purchase in a month wholly inside it is a match, none in
-- its months no match, and only a purchase in a partial edge month (from not the 1st, to
-- not the 31st) leaves the probe of segment_units; integers only, from an index.
ALTER TABLE segment_facts ADD COLUMN pm BIGINT DEFAULT 0;
ALTER TABLE segment_facts ADD COLUMN pm_base INTEGER DEFAULT 0;

-- The month of each dated unit (NULL when the date is not well formed).
CREATE VIEW segment_unit_months AS
SELECT customer_id, CASE WHEN purchase_date GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'
  AND substr(purchase_date, 6, 2) BETWEEN '01' AND '12' AND substr(purchase_date, 9, 2) BETWEEN '01' AND '31'
  THEN CAST(substr(purchase_date, 1, 4) AS INTEGER) * 12 + CAST(substr(purchase_date, 6, 2) AS INTEGER) - 1 END AS mo
FROM segment_units WHERE purchase_date IS NOT NULL;
-- Per customer: pm_base and pm from the distinct months (every customer at once).
CREATE VIEW segment_month_bits AS
SELECT customer_id, MIN(base) AS pm_base,
  CASE WHEN COUNT(mo) = COUNT(*) AND MAX(mo) - MIN(base) <= 61
       THEN SUM(CASE WHEN mo - base <= 61 THEN CAST(1 AS BIGINT) << (mo - base) ELSE 0 END) END AS pm
FROM (SELECT customer_id, mo, MIN(mo) OVER (PARTITION BY customer_id) AS base
      FROM (SELECT DISTINCT customer_id, mo FROM segment_unit_months)) GROUP BY customer_id;

DROP VIEW segment_fact_source;
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
  (SELECT MAX(u.purchase_date) FROM segment_units u WHERE u.customer_id = c.id) AS bought_max,
  (SELECT CASE WHEN COUNT(*) = 0 THEN 0 WHEN COUNT(x.mo) = COUNT(*) AND MAX(x.mo) - MIN(x.base) <= 61
     THEN SUM(DISTINCT CASE WHEN x.mo - x.base <= 61 THEN CAST(1 AS BIGINT) << (x.mo - x.base) ELSE 0 END) END
   FROM (SELECT m.mo, (SELECT MIN(n.mo) FROM segment_unit_months n WHERE n.customer_id = c.id) AS base
         FROM segment_unit_months m WHERE m.customer_id = c.id) x) AS pm,
  COALESCE((SELECT MIN(m.mo) FROM segment_unit_months m WHERE m.customer_id = c.id), 0) AS pm_base
FROM customers c WHERE c.merged_into IS NULL AND c.erased_at IS NULL;

-- (one grouped pass, joined: the view per customer would group every unit each time)
UPDATE segment_facts SET pm = b.pm, pm_base = COALESCE(b.pm_base, 0) FROM segment_month_bits b
WHERE b.customer_id = segment_facts.customer_id;

-- 0020's unit triggers, now computing the months as well.
DROP TRIGGER segment_units_ins;
DROP TRIGGER segment_units_upd;
DROP TRIGGER segment_units_del;
CREATE TRIGGER segment_units_ins AFTER INSERT ON units WHEN NEW.customer_id IS NOT NULL BEGIN
  INSERT INTO segment_units (unit_id, customer_id, product_line_id, model_id, purchase_date)
  SELECT NEW.id, NEW.customer_id, m.product_line_id, NEW.model_id, NEW.purchase_date
  FROM models m WHERE m.id = NEW.model_id;
  UPDATE segment_facts SET (pl_mask, bought_min, bought_max, pm, pm_base) = (SELECT s.pl_mask, s.bought_min, s.bought_max, s.pm, s.pm_base
    FROM segment_fact_source s WHERE s.customer_id = segment_facts.customer_id) WHERE customer_id IN (NEW.customer_id);
END;
CREATE TRIGGER segment_units_upd AFTER UPDATE OF customer_id, model_id, purchase_date ON units BEGIN
  DELETE FROM segment_units WHERE unit_id = OLD.id;
  INSERT INTO segment_units (unit_id, customer_id, product_line_id, model_id, purchase_date)
  SELECT NEW.id, NEW.customer_id, m.product_line_id, NEW.model_id, NEW.purchase_date
  FROM models m WHERE m.id = NEW.model_id AND NEW.customer_id IS NOT NULL;
  UPDATE segment_facts SET (pl_mask, bought_min, bought_max, pm, pm_base) = (SELECT s.pl_mask, s.bought_min, s.bought_max, s.pm, s.pm_base
    FROM segment_fact_source s WHERE s.customer_id = segment_facts.customer_id) WHERE customer_id IN (OLD.customer_id, NEW.customer_id);
END;
CREATE TRIGGER segment_units_del AFTER DELETE ON units BEGIN
  DELETE FROM segment_units WHERE unit_id = OLD.id;
  UPDATE segment_facts SET (pl_mask, bought_min, bought_max, pm, pm_base) = (SELECT s.pl_mask, s.bought_min, s.bought_max, s.pm, s.pm_base
    FROM segment_fact_source s WHERE s.customer_id = segment_facts.customer_id) WHERE customer_id IN (OLD.customer_id);
END;

-- A region range, or the scan of a consent, product line, last service or score filter,
-- with purchase dates reads the purchase months from these covering indexes, not the
-- rows (0020's, widened).
DROP INDEX segment_facts_region;
CREATE INDEX segment_facts_region ON segment_facts(region, consent, score_mask, pm_base, pm);
DROP INDEX segment_facts_consent;
CREATE INDEX segment_facts_consent ON segment_facts(consent, pl_mask, last_service, score_mask, pm_base, pm);
