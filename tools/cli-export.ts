/**
 * npm run cli -- export <table> --db FILE [--out FILE] [--format xlsx|csv] [--columns a,b,c] [--lang en|ru]
 *     clients       [--search S] [--sort id|login|company|name|smsPrice|balance|credit|channel] [--order asc|desc]
 *     transactions  --client ID [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--order desc|asc]
 *     statistics    [--group day|operator|sender|viber-sender|country] [--client ID] [--from ...] [--to ...]
 *     names         --client ID
 *   [--utc]  times as UTC wall clock (default: this computer's time zone)
 * The same export service as the app (same filters, sort, columns and file handling), run in
 * this thread. --out defaults to a generated name in the current folder; the format follows
 * --format, else the extension of --out, else xlsx. A period defaults to everything up to today.
 * Prints one JSON line: {ok, table, format, rows, sheets, file, seconds}.
 */
import fs from 'node:fs'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { openDatabase, type Db } from '../src/backend/db/connection'
import { ExportService } from '../src/backend/export/jobs'
import { DEFAULT_COLUMNS } from '../src/backend/export/tables'
import { statsHandlers } from '../src/backend/stats/handlers'
import { exportRequestSchema, type StatsQuery } from '../src/shared/contract'
import { AppError } from '../src/shared/errors'
import { EXPORT_TABLES, type ExportTable } from '../src/shared/types'

export interface ExportCliResult {
  ok: boolean
  table: ExportTable
  format: 'xlsx' | 'csv'
  rows: number
  sheets: number
  file: string
  seconds: number
  state: string
  error?: { code: string; message: string } | null
}

function invalid(message: string, field = 'argv'): never {
  throw new AppError('invalid_input', message, { field })
}

function clientId(value: string | undefined, required: boolean): number | null {
  if (value === undefined) {
    if (required) invalid('--client ID is required for this table', 'client')
    return null
  }
  const id = Number(value)
  if (!Number.isSafeInteger(id) || id <= 0) invalid(`--client: expected a positive integer, got ${value}`, 'client')
  return id
}

/** Runs `export` with the arguments after the command name: prints its JSON line and returns it. */
export async function runExport(argv: string[]): Promise<ExportCliResult> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      db: { type: 'string' },
      out: { type: 'string' },
      format: { type: 'string' },
      columns: { type: 'string' },
      lang: { type: 'string', default: 'en' },
      search: { type: 'string', default: '' },
      sort: { type: 'string', default: 'id' },
      order: { type: 'string' },
      client: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      group: { type: 'string', default: 'day' },
      utc: { type: 'boolean', default: false }
    }
  })
  const table = positionals[0] as ExportTable
  if (!EXPORT_TABLES.includes(table)) invalid(`Unknown table "${positionals[0] ?? ''}". Tables: ${EXPORT_TABLES.join(', ')}`, 'table')
  if (!values.db) invalid('--db FILE is required', 'db')
  const dbFile = path.resolve(values.db)
  if (!fs.existsSync(dbFile)) invalid(`--db: no such file: ${dbFile}`, 'db')
  const out = values.out ? path.resolve(values.out) : undefined
  const format = values.format ?? (out && /\.csv$/i.test(out) ? 'csv' : 'xlsx')

  const today = new Date().toISOString().slice(0, 10)
  const period = { from: values.from ?? '2000-01-01', to: values.to ?? today }
  const request = {
    table,
    format,
    language: values.lang,
    columns: values.columns ? values.columns.split(',').map((c) => c.trim()).filter(Boolean) : DEFAULT_COLUMNS[table],
    file: out,
    ...(table === 'clients' && { clients: { search: values.search, sort: values.sort, order: values.order ?? 'asc' } }),
    ...(table === 'transactions' && {
      transactions: { clientId: clientId(values.client, true), ...period, order: values.order ?? 'desc' }
    }),
    ...(table === 'statistics' && { statistics: { group: values.group, clientId: clientId(values.client, false), ...period } }),
    ...(table === 'names' && { names: { clientId: clientId(values.client, true) } })
  }
  const parsed = exportRequestSchema.safeParse(request)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const field = issue.path.join('.')
    invalid(`${field || 'input'}: ${issue.message}`, field)
  }

  // Opened as the app opens it: a newer schema is refused, an older one is migrated. The
  // writer reads through its own read-only connection; this one serves the statistics.
  const db: Db = openDatabase(dbFile)
  let stats: ReturnType<typeof statsHandlers> | null = null
  const service = new ExportService({
    dbFile,
    exportDir: () => process.cwd(),
    statsQuery: (q: StatsQuery) => (stats ??= statsHandlers({ db }))['stats.query'](q),
    timeZone: values.utc ? 'utc' : 'local'
  })
  const started = performance.now()
  try {
    const job = await service.start(parsed.data)
    const onSignal = (): void => void service.cancel(job.id)
    process.once('SIGINT', onSignal)
    const end = await service.wait(job.id)
    process.removeListener('SIGINT', onSignal)
    const result: ExportCliResult = {
      ok: end.state === 'done',
      table,
      format: parsed.data.format,
      rows: end.rows,
      sheets: service.sheets(job.id),
      file: end.file,
      seconds: Math.round((performance.now() - started) / 10) / 100,
      state: end.state,
      error: end.error
    }
    console.log(JSON.stringify(result))
    if (!result.ok) process.exitCode = 1
    return result
  } finally {
    db.close()
  }
}
