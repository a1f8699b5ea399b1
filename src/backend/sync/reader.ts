/**
 * Runs a keyset stream's reading in a reader thread (readerWorker.ts), so parsing and
 * validating the next pages overlaps with writing the current one on the sync thread.
 */
import { Worker } from 'node:worker_threads'
import { AppError, type WireError } from '../../shared/errors'
import type { RetryPolicy } from './http'
import type { WorkerScript } from './host'
import type { KeysetCursor, KeysetPage } from './sources/platform'

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

export async function* readerPages(
  script: WorkerScript,
  start: Extract<ReaderRequest, { type: 'start' }>,
  signal: AbortSignal,
  onRetry: () => void
): AsyncGenerator<KeysetPage> {
  const worker = new Worker(script.path, { workerData: script.workerData })
  const queue: ReaderMessage[] = []
  let wake: (() => void) | null = null
  const push = (m: ReaderMessage): void => {
    queue.push(m)
    wake?.()
  }
  worker.on('message', (m: ReaderMessage) => (m.type === 'retry' ? onRetry() : push(m)))
  worker.on('error', (e) => push({ type: 'error', error: { code: 'internal', message: `The reader thread failed: ${e.message}` } }))
  worker.on('exit', (code) => push({ type: 'error', error: { code: 'internal', message: `The reader thread stopped (${code})` } }))
  const onAbort = (): void => worker.postMessage({ type: 'cancel' } satisfies ReaderRequest)
  signal.addEventListener('abort', onAbort, { once: true })
  worker.postMessage(start satisfies ReaderRequest)
  try {
    for (;;) {
      while (!queue.length) await new Promise<void>((r) => (wake = r))
      const m = queue.shift()!
      if (m.type === 'end') return
      if (m.type === 'error') throw new AppError(m.error.code, m.error.message, m.error.params)
      if (m.type === 'page') {
        worker.postMessage({ type: 'ack' } satisfies ReaderRequest)
        yield m.page
      }
    }
  } finally {
    signal.removeEventListener('abort', onAbort)
    worker.removeAllListeners('exit')
    void worker.terminate()
  }
}
