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
-- and product line, kept by the same triggers in the same statement: a report over whole
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
) WITHOUT ROWID;
CREATE INDEX kpi_monthly_outlet ON kpi_monthly(outlet_id, month, completed, within_4d,
                                               over_14d, with_serial, rr90);
INSERT INTO kpi_monthly (month, outlet_id, product_line_id, completed, within_4d, over_14d,
                         with_serial, rr90)
SELECT CAST(julianday(date(day * 86400, 'unixepoch', 'start of month')) - 2440587.5 AS INTEGER),
       outlet_id, product_line_id, SUM(completed), SUM(within_4d), SUM(over_14d),
       SUM(with_serial), SUM(rr90)
  FROM kpi_daily GROUP BY 1, 2, 3;

DROP TRIGGER kpi_facts_ins;
CREATE TRIGGER kpi_facts_ins AFTER INSERT ON kpi_facts BEGIN
  INSERT INTO kpi_daily (day, outlet_id, product_line_id, completed, within_4d, over_14d,
                         with_serial, rr90)
  VALUES (NEW.day, NEW.outlet_id, NEW.product_line_id, 1, NEW.within_4d, NEW.over_14d,
          NEW.with_serial, NEW.rr90)
  ON CONFLICT (day, outlet_id, product_line_id) DO UPDATE SET
    completed = kpi_daily.completed + 1,
    within_4d = kpi_daily.within_4d + excluded.within_4d,
    over_14d = kpi_daily.over_14d + excluded.over_14d,
    with_serial = kpi_daily.with_serial + excluded.with_serial,
    rr90 = kpi_daily.rr90 + excluded.rr90;
  INSERT INTO kpi_monthly (month, outlet_id, product_line_id, completed, within_4d, over_14d,
                           with_serial, rr90)
  VALUES (CAST(julianday(date(NEW.day * 86400, 'unixepoch', 'start of month')) - 2440587.5
               AS INTEGER),
          NEW.outlet_id, NEW.product_line_id, 1, NEW.within_4d, NEW.over_14d,
          NEW.with_serial, NEW.rr90)
  ON CONFLICT (month, outlet_id, product_line_id) DO UPDATE SET
    completed = kpi_monthly.completed + 1,
    within_4d = kpi_monthly.within_4d + excluded.within_4d,
    over_14d = kpi_monthly.over_14d + excluded.over_14d,
    with_serial = kpi_monthly.with_serial + excluded.with_serial,
    rr90 = kpi_monthly.rr90 + excluded.rr90;
END;

DROP TRIGGER kpi_facts_del;
CREATE TRIGGER kpi_facts_del AFTER DELETE ON kpi_facts BEGIN
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
   WHERE month = CAST(julianday(date(OLD.day * 86400, 'unixepoch', 'start of month'))
                      - 2440587.5 AS INTEGER)
     AND outlet_id = OLD.outlet_id AND product_line_id = OLD.product_line_id;
END;
