-- 0017: administration (M16). A bearer token may belong to a staff account (user_id):
-- it is refused while that account is disabled. expires_at: refused from that instant
-- on (NULL: no expiry, as the tokens made before this migration).
ALTER TABLE api_tokens ADD COLUMN user_id BIGINT REFERENCES users(id);
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
CREATE INDEX api_tokens_user ON api_tokens(user_id);
-- must_change_password: the first password an administrator gave; the login answers
-- must_change_password until the user sets their own (POST /api/v1/me/password).
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
