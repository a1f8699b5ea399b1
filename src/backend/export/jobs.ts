/**
 * The export service: one for every table. Checks the request, picks the file, starts the
 * writer (in a worker thread when a worker script is given, in this thread otherwise), keeps
 * the jobs with their progress, renames the temporary file into place only when it is
 * complete, and deletes it on cancel or failure.
 *
 * Files: the renderer never names a path. In Electron `chooseFile` runs the save dialog and
 * answers with a handle (destinations.ts) that `export.start` passes as `target`: used once,
 * valid for ten minutes, and the file behind it may replace an existing one (the user chose
 * it). Without a target the export goes to the export folder under a generated name,
 * `<table>-<YYYYMMDD-HHMMSS>.<ext>` (local time), with -2, -3... added when that name is
 * taken; the name is claimed on disk at once (an empty file created exclusively), so generated
 * names never overwrite anything. The command line passes its --out (`startToFile`). Nowhere
 * may an export write into the data folder, over the database or its companions, or over a
 * key file. The rows are written to `<file>.partial-<job id>` beside the target and renamed
 * over it at the end (same folder, so the rename is atomic).
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { Worker } from 'node:worker_threads'
import type { ExportRequest, StatsQuery } from '../../shared/contract'
import { AppError, type WireError } from '../../shared/errors'
import type { ExportFormat, ExportJob, StatsResult } from '../../shared/types'
import type { WorkerScript } from '../workers'
import { ChosenTargets, checkExportDir, checkExportFile, type ProtectedPlaces } from './destinations'
import type { ExportWorkerMessage, ExportWorkerRequest } from './protocol'
import { exportError, runExport, type ExportPlan, type RunResult } from './run'
import { EXPORT_TABLE_DEFS, resolveColumns } from './tables'
import { EXCEL_MAX_DATA_ROWS, type TimeZoneMode } from './writer'
import { UTC_ZONE, systemTimeZone } from '../../shared/zone'

export interface ExportServiceOptions {
  /** The database file the writers open read-only (their own connection). */
  dbFile: string | null
  /** The app's data folder: nothing is ever exported into it (the command line has none). */
  dataDir?: string
  /** True while a sync (of this process or another) writes to the database. */
  syncRunning?: () => boolean
  /** The folder of exports without a chosen file (Settings). */
  exportDir: () => string
  /** Every change of a job: started, progress (at most every `progressMs`), finished. */
  onProgress?: (job: ExportJob) => void
  /** Runs the writers in this worker script; without it they run in this thread. */
  worker?: WorkerScript
  /** The statistics engine (the statistics table's rows). */
  statsQuery?: (q: StatsQuery) => StatsResult | Promise<StatsResult>
  /** Electron's save dialog, opened in `folder` (the export folder) with a name suggested. */
  chooseSaveFile?: (suggestedName: string, format: ExportFormat, folder: string) => Promise<string | null>
  /** Data rows per sheet; Excel's maximum unless a test lowers it. */
  sheetRowLimit?: number
  /**
   * The time zone of the files (their times' wall clock, the days of their periods): an IANA
   * zone, or a function giving the one in force; 'local' = this computer's (the default), 'utc' = UTC.
   */
  timeZone?: TimeZoneMode | (() => TimeZoneMode)
  /** Files an export must never replace, besides the database and its companions. */
  protectedFiles?: string[]
  /** The clock of generated names and of the chosen files' handles; tests pass theirs. */
  now?: () => number
  progressMs?: number
  /** Test hook: writers fail once this many rows are written. */
  failAfterRows?: number
  /** false: xlsx rows through exceljs's row model (slower; tests compare the two). */
  fastRows?: boolean
}

interface Entry {
  job: ExportJob
  /** Sheets of a finished xlsx (0 for CSV). */
  sheets: number
  cancel(): void
  done: Promise<ExportJob>
}

/** Files this process's exports produced, by job id: what the browser bridge may serve. */
const produced = new Map<string, string>()

/** The file a finished export of this run wrote, or null (unknown id, not done, since removed). */
export function exportedFile(id: string): string | null {
  const file = produced.get(id)
  return file && fs.existsSync(file) ? file : null
}

