/**
 * Export speed: 1,048,575 balance transactions (one full sheet) in a fresh SQLite file,
 * exported to xlsx by the real export service, in its worker thread as the app runs it
 * (tools/ts-worker.mjs loads the TypeScript source), all seven columns. In the same run, the
 * reference: a plain exceljs streaming write of the same rows (WorkbookWriter to a file, one
 * addRow().commit() per row, number formats on the money and date cells, no backpressure).
 * Each runs in its own process, so each peak RSS (getrusage maxrss: every thread of the
 * process) is its own. Target: the real export under 15 s and 400 MB.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import Database from 'better-sqlite3'
import ExcelJS from 'exceljs'
import { openDatabase } from '../../src/backend/db/connection'
import { ExportService } from '../../src/backend/export/jobs'
import { exportRequestSchema } from '../../src/shared/contract'

const COLUMNS = ['id', 'date', 'credit', 'debit', 'purpose', 'balanceAfter', 'currency']
const FROM = '2025-01-01'
const TO = '2025-12-31'

interface Figures {
  seconds: number
  /** Until the worker had counted the rows (thread start, module load, count). */
  startSeconds?: number
  rows: number
  sheets: number
  peakRssMb: number
  fileMb: number
}

/** Client 1's transactions, 20 s apart from FROM on, with a formula-like purpose now and then. */
export function seedTransactions(file: string, rows: number): void {
  const db = openDatabase(file)
  const insert = db.prepare(
    `INSERT INTO transactions (id, client_id, date, credit, debit, purpose, balance_after, currency, updated_at)
     VALUES (?, 1, ?, ?, ?, ?, ?, 'EUR', ?)`
  )
  const start = Date.parse(`${FROM}T00:00:00Z`)
  db.transaction(() => {
    let balance = 100_000_000
    for (let i = 1; i <= rows; i++) {
      const date = new Date(start + i * 20_000).toISOString()
      const topUp = i % 10 === 0
      const amount = topUp ? 500_000 : 1 + ((i * 7919) % 250_000)
      balance += topUp ? amount : -amount
      const purpose = i % 1000 === 0 ? `=HYPERLINK("http://x.example/${i}")` : topUp ? `Top-up #${i}` : `Mailing ${i % 977} (${(i * 31) % 5000} SMS)`
      insert.run(i, date, topUp ? 0 : amount, topUp ? amount : 0, purpose, balance, date)
    }
  })()
  db.close()
}

function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024)
}

/** Child: the real export service, in its worker thread. */
async function childReal(dbFile: string, out: string): Promise<Figures> {
  let counted = 0
  const service = new ExportService({
    dbFile,
    exportDir: () => path.dirname(out),
    onProgress: (job) => {
      if (!counted && job.total !== null) counted = performance.now()
    },
    worker: { path: path.resolve('tools/ts-worker.mjs'), workerData: { entry: path.resolve('src/backend/export/worker.ts') } }
  })
  const t0 = performance.now()
  const job = await service.start(
    exportRequestSchema.parse({
      table: 'transactions',
      format: 'xlsx',
      columns: COLUMNS,
      file: out,
      transactions: { clientId: 1, from: FROM, to: TO, order: 'asc' }
    })
  )
  const end = await service.wait(job.id)
  const seconds = (performance.now() - t0) / 1000
  if (end.state !== 'done') throw new Error(`export ${end.state}: ${end.error?.message ?? ''}`)
  return {
    seconds,
    startSeconds: (counted - t0) / 1000,
    rows: end.rows,
    sheets: service.sheets(job.id),
    peakRssMb: peakRssMb(),
    fileMb: fs.statSync(out).size / 1e6
  }
}

