/**
 * One export, start to end, in whichever thread runs it (the export worker, or the backend's
 * own thread when no worker script is given): opens its own read-only connection, counts and
 * reads the rows in one read transaction (so the count is exact), writes them to the temporary
 * file, and on cancel or failure closes and deletes that file. Renaming it into place is the
 * host's job (jobs.ts).
 */
import Database from 'better-sqlite3'
import fs from 'node:fs'
import type { ExportRequest } from '../../shared/contract'
import { AppError, type WireError } from '../../shared/errors'
import type { ExportFormat, ExportTable, Language } from '../../shared/types'
import type { Db } from '../db/connection'
import { wireError } from '../db/integrity'
import { EXPORT_TABLE_DEFS, resolveColumns } from './tables'
import { CsvSink, XlsxSink, type Sink, type TimeZoneMode } from './writer'

/** Everything a writer needs, as plain data (it crosses to the worker thread). */
export interface ExportPlan {
  id: string
  table: ExportTable
  format: ExportFormat
  language: Language
  request: ExportRequest
  /** The temporary file written; the host renames it when complete. */
  tmpFile: string
  /** Data rows per sheet before the rows continue on the next one. */
  sheetRowLimit: number
  /** The zone of the file: its times' wall clock, its periods' days, said in the headers. */
  timeZone: TimeZoneMode
  /** Test hook: fail once this many rows are written. */
  failAfterRows?: number
  /** xlsx rows through exceljs's row model instead of the direct serializer (tests compare). */
  fastRows?: boolean
}

export interface RunHooks {
  progress(rows: number, total: number): void
  cancelled(): boolean
}

export type RunResult =
  | { state: 'done'; rows: number; total: number; sheets: number }
  | { state: 'cancelled'; rows: number; total: number }

/** Rows written between checks for cancel, backpressure and progress. */
const BATCH = 1024
const PROGRESS_MS = 100

export async function runExport(
  dbFile: string | null,
  plan: ExportPlan,
  hostRows: unknown[] | undefined,
  hooks: RunHooks
): Promise<RunResult> {
  const def = EXPORT_TABLE_DEFS[plan.table]
  const columns = resolveColumns(plan.request)
  let db: Db | null = null
  let reading = false
  let sink: Sink | null = null
  let rows = 0
  let total = 0
  try {
    if (!def.hostRows) {
      if (!dbFile) throw new AppError('internal', 'The export has no database file')
      db = new Database(dbFile, { readonly: true, fileMustExist: true })
      db.pragma('busy_timeout = 5000')
      db.exec('BEGIN')
      reading = true
    }
    const source = def.source(db, plan.request, columns, hostRows, plan.timeZone)
    total = source.total
    hooks.progress(0, total)
    const options = {
      file: plan.tmpFile,
      columns: source.columns ?? columns,
      language: plan.language,
      title: def.title,
      sheetRowLimit: plan.sheetRowLimit,
      timeZone: plan.timeZone,
      fastRows: plan.fastRows
    }
    sink = plan.format === 'xlsx' ? new XlsxSink(options) : new CsvSink(options)
    let last = Date.now()
    let cancelled = hooks.cancelled()
    if (!cancelled) {
      for (const r of source.rows) {
        sink.row(r)
        rows++
        if (plan.failAfterRows !== undefined && rows >= plan.failAfterRows) {
          throw new AppError('internal', `Injected failure after ${rows} rows`)
        }
        if (rows % BATCH === 0) {
          await sink.drain()
          if (hooks.cancelled()) {
            cancelled = true
            break
          }
          const now = Date.now()
          if (now - last >= PROGRESS_MS) {
            hooks.progress(rows, total)
            last = now
          }
        }
      }
    }
    if (cancelled || hooks.cancelled()) {
      await sink.abort()
      fs.rmSync(plan.tmpFile, { force: true })
      return { state: 'cancelled', rows, total }
    }
    if (source.footer) sink.footer(source.footer.row, source.footer.label)
    const { sheets } = await sink.finish()
    hooks.progress(rows, total)
    return { state: 'done', rows, total, sheets }
  } catch (e) {
    await sink?.abort().catch(() => undefined)
    fs.rmSync(plan.tmpFile, { force: true })
    throw e
  } finally {
    if (reading) {
      try {
        db?.exec('COMMIT')
      } catch {
        // a read transaction has nothing to lose
      }
    }
    try {
      db?.close()
    } catch {
      // nothing was written through it
    }
  }
}

/**
 * Any failure as a wire error: a file that cannot be written says so; anything else (a full
 * disk included) goes to the one mapper (wireError: internal, its detail only logged).
 */
export function exportError(e: unknown): WireError {
  if (e instanceof AppError) return e.toWire()
  const err = e as { code?: string; message?: string }
  if (err?.code === 'EACCES' || err?.code === 'EPERM' || err?.code === 'EBUSY') {
    return { code: 'internal', message: `The file cannot be written (${err.code}): is it open in another program? ${err.message ?? ''}`.trim() }
  }
  return wireError(e)
}
