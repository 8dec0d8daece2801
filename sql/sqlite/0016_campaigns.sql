-- 0016: segments (M12): a saved filter over customers, counted live.
--  * filter is the JSON the API validated (product_line, model, purchased_from/to,
--    region prefix, served_from/to, score_min/max, consent channels);
--  * customers_region makes the GB/T 2260 prefix an index range.
CREATE TABLE segments (
  id          INTEGER PRIMARY KEY,
  code        TEXT NOT NULL UNIQUE,
  name        TEXT NOT NULL,
  filter      TEXT NOT NULL,
  created_by  TEXT NOT NULL,
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL
);
CREATE INDEX customers_region ON customers(region);
CREATE INDEX units_model_customer ON units(model_id, customer_id);
CREATE INDEX units_purchase_customer ON units(purchase_date, customer_id);
CREATE INDEX repairs_registered_customer ON repairs(registered_at, customer_id);
CREATE INDEX surveys_overall_customer ON surveys(q_overall, customer_id);
INSERT INTO counters (name, value) VALUES ('segment', 0) ON CONFLICT (name) DO NOTHING;

-- Campaigns: a segment, a channel, a message or call script, a send time. Launch
-- freezes campaign_targets (one row per surviving customer with consent for the
-- channel); consent is checked again when a row is sent (skipped, consent_withdrawn).
CREATE TABLE campaigns (
  id           INTEGER PRIMARY KEY,
  code         TEXT NOT NULL UNIQUE,
  name         TEXT NOT NULL,
  segment_id   BIGINT NOT NULL REFERENCES segments(id),
  channel      TEXT NOT NULL CHECK (channel IN ('phone','email','sms','fax')),
  title        TEXT NOT NULL,
  message      TEXT NOT NULL,
  lang         TEXT NOT NULL DEFAULT 'zh-CN',
  send_at      BIGINT NOT NULL,
  status       TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','launched')),
  launched_at  BIGINT,
  created_by   TEXT NOT NULL,
  created_at   BIGINT NOT NULL,
  updated_at   BIGINT NOT NULL
);
CREATE TABLE campaign_targets (
  id            INTEGER PRIMARY KEY,
  campaign_id   BIGINT NOT NULL REFERENCES campaigns(id),
  customer_id   BIGINT NOT NULL REFERENCES customers(id),
  status        TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending','sending','queued','skipped','reached','responded','failed')),
  skip_reason   TEXT,
  attempts      INTEGER NOT NULL DEFAULT 0,
  outcome       TEXT,
  next_call_at  BIGINT,
  outbox_id     BIGINT,
  updated_at    BIGINT NOT NULL,
  UNIQUE (campaign_id, customer_id)
);
CREATE INDEX campaign_targets_status ON campaign_targets(status, campaign_id, id);
INSERT INTO counters (name, value) VALUES ('campaign', 0) ON CONFLICT (name) DO NOTHING;

-- The key of the signed one-click unsubscribe links (made at the first email sent).
CREATE TABLE campaign_settings (
  id       INTEGER PRIMARY KEY CHECK (id = 1),
  key_hex  TEXT
);
INSERT INTO campaign_settings (id, key_hex) VALUES (1, NULL);
