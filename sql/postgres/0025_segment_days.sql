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
  day   TEXT COLLATE "C" NOT NULL,
  prev  TEXT COLLATE "C" NOT NULL,
  n     BIGINT NOT NULL,
  PRIMARY KEY (day, prev)
);

-- The pairs of one customer: their distinct purchase days, each with the one before.
CREATE VIEW segment_day_pairs AS
SELECT customer_id, day, prev FROM
  (SELECT customer_id, purchase_date AS day,
          COALESCE(LAG(purchase_date) OVER (PARTITION BY customer_id ORDER BY purchase_date), '') AS prev
   FROM segment_units WHERE purchase_date IS NOT NULL) d
WHERE prev <> day; -- a second unit of the same day adds no pair

-- The customer's pairs taken out of (sign -1) or put into (+1) the counts, when the
-- customer is live (has a segment_facts row).
CREATE FUNCTION segment_days_move(p_id BIGINT, sign INTEGER) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF p_id IS NULL OR NOT EXISTS (SELECT 1 FROM segment_facts WHERE customer_id = p_id) THEN
    RETURN;
  END IF;
  IF sign < 0 THEN
    UPDATE segment_days SET n = n - 1 WHERE (day, prev) IN
      (SELECT p.day, p.prev FROM segment_day_pairs p WHERE p.customer_id = p_id);
    DELETE FROM segment_days WHERE n = 0 AND (day, prev) IN
      (SELECT p.day, p.prev FROM segment_day_pairs p WHERE p.customer_id = p_id);
  ELSE
    INSERT INTO segment_days (day, prev, n)
    SELECT p.day, p.prev, 1 FROM segment_day_pairs p WHERE p.customer_id = p_id
    ON CONFLICT (day, prev) DO UPDATE SET n = segment_days.n + 1;
  END IF;
END $$;

INSERT INTO segment_days (day, prev, n)
SELECT p.day, p.prev, COUNT(*) FROM segment_day_pairs p
WHERE p.customer_id IN (SELECT customer_id FROM segment_facts) GROUP BY p.day, p.prev;

-- A customer's facts computed again (region, merge, erasure): their pairs out before and
-- in after, since being live decides whether they count.
CREATE OR REPLACE FUNCTION segment_refresh(p_id BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF p_id IS NULL THEN RETURN; END IF;
  PERFORM segment_days_move(p_id, -1);
  DELETE FROM segment_facts WHERE customer_id = p_id;
  INSERT INTO segment_facts SELECT * FROM segment_fact_source WHERE customer_id = p_id;
  PERFORM segment_days_move(p_id, 1);
END $$;

-- A unit of a live customer bought on day d (another unit of that day changes nothing):
-- with p the customer's previous day ('' if none) and q the next one, the pair (q, p)
-- becomes (q, d) and (d, p) is added; a unit deleted, the reverse. Three index seeks on
-- segment_units_customer, whatever the number of the customer's units (0020's triggers
-- on units insert into and delete from segment_units, so these see every change).
CREATE FUNCTION segment_days_add(p_day TEXT, p_prev TEXT, k INTEGER) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF p_day IS NULL THEN RETURN; END IF;
  INSERT INTO segment_days (day, prev, n) VALUES (p_day, p_prev, k)
  ON CONFLICT (day, prev) DO UPDATE SET n = segment_days.n + excluded.n;
  DELETE FROM segment_days WHERE day = p_day AND prev = p_prev AND n = 0;
END $$;
CREATE FUNCTION segment_units_days_trg() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  x BIGINT; d TEXT; uid BIGINT; sign INTEGER; p TEXT; q TEXT;
BEGIN
  IF TG_OP = 'INSERT' THEN
    x := NEW.customer_id; d := NEW.purchase_date; uid := NEW.unit_id; sign := 1;
  ELSE
    x := OLD.customer_id; d := OLD.purchase_date; uid := OLD.unit_id; sign := -1;
  END IF;
  IF d IS NULL OR NOT EXISTS (SELECT 1 FROM segment_facts WHERE customer_id = x)
     OR EXISTS (SELECT 1 FROM segment_units WHERE customer_id = x AND purchase_date = d
                AND unit_id <> uid) THEN
    RETURN NULL;
  END IF;
  p := COALESCE((SELECT MAX(purchase_date) FROM segment_units WHERE customer_id = x AND purchase_date < d), '');
  q := (SELECT MIN(purchase_date) FROM segment_units WHERE customer_id = x AND purchase_date > d);
  PERFORM segment_days_add(q, p, -sign);
  PERFORM segment_days_add(q, d, sign);
  PERFORM segment_days_add(d, p, sign);
  RETURN NULL;
END $$;
CREATE TRIGGER segment_units_days_ins AFTER INSERT ON segment_units
  FOR EACH ROW EXECUTE FUNCTION segment_units_days_trg();
CREATE TRIGGER segment_units_days_del AFTER DELETE ON segment_units
  FOR EACH ROW EXECUTE FUNCTION segment_units_days_trg();

-- Market research recipients (issue 13): the outbox message of each invitation, so a
-- recipient shows the delivery (sent, failed, bounced, with the outbox's last error).
ALTER TABLE research_recipients ADD COLUMN outbox_id BIGINT;

-- A new repair moves its customer's last service forward, if it is later: the maximum
-- of the old set and the new value, with no look at the customer's other repairs (0020
-- took MAX over all of them, which cost a durable create time linear in the customer's
-- repairs: a dealer's account with thousands halved the create rate).
CREATE FUNCTION segment_repairs_ins_trg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE segment_facts SET last_service = NEW.registered_at
  WHERE customer_id = NEW.customer_id AND (last_service IS NULL OR last_service < NEW.registered_at);
  RETURN NULL;
END $$;
DROP TRIGGER segment_repairs_ins ON repairs;
CREATE TRIGGER segment_repairs_ins AFTER INSERT ON repairs
  FOR EACH ROW EXECUTE FUNCTION segment_repairs_ins_trg();
