-- 0025: purchase-date ranges counted without a scan (M12, issue 13). A segment over a
-- purchase-date range alone counted the customers with a unit bought in [from, to] by
-- scanning every segment_facts row and probing segment_units for those who bought before
-- and after the range (4.6-6.4 s at 10M customers). segment_days keeps, per live
-- customer (one with a segment_facts row) and per distinct purchase day d of their units,
-- the pair (d, the customer's previous purchase day, '' for the first), counted over all
-- customers. A customer bought in [from, to] exactly when their first purchase day in it
-- has a previous day before from, so the count is
--   SUM(n) WHERE day BETWEEN from AND to AND prev < from
-- one index range of this table, whose size is bounded by the distinct (day, previous
-- day) pairs, not by the customers. Triggers on segment_units keep it, a unit at a time;
-- a customer's merge or erasure takes all their pairs out (or puts them in).
CREATE TABLE segment_days (
  day   TEXT NOT NULL,
  prev  TEXT NOT NULL,
  n     BIGINT NOT NULL,
  PRIMARY KEY (day, prev)
) WITHOUT ROWID;

-- The pairs of one customer: their distinct purchase days, each with the one before.
CREATE VIEW segment_day_pairs AS
SELECT customer_id, day, prev FROM
  (SELECT customer_id, purchase_date AS day,
          COALESCE(LAG(purchase_date) OVER (PARTITION BY customer_id ORDER BY purchase_date), '') AS prev
   FROM segment_units WHERE purchase_date IS NOT NULL) d
WHERE prev <> day; -- a second unit of the same day adds no pair

-- INSERT INTO segment_days_out/in VALUES (id): the customer's pairs taken out of / put
-- into the counts, when the customer is live (has a segment_facts row).
CREATE VIEW segment_days_out AS SELECT CAST(0 AS BIGINT) AS customer_id;
CREATE TRIGGER segment_days_out_ins INSTEAD OF INSERT ON segment_days_out
WHEN NEW.customer_id IS NOT NULL
 AND EXISTS (SELECT 1 FROM segment_facts WHERE customer_id = NEW.customer_id) BEGIN
  UPDATE segment_days SET n = n - 1 WHERE (day, prev) IN
    (SELECT p.day, p.prev FROM segment_day_pairs p WHERE p.customer_id = NEW.customer_id);
  DELETE FROM segment_days WHERE n = 0 AND (day, prev) IN
    (SELECT p.day, p.prev FROM segment_day_pairs p WHERE p.customer_id = NEW.customer_id);
END;
CREATE VIEW segment_days_in AS SELECT CAST(0 AS BIGINT) AS customer_id;
CREATE TRIGGER segment_days_in_ins INSTEAD OF INSERT ON segment_days_in
WHEN NEW.customer_id IS NOT NULL
 AND EXISTS (SELECT 1 FROM segment_facts WHERE customer_id = NEW.customer_id) BEGIN
  INSERT INTO segment_days (day, prev, n)
  SELECT p.day, p.prev, 1 FROM segment_day_pairs p WHERE p.customer_id = NEW.customer_id AND 1
  ON CONFLICT (day, prev) DO UPDATE SET n = n + 1;
END;

INSERT INTO segment_days (day, prev, n)
SELECT p.day, p.prev, COUNT(*) FROM segment_day_pairs p
WHERE p.customer_id IN (SELECT customer_id FROM segment_facts) GROUP BY p.day, p.prev;

-- A customer's facts computed again (region, merge, erasure): their pairs out before and
-- in after, since being live decides whether they count.
DROP TRIGGER segment_dirty_ins;
CREATE TRIGGER segment_dirty_ins INSTEAD OF INSERT ON segment_dirty BEGIN
  INSERT INTO segment_days_out VALUES (NEW.customer_id);
  DELETE FROM segment_facts WHERE customer_id = NEW.customer_id;
  INSERT INTO segment_facts SELECT * FROM segment_fact_source WHERE customer_id = NEW.customer_id;
  INSERT INTO segment_days_in VALUES (NEW.customer_id);
END;

-- A unit of a live customer bought on day d (another unit of that day changes nothing):
-- with p the customer's previous day ('' if none) and q the next one, the pair (q, p)
-- becomes (q, d) and (d, p) is added; a unit deleted, the reverse. Three index seeks on
-- segment_units_customer, whatever the number of the customer's units (0020's triggers
-- on units insert into and delete from segment_units, so these see every change).
CREATE VIEW segment_days_add AS SELECT '' AS day, '' AS prev, 0 AS k;
CREATE TRIGGER segment_days_add_ins INSTEAD OF INSERT ON segment_days_add
WHEN NEW.day IS NOT NULL BEGIN
  INSERT INTO segment_days (day, prev, n) VALUES (NEW.day, NEW.prev, NEW.k)
  ON CONFLICT (day, prev) DO UPDATE SET n = n + excluded.n;
  DELETE FROM segment_days WHERE day = NEW.day AND prev = NEW.prev AND n = 0;
