/**
 * The dispatches table and dispatch_snapshots: written by the dispatch sync. A dispatch's
 * counts move over time, so every distinct snapshot of them is kept; a row read again
 * unchanged only has its last_seen_at moved.
 */
import type { Db } from '../connection'
import { rowHash, type Row } from '../upsert'

/** A dispatch as stored (its operator and tag codes under their column names). */
export interface DispatchRow {
  id: string
  start_datetime: string
  end_datetime: string
  message_text: string
  operator_code: string
  tag_code: string
  created: number
  completed: number
  error: number
  timeout: number
}

/** The stored columns, in the order the row's hash is taken in. */
export const DISPATCH_COLUMNS: readonly (keyof DispatchRow)[] = [
  'id', 'start_datetime', 'end_datetime', 'message_text', 'operator_code', 'tag_code',
  'created', 'completed', 'error', 'timeout'
]

export interface DispatchesWriter {
  /** Writes one dispatch as seen at `now` (inside the caller's transaction) and says what it did. */
  write(row: DispatchRow, now: string): 'inserted' | 'updated' | 'unchanged'
  /** Removes a dispatch the server no longer has. */
  drop(id: string): void
}

export function dispatchesWriter(db: Db): DispatchesWriter {
  const drop = db.prepare('DELETE FROM dispatches WHERE id = ?')
  const get = db.prepare('SELECT row_hash FROM dispatches WHERE id = ?').pluck()
  const upsert = db.prepare(
    `INSERT INTO dispatches (id, start_datetime, end_datetime, message_text, operator_code, tag_code,
       created, completed, error, timeout, first_seen_at, last_seen_at, row_hash)
     VALUES (@id, @start_datetime, @end_datetime, @message_text, @operator_code, @tag_code,
       @created, @completed, @error, @timeout, @now, @now, @row_hash)
     ON CONFLICT(id) DO UPDATE SET start_datetime = excluded.start_datetime, end_datetime = excluded.end_datetime,
       message_text = excluded.message_text, operator_code = excluded.operator_code, tag_code = excluded.tag_code,
       created = excluded.created, completed = excluded.completed, error = excluded.error,
       timeout = excluded.timeout, last_seen_at = excluded.last_seen_at, row_hash = excluded.row_hash`
  )
  const touch = db.prepare('UPDATE dispatches SET last_seen_at = ? WHERE id = ?')
  const latest = db.prepare(
    'SELECT created, completed, error, timeout FROM dispatch_snapshots WHERE dispatch_id = ? ORDER BY taken_at DESC LIMIT 1'
  )
  const snapshot = db.prepare(
    'INSERT OR IGNORE INTO dispatch_snapshots (dispatch_id, taken_at, created, completed, error, timeout) VALUES (?, ?, ?, ?, ?, ?)'
  )
  return {
    write(d, now) {
      const row: Row = Object.fromEntries(DISPATCH_COLUMNS.map((c) => [c, d[c]]))
      const hash = rowHash(row)
      const prev = get.get(d.id) as string | undefined
      let outcome: 'inserted' | 'updated' | 'unchanged'
      if (prev === hash) {
        outcome = 'unchanged'
        touch.run(now, d.id)
      } else {
        upsert.run({ ...row, now, row_hash: hash })
        outcome = prev === undefined ? 'inserted' : 'updated'
      }
      const last = latest.get(d.id) as { created: number; completed: number; error: number; timeout: number } | undefined
      if (!last || last.created !== d.created || last.completed !== d.completed || last.error !== d.error || last.timeout !== d.timeout) {
        snapshot.run(d.id, now, d.created, d.completed, d.error, d.timeout)
      }
      return outcome
    },
    drop(id) {
      drop.run(id)
    }
  }
}

/** The ids of the stored dispatches, the longest unseen first. */
export function storedDispatchIds(db: Db, limit: number): string[] {
  return db.prepare('SELECT id FROM dispatches ORDER BY last_seen_at LIMIT ?').pluck().all(limit) as string[]
}