class ExportFailure extends Error {
  constructor(readonly wire: WireError) {
    super(wire.message)
  }
}

const KEEP_FINISHED = 100

function pad(n: number): string {
  return String(n).padStart(2, '0')
}

/** YYYYMMDD-HHMMSS, local time. */
export function fileStamp(d = new Date()): string {
  return `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}-${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`
}

/** What `chooseFile` answers: the handle for `export.start`, and the file's name to show; null when cancelled. */
export type ChosenTarget = { target: string; name: string } | null

/** A file name part from a suggested name: letters, digits, . _ - and spaces only. */
function safeBase(name: string): string {
  return name
    .replace(/\.(xlsx|csv)$/i, '')
    .replace(/[^\p{L}\p{N}._ -]+/gu, '-')
    .replace(/^[\s.-]+|[\s.-]+$/g, '')
    .slice(0, 80)
}

/** Deletes a temporary file if it is there (the writer normally has already). */
function removeQuietly(file: string): void {
  try {
    fs.rmSync(file, { force: true })
  } catch {
    // e.g. still open on Windows after a crashed worker: nothing more to do here
  }
}

function samePath(a: string, b: string): boolean {
  const x = path.resolve(a)
  const y = path.resolve(b)
  return process.platform === 'linux' ? x === y : x.toLowerCase() === y.toLowerCase()
}

export class ExportService {
  private readonly jobs = new Map<string, Entry>()
  private readonly targets: ChosenTargets

  constructor(private readonly o: ExportServiceOptions) {
    this.targets = new ChosenTargets(o.now)
  }

  /** Starts an export to the file behind `req.target` (chosen in the save dialog), else to a generated name. */
  start(req: ExportRequest): Promise<ExportJob> {
    // Taken at once: a handle serves one export, even when two starts race.
    const chosen = req.target === undefined ? null : this.targets.take(req.target)
    return this.begin(req, chosen)
  }

  /** Starts an export to a file the user named himself (the command line's --out), checked as a chosen one is. */
  startToFile(req: ExportRequest, file: string): Promise<ExportJob> {
    return this.begin(req, file)
  }

  private async begin(req: ExportRequest, chosen: string | null): Promise<ExportJob> {
    const def = EXPORT_TABLE_DEFS[req.table]
    resolveColumns(req) // refuses unknown columns before anything starts
    const query = { transactions: req.transactions, statistics: req.statistics, names: req.names, clients: true }[req.table]
    if (!query) throw new AppError('invalid_input', `${req.table}: the table's filters are required`, { field: req.table })
    if (req.transactions && req.transactions.from > req.transactions.to) {
      throw new AppError('invalid_input', 'transactions.to: period', { field: 'transactions.to' })
    }
    if (req.statistics && req.statistics.from > req.statistics.to) {
      throw new AppError('invalid_input', 'statistics.to: period', { field: 'statistics.to' })
    }
    let hostRows: unknown[] | undefined
    let zone = this.zone()
    if (def.hostRows) {
      if (!this.o.statsQuery || !req.statistics) throw new AppError('internal', 'The statistics are not available for export')
      const stats = await this.o.statsQuery(req.statistics)
      hostRows = stats.rows
      // The statistics' own zone (the chosen one, unless they are still being regrouped for it).
      zone = stats.timeZone ?? zone
    }
    // From here to the job's registration nothing awaits: a file is chosen and reserved at once.
    const file = chosen === null ? this.generatedFile(req.table, req.format) : this.checkTarget(chosen)
    // A generated name's claim (the empty file) goes again if no export lands on it.
    const release = (): void => {
      if (chosen === null && fs.statSync(file, { throwIfNoEntry: false })?.size === 0) removeQuietly(file)
    }

    const id = crypto.randomUUID()
    const plan: ExportPlan = {
      id,
      table: req.table,
      format: req.format,
      language: req.language,
      request: req,
      tmpFile: `${file}.partial-${id}`,
      sheetRowLimit: this.o.sheetRowLimit ?? EXCEL_MAX_DATA_ROWS,
      timeZone: zone,
      failAfterRows: this.o.failAfterRows,
      fastRows: this.o.fastRows
    }
    const job: ExportJob = {
      id,
      table: req.table,
      format: req.format,
      file,
      state: 'running',
      rows: 0,
      total: null,
      error: null,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      duringSync: this.o.syncRunning?.() ?? false
    }

    let lastEmit = 0
    const emit = (force: boolean): void => {
      const now = Date.now()
      if (!force && now - lastEmit < (this.o.progressMs ?? 200)) return
      lastEmit = now
      this.o.onProgress?.({ ...job })
    }
    const progress = (rows: number, total: number): void => {
      job.rows = rows
      job.total = total
      emit(rows === 0)
    }

    const runner = this.o.worker ? this.inWorker(this.o.worker, plan, hostRows, progress) : this.inProcess(plan, hostRows, progress)
    const finish = (state: ExportJob['state'], error: WireError | null): ExportJob => {
      job.state = state
      job.error = error
      job.finishedAt = new Date().toISOString()
      // A sync that began while the file was written: its figures may still change too.
      if (this.o.syncRunning?.()) job.duringSync = true
      emit(true)
      this.prune()
      return { ...job }
    }
    const done = runner.done.then(
      (r) => {
        if (r.state === 'cancelled') {
          removeQuietly(plan.tmpFile)
          release()
          return finish('cancelled', null)
        }
        try {
          fs.renameSync(plan.tmpFile, file)
        } catch (e) {
          removeQuietly(plan.tmpFile)
          release()
          return finish('failed', exportError(e))
        }
        job.rows = r.rows
        job.total = r.total
        entry.sheets = r.sheets
        produced.set(id, file)
        return finish('done', null)
      },
      (e: unknown) => {
        removeQuietly(plan.tmpFile)
        release()
        return finish('failed', e instanceof ExportFailure ? e.wire : exportError(e))
      }
    )
    const entry: Entry = { job, sheets: 0, cancel: runner.cancel, done }
    this.jobs.set(id, entry)
    emit(true)
    return { ...job }
  }

