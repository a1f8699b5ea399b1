export const name = 'init'

export const sql = /* sql */ `
CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

-- Secrets (connection tokens) are stored only encrypted; the key never lives in this file.
CREATE TABLE secrets (
  key        TEXT PRIMARY KEY,
  ciphertext BLOB NOT NULL
) STRICT;

-- One row per sync stream. The cursor is written in the same transaction as the rows it covers.
CREATE TABLE sync_state (
  stream          TEXT PRIMARY KEY,
  source          TEXT NOT NULL,
  cursor          TEXT,
  last_success_at TEXT,
  last_attempt_at TEXT,
  last_error_code TEXT,
  last_error_msg  TEXT
) STRICT;

-- Records a source sent that failed validation: kept for inspection, never used as data.
CREATE TABLE sync_rejects (
  id          INTEGER PRIMARY KEY,
  source      TEXT NOT NULL,
  stream      TEXT NOT NULL,
  reason      TEXT NOT NULL,
  payload     TEXT NOT NULL,
  received_at TEXT NOT NULL
) STRICT;
CREATE INDEX sync_rejects_stream ON sync_rejects(stream, id);

CREATE TABLE sync_runs (
  id          TEXT PRIMARY KEY,
  started_at  TEXT NOT NULL,
  finished_at TEXT,
  summary     TEXT
) STRICT;

-- Clients of the platform. Money in integer minor units: balance/credit at scale 2,
-- sms_price at scale 4. search_text is the lower-cased "id login company name" for search.
-- updated_at is the platform's version of the row: an equal one means nothing changed.
CREATE TABLE clients (
  id                  INTEGER PRIMARY KEY,
  login               TEXT NOT NULL,
  company             TEXT NOT NULL,
  name                TEXT NOT NULL,
  sms_price           INTEGER NOT NULL,
  balance             INTEGER NOT NULL,
  credit              INTEGER NOT NULL,
  currency            TEXT NOT NULL,
  channel             TEXT NOT NULL,
  site                TEXT NOT NULL,
  email               TEXT NOT NULL,
  region              TEXT NOT NULL,
  activity_type       TEXT NOT NULL,
  property_type       TEXT NOT NULL,
  postal_address      TEXT NOT NULL,
  accounting_email    TEXT NOT NULL,
  registered_at       TEXT NOT NULL,
  last_login_at       TEXT,
  login_attempts      INTEGER NOT NULL,
  activation_required INTEGER NOT NULL,
  referer             TEXT NOT NULL,
  sms_subscription    INTEGER NOT NULL,
  updated_at          TEXT NOT NULL,
  search_text         TEXT NOT NULL
) STRICT;
CREATE INDEX clients_login     ON clients(login COLLATE NOCASE, id);
CREATE INDEX clients_company   ON clients(company COLLATE NOCASE, id);
CREATE INDEX clients_name      ON clients(name COLLATE NOCASE, id);
CREATE INDEX clients_sms_price ON clients(sms_price, id);
CREATE INDEX clients_balance   ON clients(balance, id);
CREATE INDEX clients_credit    ON clients(credit, id);
CREATE INDEX clients_channel   ON clients(channel, id);
-- Covers the scan for one- and two-character searches (too short for trigrams).
CREATE INDEX clients_search    ON clients(search_text);

-- Substring search (3+ characters) over search_text through a trigram index.
CREATE VIRTUAL TABLE clients_fts USING fts5(
  search_text, content='clients', content_rowid='id', tokenize='trigram'
);
CREATE TRIGGER clients_fts_ai AFTER INSERT ON clients BEGIN
  INSERT INTO clients_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER clients_fts_ad AFTER DELETE ON clients BEGIN
  INSERT INTO clients_fts (clients_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER clients_fts_au AFTER UPDATE OF search_text ON clients BEGIN
  INSERT INTO clients_fts (clients_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
  INSERT INTO clients_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
`
