/**
 * The export worker thread: writes one export with its own read-only database connection, so
 * reading and packing a million rows never blocks the thread that answers the UI. Started
 * once per export by jobs.ts; it reports progress, then done / cancelled / failed.
 * Electron bundles it as out/main/exportWorker.js; from source it runs through tools/ts-worker.mjs.
 */
import { parentPort } from 'node:worker_threads'
import { exportError, runExport } from './run'
import type { ExportWorkerMessage, ExportWorkerRequest } from './protocol'

const port = parentPort
if (!port) throw new Error('export worker started outside a worker thread')

let cancelled = false
let started = false

port.on('message', (msg: ExportWorkerRequest) => {
  if (msg.type === 'cancel') {
    cancelled = true
    return
  }
  if (started) return
  started = true
  const post = (m: ExportWorkerMessage): void => port.postMessage(m)
  runExport(msg.dbFile, msg.plan, msg.hostRows, {
    progress: (rows, total) => post({ type: 'progress', rows, total }),
    cancelled: () => cancelled
  })
    .then((r) =>
      post(r.state === 'done' ? { type: 'done', rows: r.rows, total: r.total, sheets: r.sheets } : { type: 'cancelled', rows: r.rows })
    )
    .catch((e: unknown) => post({ type: 'failed', error: exportError(e) }))
})
