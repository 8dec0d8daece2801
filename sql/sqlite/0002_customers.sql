-- 0002: the customer master (M1) beyond the base tables of 0001.
--  * phone_rev: the normalised phone reversed, so "ends with 8000" is an index range
--    (phone_rev >= '0008' AND phone_rev < '0009') instead of a scan;
--  * merged duplicates keep their row with merged_into = the survivor (flattened on
--    every merge, so resolving an old code is one hop);
--  * marketing consent per channel (phone, sms, email, fax, post): no row = never asked.
ALTER TABLE customer_phones ADD COLUMN phone_rev TEXT;
CREATE INDEX customer_phones_rev ON customer_phones(phone_rev);
CREATE INDEX customers_merged_into ON customers(merged_into) WHERE merged_into IS NOT NULL;

CREATE TABLE customer_consents (
  customer_id  INTEGER NOT NULL REFERENCES customers(id),
  channel      TEXT NOT NULL,
  granted      INTEGER NOT NULL,
  source       TEXT,
  updated_at   BIGINT NOT NULL,
  updated_by   TEXT NOT NULL,
  PRIMARY KEY (customer_id, channel)
);
CREATE INDEX customer_consents_channel ON customer_consents(channel, granted, customer_id);

INSERT INTO counters (name, value) VALUES ('customer', 0) ON CONFLICT (name) DO NOTHING;
