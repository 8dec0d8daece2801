-- 0027: purchase months per customer and product line (M12, issue 13). A product line
-- with a purchase-date range gathered the customers of its models' units bought in the
-- range (1.3M index entries into an IN list at 10M customers, 2.0 s CPU). This table
-- keeps, per live customer (one with a segment_facts row) and line of their dated units,
-- the purchase months as 0026 does for all lines together:
--  * pm_base: the month of the first purchase of the line (year * 12 + month - 1; 0 when
--    no date of the line is well formed);
--  * pm: bit k set when the customer bought a unit of the line in month pm_base + k
--    (k <= 61); NULL when those purchases span more than 62 months or a date of the line
--    is not YYYY-MM-DD (month 01-12, day 01-31): those are probed in segment_units.
-- A line with a range under 61 months is then one range of this table's primary key
-- (the line's customers), integers only; partial edge months as 0026 does. A customer
-- without a dated unit of the line has no row. Triggers on segment_units keep it, one
-- (customer, line) at a time; a customer's facts computed again (merge, erasure, a
-- model moved to another line) recompute all their lines.
CREATE TABLE segment_line_months (
  product_line_id  BIGINT NOT NULL,
  customer_id      BIGINT NOT NULL,
  pm_base          INTEGER NOT NULL,
  pm               BIGINT,
  PRIMARY KEY (product_line_id, customer_id)
) WITHOUT ROWID;

-- 0026's months of each dated unit, with the unit's line and id (NULL month: not well formed).
DROP VIEW segment_unit_months;
CREATE VIEW segment_unit_months AS
SELECT customer_id, CASE WHEN purchase_date GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'
  AND substr(purchase_date, 6, 2) BETWEEN '01' AND '12' AND substr(purchase_date, 9, 2) BETWEEN '01' AND '31'
  THEN CAST(substr(purchase_date, 1, 4) AS INTEGER) * 12 + CAST(substr(purchase_date, 6, 2) AS INTEGER) - 1 END AS mo,
  product_line_id, unit_id
FROM segment_units WHERE purchase_date IS NOT NULL;

-- Every (customer, line) at once, for the live customers (the migration, the rebuild).
CREATE VIEW segment_line_month_bits AS
SELECT product_line_id, customer_id, COALESCE(MIN(base), 0) AS pm_base,
  CASE WHEN COUNT(mo) = COUNT(*) AND MAX(mo) - MIN(base) <= 61
       THEN SUM(CAST(1 AS BIGINT) << (mo - base)) END AS pm
FROM (SELECT customer_id, product_line_id, mo, MIN(mo) OVER (PARTITION BY customer_id, product_line_id) AS base
      FROM (SELECT DISTINCT customer_id, product_line_id, mo FROM segment_unit_months))
WHERE customer_id IN (SELECT customer_id FROM segment_facts)
GROUP BY customer_id, product_line_id;

INSERT INTO segment_line_months (product_line_id, customer_id, pm_base, pm)
SELECT product_line_id, customer_id, pm_base, pm FROM segment_line_month_bits;

-- INSERT INTO segment_line_one VALUES (customer, line): that customer's row of that line
-- computed again from their units, when they are live (the customer's range of
-- segment_units_customer); INSERT INTO segment_line_dirty VALUES (customer): every line
-- of theirs. Two views, so that a unit's statement compiles only the first.
CREATE VIEW segment_line_one AS SELECT CAST(0 AS BIGINT) AS customer_id, CAST(0 AS BIGINT) AS product_line_id;
CREATE TRIGGER segment_line_one_ins INSTEAD OF INSERT ON segment_line_one BEGIN
  DELETE FROM segment_line_months WHERE product_line_id = NEW.product_line_id AND customer_id = NEW.customer_id;
  INSERT INTO segment_line_months (product_line_id, customer_id, pm_base, pm)
  SELECT NEW.product_line_id, NEW.customer_id, COALESCE(x.b, 0), CASE WHEN x.bad = 0 AND x.hi - x.b <= 61 THEN
      (SELECT SUM(DISTINCT CAST(1 AS BIGINT) << (m.mo - x.b)) FROM segment_unit_months m
       WHERE m.customer_id = NEW.customer_id AND m.product_line_id = NEW.product_line_id) END
  FROM (SELECT MIN(mo) AS b, MAX(mo) AS hi, COUNT(*) - COUNT(mo) AS bad, COUNT(*) AS n FROM segment_unit_months
        WHERE customer_id = NEW.customer_id AND product_line_id = NEW.product_line_id) x
  WHERE x.n > 0 AND EXISTS (SELECT 1 FROM segment_facts WHERE customer_id = NEW.customer_id);