END;
CREATE TRIGGER segment_units_days_ins AFTER INSERT ON segment_units
WHEN NEW.purchase_date IS NOT NULL
 AND EXISTS (SELECT 1 FROM segment_facts WHERE customer_id = NEW.customer_id)
 AND NOT EXISTS (SELECT 1 FROM segment_units WHERE customer_id = NEW.customer_id
                 AND purchase_date = NEW.purchase_date AND unit_id <> NEW.unit_id) BEGIN
  INSERT INTO segment_days_add SELECT
    (SELECT MIN(purchase_date) FROM segment_units WHERE customer_id = NEW.customer_id AND purchase_date > NEW.purchase_date),
    COALESCE((SELECT MAX(purchase_date) FROM segment_units WHERE customer_id = NEW.customer_id AND purchase_date < NEW.purchase_date), ''), -1;
  INSERT INTO segment_days_add SELECT
    (SELECT MIN(purchase_date) FROM segment_units WHERE customer_id = NEW.customer_id AND purchase_date > NEW.purchase_date),
    NEW.purchase_date, 1;
  INSERT INTO segment_days_add SELECT NEW.purchase_date,
    COALESCE((SELECT MAX(purchase_date) FROM segment_units WHERE customer_id = NEW.customer_id AND purchase_date < NEW.purchase_date), ''), 1;
END;
CREATE TRIGGER segment_units_days_del AFTER DELETE ON segment_units
WHEN OLD.purchase_date IS NOT NULL
 AND EXISTS (SELECT 1 FROM segment_facts WHERE customer_id = OLD.customer_id)
 AND NOT EXISTS (SELECT 1 FROM segment_units WHERE customer_id = OLD.customer_id
                 AND purchase_date = OLD.purchase_date) BEGIN
  INSERT INTO segment_days_add SELECT OLD.purchase_date,
    COALESCE((SELECT MAX(purchase_date) FROM segment_units WHERE customer_id = OLD.customer_id AND purchase_date < OLD.purchase_date), ''), -1;
  INSERT INTO segment_days_add SELECT
    (SELECT MIN(purchase_date) FROM segment_units WHERE customer_id = OLD.customer_id AND purchase_date > OLD.purchase_date),
    OLD.purchase_date, -1;
  INSERT INTO segment_days_add SELECT
    (SELECT MIN(purchase_date) FROM segment_units WHERE customer_id = OLD.customer_id AND purchase_date > OLD.purchase_date),
    COALESCE((SELECT MAX(purchase_date) FROM segment_units WHERE customer_id = OLD.customer_id AND purchase_date < OLD.purchase_date), ''), 1;
END;

-- Market research recipients (issue 13): the outbox message of each invitation, so a
-- recipient shows the delivery (sent, failed, bounced, with the outbox's last error).
ALTER TABLE research_recipients ADD COLUMN outbox_id BIGINT;

-- A new repair moves its customer's last service forward, if it is later: the maximum
-- of the old set and the new value, with no look at the customer's other repairs (0020
-- took MAX over all of them, which cost a durable create time linear in the customer's
-- repairs: a dealer's account with thousands halved the create rate).
DROP TRIGGER segment_repairs_ins;
CREATE TRIGGER segment_repairs_ins AFTER INSERT ON repairs BEGIN
  UPDATE segment_facts SET last_service = NEW.registered_at
  WHERE customer_id = NEW.customer_id AND (last_service IS NULL OR last_service < NEW.registered_at);
END;
