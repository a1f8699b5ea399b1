export const name = 'sources'

export const sql = /* sql */ `
CREATE TABLE sender_names (
  id            INTEGER PRIMARY KEY,
  client_id     INTEGER NOT NULL,
  name          TEXT NOT NULL,
  channel       TEXT NOT NULL,
  status        TEXT NOT NULL,
  questionnaire TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
) STRICT;
CREATE INDEX sender_names_client ON sender_names(client_id, name);

-- Balance transactions. credit = mailing costs, debit = top-ups (as the seed names them);
-- money at scale 2.
CREATE TABLE transactions (
  id            INTEGER PRIMARY KEY,
  client_id     INTEGER NOT NULL,
  date          TEXT NOT NULL,
  credit        INTEGER NOT NULL,
  debit         INTEGER NOT NULL,
  purpose       TEXT NOT NULL,
  balance_after INTEGER NOT NULL,
  currency      TEXT NOT NULL,
  updated_at    TEXT NOT NULL
) STRICT;
CREATE INDEX transactions_client_date ON transactions(client_id, date, id);

-- Messages with the raw provider status and its bucket; cost at scale 4.
CREATE TABLE messages (
  id          INTEGER PRIMARY KEY,
  client_id   INTEGER NOT NULL,
  user        TEXT NOT NULL,
  source      TEXT NOT NULL,
  channel     TEXT NOT NULL,
  sender      TEXT NOT NULL,
  recipient   TEXT NOT NULL,
  country     TEXT NOT NULL,
  operator    TEXT NOT NULL,
  status      TEXT NOT NULL,
  bucket      TEXT NOT NULL,
  parts       INTEGER NOT NULL,
  cost        INTEGER NOT NULL,
  text        TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  sent_at     TEXT,
  finished_at TEXT,
  campaign_id INTEGER,
  idx         TEXT,
  updated_at  TEXT NOT NULL
) STRICT;
CREATE INDEX messages_created ON messages(created_at);

-- SIM provider actions (call_sms), idempotent on sid; cost in EUR at scale 6. They carry no
-- version, so a hash of the row tells a re-read row that changed from one that did not.
CREATE TABLE sim_actions (
  sid             INTEGER PRIMARY KEY,
  date            INTEGER NOT NULL,
  type            TEXT NOT NULL,
  to_number       TEXT NOT NULL,
  session_cost    INTEGER NOT NULL,
  sim_id          INTEGER NOT NULL,
  original_number TEXT NOT NULL,
  iccid           TEXT NOT NULL,
  name            TEXT,
  row_hash        TEXT NOT NULL
) STRICT;
CREATE INDEX sim_actions_sim_date ON sim_actions(sim_id, date);
CREATE INDEX sim_actions_date ON sim_actions(date);

-- Dispatch (campaign) reports: the latest counts, and every distinct snapshot seen.
CREATE TABLE dispatches (
  id              TEXT PRIMARY KEY,
  start_datetime  TEXT NOT NULL,
  end_datetime    TEXT NOT NULL,
  message_text    TEXT NOT NULL,
  operator_code   TEXT NOT NULL,
  tag_code        TEXT NOT NULL,
  created         INTEGER NOT NULL,
  completed       INTEGER NOT NULL,
  error           INTEGER NOT NULL,
  timeout         INTEGER NOT NULL,
  first_seen_at   TEXT NOT NULL,
  last_seen_at    TEXT NOT NULL,
  row_hash        TEXT NOT NULL
) STRICT;
CREATE TABLE dispatch_snapshots (
  dispatch_id TEXT NOT NULL REFERENCES dispatches(id) ON DELETE CASCADE,
  taken_at    TEXT NOT NULL,
  created     INTEGER NOT NULL,
  completed   INTEGER NOT NULL,
  error       INTEGER NOT NULL,
  timeout     INTEGER NOT NULL,
  PRIMARY KEY (dispatch_id, taken_at)
) STRICT;
`