  /** Asks a running export to stop; it ends as 'cancelled' with its temporary file deleted. */
  cancel(id: string): boolean {
    const entry = this.jobs.get(id)
    if (!entry || entry.job.state !== 'running') return false
    entry.cancel()
    return true
  }

  status(id: string): ExportJob {
    const entry = this.jobs.get(id)
    if (!entry) throw new AppError('invalid_input', `No export ${id} in this session`, { field: 'id' })
    return { ...entry.job }
  }

  /** Sheets the finished xlsx has (0 for CSV or an unfinished job). */
  sheets(id: string): number {
    return this.jobs.get(id)?.sheets ?? 0
  }

  /** Resolves when the export has finished, whichever way. */
  wait(id: string): Promise<ExportJob> {
    const entry = this.jobs.get(id)
    if (!entry) return Promise.reject(new AppError('invalid_input', `No export ${id} in this session`, { field: 'id' }))
    return entry.done
  }

  /** Cancels every running export and waits for them to end. */
  async close(): Promise<void> {
    const running = [...this.jobs.values()].filter((e) => e.job.state === 'running')
    for (const e of running) e.cancel()
    await Promise.all(running.map((e) => e.done))
  }

  /**
   * Electron's save dialog: the file chosen there, checked, behind a new handle for
   * `export.start`. Without a dialog (the browser mode) exports take generated names only.
   */
  async chooseFile(suggestedName: string, format: ExportFormat): Promise<ChosenTarget> {
    if (!this.o.chooseSaveFile) {
      throw new AppError('dialog_unavailable', 'There is no save dialog here: exports go to the export folder under generated names')
    }
    let folder = path.resolve(this.o.exportDir())
    try {
      folder = this.folder()
    } catch {
      // the dialog opens wherever it can: the file chosen is what counts, and it is checked
    }
    const file = await this.o.chooseSaveFile(`${safeBase(suggestedName) || 'export'}.${format}`, format, folder)
    if (file === null) return null
    const checked = this.checkTarget(file)
    return { target: this.targets.add(checked), name: path.basename(checked) }
  }