END;
CREATE VIEW segment_line_dirty AS SELECT CAST(0 AS BIGINT) AS customer_id;
CREATE TRIGGER segment_line_dirty_ins INSTEAD OF INSERT ON segment_line_dirty BEGIN
  DELETE FROM segment_line_months WHERE customer_id = NEW.customer_id
    AND product_line_id IN (SELECT id FROM product_lines);
  INSERT INTO segment_line_months (product_line_id, customer_id, pm_base, pm)
  SELECT x.l, NEW.customer_id, COALESCE(x.b, 0), CASE WHEN x.bad = 0 AND x.hi - x.b <= 61 THEN
      (SELECT SUM(DISTINCT CAST(1 AS BIGINT) << (m.mo - x.b)) FROM segment_unit_months m
       WHERE m.customer_id = NEW.customer_id AND m.product_line_id = x.l) END
  FROM (SELECT product_line_id AS l, MIN(mo) AS b, MAX(mo) AS hi, COUNT(*) - COUNT(mo) AS bad
        FROM segment_unit_months WHERE customer_id = NEW.customer_id GROUP BY product_line_id) x
  WHERE EXISTS (SELECT 1 FROM segment_facts WHERE customer_id = NEW.customer_id);
END;

-- A dated unit in or out (0020's unit triggers insert into and delete from segment_units;
-- an undated one, or one of a customer who is not live, changes no row). A unit in: its
-- month's bit set in the row when the row has a bitmap whose 62 months hold it (two
-- seeks, whatever the customer's units; changes() is that UPDATE's count inside the
-- trigger), else (a new line for the customer, a month before the first or past the
-- 62nd, no bitmap, a date not well formed) the row computed again. A unit out: computed
-- again.
CREATE TRIGGER segment_units_lines_ins AFTER INSERT ON segment_units
WHEN NEW.purchase_date IS NOT NULL
 AND EXISTS (SELECT 1 FROM segment_facts WHERE customer_id = NEW.customer_id) BEGIN
  UPDATE segment_line_months SET pm = pm | (CAST(1 AS BIGINT) << (m.mo - pm_base))
  FROM (SELECT mo FROM segment_unit_months WHERE unit_id = NEW.unit_id) m
  WHERE product_line_id = NEW.product_line_id AND customer_id = NEW.customer_id AND pm IS NOT NULL
    AND m.mo BETWEEN pm_base AND pm_base + 61;
  INSERT INTO segment_line_one SELECT NEW.customer_id, NEW.product_line_id WHERE changes() = 0;
END;
CREATE TRIGGER segment_units_lines_del AFTER DELETE ON segment_units
WHEN OLD.purchase_date IS NOT NULL
 AND EXISTS (SELECT 1 FROM segment_facts WHERE customer_id = OLD.customer_id) BEGIN
  INSERT INTO segment_line_one VALUES (OLD.customer_id, OLD.product_line_id);
END;

-- A customer's facts computed again (region, merge, erasure, a model's line changed):
-- 0025's steps, then every line of theirs, since being live decides whether they count.
DROP TRIGGER segment_dirty_ins;
CREATE TRIGGER segment_dirty_ins INSTEAD OF INSERT ON segment_dirty BEGIN
  INSERT INTO segment_days_out VALUES (NEW.customer_id);
  DELETE FROM segment_facts WHERE customer_id = NEW.customer_id;
  INSERT INTO segment_facts SELECT * FROM segment_fact_source WHERE customer_id = NEW.customer_id;
  INSERT INTO segment_days_in VALUES (NEW.customer_id);
  INSERT INTO segment_line_dirty VALUES (NEW.customer_id);
END;

-- 0026's purchase months in segment_fact_source took the first month by a subquery per
-- unit of the customer, so every unit change cost the square of the customer's units
-- (500 units of one customer inserted one by one: 58 s CPU): the first month once, then
-- the months against it.
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
   FROM (SELECT m.mo, b.base FROM (SELECT MIN(n.mo) AS base FROM segment_unit_months n WHERE n.customer_id = c.id) b,
         segment_unit_months m WHERE m.customer_id = c.id) x) AS pm,
  COALESCE((SELECT MIN(m.mo) FROM segment_unit_months m WHERE m.customer_id = c.id), 0) AS pm_base
FROM customers c WHERE c.merged_into IS NULL AND c.erased_at IS NULL;
