-- 0015: satisfaction surveys (M11) after a delivered repair or a completed on-site
-- visit, their call-back attempts, the follow-ups of low scores, and the weights of
-- the outlet ranking.
--  * survey_settings: one row; key_hex is the server key the survey links are signed
--    with (HMAC-SHA256), made at the first survey; interval_days: a customer is
--    surveyed at most once in that many days; link_days: how long a link works.
--  * a survey is either a call-back task (channel callback) or a link sent by email or
--    sms through the outbox; it is answered once (answered_at), by the link or the agent.
ALTER TABLE appointments ADD COLUMN completed_at BIGINT;

CREATE TABLE survey_settings (
  id             INTEGER PRIMARY KEY CHECK (id = 1),
  key_hex        TEXT,
  interval_days  INTEGER NOT NULL DEFAULT 90,
  link_days      INTEGER NOT NULL DEFAULT 14,
  max_attempts   INTEGER NOT NULL DEFAULT 3,
  updated_at     BIGINT NOT NULL DEFAULT 0
);
INSERT INTO survey_settings (id) VALUES (1);

-- texts: JSON {"first_impression":{"zh":..,"en":..},"repair_time":..,"attitude":..,
-- "overall":..,"nps":..,"comment":..}; nps / free_text: whether those are asked.
CREATE TABLE survey_templates (
  id          INTEGER PRIMARY KEY,
  code        TEXT NOT NULL UNIQUE,
  name_zh     TEXT NOT NULL,
  name_en     TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('repair','visit')),
  texts       TEXT NOT NULL,
  script_zh   TEXT NOT NULL,
  script_en   TEXT NOT NULL,
  nps         INTEGER NOT NULL DEFAULT 1,
  free_text   INTEGER NOT NULL DEFAULT 1,
  updated_at  BIGINT NOT NULL,
  updated_by  TEXT NOT NULL
);

CREATE TABLE surveys (
  id               INTEGER PRIMARY KEY,
  code             TEXT NOT NULL UNIQUE,
  template_id      INTEGER NOT NULL REFERENCES survey_templates(id),
  kind             TEXT NOT NULL CHECK (kind IN ('repair','visit')),
  repair_id        INTEGER REFERENCES repairs(id),
  appointment_id   INTEGER REFERENCES appointments(id),
  customer_id      INTEGER NOT NULL REFERENCES customers(id),
  outlet_id        INTEGER REFERENCES outlets(id),
  product_line_id  INTEGER REFERENCES product_lines(id),
  channel          TEXT NOT NULL CHECK (channel IN ('callback','email','sms')),
  status           TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','answered','closed')),
  created_at       BIGINT NOT NULL,
  expires_at       BIGINT NOT NULL,
  answered_at      BIGINT,
  answered_via     TEXT,
  attempts         INTEGER NOT NULL DEFAULT 0,
  outcome          TEXT,
  next_call_at     BIGINT,
  q_first          INTEGER CHECK (q_first BETWEEN 1 AND 5),
  q_time           INTEGER CHECK (q_time BETWEEN 1 AND 5),
  q_attitude       INTEGER CHECK (q_attitude BETWEEN 1 AND 5),
  q_overall        INTEGER CHECK (q_overall BETWEEN 1 AND 5),
  nps              INTEGER CHECK (nps BETWEEN 0 AND 10),
  comment          TEXT
);
CREATE UNIQUE INDEX surveys_repair ON surveys(repair_id) WHERE repair_id IS NOT NULL;
CREATE UNIQUE INDEX surveys_appointment ON surveys(appointment_id) WHERE appointment_id IS NOT NULL;
CREATE INDEX surveys_customer ON surveys(customer_id, created_at);
CREATE INDEX surveys_created ON surveys(created_at);
CREATE INDEX surveys_channel_status ON surveys(channel, status, id);

