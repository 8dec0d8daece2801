-- 0005: turnaround and quality KPIs (M5). The report reads daily aggregates that the
-- database keeps current by itself: triggers on repairs refresh the per-repair facts of
-- the repair and of every other repair of the same serial (a new repair can make an older
-- one a 90-day return), and triggers on the facts add them into the daily buckets. All of
-- it runs inside the statement that changes the repair, so in its transaction.
-- `aftersales kpi --check` compares the buckets with a full recount in C.

-- The zone KPI periods are cut in, and the offset daily buckets are cut with. A report
-- whose period boundaries (local midnights of time_zone) fall on bucket boundaries reads
-- the buckets; any other (a zone with daylight saving) is computed from the repairs.
-- Changing either needs `aftersales kpi --rebuild`.
CREATE TABLE kpi_config (
  id             INTEGER PRIMARY KEY CHECK (id = 1),
  time_zone      TEXT NOT NULL,
  bucket_offset  BIGINT NOT NULL
);
INSERT INTO kpi_config (id, time_zone, bucket_offset) VALUES (1, 'Asia/Shanghai', 28800);

-- One row per completed (received, repaired, not cancelled) repair: what it adds to its
-- bucket. day = local day number of repaired_at (days since 1970-01-01).
CREATE TABLE kpi_facts (
  repair_id        BIGINT PRIMARY KEY,
  day              BIGINT NOT NULL,
  outlet_id        BIGINT NOT NULL,
  product_line_id  BIGINT NOT NULL,
  within_4d        INTEGER NOT NULL,
  over_14d         INTEGER NOT NULL,
  with_serial      INTEGER NOT NULL,
  rr90             INTEGER NOT NULL
);

-- Sums of kpi_facts per local day, outlet and product line (0 = none).
CREATE TABLE kpi_daily (
  day              BIGINT NOT NULL,
  outlet_id        BIGINT NOT NULL,
  product_line_id  BIGINT NOT NULL,
  completed        BIGINT NOT NULL,
  within_4d        BIGINT NOT NULL,
  over_14d         BIGINT NOT NULL,
  with_serial      BIGINT NOT NULL,
  rr90             BIGINT NOT NULL,
  PRIMARY KEY (day, outlet_id, product_line_id)
);
CREATE INDEX kpi_daily_outlet ON kpi_daily(outlet_id, day);

-- open_over_14d at an instant `to` counts the repairs still open now that were received
-- before to - 336 h, and the ones repaired at or after `to` that were received before
-- to - 336 h (their TAT is over 336 h, so they are few): one small index for each.
CREATE INDEX kpi_repairs_open ON repairs(received_at)
  WHERE repaired_at IS NULL AND cancelled_at IS NULL AND status <> 'cancelled';
CREATE INDEX kpi_repairs_long ON repairs(repaired_at)
  WHERE repaired_at - received_at > 1209600;

-- The SPEC definitions, per repair (TAT 96 h = 345600 s, 336 h = 1209600 s, RR90 window
-- 2160 h = 7776000 s from delivery, else repair).
CREATE VIEW kpi_fact_source AS
SELECT r.id AS repair_id,
       r.serial AS serial,
       r.repaired_at AS repaired_at,
       (r.repaired_at + c.bucket_offset) / 86400 AS day,
       COALESCE(r.outlet_id, 0) AS outlet_id,
       COALESCE(r.product_line_id, 0) AS product_line_id,
       CASE WHEN r.repaired_at - r.received_at <= 345600 THEN 1 ELSE 0 END AS within_4d,
       CASE WHEN r.repaired_at - r.received_at > 1209600 THEN 1 ELSE 0 END AS over_14d,
       CASE WHEN r.serial IS NULL THEN 0 ELSE 1 END AS with_serial,
       CASE WHEN r.serial IS NOT NULL AND EXISTS (
              SELECT 1 FROM repairs y
               WHERE y.serial = r.serial AND y.id <> r.id
                 AND y.cancelled_at IS NULL AND y.status <> 'cancelled'
                 AND y.received_at >= COALESCE(r.delivered_at, r.repaired_at)
                 AND y.received_at <= COALESCE(r.delivered_at, r.repaired_at) + 7776000)
            THEN 1 ELSE 0 END AS rr90
  FROM repairs r, kpi_config c
 WHERE c.id = 1 AND r.repaired_at IS NOT NULL AND r.received_at IS NOT NULL
   AND r.cancelled_at IS NULL AND r.status <> 'cancelled';