/** Child: the reference, a plain exceljs streaming write of the same rows. */
async function childReference(dbFile: string, out: string): Promise<Figures> {
  const t0 = performance.now()
  const db = new Database(dbFile, { readonly: true })
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: out, useStyles: true, useSharedStrings: false })
  const ws = wb.addWorksheet('Transactions')
  ws.addRow(['ID', 'Date', 'Credit', 'Debit', 'Purpose', 'Balance after', 'Currency']).commit()
  const rows = db
    .prepare(
      `SELECT id, date, credit, debit, purpose, balance_after, currency FROM transactions
       WHERE client_id = 1 AND date >= ? AND date < ? ORDER BY date, id`
    )
    .raw()
    .iterate(FROM, '2026-01-01') as Iterable<[number, string, number, number, string, number, string]>
  let n = 0
  for (const [id, date, credit, debit, purpose, balance, currency] of rows) {
    const row = ws.addRow([id, new Date(date), credit / 100, debit / 100, purpose, balance / 100, currency])
    row.getCell(2).numFmt = 'yyyy-mm-dd hh:mm:ss'
    row.getCell(3).numFmt = '#,##0.00'
    row.getCell(4).numFmt = '#,##0.00'
    row.getCell(6).numFmt = '#,##0.00'
    row.commit()
    n++
  }
  ws.commit()
  await wb.commit()
  db.close()
  const seconds = (performance.now() - t0) / 1000
  return { seconds, rows: n, sheets: 1, peakRssMb: peakRssMb(), fileMb: fs.statSync(out).size / 1e6 }
}

function runChild(kind: 'real' | 'reference', dbFile: string, out: string): Figures {
  const here = fileURLToPath(import.meta.url)
  const r = spawnSync(process.execPath, ['--import', 'tsx', here, '--child', kind, '--db', dbFile, '--out', out], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 20
  })
  const last = r.stdout.trim().split('\n').pop() ?? ''
  if (r.status !== 0 || !last.startsWith('{')) throw new Error(`the ${kind} run failed (exit ${r.status}): ${r.stdout}`)
  return JSON.parse(last) as Figures
}

const round = (n: number, d = 2): number => Math.round(n * 10 ** d) / 10 ** d

export async function benchExport(args: { rows: number }): Promise<Record<string, unknown>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsdesk-bench-export-'))
  try {
    const dbFile = path.join(dir, 'bench.sqlite')
    const t0 = performance.now()
    seedTransactions(dbFile, args.rows)
    console.log(`${args.rows} transactions written in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
    const line = (label: string, f: Figures): void =>
      console.log(
        `${label.padEnd(34)} ${f.rows} rows in ${f.seconds.toFixed(2)} s = ${Math.round(f.rows / f.seconds)} rows/s, ` +
          `peak RSS ${f.peakRssMb} MB, ${f.sheets} sheet(s), ${f.fileMb.toFixed(1)} MB` +
          (f.startSeconds !== undefined ? ` (worker started and rows counted after ${f.startSeconds.toFixed(2)} s)` : '')
      )
    const real = runChild('real', dbFile, path.join(dir, 'real.xlsx'))
    line('export service (worker thread)', real)
    const ref = runChild('reference', dbFile, path.join(dir, 'reference.xlsx'))
    line('reference: plain exceljs stream', ref)
    const ok = real.rows === args.rows && real.seconds < 15 && real.peakRssMb < 400
    console.log(ok ? 'within target (< 15 s, < 400 MB)' : 'OUTSIDE the target (< 15 s, < 400 MB)')
    return {
      bench: 'export',
      rows: real.rows,
      sheets: real.sheets,
      seconds: round(real.seconds),
      rows_per_s: Math.round(real.rows / real.seconds),
      start_seconds: round(real.startSeconds ?? 0),
      peak_rss_mb: real.peakRssMb,
      file_mb: round(real.fileMb, 1),
      reference_seconds: round(ref.seconds),
      reference_rows_per_s: Math.round(ref.rows / ref.seconds),
      reference_peak_rss_mb: ref.peakRssMb,
      reference_file_mb: round(ref.fileMb, 1),
      target_seconds: 15,
      target_rss_mb: 400,
      within_target: ok
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

// Run as a child of the benchmark: one measured export, its figures as the last line.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { child: { type: 'string' }, db: { type: 'string' }, out: { type: 'string' } } })
  const run = values.child === 'real' ? childReal : childReference
  const figures = await run(values.db!, values.out!)
  console.log(JSON.stringify(figures))
  process.exit(0)
}
