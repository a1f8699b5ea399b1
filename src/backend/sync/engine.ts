/**
 * The sync engine: runs each stream of each configured source, one sync at a time, with
 * progress events and cancellation. A stream commits its rows and its cursor together, page
 * by page, so a killed process resumes where it stopped. A source that stays down ends its
 * own streams with a clear error; the other streams go on.
 */
import { randomUUID } from 'node:crypto'
import { AppError } from '../../shared/errors'
import type { SourceKind, StreamStats, SyncProgress, SyncRunSummary } from '../../shared/types'
import type { Db } from '../db/connection'
import { wireError } from '../db/integrity'
import { SyncStateRepo } from '../db/syncState'
import { beginSyncRun, type SyncRunRecord } from '../db/syncLock'
import type { Connection } from '../db/settings'
import type { WorkerScript } from '../workers'
import { requestJson, type RetryPolicy } from './http'
import { readerPages } from './reader'
import type { StreamContext, SyncStream } from './types'

export interface EngineOptions {
  db: Db
  streams: SyncStream[]
  connections: () => Partial<Record<SourceKind, Connection>>
  pageSize?: number
  timeoutMs?: number
  retry?: Partial<RetryPolicy>
  onProgress?: (p: SyncProgress) => void
  /** The reader thread's script (readerWorker.ts); without it pages are read in this thread. */
  readerWorker?: WorkerScript
  /**
   * The clock (ms) that decides "today" for the sources: the SIM provider's read window ends
   * on its day. Tests pass the reference server's clock, so no test depends on the real date.
   */
  clock?: () => number
  /**
   * The longest one request may take, all its retries included (default 60 s). A source that
   * stays silent or down fails its stream within this, and its other streams are skipped, so
   * a sync gives up on a source in bounded time.
   */
  giveUpMs?: number
}

export const DEFAULT_GIVE_UP_MS = 60_000

/** Failures that say the source itself is down, not one stream's data. */
const SOURCE_DOWN = new Set(['server_unreachable', 'server_timeout'])

function emptyStats(): StreamStats {
  return { fetched: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0, retries: 0 }
}

/** A stream's error as its status keeps it (code and message), from the one mapper (db/integrity.ts). */
function toError(e: unknown): { code: string; message: string } {
  const { code, message } = wireError(e)
  return { code, message }
}

export class SyncEngine {
  private controller: AbortController | null = null
  private pending: Promise<unknown> = Promise.resolve()
  private current: SyncProgress | null = null
  readonly state: SyncStateRepo

  constructor(private readonly options: EngineOptions) {
    this.state = new SyncStateRepo(options.db)
  }

  get running(): boolean {
    return this.controller !== null
  }

  get progress(): SyncProgress | null {
    return this.current
  }

  cancel(): boolean {
    if (!this.controller) return false
    this.controller.abort()
    return true
  }

  /** Resolves when no sync is running (after a cancel, say). */
  async idle(): Promise<void> {
    await this.pending.catch(() => undefined)
  }

  run(only?: (s: SyncStream) => boolean): Promise<SyncRunSummary> {
    if (this.controller) return Promise.reject(new AppError('sync_running', 'A sync is already running'))
    // The lock across processes and the run's row (running, pid): a sync of this file in
    // another process makes this one fail at once with its pid (db/syncLock.ts).
    let record: SyncRunRecord
    try {
      record = beginSyncRun(this.options.db, randomUUID(), new Date())
    } catch (e) {
      return Promise.reject(e)
    }
    const run = this.runAll(only, record).finally(() => record.release())
    this.pending = run
    return run
  }

