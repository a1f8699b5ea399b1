/**
 * npm run cli -- export <table> --db FILE [--out FILE] [--format xlsx|csv] [--columns a,b,c] [--lang en|ru]
 *     clients       [--search S] [--sort id|login|company|name|smsPrice|balance|credit|channel] [--order asc|desc]
 *     transactions  --client ID [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--order desc|asc]
 *     statistics    [--group day|operator|sender|viber-sender|country] [--client ID] [--from ...] [--to ...]
 *     names         --client ID
 *   [--tz ZONE | --utc]  the time zone of the days and times (default: the zone chosen in the
 *            app's Settings in that database, else this computer's; --utc = --tz UTC)
 * The same export service as the app (same filters, sort, columns and file handling), run in
 * this thread. --out is yours to choose, except the database, its -wal/-shm/-journal companions
 * and a key file (secret.key), which are never replaced; without it the file gets a generated
 * name in ~/SMS Desk exports (created when missing). The format follows --format, else the
 * extension of --out, else xlsx. A period of days is one of the zone's
 * (00:00 of --from to 00:00 after --to, there) and defaults to everything up to today there.
 * Statistics are grouped by the days of the zone the database's statistics are grouped by (the
 * app's zone); a --tz other than that one is refused (choose the zone in the app's Settings).
 * Prints one JSON line: {ok, table, format, rows, sheets, file, seconds}.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import Database from 'better-sqlite3'
import { openDatabase, type Db } from '../src/backend/db/connection'
import { storedZone } from '../src/backend/stats/zone'
import { UTC_ZONE, effectiveTimeZone, isTimeZone, todayIn } from '../src/shared/zone'
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

/** The zone chosen in the app's Settings in this database, else this computer's (read-only). */
function appTimeZone(dbFile: string): string {
  let chosen = ''
  try {
    const db = new Database(dbFile, { readonly: true, fileMustExist: true })
    try {
      const v = db.prepare("SELECT value FROM settings WHERE key = 'timeZone'").pluck().get() as string | undefined
      if (v) chosen = JSON.parse(v) as string
    } finally {
      db.close()
    }
  } catch {
    // an older or unreadable file: this computer's zone
  }
  return effectiveTimeZone(chosen)
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
      utc: { type: 'boolean', default: false },
      tz: { type: 'string' }
    }
  })
  const table = positionals[0] as ExportTable
  if (!EXPORT_TABLES.includes(table)) invalid(`Unknown table "${positionals[0] ?? ''}". Tables: ${EXPORT_TABLES.join(', ')}`, 'table')
  if (!values.db) invalid('--db FILE is required', 'db')
  const dbFile = path.resolve(values.db)
  if (!fs.existsSync(dbFile)) invalid(`--db: no such file: ${dbFile}`, 'db')
  const out = values.out ? path.resolve(values.out) : undefined
  const format = values.format ?? (out && /\.csv$/i.test(out) ? 'csv' : 'xlsx')

  if (values.tz !== undefined && !isTimeZone(values.tz)) invalid(`--tz: not a time zone: ${values.tz}`, 'tz')
  if (values.tz !== undefined && values.utc) invalid('--tz and --utc: one or the other', 'tz')
  // The zone: as given, else the app's (Settings in this database), else this computer's.
  const zone = values.utc ? UTC_ZONE : (values.tz ?? appTimeZone(dbFile))
  const today = todayIn(zone, Date.now())
  const period = { from: values.from ?? '2000-01-01', to: values.to ?? today }
  const request = {
    table,
    format,
    language: values.lang,
    columns: values.columns ? values.columns.split(',').map((c) => c.trim()).filter(Boolean) : DEFAULT_COLUMNS[table],
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
  if (table === 'statistics') {
    const grouped = storedZone(db).zone
    if ((values.tz !== undefined || values.utc) && grouped !== zone) {
      db.close()
      invalid(`--tz: the statistics in this database are grouped by the days of ${grouped}, not ${zone}; choose ${zone} in the app's Settings to regroup them`, 'tz')
    }
  }
  let stats: ReturnType<typeof statsHandlers> | null = null
  const service = new ExportService({
    dbFile,
    exportDir: () => path.join(os.homedir(), 'SMS Desk exports'),
    statsQuery: (q: StatsQuery) => (stats ??= statsHandlers({ db }))['stats.query'](q),
    timeZone: zone
  })
  const started = performance.now()
  try {
    const job = await (out ? service.startToFile(parsed.data, out) : service.start(parsed.data))
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
