/**
 * The sync worker thread: runs one sync with its own database connection, so fetching,
 * parsing, validating and writing never block the thread that answers the UI.
 */
import { parentPort } from 'node:worker_threads'
import { openDatabase, type Db } from '../db/connection'
import { wireError } from '../db/integrity'
import { SyncEngine } from './engine'
import { createStreams } from './streams'
import type { WorkerRequest, WorkerMessage } from './protocol'

const port = parentPort
if (!port) throw new Error('sync worker started outside a worker thread')

let engine: SyncEngine | null = null

port.on('message', (msg: WorkerRequest) => {
  if (msg.type === 'cancel') {
    engine?.cancel()
    return
  }
  // The process checked the file when it opened it; this connection only syncs, and every
  // transaction it opens begins IMMEDIATE (it waits for the write lock instead of failing).
  let db: Db
  try {
    db = openDatabase(msg.dbFile, { check: 'none', immediate: true })
  } catch (e) {
    const error = wireError(e)
    port.postMessage({ type: 'failed', message: error.message, error } satisfies WorkerMessage)
    return
  }
  engine = new SyncEngine({
    db,
    streams: createStreams(() => msg.sim),
    connections: () => msg.connections,
    pageSize: msg.tuning.pageSize,
    timeoutMs: msg.tuning.timeoutMs,
    retry: msg.tuning.retry,
    readerWorker: msg.reader,
    onProgress: (progress) => port.postMessage({ type: 'progress', progress } satisfies WorkerMessage)
  })
  engine
    .run()
    .then((summary) => port.postMessage({ type: 'done', summary } satisfies WorkerMessage))
    .catch((e: unknown) => {
      const error = wireError(e)
      port.postMessage({ type: 'failed', message: error.message, error } satisfies WorkerMessage)
    })
    .finally(() => db.close())
})
