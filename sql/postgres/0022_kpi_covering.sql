-- 0022: the kpi report's per-request KPIs (surveys, complaints, parts lines) read only
-- index entries: each period index also holds every column its KPI query reads, so a
-- report over a year no longer looks up one table row per survey, complaint or line
-- (issue 16: at 30k surveys a year the row lookups were most of the report's time).
-- Each replaces the one-column index of the same leading column, which serves nothing
-- the new one does not.
DROP INDEX surveys_created;
CREATE INDEX surveys_created ON surveys(created_at, kind, outlet_id, product_line_id,
                                        answered_at, q_overall);
DROP INDEX complaints_received;
CREATE INDEX complaints_received ON complaints(received_at, outlet_id, product_line_id,
                                               first_response_at, first_response_due);
DROP INDEX part_request_lines_created;
CREATE INDEX part_request_lines_created ON part_request_lines(created_at, outlet_id,
                                                              first_status, repair_id);
DROP INDEX part_request_lines_received;
CREATE INDEX part_request_lines_received ON part_request_lines(received_at, outlet_id,
                                                               created_at, repair_id);

-- Sums of kpi_daily per local month (month = the day number of its first day), outlet
-- and product line, kept by the same trigger in the same statement: a report over whole
-- months reads 12 rows an outlet and product line for a year, not 365 (issue 16: a year
-- grouped by outlet read 413k daily rows at 5M repairs). `aftersales kpi --check`
-- compares them with the sums of kpi_daily.
CREATE TABLE kpi_monthly (
  month            BIGINT NOT NULL,
  outlet_id        BIGINT NOT NULL,
  product_line_id  BIGINT NOT NULL,
  completed        BIGINT NOT NULL,
  within_4d        BIGINT NOT NULL,
  over_14d         BIGINT NOT NULL,
  with_serial      BIGINT NOT NULL,
  rr90             BIGINT NOT NULL,
  PRIMARY KEY (month, outlet_id, product_line_id)
);
CREATE INDEX kpi_monthly_outlet ON kpi_monthly(outlet_id, month);

CREATE FUNCTION kpi_month_of(d BIGINT) RETURNS BIGINT LANGUAGE sql IMMUTABLE AS $$
  SELECT CAST(date_trunc('month', DATE '1970-01-01' + CAST(d AS INTEGER))::date
              - DATE '1970-01-01' AS BIGINT)
$$;

INSERT INTO kpi_monthly (month, outlet_id, product_line_id, completed, within_4d, over_14d,
                         with_serial, rr90)
SELECT kpi_month_of(day), outlet_id, product_line_id, SUM(completed), SUM(within_4d),
       SUM(over_14d), SUM(with_serial), SUM(rr90)
  FROM kpi_daily GROUP BY 1, 2, 3;

CREATE OR REPLACE FUNCTION kpi_facts_trg() RETURNS trigger LANGUAGE plpgsql AS $$
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
    INSERT INTO kpi_monthly AS m (month, outlet_id, product_line_id, completed, within_4d,
                                  over_14d, with_serial, rr90)
    VALUES (kpi_month_of(NEW.day), NEW.outlet_id, NEW.product_line_id, 1, NEW.within_4d,
            NEW.over_14d, NEW.with_serial, NEW.rr90)
    ON CONFLICT (month, outlet_id, product_line_id) DO UPDATE SET
      completed = m.completed + 1,
      within_4d = m.within_4d + EXCLUDED.within_4d,
      over_14d = m.over_14d + EXCLUDED.over_14d,
      with_serial = m.with_serial + EXCLUDED.with_serial,
      rr90 = m.rr90 + EXCLUDED.rr90;
    RETURN NEW;
  END IF;
  UPDATE kpi_daily SET completed = completed - 1,
                       within_4d = within_4d - OLD.within_4d,
                       over_14d = over_14d - OLD.over_14d,
                       with_serial = with_serial - OLD.with_serial,
                       rr90 = rr90 - OLD.rr90
   WHERE day = OLD.day AND outlet_id = OLD.outlet_id AND product_line_id = OLD.product_line_id;
  UPDATE kpi_monthly SET completed = completed - 1,
                         within_4d = within_4d - OLD.within_4d,
                         over_14d = over_14d - OLD.over_14d,
                         with_serial = with_serial - OLD.with_serial,
                         rr90 = rr90 - OLD.rr90
   WHERE month = kpi_month_of(OLD.day) AND outlet_id = OLD.outlet_id
     AND product_line_id = OLD.product_line_id;
  RETURN OLD;
END $$;
