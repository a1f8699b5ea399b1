/**
 * Runs a keyset stream's reading in a reader thread (readerWorker.ts), so parsing and
 * validating the next pages overlaps with writing the current one on the sync thread.
 */
import { Worker } from 'node:worker_threads'
import { AppError } from '../../shared/errors'
import type { WorkerScript } from '../workers'
import type { ReaderMessage, ReaderRequest } from './protocol'
import type { KeysetPage } from './types'

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
