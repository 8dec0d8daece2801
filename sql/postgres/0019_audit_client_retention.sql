-- 0019: administration (M16).
--  * audit.client: the client address of the request that made the change, as the
--    server believed it (the peer, or behind a --trusted-proxy the right-most untrusted
--    X-Forwarded-For hop); NULL for the command line and background passes.
--  * retention_settings: one row; years is the PIPL retention period `aftersales
--    retention` uses when not given --years (NULL: none set, nothing is removed).
ALTER TABLE audit ADD COLUMN client TEXT;

CREATE TABLE retention_settings (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  years       INTEGER CHECK (years IS NULL OR years >= 1),
  updated_at  BIGINT NOT NULL DEFAULT 0
);
INSERT INTO retention_settings (id) VALUES (1);