CREATE TABLE survey_attempts (
  id         INTEGER PRIMARY KEY,
  survey_id  INTEGER NOT NULL REFERENCES surveys(id),
  at         BIGINT NOT NULL,
  actor      TEXT NOT NULL,
  outcome    TEXT NOT NULL,
  note       TEXT
);
CREATE INDEX survey_attempts_survey ON survey_attempts(survey_id, id);

-- A score of 2 or below opens one follow-up for a supervisor.
CREATE TABLE survey_followups (
  id          INTEGER PRIMARY KEY,
  survey_id   INTEGER NOT NULL UNIQUE REFERENCES surveys(id),
  outlet_id   INTEGER REFERENCES outlets(id),
  reason      TEXT NOT NULL,
  status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','done')),
  created_at  BIGINT NOT NULL,
  closed_at   BIGINT,
  closed_by   TEXT,
  note        TEXT
);
CREATE INDEX survey_followups_status ON survey_followups(status, id);

-- The outlet ranking's axes and their weights (see docs/ranking.md).
CREATE TABLE ranking_weights (
  axis        TEXT PRIMARY KEY CHECK (axis IN ('quality','parts','contact','cost')),
  weight      INTEGER NOT NULL CHECK (weight BETWEEN 0 AND 100),
  updated_at  BIGINT NOT NULL,
  updated_by  TEXT NOT NULL
);
INSERT INTO ranking_weights (axis, weight, updated_at, updated_by) VALUES
  ('quality', 40, 0, 'system'), ('parts', 20, 0, 'system'),
  ('contact', 25, 0, 'system'), ('cost', 15, 0, 'system');

INSERT INTO counters (name, value) VALUES ('survey', 0) ON CONFLICT (name) DO NOTHING;

-- The seed questions (first impression, repair time, attitude, overall on 1-5), NPS
-- (0-10) and free text, in zh-CN and en; one template for repairs, one for visits.
INSERT INTO survey_templates (code, name_zh, name_en, kind, texts, script_zh, script_en, nps, free_text, updated_at, updated_by) VALUES
 ('repair', '维修满意度回访', 'Repair satisfaction survey', 'repair',
  '{"first_impression":{"zh":"您对网点的第一印象如何？","en":"How was your first impression of the outlet?"},"repair_time":{"zh":"您对维修所用时间满意吗？","en":"How satisfied are you with the repair time?"},"attitude":{"zh":"您对服务人员的态度满意吗？","en":"How satisfied are you with the staff''s attitude?"},"overall":{"zh":"总体而言，您对本次服务满意吗？","en":"Overall, how satisfied are you with this service?"},"nps":{"zh":"您有多大可能向朋友推荐我们？","en":"How likely are you to recommend us to a friend?"},"comment":{"zh":"还有什么想告诉我们的吗？","en":"Anything else you would like to tell us?"}}',
  '您好，这里是售后服务中心，想占用您一分钟，了解您对最近一次维修的评价。',
  'Hello, this is the after-sales service centre; may we take a minute to ask how your recent repair went?', 1, 1, 0, 'system'),
 ('visit', '上门服务满意度回访', 'On-site visit satisfaction survey', 'visit',
  '{"first_impression":{"zh":"您对上门工程师的第一印象如何？","en":"How was your first impression of the visiting engineer?"},"repair_time":{"zh":"您对上门维修所用时间满意吗？","en":"How satisfied are you with the time the visit took?"},"attitude":{"zh":"您对工程师的态度满意吗？","en":"How satisfied are you with the engineer''s attitude?"},"overall":{"zh":"总体而言，您对本次上门服务满意吗？","en":"Overall, how satisfied are you with this visit?"},"nps":{"zh":"您有多大可能向朋友推荐我们？","en":"How likely are you to recommend us to a friend?"},"comment":{"zh":"还有什么想告诉我们的吗？","en":"Anything else you would like to tell us?"}}',
  '您好，这里是售后服务中心，想了解您对最近一次上门服务的评价。',
  'Hello, this is the after-sales service centre; may we ask how our recent visit went?', 1, 1, 0, 'system');
