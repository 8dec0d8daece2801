-- 0026: purchase months per customer (M12, issue 13); see sql/sqlite/0026. A purchase-date
-- range combined with another condition probed segment_units for every customer who
-- bought before and after the range; segment_facts now keeps per customer
--  * pm_base: the month of the first purchase (year * 12 + month - 1; 0: none);
--  * pm: bit k set when the customer bought in month pm_base + k (k <= 61); 0 with no
--    dated unit; NULL when their purchases span more than 62 months or a date is not
--    YYYY-MM-DD (month 01-12, day 01-31): those are probed as before.
ALTER TABLE segment_facts ADD COLUMN pm BIGINT DEFAULT 0;
ALTER TABLE segment_facts ADD COLUMN pm_base INTEGER DEFAULT 0;

CREATE VIEW segment_unit_months AS
SELECT customer_id, CASE WHEN purchase_date ~ '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'
  THEN CAST(substr(purchase_date, 1, 4) AS INTEGER) * 12 + CAST(substr(purchase_date, 6, 2) AS INTEGER) - 1 END AS mo
FROM segment_units WHERE purchase_date IS NOT NULL;
CREATE VIEW segment_month_bits AS
SELECT customer_id, MIN(base) AS pm_base,
  CASE WHEN COUNT(mo) = COUNT(*) AND MAX(mo) - MIN(base) <= 61
       THEN CAST(SUM(CASE WHEN mo - base <= 61 THEN CAST(1 AS BIGINT) << (mo - base) ELSE 0 END) AS BIGINT) END AS pm
FROM (SELECT customer_id, mo, MIN(mo) OVER (PARTITION BY customer_id) AS base
      FROM (SELECT DISTINCT customer_id, mo FROM segment_unit_months) d) w GROUP BY customer_id;

CREATE OR REPLACE VIEW segment_fact_source AS
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
  (SELECT MAX(u.purchase_date) FROM segment_units u WHERE u.customer_id = c.id) AS bought_max,
  (SELECT CASE WHEN COUNT(*) = 0 THEN 0 WHEN COUNT(x.mo) = COUNT(*) AND MAX(x.mo) - MIN(x.base) <= 61
     THEN CAST(SUM(DISTINCT CASE WHEN x.mo - x.base <= 61 THEN CAST(1 AS BIGINT) << (x.mo - x.base) ELSE 0 END) AS BIGINT) END
   FROM (SELECT m.mo, (SELECT MIN(n.mo) FROM segment_unit_months n WHERE n.customer_id = c.id) AS base
         FROM segment_unit_months m WHERE m.customer_id = c.id) x) AS pm,
  COALESCE((SELECT MIN(m.mo) FROM segment_unit_months m WHERE m.customer_id = c.id), 0) AS pm_base
FROM customers c WHERE c.merged_into IS NULL AND c.erased_at IS NULL;

UPDATE segment_facts f SET pm = b.pm, pm_base = COALESCE(b.pm_base, 0) FROM segment_month_bits b
WHERE b.customer_id = f.customer_id;

CREATE OR REPLACE FUNCTION segment_part_refresh(what TEXT, a BIGINT, b BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF what = 'units' THEN
    UPDATE segment_facts SET (pl_mask, bought_min, bought_max, pm, pm_base) = (SELECT s.pl_mask, s.bought_min, s.bought_max, s.pm, s.pm_base
      FROM segment_fact_source s WHERE s.customer_id = segment_facts.customer_id) WHERE customer_id IN (a, b);
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

-- A region range, or the scan of a consent, product line, last service or score filter,
-- with purchase dates reads the purchase months from these covering indexes, not the
-- rows (0020's, widened).
DROP INDEX segment_facts_region;
CREATE INDEX segment_facts_region ON segment_facts(region, consent, score_mask, pm_base, pm);
DROP INDEX segment_facts_consent;
CREATE INDEX segment_facts_consent ON segment_facts(consent, pl_mask, last_service, score_mask, pm_base, pm);
