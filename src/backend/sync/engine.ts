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
import { SyncStateRepo } from '../db/syncState'
import type { UpsertCounts } from '../db/upsert'
import type { WorkerScript } from './host'
import { requestJson, type JsonResponse, type RequestOptions, type RetryPolicy } from './http'
import { readerPages } from './reader'
import type { KeysetCursor, KeysetPage } from './sources/platform'

export interface Connection {
  url: string
  token?: string
}

export interface StreamContext {
  db: Db
  state: SyncStateRepo
  connection: Connection
  pageSize: number
  signal: AbortSignal
  now(): string
  /** GET (or POST with a body) with retries, timeouts and retry counting. */
  request(url: string, init?: Pick<RequestOptions, 'method' | 'body'>): Promise<JsonResponse>
  /** Runs `write` in one transaction and adds its counts to the stream's stats. */
  commit(rows: number, write: () => UpsertCounts & { rejected: number; fetched: number }): void
  progress(page: number, total: number | null): void
  /** Keyset pages read in a reader thread, when the engine has one. */
  keysetReader?: (stream: string, start: KeysetCursor | null, pageSize: number) => AsyncIterable<KeysetPage>
}

export interface SyncStream {
  name: string
  source: SourceKind
  /** The local table the stream fills (for row counts in the status). */
  table: string
  run(ctx: StreamContext): Promise<void>
}

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
}

function emptyStats(): StreamStats {
  return { fetched: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0, retries: 0 }
}

function toError(e: unknown): { code: string; message: string } {
  if (e instanceof AppError) return { code: e.code, message: e.message }
  const err = e as { code?: string; message?: string }
  if (err?.code === 'SQLITE_FULL') return { code: 'disk_full', message: 'The disk is full' }
  return { code: 'internal', message: String(err?.message ?? e) }
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
    const run = this.runAll(only)
    this.pending = run
    return run
  }

  private async runAll(only?: (s: SyncStream) => boolean): Promise<SyncRunSummary> {
    const controller = new AbortController()
    this.controller = controller
    const runId = randomUUID()
    const startedAt = new Date()
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
      for (const stream of this.options.streams) {
        if (only && !only(stream)) continue
        const connection = connections[stream.source]
        if (!connection?.url) continue
        const stats = emptyStats()
        summary.streams[stream.name] = { ...stats, error: null }
        let error: { code: string; message: string } | null = null
        try {
          await this.runStream(runId, stream, connection, stats, controller.signal)
        } catch (e) {
          error = toError(e)
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
    this.state.saveRun(summary)
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
    const now = (): string => new Date().toISOString()
    this.state.markAttempt(stream.name, stream.source, now())
    const ctx: StreamContext = {
      db,
      state: this.state,
      connection,
      pageSize: this.options.pageSize ?? 500,
      signal,
      now,
      request: (url, init) =>
        requestJson(url, {
          ...init,
          token: connection.token,
          signal,
          timeoutMs: this.options.timeoutMs,
          retry: this.options.retry,
          onRetry: () => {
            stats.retries++
          }
        }),
      commit: (_rows, write) => {
        const c = db.transaction(write)()
        stats.fetched += c.fetched
        stats.inserted += c.inserted
        stats.updated += c.updated
        stats.unchanged += c.unchanged
        stats.rejected += c.rejected
      },
      keysetReader: this.options.readerWorker
        ? (name, start, pageSize) =>
            readerPages(
              this.options.readerWorker!,
              {
                type: 'start',
                stream: name,
                base: connection.url,
                token: connection.token,
                start,
                pageSize,
                timeoutMs: this.options.timeoutMs,
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
      this.state.markResult(stream.name, now(), null)
    } catch (e) {
      const err = toError(e)
      if (err.code !== 'sync_cancelled') this.state.markResult(stream.name, now(), err)
      throw e
    }
  }
}