CREATE FUNCTION kpi_facts_trg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO kpi_daily AS d (day, outlet_id, product_line_id, completed, within_4d,
                                over_14d, with_serial, rr90)
    VALUES (NEW.day, NEW.outlet_id, NEW.product_line_id, 1, NEW.within_4d, NEW.over_14d,
            NEW.with_serial, NEW.rr90)
    ON CONFLICT (day, outlet_id, product_line_id) DO UPDATE SET
      completed = d.completed + 1,
      within_4d = d.within_4d + EXCLUDED.within_4d,
      over_14d = d.over_14d + EXCLUDED.over_14d,
      with_serial = d.with_serial + EXCLUDED.with_serial,
      rr90 = d.rr90 + EXCLUDED.rr90;
    RETURN NEW;
  END IF;
  UPDATE kpi_daily SET completed = completed - 1,
                       within_4d = within_4d - OLD.within_4d,
                       over_14d = over_14d - OLD.over_14d,
                       with_serial = with_serial - OLD.with_serial,
                       rr90 = rr90 - OLD.rr90
   WHERE day = OLD.day AND outlet_id = OLD.outlet_id AND product_line_id = OLD.product_line_id;
  RETURN OLD;
END $$;

CREATE TRIGGER kpi_facts_daily AFTER INSERT OR DELETE ON kpi_facts
  FOR EACH ROW EXECUTE FUNCTION kpi_facts_trg();

-- Refresh the facts of repair p_id and of every repair of serial s1 or s2. Concurrent
-- changes to repairs of one serial are serialised by an advisory lock per serial.
CREATE FUNCTION kpi_refresh(p_id BIGINT, s1 TEXT, s2 TEXT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF s1 IS NOT NULL AND (s2 IS NULL OR s1 <= s2) THEN
    PERFORM pg_advisory_xact_lock(hashtext('kpi:' || s1));
  END IF;
  IF s2 IS NOT NULL THEN
    PERFORM pg_advisory_xact_lock(hashtext('kpi:' || s2));
  END IF;
  IF s1 IS NOT NULL AND s2 IS NOT NULL AND s1 > s2 THEN
    PERFORM pg_advisory_xact_lock(hashtext('kpi:' || s1));
  END IF;
  DELETE FROM kpi_facts WHERE repair_id = p_id;
  DELETE FROM kpi_facts WHERE repair_id IN (SELECT id FROM repairs WHERE serial IN (s1, s2));
  INSERT INTO kpi_facts SELECT repair_id, day, outlet_id, product_line_id, within_4d, over_14d,
                               with_serial, rr90
    FROM kpi_fact_source WHERE repair_id = p_id;
  INSERT INTO kpi_facts SELECT repair_id, day, outlet_id, product_line_id, within_4d, over_14d,
                               with_serial, rr90
    FROM kpi_fact_source WHERE serial IN (s1, s2) AND repair_id <> p_id;
END $$;

CREATE FUNCTION kpi_repairs_trg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM kpi_refresh(NEW.id, NEW.serial, NULL);
    RETURN NEW;
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM kpi_refresh(NEW.id, OLD.serial, NEW.serial);
    RETURN NEW;
  END IF;
  PERFORM kpi_refresh(OLD.id, OLD.serial, NULL);
  RETURN OLD;
END $$;

CREATE TRIGGER kpi_repairs_ins AFTER INSERT ON repairs
  FOR EACH ROW EXECUTE FUNCTION kpi_repairs_trg();
CREATE TRIGGER kpi_repairs_upd AFTER UPDATE ON repairs FOR EACH ROW
  WHEN (OLD.serial IS DISTINCT FROM NEW.serial OR OLD.outlet_id IS DISTINCT FROM NEW.outlet_id
     OR OLD.product_line_id IS DISTINCT FROM NEW.product_line_id
     OR OLD.received_at IS DISTINCT FROM NEW.received_at
     OR OLD.repaired_at IS DISTINCT FROM NEW.repaired_at
     OR OLD.delivered_at IS DISTINCT FROM NEW.delivered_at
     OR OLD.cancelled_at IS DISTINCT FROM NEW.cancelled_at
     OR (OLD.status = 'cancelled') IS DISTINCT FROM (NEW.status = 'cancelled'))
  EXECUTE FUNCTION kpi_repairs_trg();
CREATE TRIGGER kpi_repairs_del AFTER DELETE ON repairs
  FOR EACH ROW EXECUTE FUNCTION kpi_repairs_trg();