  private async runAll(only: ((s: SyncStream) => boolean) | undefined, record: SyncRunRecord): Promise<SyncRunSummary> {
    const controller = new AbortController()
    this.controller = controller
    const { runId, startedAt } = record
    const summary: SyncRunSummary = {
      runId,
      startedAt: startedAt.toISOString(),
      finishedAt: '',
      seconds: 0,
      cancelled: false,
      streams: {}
    }
    const connections = this.options.connections()
    const { db } = this.options
    // Fewer, larger checkpoints while bulk rows arrive (each checkpoint syncs the disk); the
    // WAL is folded back into the database when the sync ends. Rows stream through, so a
    // smaller page cache costs no speed and keeps memory down (npm run bench -- sync: peak
    // RSS 492 -> 446 MB at the same rate).
    const autocheckpoint = db.pragma('wal_autocheckpoint', { simple: true }) as number
    const cacheSize = db.pragma('cache_size', { simple: true }) as number
    db.pragma('wal_autocheckpoint = 10000')
    db.pragma('cache_size = -32768')
    try {
      const sourcesDown = new Map<SourceKind, { code: string; message: string }>()
      for (const stream of this.options.streams) {
        if (only && !only(stream)) continue
        const connection = connections[stream.source]
        if (!connection?.url) continue
        const stats = emptyStats()
        summary.streams[stream.name] = { ...stats, error: null }
        let error: { code: string; message: string } | null = null
        const down = sourcesDown.get(stream.source)
        if (down) {
          // The source is down: its other streams are not tried again in this sync.
          error = { code: down.code, message: `Skipped: ${down.message}` }
          this.state.markResult(stream.name, new Date((this.options.clock ?? Date.now)()).toISOString(), error)
        } else {
          try {
            await this.runStream(runId, stream, connection, stats, controller.signal)
          } catch (e) {
            error = toError(e)
            if (SOURCE_DOWN.has(error.code)) sourcesDown.set(stream.source, error)
          }
        }
        summary.streams[stream.name] = { ...stats, error }
        if (error?.code === 'sync_cancelled' || controller.signal.aborted) {
          summary.cancelled = true
          break
        }
      }
    } finally {
      this.controller = null
      this.current = null
      db.pragma(`wal_autocheckpoint = ${autocheckpoint}`)
      db.pragma(`cache_size = ${cacheSize}`)
      try {
        db.pragma('wal_checkpoint(PASSIVE)')
      } catch {
        // a busy reader: the next checkpoint will do it
      }
    }
    const finished = new Date()
    summary.finishedAt = finished.toISOString()
    summary.seconds = (finished.getTime() - startedAt.getTime()) / 1000
    record.finish(summary) // the run's row (ok / failed / cancelled), and the lock freed
    return summary
  }

  private async runStream(
    runId: string,
    stream: SyncStream,
    connection: Connection,
    stats: StreamStats,
    signal: AbortSignal
  ): Promise<void> {
    const { db } = this.options
    const started = Date.now()
    const clock = this.options.clock ?? Date.now
    const now = (): string => new Date(clock()).toISOString()
    let unresolved = 0
    this.state.markAttempt(stream.name, stream.source, now())
    const ctx: StreamContext = {
      db,
      state: this.state,
      connection,
      pageSize: this.options.pageSize ?? 500,
      signal,
      now,
      clock,
      request: (url, init) =>
        requestJson(url, {
          ...init,
          token: connection.token,
          signal,
          timeoutMs: this.options.timeoutMs,
          deadlineMs: this.options.giveUpMs ?? DEFAULT_GIVE_UP_MS,
          retry: this.options.retry,
          onRetry: () => {
            stats.retries++
          }
        }),
      commit: (_rows, write) => {
        // IMMEDIATE: the write lock is taken at BEGIN, so a second writer waits its busy
        // timeout instead of failing half-way through a page.
        const c = db.transaction(write).immediate()
        stats.fetched += c.fetched
        stats.inserted += c.inserted
        stats.updated += c.updated
        stats.unchanged += c.unchanged
        stats.rejected += c.rejected
      },
      unresolved: (count) => {
        unresolved = count
      },
      keysetReader: this.options.readerWorker
        ? (name, start, pageSize, quarantined) =>
            readerPages(
              this.options.readerWorker!,
              {
                type: 'start',
                stream: name,
                base: connection.url,
                token: connection.token,
                start,
                pageSize,
                quarantined,
                timeoutMs: this.options.timeoutMs,
                deadlineMs: this.options.giveUpMs ?? DEFAULT_GIVE_UP_MS,
                retry: this.options.retry
              },
              signal,
              () => stats.retries++
            )
        : undefined,
      progress: (page, total) => {
        const seconds = Math.max((Date.now() - started) / 1000, 0.001)
        const rate = stats.fetched / seconds
        this.current = {
          runId,
          stream: stream.name,
          page,
          rows: stats.fetched,
          total,
          ratePerSecond: Math.round(rate),
          etaSeconds: total !== null && rate > 0 ? Math.max(0, (total - stats.fetched) / rate) : null
        }
        this.options.onProgress?.(this.current)
      }
    }
    try {
      ctx.progress(0, null) // the stream has started, before its first page arrives
      await stream.run(ctx)
      if (unresolved > 0) {
        throw new AppError(
          'records_unreadable',
          `${stream.name}: ${unresolved} record(s) stayed damaged in every read; they are kept aside (sync_rejects) and asked for again at the next sync`,
          { stream: stream.name, count: unresolved }
        )
      }
      this.state.markResult(stream.name, now(), null)
    } catch (e) {
      const err = toError(e)
      if (err.code !== 'sync_cancelled') this.state.markResult(stream.name, now(), err)
      throw e
    }
  }
}
