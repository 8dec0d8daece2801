-- 0013: the information base (M2): articles in zh-CN and en with a lifecycle and a
-- validity window, their versions, links to product lines and models, images, and the
-- FTS5 index of their normalised tokens (src/rules/kbtext.h).

CREATE TABLE kb_articles (
  id            INTEGER PRIMARY KEY,
  code          TEXT NOT NULL UNIQUE,
  lang          TEXT NOT NULL,            -- 'zh-CN' or 'en'
  kind          TEXT NOT NULL,            -- product_info, promotion, faq, tech_qa, news
  audience      TEXT NOT NULL,            -- public or internal
  status        TEXT NOT NULL,            -- draft, review, published, withdrawn
  title         TEXT NOT NULL,
  body          TEXT NOT NULL,            -- sanitised HTML
  body_text     TEXT NOT NULL,            -- its plain text
  tokens_title  TEXT NOT NULL,
  tokens_all    TEXT NOT NULL,            -- title and body tokens
  bi_title      TEXT NOT NULL,            -- their bigram streams (kbtext_bigrams)
  bi_all        TEXT NOT NULL,
  valid_from    BIGINT NOT NULL,
  valid_to      BIGINT,
  twin_id       INTEGER REFERENCES kb_articles(id),   -- the other language's version
  version       INTEGER NOT NULL DEFAULT 1,
  created_by    TEXT NOT NULL,
  updated_by    TEXT NOT NULL,
  published_by  TEXT,
  published_at  BIGINT,
  created_at    BIGINT NOT NULL,
  updated_at    BIGINT NOT NULL
);
CREATE INDEX kb_articles_status ON kb_articles(status, valid_to);
CREATE INDEX kb_articles_updated ON kb_articles(updated_at, id);

CREATE TABLE kb_versions (
  article_id  INTEGER NOT NULL REFERENCES kb_articles(id),
  version     INTEGER NOT NULL,
  status      TEXT NOT NULL,
  kind        TEXT NOT NULL,
  audience    TEXT NOT NULL,
  title       TEXT NOT NULL,
  body        TEXT NOT NULL,
  valid_from  BIGINT NOT NULL,
  valid_to    BIGINT,
  actor       TEXT NOT NULL,
  at          BIGINT NOT NULL,
  PRIMARY KEY (article_id, version)
);

CREATE TABLE kb_article_lines (
  article_id       INTEGER NOT NULL REFERENCES kb_articles(id),
  product_line_id  INTEGER NOT NULL REFERENCES product_lines(id),
  PRIMARY KEY (article_id, product_line_id)
);

CREATE TABLE kb_article_models (
  article_id  INTEGER NOT NULL REFERENCES kb_articles(id),
  model_id    INTEGER NOT NULL REFERENCES models(id),
  PRIMARY KEY (article_id, model_id)
);

CREATE TABLE kb_images (
  id          INTEGER PRIMARY KEY,
  code        TEXT NOT NULL UNIQUE,
  mime        TEXT NOT NULL,
  size        INTEGER NOT NULL,
  data        TEXT NOT NULL,                -- base64
  created_by  TEXT NOT NULL,
  created_at  BIGINT NOT NULL
);

CREATE VIRTUAL TABLE kb_fts USING fts5(tokens_title, tokens_all, bi_title, bi_all, content='kb_articles',
  content_rowid='id', tokenize='unicode61');
CREATE TRIGGER kb_fts_insert AFTER INSERT ON kb_articles BEGIN
  INSERT INTO kb_fts (rowid, tokens_title, tokens_all, bi_title, bi_all) VALUES (new.id, new.tokens_title, new.tokens_all, new.bi_title, new.bi_all);
END;
CREATE TRIGGER kb_fts_delete AFTER DELETE ON kb_articles BEGIN
  INSERT INTO kb_fts (kb_fts, rowid, tokens_title, tokens_all, bi_title, bi_all) VALUES ('delete', old.id, old.tokens_title, old.tokens_all, old.bi_title, old.bi_all);
END;
CREATE TRIGGER kb_fts_update AFTER UPDATE OF tokens_title, tokens_all, bi_title, bi_all ON kb_articles BEGIN
  INSERT INTO kb_fts (kb_fts, rowid, tokens_title, tokens_all, bi_title, bi_all) VALUES ('delete', old.id, old.tokens_title, old.tokens_all, old.bi_title, old.bi_all);
  INSERT INTO kb_fts (rowid, tokens_title, tokens_all, bi_title, bi_all) VALUES (new.id, new.tokens_title, new.tokens_all, new.bi_title, new.bi_all);
END;

INSERT INTO counters (name, value) VALUES ('kb_article', 0) ON CONFLICT (name) DO NOTHING;
INSERT INTO counters (name, value) VALUES ('kb_image', 0) ON CONFLICT (name) DO NOTHING;
