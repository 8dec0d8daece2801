-- 0001: the foundation. Staff identity, sessions, tokens, audit, counters, and the
-- core entities every capability refers to (outlets, customers with their identities).
-- Times are unix seconds (UTC); booleans are 0/1 integers.

CREATE TABLE counters (
  name  TEXT PRIMARY KEY,
  value BIGINT NOT NULL
);

CREATE TABLE outlets (
  id          INTEGER PRIMARY KEY,
  code        TEXT NOT NULL UNIQUE,
  name        TEXT NOT NULL,
  type        TEXT NOT NULL DEFAULT 'designated',
  grade       TEXT,
  region      TEXT,
  address     TEXT,
  phone       TEXT,
  capacity    INTEGER NOT NULL DEFAULT 0,
  active      INTEGER NOT NULL DEFAULT 1,
  version     INTEGER NOT NULL DEFAULT 1,
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL
);

CREATE TABLE users (
  id             INTEGER PRIMARY KEY,
  login          TEXT NOT NULL UNIQUE,
  name           TEXT NOT NULL,
  role           TEXT NOT NULL,
  outlet_id      INTEGER REFERENCES outlets(id),
  password_hash  TEXT NOT NULL,
  active         INTEGER NOT NULL DEFAULT 1,
  version        INTEGER NOT NULL DEFAULT 1,
  created_at     BIGINT NOT NULL,
  updated_at     BIGINT NOT NULL
);

-- Session and token secrets are stored only as hashes.
CREATE TABLE sessions (
  id          INTEGER PRIMARY KEY,
  token_hash  TEXT NOT NULL UNIQUE,
  csrf_token  TEXT NOT NULL,
  user_id     INTEGER NOT NULL REFERENCES users(id),
  created_at  BIGINT NOT NULL,
  expires_at  BIGINT NOT NULL,
  client      TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
  id          INTEGER PRIMARY KEY,
  token_hash  TEXT NOT NULL UNIQUE,
  name        TEXT NOT NULL,
  role        TEXT NOT NULL,
  outlet_id   INTEGER REFERENCES outlets(id),
  created_at  BIGINT NOT NULL,
  revoked_at  BIGINT
);

-- Every change to a business record: who, when, what (written in the change's transaction).
CREATE TABLE audit (
  id          INTEGER PRIMARY KEY,
  at          BIGINT NOT NULL,
  actor       TEXT NOT NULL,
  action      TEXT NOT NULL,
  entity      TEXT NOT NULL,
  entity_code TEXT,
  detail      TEXT
);
CREATE INDEX audit_entity ON audit(entity, entity_code, id);
CREATE INDEX audit_at ON audit(at);

-- Customers: one record per person (M1). name_key is the normalised name
-- (NFKC, case-folded, no spaces or middle dots, simplified Chinese).
CREATE TABLE customers (
  id           INTEGER PRIMARY KEY,
  code         TEXT NOT NULL UNIQUE,
  name         TEXT NOT NULL,
  name_key     TEXT NOT NULL,
  region       TEXT,
  address      TEXT,
  merged_into  INTEGER REFERENCES customers(id),
  erased_at    BIGINT,
  version      INTEGER NOT NULL DEFAULT 1,
  created_at   BIGINT NOT NULL,
  updated_at   BIGINT NOT NULL
);
CREATE INDEX customers_name_key ON customers(name_key);

-- A person has several phones and emails; value is the normalised form.
CREATE TABLE customer_phones (
  id           INTEGER PRIMARY KEY,
  customer_id  INTEGER NOT NULL REFERENCES customers(id),
  phone        TEXT NOT NULL,
  kind         TEXT NOT NULL DEFAULT 'mobile',
  created_at   BIGINT NOT NULL
);
CREATE INDEX customer_phones_phone ON customer_phones(phone);
CREATE INDEX customer_phones_customer ON customer_phones(customer_id);

CREATE TABLE customer_emails (
  id           INTEGER PRIMARY KEY,
  customer_id  INTEGER NOT NULL REFERENCES customers(id),
  email        TEXT NOT NULL,
  created_at   BIGINT NOT NULL
);
CREATE INDEX customer_emails_email ON customer_emails(email);
CREATE INDEX customer_emails_customer ON customer_emails(customer_id);
