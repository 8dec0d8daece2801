-- 0021: market research questionnaires (M12). A questionnaire holds its questions as
-- the JSON the API validated (kind single|multiple|scale|text, texts and options in
-- zh and en, required, scale min/max); it is edited only in draft (version checked).
-- Sending it to a segment freezes research_recipients (the campaign freeze: surviving
-- customers with consent for the channel and an address) and queues one outbox
-- message per recipient with a signed single-use link; an answer is the recipient's
-- row answered plus its research_answers rows.
CREATE TABLE questionnaires (
  id          INTEGER PRIMARY KEY,
  code        TEXT NOT NULL UNIQUE,
  title_zh    TEXT NOT NULL,
  title_en    TEXT NOT NULL,
  questions   TEXT NOT NULL,
  status      TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','open','closed')),
  version     INTEGER NOT NULL DEFAULT 1,
  segment_id  BIGINT REFERENCES segments(id),
  channel     TEXT CHECK (channel IN ('email','sms')),
  lang        TEXT,
  sent_at     BIGINT,
  closed_at   BIGINT,
  created_by  TEXT NOT NULL,
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('questionnaire', 0) ON CONFLICT (name) DO NOTHING;
CREATE TABLE research_recipients (
  id                INTEGER PRIMARY KEY,
  questionnaire_id  BIGINT NOT NULL REFERENCES questionnaires(id),
  customer_id       BIGINT NOT NULL REFERENCES customers(id),
  status            TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','queued','answered')),
  answered_at       BIGINT,
  updated_at        BIGINT NOT NULL,
  UNIQUE (questionnaire_id, customer_id)
);
CREATE INDEX research_recipients_status ON research_recipients(questionnaire_id, status, id);
CREATE INDEX research_recipients_customer ON research_recipients(customer_id);
-- One row per chosen option (single, multiple), per scale value or per text answer.
CREATE TABLE research_answers (
  recipient_id  BIGINT NOT NULL REFERENCES research_recipients(id),
  question_no   INTEGER NOT NULL,
  option_no     INTEGER,
  value         INTEGER,
  text          TEXT
);
CREATE INDEX research_answers_recipient ON research_answers(recipient_id, question_no);
-- The key of the signed research links (made at the first send).
CREATE TABLE research_settings (
  id       INTEGER PRIMARY KEY CHECK (id = 1),
  key_hex  TEXT
);
INSERT INTO research_settings (id, key_hex) VALUES (1, NULL);
