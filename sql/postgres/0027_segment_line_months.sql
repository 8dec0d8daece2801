-- 0027: purchase months per customer and product line (M12, issue 13); see
-- sql/sqlite/0027. Per live customer and line of their dated units: pm_base, the month
-- of the line's first purchase (0 when no date of the line is well formed), and pm, bit
-- k for a purchase of the line in month pm_base + k (k <= 61; NULL over 62 months or
-- with a date not YYYY-MM-DD). A line with a range under 61 months reads the line's
-- range of the primary key instead of its models' units.
CREATE TABLE segment_line_months (
  product_line_id  BIGINT NOT NULL,
  customer_id      BIGINT NOT NULL,
  pm_base          INTEGER NOT NULL,
  pm               BIGINT,
  PRIMARY KEY (product_line_id, customer_id)
);

CREATE OR REPLACE VIEW segment_unit_months AS
SELECT customer_id, CASE WHEN purchase_date ~ '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'
  THEN CAST(substr(purchase_date, 1, 4) AS INTEGER) * 12 + CAST(substr(purchase_date, 6, 2) AS INTEGER) - 1 END AS mo,
  product_line_id, unit_id
FROM segment_units WHERE purchase_date IS NOT NULL;

CREATE VIEW segment_line_month_bits AS
SELECT product_line_id, customer_id, COALESCE(MIN(base), 0) AS pm_base,
  CASE WHEN COUNT(mo) = COUNT(*) AND MAX(mo) - MIN(base) <= 61
       THEN CAST(SUM(CASE WHEN mo - base <= 61 THEN CAST(1 AS BIGINT) << (mo - base) ELSE 0 END) AS BIGINT) END AS pm
FROM (SELECT customer_id, product_line_id, mo, MIN(mo) OVER (PARTITION BY customer_id, product_line_id) AS base
      FROM (SELECT DISTINCT customer_id, product_line_id, mo FROM segment_unit_months) d) w
WHERE customer_id IN (SELECT customer_id FROM segment_facts)
GROUP BY customer_id, product_line_id;

INSERT INTO segment_line_months (product_line_id, customer_id, pm_base, pm)
SELECT product_line_id, customer_id, pm_base, pm FROM segment_line_month_bits;

-- The customer's row of line p_line (NULL: of every line) computed again, when live.
CREATE FUNCTION segment_line_refresh(p_id BIGINT, p_line BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF p_id IS NULL THEN RETURN; END IF;
  DELETE FROM segment_line_months WHERE customer_id = p_id AND product_line_id IN
    (SELECT id FROM product_lines WHERE p_line IS NULL OR id = p_line);
  INSERT INTO segment_line_months (product_line_id, customer_id, pm_base, pm)
  SELECT x.l, p_id, COALESCE(x.b, 0), CASE WHEN x.bad = 0 AND x.hi - x.b <= 61 THEN
      (SELECT CAST(SUM(DISTINCT CAST(1 AS BIGINT) << (m.mo - x.b)) AS BIGINT) FROM segment_unit_months m
       WHERE m.customer_id = p_id AND m.product_line_id = x.l) END
  FROM (SELECT product_line_id AS l, MIN(mo) AS b, MAX(mo) AS hi, COUNT(*) - COUNT(mo) AS bad
        FROM segment_unit_months WHERE customer_id = p_id
        AND (p_line IS NULL OR product_line_id = p_line) GROUP BY product_line_id) x
  WHERE EXISTS (SELECT 1 FROM segment_facts WHERE customer_id = p_id);
END $$;

-- A unit in: its month's bit set when the row's bitmap holds the month, else the row
-- computed again; a unit out: computed again (see sql/sqlite/0027).
CREATE FUNCTION segment_units_lines_trg() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  mo INTEGER;
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.purchase_date IS NULL OR NOT EXISTS (SELECT 1 FROM segment_facts WHERE customer_id = NEW.customer_id) THEN
      RETURN NULL;
    END IF;
    mo := (SELECT m.mo FROM segment_unit_months m WHERE m.unit_id = NEW.unit_id);
    IF mo IS NOT NULL THEN
      UPDATE segment_line_months g SET pm = g.pm | (CAST(1 AS BIGINT) << (mo - g.pm_base))
      WHERE g.product_line_id = NEW.product_line_id AND g.customer_id = NEW.customer_id
        AND g.pm IS NOT NULL AND mo BETWEEN g.pm_base AND g.pm_base + 61;
      IF FOUND THEN RETURN NULL; END IF;
    END IF;
    PERFORM segment_line_refresh(NEW.customer_id, NEW.product_line_id);
  ELSIF OLD.purchase_date IS NOT NULL THEN
    PERFORM segment_line_refresh(OLD.customer_id, OLD.product_line_id);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER segment_units_lines_ins AFTER INSERT ON segment_units
  FOR EACH ROW EXECUTE FUNCTION segment_units_lines_trg();
CREATE TRIGGER segment_units_lines_del AFTER DELETE ON segment_units
  FOR EACH ROW EXECUTE FUNCTION segment_units_lines_trg();

-- A customer's facts computed again: 0025's steps, then every line of theirs.
CREATE OR REPLACE FUNCTION segment_refresh(p_id BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF p_id IS NULL THEN RETURN; END IF;
  PERFORM segment_days_move(p_id, -1);
  DELETE FROM segment_facts WHERE customer_id = p_id;
  INSERT INTO segment_facts SELECT * FROM segment_fact_source WHERE customer_id = p_id;
  PERFORM segment_days_move(p_id, 1);
  PERFORM segment_line_refresh(p_id, NULL);
END $$;

-- 0026's purchase months in segment_fact_source took the first month by a subquery per
-- unit of the customer, so every unit change cost the square of the customer's units
-- (500 units of one customer inserted one by one: 58 s CPU): the first month once, then
-- the months against it.
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
   FROM (SELECT m.mo, b.base FROM (SELECT MIN(n.mo) AS base FROM segment_unit_months n WHERE n.customer_id = c.id) b,
         segment_unit_months m WHERE m.customer_id = c.id) x) AS pm,
  COALESCE((SELECT MIN(m.mo) FROM segment_unit_months m WHERE m.customer_id = c.id), 0) AS pm_base
FROM customers c WHERE c.merged_into IS NULL AND c.erased_at IS NULL;
