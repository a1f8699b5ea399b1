/**
 * Sync speed: the reference server (its own process) serves 1,000,000 messages and 200,000
 * SIM actions; the sync engine pulls them over loopback into a fresh SQLite file. In the same
 * run, the raw limit: the same rows inserted straight into SQLite with one prepared statement
 * in one transaction, as the schema is (the statistics triggers count each message) and
 * without statistics. messages_per_s counts the whole sync's time (every stream);
 * messages_stream_per_s the messages stream's own.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { openDatabase } from '../../src/backend/db/connection'
import { SyncEngine } from '../../src/backend/sync/engine'
import { createStreams } from '../../src/backend/sync/streams'
import { providerDate } from '../../src/shared/sim'
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
    const streamStarts = new Map<string, number>()
    const engine = new SyncEngine({
      db,
      streams: createStreams(() => ({ select: ['all'], trailingDays: 3, from: Date.now() - 40 * 86_400_000 })),
      connections: () => ({ platform: { url: server.url }, sim: { url: server.url } }),
      pageSize: 500,
      readerWorker: args.inThread
        ? undefined
        : sourceWorker('src/backend/sync/readerWorker.ts'),
      onProgress: (p) => {
        // A stream's first event comes when it starts: the messages stream runs until the next one starts.
        if (p.page === 0) streamStarts.set(p.stream, performance.now())
        if (p.page % 40 === 0) console.log(`  ${p.stream}: ${p.rows} rows, ${p.ratePerSecond}/s`)
      }
    })
    const started = performance.now()
    const summary = await engine.run()
    const ended = performance.now()
    const totalSeconds = (ended - started) / 1000
    const starts = [...streamStarts.values()]
    const messagesFrom = streamStarts.get('platform.messages')!
    const messagesSeconds = ((starts.find((t) => t > messagesFrom) ?? ended) - messagesFrom) / 1000
    const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024) // the sync's peak, before the raw phase
    for (const [name, s] of Object.entries(summary.streams)) {
      if (s.error) throw new Error(`${name}: ${s.error.message}`)
      console.log(`${name.padEnd(24)} ${String(s.fetched).padStart(8)} rows`)
    }
    const messages = db.prepare('SELECT count(*) FROM messages').pluck().get() as number
    const simRows = db.prepare('SELECT count(*) FROM sim_actions').pluck().get() as number
    db.pragma('wal_checkpoint(TRUNCATE)')
    const dbBytes = fs.statSync(file).size

    // The raw limit: the same rows, one prepared statement, one transaction, same schema,
    // in the order the sync received them (the platform's keyset order, the provider's date order).
    const messageRows = db.prepare('SELECT * FROM messages ORDER BY updated_at, id').raw().all() as unknown[][]
    const simRawRows = db.prepare('SELECT * FROM sim_actions ORDER BY date, sid').raw().all() as unknown[][]
    db.close()
    /** Seconds to insert every row into a new file; with `stats` false the statistics triggers stand aside. */
    const insertAll = (stats: boolean): number => {
      const raw = openDatabase(path.join(dir, `raw-${stats}.sqlite`))
      const insertMessages = raw.prepare(`INSERT INTO messages VALUES (${messageRows[0].map(() => '?').join(', ')})`)
      const insertSim = raw.prepare(`INSERT INTO sim_actions VALUES (${simRawRows[0].map(() => '?').join(', ')})`)
      const batched = raw.prepare('UPDATE stats_writer SET batched = ?')
      const t = performance.now()
      raw.transaction(() => {
        batched.run(stats ? 0 : 1)
        for (const r of messageRows) insertMessages.run(r)
        for (const r of simRawRows) insertSim.run(r)
        batched.run(0)
      })()
      const seconds = (performance.now() - t) / 1000
      raw.close()
      return seconds
    }
    // As the schema is: a plain insert adds each message to the statistics through the triggers.
    const rawSeconds = insertAll(true)
    // The messages alone, without statistics.
    const bareSeconds = insertAll(false)

    const syncedRows = messages + simRows
    const platformOther = Object.entries(summary.streams)
      .filter(([n]) => n !== 'platform.messages' && n !== 'sim.call_sms')
      .reduce((n, [, s]) => n + s.fetched, 0)
    const syncRate = syncedRows / totalSeconds
    const rawRate = syncedRows / rawSeconds
    console.log(`synced ${syncedRows} rows (+${platformOther} clients, names, transactions) in ${totalSeconds.toFixed(2)} s`)
    console.log(`raw insert of the same ${syncedRows} rows: ${rawSeconds.toFixed(2)} s (${bareSeconds.toFixed(2)} s without statistics)`)
    console.log(`the messages stream alone: ${messagesSeconds.toFixed(2)} s`)
    return {
      bench: 'sync',
      reader: args.inThread ? 'sync thread' : 'reader thread',
      messages,
      sim_actions: simRows,
      seconds: round(totalSeconds),
      messages_per_s: Math.round(messages / totalSeconds),
      messages_stream_per_s: Math.round(messages / messagesSeconds),
      sync_rows_per_s: Math.round(syncRate),
      raw_rows_per_s: Math.round(rawRate),
      ratio: round(syncRate / rawRate),
      raw_rows_per_s_without_stats: Math.round(syncedRows / bareSeconds),
      ratio_without_stats: round(syncRate / (syncedRows / bareSeconds)),
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
