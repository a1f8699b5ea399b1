/**
 * The local store survives a second process and a killed one:
 *
 * - sync_runs gets a status, and the pid / host of the process that runs it: a run row is
 *   written when the sync starts (running) and updated when it ends (ok, failed, cancelled);
 *   a running row whose process is gone becomes `interrupted` at the next open or sync.
 *   pid_start tells a pid apart from a later process that reuses it (Linux: the start time
 *   in /proc; NULL elsewhere).
 * - sync_lock holds at most one row: the sync that runs now, in whatever process. It is taken
 *   in a BEGIN IMMEDIATE transaction, so two processes never both get it; a row whose process
 *   is dead is taken over.
 *
 * Runs saved before this migration were written when they ended: their status follows
 * from their summary.
 */
export const name = 'store'

export const sql = `
ALTER TABLE sync_runs ADD COLUMN status TEXT NOT NULL DEFAULT 'ok'
  CHECK (status IN ('running', 'ok', 'failed', 'cancelled', 'interrupted'));
ALTER TABLE sync_runs ADD COLUMN pid INTEGER;
ALTER TABLE sync_runs ADD COLUMN host TEXT;
ALTER TABLE sync_runs ADD COLUMN pid_start TEXT;
UPDATE sync_runs SET status = CASE
  WHEN json_valid(summary) AND json_extract(summary, '$.cancelled') THEN 'cancelled'
  WHEN json_valid(summary) AND EXISTS (
    SELECT 1 FROM json_each(summary, '$.streams') s WHERE json_type(s.value, '$.error') = 'object'
  ) THEN 'failed'
  ELSE 'ok' END;
CREATE INDEX sync_runs_status ON sync_runs (status, started_at);

CREATE TABLE sync_lock (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  run_id     TEXT NOT NULL,
  pid        INTEGER NOT NULL,
  host       TEXT NOT NULL,
  pid_start  TEXT,
  started_at TEXT NOT NULL
) STRICT;
`
