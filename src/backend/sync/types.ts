/**
 * The types the sync's parts share: a stream and the context the engine runs it in, the
 * keyset pages the platform's streams read (in the sync thread or a reader thread), and the
 * SIM provider's options. A leaf: it imports no part of the sync, so none of them import each
 * other for their types.
 */
import type { SourceKind } from '../../shared/types'
import type { Db } from '../db/connection'
import type { Connection } from '../db/settings'
import type { SyncStateRepo } from '../db/syncState'
import type { UpsertCounts, Values } from '../db/upsert'
import type { JsonResponse, RequestOptions } from './http'

export interface StreamContext {
  db: Db
  state: SyncStateRepo
  connection: Connection
  pageSize: number
  signal: AbortSignal
  /** The sync's clock as an ISO time (the engine's injected clock). */
  now(): string
  /** The sync's clock in ms: the SIM provider's window ends at its day. */
  clock(): number
  /** GET (or POST with a body) with retries, timeouts and retry counting. */
  request(url: string, init?: Pick<RequestOptions, 'method' | 'body'>): Promise<JsonResponse>
  /** Runs `write` in one transaction and adds its counts to the stream's stats. */
  commit(rows: number, write: () => UpsertCounts & { rejected: number; fetched: number }): void
  progress(page: number, total: number | null): void
  /**
   * Records the stream holds in quarantine after this run: the stream ends with a
   * `records_unreadable` error that says how many (they are asked for again next sync).
   */
  unresolved(count: number): void
  /** Keyset pages read in a reader thread, when the engine has one. */
  keysetReader?: (stream: string, start: KeysetCursor | null, pageSize: number, quarantined: number[]) => AsyncIterable<KeysetPage>
}

export interface SyncStream {
  name: string
  source: SourceKind
  /** The local table the stream fills (for row counts in the status). */
  table: string
  run(ctx: StreamContext): Promise<void>
}

/** A position in a keyset stream: the last record read, by (updated_at, id). */
export interface KeysetPosition {
  updatedAfter: string
  afterId: number
}

/**
 * Damaged records stepped over after every read of them failed: read again at the start of the
 * next sync, from `from` up to `to` (the first intact record after them).
 */
export interface KeysetGap {
  from: KeysetPosition | null
  to: KeysetPosition
  /** The quarantine key of the records it hides (sync_rejects.record_key). */
  key: string
}

export interface KeysetCursor extends KeysetPosition {
  gaps?: KeysetGap[]
}

/** A record given up on, kept in sync_rejects under `key` (`id:<n>` or a gap's key). */
export interface Quarantined {
  key: string
  reason: string
  payload: unknown
}

/** One page of a keyset stream, validated, with the cursor that follows it. */
export interface KeysetPage {
  /** Valid rows as values in the stream's column order (arrays clone between threads at half the cost of objects). */
  rows: Values[]
  /** Records given up on after every read of them failed. */
  rejects: Quarantined[]
  /** Quarantine keys that a read repaired: their rejects are cleared. */
  repaired: string[]
  /** Records the page held. */
  fetched: number
  /** Rows the server had from this page's position on (null for a repair page). */
  count: number | null
  cursor: KeysetCursor | null
  more: boolean
}

export interface SimOptions {
  select: string[]
  /** Days re-read before the last synced day, for actions the provider learns late. */
  trailingDays: number
  /** Where the first sync starts (UTC midnight ms); default 30 days back. */
  from: number | null
  /**
   * A deep re-read every `deepEveryDays` days reads the last `deepDays` days again, for actions
   * the provider learns of later than the trailing window (0 turns it off).
   */
  deepEveryDays?: number
  deepDays?: number
}
