/** Per-stream sync bookkeeping: cursors, last success, last error, quarantined records. */
import type { SourceKind, StreamState, SyncRunStatus, SyncRunSummary } from '../../shared/types'
import type { Db } from './types'

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

  /**
   * Keeps a damaged record aside under its key (`id:<n>`, `sid:<n>`, a gap's key): the same key
   * quarantined again replaces its row, so repeated damage never grows the table.
   */
  quarantine(source: SourceKind, stream: string, key: string, reason: string, payload: unknown, at: string): void {
    this.db
      .prepare(
        `INSERT INTO sync_rejects (source, stream, record_key, reason, payload, received_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(stream, record_key) WHERE record_key IS NOT NULL
         DO UPDATE SET reason = excluded.reason, payload = excluded.payload, received_at = excluded.received_at`
      )
      .run(source, stream, key, reason.slice(0, 300), payloadText(payload), at)
  }

  /** Clears the quarantined records that a later read stored intact. */
  clearQuarantine(stream: string, keys: readonly string[]): void {
    if (!keys.length) return
    this.db
      .prepare('DELETE FROM sync_rejects WHERE stream = ? AND record_key IN (SELECT value FROM json_each(?))')
      .run(stream, JSON.stringify(keys))
  }

  /** Keys of the records a stream holds in quarantine. */
  quarantineKeys(stream: string): string[] {
    return this.db
      .prepare('SELECT record_key FROM sync_rejects WHERE stream = ? AND record_key IS NOT NULL ORDER BY id')
      .pluck()
      .all(stream) as string[]
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
      cursor: string | null
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
        rows: rowCounts[name] ?? 0,
        deepReadAt: deepReadAt(r?.cursor ?? null)
      }
    })
  }

  /** The run's row as it starts: running, with the process that runs it (see db/syncLock.ts). */
  startRun(summary: SyncRunSummary, owner: { pid: number; host: string; pidStart: string | null }): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO sync_runs (id, started_at, finished_at, summary, status, pid, host, pid_start)
         VALUES (?, ?, NULL, ?, 'running', ?, ?, ?)`
      )
      .run(summary.runId, summary.startedAt, JSON.stringify(summary), owner.pid, owner.host, owner.pidStart)
  }

  /** The run's row as it ends (ok, failed, cancelled); a run never started here is added. */
  saveRun(summary: SyncRunSummary, status: Exclude<SyncRunStatus, 'running' | 'interrupted'> = 'ok'): void {
    const text = JSON.stringify({ ...summary, status })
    const changed = this.db
      .prepare('UPDATE sync_runs SET finished_at = ?, summary = ?, status = ? WHERE id = ?')
      .run(summary.finishedAt, text, status, summary.runId).changes
    if (!changed) {
      this.db
        .prepare('INSERT INTO sync_runs (id, started_at, finished_at, summary, status) VALUES (?, ?, ?, ?, ?)')
        .run(summary.runId, summary.startedAt, summary.finishedAt, text, status)
    }
  }

  /** Sets a run's status only (failed when its sync threw, interrupted when its process died). */
  markRun(runId: string, status: 'failed' | 'interrupted'): void {
    this.db.prepare("UPDATE sync_runs SET status = ? WHERE id = ? AND status = 'running'").run(status, runId)
  }

  /** The runs still marked running, with their processes. */
  runningRuns(): { runId: string; pid: number; host: string; pidStart: string | null }[] {
    return (
      this.db
        .prepare("SELECT id, pid, host, pid_start FROM sync_runs WHERE status = 'running'")
        .all() as { id: string; pid: number | null; host: string | null; pid_start: string | null }[]
    ).map((r) => ({ runId: r.id, pid: r.pid ?? 0, host: r.host ?? '', pidStart: r.pid_start }))
  }

  /** The last run that is not running now: finished, or interrupted (its process died). */
  lastRun(): SyncRunSummary | null {
    const row = this.db
      .prepare("SELECT summary, status, pid FROM sync_runs WHERE status <> 'running' ORDER BY started_at DESC LIMIT 1")
      .get() as { summary: string | null; status: SyncRunStatus; pid: number | null } | undefined
    if (!row?.summary) return null
    const summary = JSON.parse(row.summary) as SyncRunSummary
    return { ...summary, status: row.status, ...(row.pid !== null ? { pid: row.pid } : {}) }
  }
}

/** A damaged payload as stored text: bounded in size, whatever its shape. */
function payloadText(payload: unknown): string {
  let text: string
  try {
    text = JSON.stringify(payload) ?? 'undefined'
  } catch {
    text = String(payload)
  }
  return text.slice(0, 20_000)
}

/** When a cursor's last deep re-read ended (the SIM provider's cursor has one), as ISO time. */
function deepReadAt(cursor: string | null): string | null {
  if (!cursor || !cursor.includes('lastDeepAt')) return null
  try {
    const at = (JSON.parse(cursor) as { lastDeepAt?: unknown }).lastDeepAt
    return typeof at === 'number' && Number.isFinite(at) ? new Date(at).toISOString() : null
  } catch {
    return null
  }
}
