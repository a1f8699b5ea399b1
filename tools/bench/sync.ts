/**
 * Sync speed: the reference server (its own process) serves 1,000,000 messages and 200,000
 * SIM actions; the sync engine pulls them over loopback into a fresh SQLite file. In the same
 * run, the raw limit: the same rows inserted straight into SQLite with one prepared statement
 * in one transaction.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { openDatabase } from '../../src/backend/db/connection'
import { SyncEngine } from '../../src/backend/sync/engine'
import { createStreams } from '../../src/backend/sync/streams'
import { providerDate } from '../../src/backend/sync/sources/simProvider'
import { sourceWorker } from '../bridge/server'

interface Args {
  messages: number
  simActions: number
  /** Read pages on the sync thread instead of a reader thread (for comparison). */
  inThread?: boolean
}

async function startServer(args: Args): Promise<{ url: string; stop: () => void }> {
  const days = 30
  const sims = 100
  // Actions of the last day are not visible yet (the provider's one-day lag).
  const simTotal = Math.ceil((args.simActions * (days + 1)) / days)
  const child = spawn(
    process.execPath,
    [
      '--import', 'tsx', 'tools/reference-server/main.ts', '--port', '0', '--seed', '7',
      '--clients', '2000', '--messages', String(args.messages), '--days', String(days),
      '--sims', String(sims), '--sim-actions', String(simTotal), '--dispatches', '10',
      '--names-per-client', '1', '--transactions', '1'
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] }
  )
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (c) => {
      out += c
      const m = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)
      if (m) resolve(m[1])
    })
    child.on('exit', (code) => reject(new Error(`reference server exited (${code}): ${out}`)))
  })
  return { url, stop: () => child.kill('SIGTERM') }
}

export async function benchSync(args: Args): Promise<Record<string, unknown>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsdesk-bench-sync-'))
  const server = await startServer(args)
  try {
    console.log(`reference server on ${server.url}`)
    const file = path.join(dir, 'sync.sqlite')
    const db = openDatabase(file)
    const engine = new SyncEngine({
      db,
      streams: createStreams(() => ({ select: ['all'], trailingDays: 3, from: Date.now() - 40 * 86_400_000 })),
      connections: () => ({ platform: { url: server.url }, sim: { url: server.url } }),
      pageSize: 500,
      readerWorker: args.inThread
        ? undefined
        : sourceWorker('src/backend/sync/readerWorker.ts'),
      onProgress: (p) => {
        if (p.page % 40 === 0) console.log(`  ${p.stream}: ${p.rows} rows, ${p.ratePerSecond}/s`)
      }
    })
    const started = performance.now()
    const summary = await engine.run()
    const totalSeconds = (performance.now() - started) / 1000
    const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024) // the sync's peak, before the raw phase
    for (const [name, s] of Object.entries(summary.streams)) {
      if (s.error) throw new Error(`${name}: ${s.error.message}`)
      console.log(`${name.padEnd(24)} ${String(s.fetched).padStart(8)} rows`)
    }
    const messages = db.prepare('SELECT count(*) FROM messages').pluck().get() as number
    const simRows = db.prepare('SELECT count(*) FROM sim_actions').pluck().get() as number
    db.pragma('wal_checkpoint(TRUNCATE)')
    const dbBytes = fs.statSync(file).size

    // The raw limit: the same rows, one prepared statement, one transaction, same schema.
    const rawFile = path.join(dir, 'raw.sqlite')
    const raw = openDatabase(rawFile)
    // In the order the sync received them (the platform's keyset order, the provider's date order).
    const messageRows = db.prepare('SELECT * FROM messages ORDER BY updated_at, id').raw().all() as unknown[][]
    const simRawRows = db.prepare('SELECT * FROM sim_actions ORDER BY date, sid').raw().all() as unknown[][]
    db.close()
    const insertMessages = raw.prepare(`INSERT INTO messages VALUES (${messageRows[0].map(() => '?').join(', ')})`)
    const insertSim = raw.prepare(`INSERT INTO sim_actions VALUES (${simRawRows[0].map(() => '?').join(', ')})`)
    const rawStarted = performance.now()
    raw.transaction(() => {
      for (const r of messageRows) insertMessages.run(r)
      for (const r of simRawRows) insertSim.run(r)
    })()
    const rawSeconds = (performance.now() - rawStarted) / 1000
    raw.close()

    const syncedRows = messages + simRows
    const platformOther = Object.entries(summary.streams)
      .filter(([n]) => n !== 'platform.messages' && n !== 'sim.call_sms')
      .reduce((n, [, s]) => n + s.fetched, 0)
    const syncRate = syncedRows / totalSeconds
    const rawRate = syncedRows / rawSeconds
    console.log(`synced ${syncedRows} rows (+${platformOther} clients, names, transactions) in ${totalSeconds.toFixed(2)} s`)
    console.log(`raw insert of the same ${syncedRows} rows: ${rawSeconds.toFixed(2)} s`)
    return {
      bench: 'sync',
      reader: args.inThread ? 'sync thread' : 'reader thread',
      messages,
      sim_actions: simRows,
      seconds: round(totalSeconds),
      messages_per_s: Math.round(messages / totalSeconds),
      sync_rows_per_s: Math.round(syncRate),
      raw_rows_per_s: Math.round(rawRate),
      ratio: round(syncRate / rawRate),
      peak_rss_mb: peakRssMb,
      db_bytes_per_message: Math.round(dbBytes / messages),
      sim_window_from: providerDate(Date.now() - 40 * 86_400_000)
    }
  } finally {
    server.stop()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100
}
