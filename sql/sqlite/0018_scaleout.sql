-- 0018: rate-limit counters shared by every server on one database (M16): one row per
-- key (e.g. "login:alice", "addr:203.0.113.5", "portal:203.0.113.5") with the start of
-- its fixed window and the events counted in it. On PostgreSQL the login and portal
-- limits live here (one UPSERT per event; rows of long-ended windows are swept); on
-- SQLite (one server) the in-process table is used and this one stays empty.
CREATE TABLE rate_limits (
  key           TEXT PRIMARY KEY,
  window_start  BIGINT NOT NULL,
  count         INTEGER NOT NULL
);
CREATE INDEX rate_limits_window ON rate_limits (window_start);
