export const name = 'outbox'

export const sql = /* sql */ `
-- Writes to the platform (top-up, set credit, SMS subscription) kept until the platform has
-- applied or refused them. id is the Idempotency-Key sent with every attempt, so a retry after
-- a lost answer is never applied twice. seq gives the order of sending (per client).
-- state: pending (not sent or to be retried), sending (a request in flight; found at start it
-- is simply sent again with the same key), applied (server_answer holds the platform's answer),
-- rejected (the platform refused: last_error_* holds its reason).
CREATE TABLE outbox (
  seq             INTEGER PRIMARY KEY,
  id              TEXT NOT NULL UNIQUE,
  kind            TEXT NOT NULL CHECK (kind IN ('top_up', 'set_credit', 'sms_subscription')),
  client_id       INTEGER NOT NULL,
  payload         TEXT NOT NULL,
  state           TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'applied', 'rejected')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  last_error_code TEXT,
  last_error_msg  TEXT,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL,
  applied_at      TEXT,
  server_answer   TEXT
) STRICT;
CREATE INDEX outbox_client ON outbox(client_id, state, seq);
CREATE INDEX outbox_state  ON outbox(state, seq);
`
