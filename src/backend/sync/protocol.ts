/**
 * The messages the sync's threads exchange: the host with the sync worker (worker.ts), the
 * engine with a keyset reader thread (readerWorker.ts).
 */
import type { WireError } from '../../shared/errors'
import type { SourceKind, SyncProgress, SyncRunSummary } from '../../shared/types'
import type { Connection } from '../db/settings'
import type { WorkerScript } from '../workers'
import type { RetryPolicy } from './http'
import type { KeysetCursor, KeysetPage, SimOptions } from './types'

export interface SyncTuning {
  pageSize?: number
  timeoutMs?: number
  retry?: Partial<RetryPolicy>
}

export type WorkerRequest =
  | {
      type: 'run'
      dbFile: string
      connections: Partial<Record<SourceKind, Connection>>
      sim: SimOptions
      tuning: SyncTuning
      reader?: WorkerScript
    }
  | { type: 'cancel' }

export type WorkerMessage =
  | { type: 'progress'; progress: SyncProgress }
  | { type: 'done'; summary: SyncRunSummary }
  | { type: 'failed'; message: string; error?: WireError }

export type ReaderRequest =
  | {
      type: 'start'
      stream: string
      base: string
      token?: string
      start: KeysetCursor | null
      pageSize: number
      /** Ids quarantined by earlier syncs, asked for again first. */
      quarantined: number[]
      timeoutMs?: number
      /** Passed to requestJson for each page (see RequestOptions). */
      deadlineMs?: number
      maxBytes?: number
      maxDepth?: number
      retry?: Partial<RetryPolicy>
    }
  | { type: 'ack' }
  | { type: 'cancel' }

export type ReaderMessage =
  | { type: 'page'; page: KeysetPage }
  | { type: 'retry' }
  | { type: 'end' }
  | { type: 'error'; error: WireError }
