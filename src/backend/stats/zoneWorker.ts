/**
 * The statistics regrouping thread: computes the chosen zone's transitions and, unless the
 * aggregates are grouped by exactly those already, regroups them (./zone.ts, one transaction)
 * with its own connection, so the thread that answers the UI never waits for it. Started by
 * ./zoneService.ts; Electron bundles it as out/main/statsZoneWorker.js, from source it runs
 * through tools/ts-worker.mjs.
 */
import { parentPort } from 'node:worker_threads'
import { openDatabase } from '../db/connection'
import { isGroupedBy, offsetRows, regroupStats } from './zone'
import type { ZoneWorkerMessage, ZoneWorkerRequest } from './zoneService'

const port = parentPort
if (!port) throw new Error('statistics zone worker started outside a worker thread')

port.once('message', (msg: ZoneWorkerRequest) => {
  const post = (m: ZoneWorkerMessage): void => port.postMessage(m)
  let db: ReturnType<typeof openDatabase> | null = null
  try {
    db = openDatabase(msg.dbFile)
    const rows = offsetRows(msg.zone)
    if (isGroupedBy(db, msg.zone, rows)) post({ type: 'done', regrouped: false, ms: 0 })
    else {
      const ms = regroupStats(db, msg.zone, { rows, onProgress: (p) => post({ type: 'progress', fraction: p.fraction }) })
      post({ type: 'done', regrouped: true, ms })
    }
  } catch (e) {
    post({ type: 'failed', message: (e as Error).message ?? String(e) })
  } finally {
    db?.close()
  }
})