  /** The zone of a new export's file. */
  private zone(): string {
    const z = typeof this.o.timeZone === 'function' ? this.o.timeZone() : this.o.timeZone
    if (z === undefined || z === 'local') return systemTimeZone()
    if (z === 'utc') return UTC_ZONE
    return z
  }

  private reserved(): string[] {
    return [...this.jobs.values()].filter((e) => e.job.state === 'running').map((e) => e.job.file)
  }

  private places(): ProtectedPlaces {
    return { dataDir: this.o.dataDir, dbFile: this.o.dbFile, files: this.o.protectedFiles }
  }

  /** The export folder, checked, and created (for this user only) when missing. */
  private folder(): string {
    const dir = checkExportDir(this.o.exportDir(), this.places())
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
    } catch (e) {
      throw new AppError('invalid_input', `The export folder cannot be created: ${dir} (${(e as Error).message})`, { field: 'exportDir' })
    }
    return checkExportDir(dir, this.places()) // where a symlink on the way leads, now that it exists
  }

  /**
   * `<base>-<YYYYMMDD-HHMMSS>.<ext>` in the export folder, never an existing or reserved name:
   * the name is claimed by creating the file exclusively.
   */
  private generatedFile(base: string, format: ExportFormat): string {
    const dir = this.folder()
    const stem = `${base}-${fileStamp(new Date(this.o.now?.() ?? Date.now()))}`
    const reserved = this.reserved()
    for (let n = 1; ; n++) {
      const file = path.join(dir, `${stem}${n > 1 ? `-${n}` : ''}.${format}`)
      if (reserved.some((r) => samePath(r, file))) continue
      try {
        fs.closeSync(fs.openSync(file, 'wx', 0o600))
        return file
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue
        throw new AppError('invalid_input', `The export folder cannot be written: ${dir} (${(e as Error).message})`, { field: 'exportDir' })
      }
    }
  }

  /** A chosen file, checked when it is chosen and again when the export starts. */
  private checkTarget(file: string): string {
    const target = checkExportFile(file, this.places())
    if (this.reserved().some((r) => samePath(r, target))) {
      throw new AppError('invalid_input', `target: another export is writing this file: ${target}`, { field: 'target' })
    }
    return target
  }

  private prune(): void {
    const finished = [...this.jobs.values()].filter((e) => e.job.state !== 'running')
    for (const e of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) this.jobs.delete(e.job.id)
  }

  private inProcess(
    plan: ExportPlan,
    hostRows: unknown[] | undefined,
    progress: (rows: number, total: number) => void
  ): { cancel(): void; done: Promise<RunResult> } {
    let cancelled = false
    // Starts on a later turn, so the caller gets its job back before any row is read.
    const done = nextTurn().then(() => runExport(this.o.dbFile, plan, hostRows, { progress, cancelled: () => cancelled }))
    return { cancel: () => (cancelled = true), done }
  }

  private inWorker(
    script: WorkerScript,
    plan: ExportPlan,
    hostRows: unknown[] | undefined,
    progress: (rows: number, total: number) => void
  ): { cancel(): void; done: Promise<RunResult> } {
    const worker = new Worker(script.path, { workerData: script.workerData })
    const done = new Promise<RunResult>((resolve, reject) => {
      let total = 0
      worker.on('message', (m: ExportWorkerMessage) => {
        if (m.type === 'progress') {
          total = m.total
          progress(m.rows, m.total)
        } else if (m.type === 'done') resolve({ state: 'done', rows: m.rows, total: m.total, sheets: m.sheets })
        else if (m.type === 'cancelled') resolve({ state: 'cancelled', rows: m.rows, total })
        else reject(new ExportFailure(m.error))
      })
      // The worker's own error text goes to the log only (wireError), never to the caller.
      worker.on('error', (e) => reject(new ExportFailure(exportError(e))))
      worker.on('exit', (code) => reject(new ExportFailure(exportError(new Error(`The export worker stopped (exit code ${code})`)))))
    }).finally(() => void worker.terminate())
    worker.postMessage({ type: 'run', dbFile: this.o.dbFile, plan, hostRows } satisfies ExportWorkerRequest)
    return { cancel: () => worker.postMessage({ type: 'cancel' } satisfies ExportWorkerRequest), done }
  }
}
