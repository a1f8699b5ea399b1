/** Per-stream sync bookkeeping: cursors, last success, last error, quarantined records. */
import type { SourceKind, StreamState, SyncRunSummary } from '../../shared/types'
import type { Db } from './connection'

export class SyncStateRepo {
  constructor(private readonly db: Db) {}

  cursor(stream: string): string | null {
    return (this.db.prepare('SELECT cursor FROM sync_state WHERE stream = ?').pluck().get(stream) as string | null) ?? null
  }

  /** Must be called inside the transaction that writes the rows the cursor covers. */
  setCursor(stream: string, source: SourceKind, cursor: string | null): void {
    this.db
      .prepare(
        `INSERT INTO sync_state (stream, source, cursor) VALUES (?, ?, ?)
         ON CONFLICT(stream) DO UPDATE SET cursor = excluded.cursor`
      )
      .run(stream, source, cursor)
  }

  markAttempt(stream: string, source: SourceKind, at: string): void {
    this.db
      .prepare(
        `INSERT INTO sync_state (stream, source, last_attempt_at) VALUES (?, ?, ?)
         ON CONFLICT(stream) DO UPDATE SET last_attempt_at = excluded.last_attempt_at`
      )
      .run(stream, source, at)
  }

  markResult(stream: string, at: string, error: { code: string; message: string } | null): void {
    if (error) {
      this.db
        .prepare('UPDATE sync_state SET last_error_code = ?, last_error_msg = ? WHERE stream = ?')
        .run(error.code, error.message, stream)
    } else {
      this.db
        .prepare('UPDATE sync_state SET last_success_at = ?, last_error_code = NULL, last_error_msg = NULL WHERE stream = ?')
        .run(at, stream)
    }
  }

  reject(source: SourceKind, stream: string, reason: string, payload: unknown, at: string): void {
    let text: string
    try {
      text = JSON.stringify(payload) ?? 'undefined'
    } catch {
      text = String(payload)
    }
    this.db
      .prepare('INSERT INTO sync_rejects (source, stream, reason, payload, received_at) VALUES (?, ?, ?, ?, ?)')
      .run(source, stream, reason, text.slice(0, 20_000), at)
  }

  rejects(stream?: string): { stream: string; reason: string; payload: string }[] {
    return this.db
      .prepare(`SELECT stream, reason, payload FROM sync_rejects ${stream ? 'WHERE stream = ?' : ''} ORDER BY id`)
      .all(...(stream ? [stream] : [])) as { stream: string; reason: string; payload: string }[]
  }

  /** The state of every known stream, including those never attempted yet. */
  states(streams: { name: string; source: SourceKind }[], rowCounts: Record<string, number>): StreamState[] {
    const rows = this.db.prepare('SELECT * FROM sync_state').all() as {
      stream: string
      last_success_at: string | null
      last_attempt_at: string | null
      last_error_code: string | null
      last_error_msg: string | null
    }[]
    const byName = new Map(rows.map((r) => [r.stream, r]))
    return streams.map(({ name, source }) => {
      const r = byName.get(name)
      return {
        stream: name,
        source,
        lastSuccessAt: r?.last_success_at ?? null,
        lastAttemptAt: r?.last_attempt_at ?? null,
        lastError: r?.last_error_code ? { code: r.last_error_code, message: r.last_error_msg ?? '' } : null,
        rows: rowCounts[name] ?? 0
      }
    })
  }

  saveRun(summary: SyncRunSummary): void {
    this.db
      .prepare('INSERT OR REPLACE INTO sync_runs (id, started_at, finished_at, summary) VALUES (?, ?, ?, ?)')
      .run(summary.runId, summary.startedAt, summary.finishedAt, JSON.stringify(summary))
  }

  lastRun(): SyncRunSummary | null {
    const s = this.db.prepare('SELECT summary FROM sync_runs ORDER BY started_at DESC LIMIT 1').pluck().get() as
      | string
      | undefined
    return s ? (JSON.parse(s) as SyncRunSummary) : null
  }
}
