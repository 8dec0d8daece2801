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
