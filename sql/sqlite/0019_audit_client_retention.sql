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

-- auth_epoch: one counter, moved by any change that can alter who a credential is (an
-- account updated, a session deleted, a token updated or deleted, an outlet's code),
-- whoever makes it (any server, the command line). A server keeps identities for up to
-- 1 s, each with the epoch it was read at, and uses one only while the epoch is the
-- same: a one-row read per request instead of the identity query.
CREATE TABLE auth_epoch (
  id  INTEGER PRIMARY KEY CHECK (id = 1),
  n   BIGINT NOT NULL
);
INSERT INTO auth_epoch (id, n) VALUES (1, 0);
CREATE TRIGGER auth_epoch_users AFTER UPDATE ON users BEGIN
  UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER auth_epoch_sessions AFTER DELETE ON sessions BEGIN
  UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER auth_epoch_tokens_upd AFTER UPDATE ON api_tokens BEGIN
  UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER auth_epoch_tokens_del AFTER DELETE ON api_tokens BEGIN
  UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER auth_epoch_outlets AFTER UPDATE OF code ON outlets BEGIN
  UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;
