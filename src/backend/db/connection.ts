/**
 * Opens the local SQLite store. An existing file is first inspected through a read-only
 * connection, so a refused file is never written to: quick_check (a full integrity_check when
 * its last sync never finished, i.e. after a crash), then the recorded migrations (a file
 * written by a newer version is refused). Then it backs the file up before migrating, runs
 * pending migrations in one transaction, and marks the runs of dead processes interrupted.
 * Whatever fails maps to an error code the UI translates (db_damaged, disk_full, db_busy,
 * db_unavailable...), never a raw SQLite error.
 */
import Database from 'better-sqlite3'
import fs from 'node:fs'
import type { StoreCheck } from '../../shared/types'
import { AppError } from '../../shared/errors'
import { createPrivateFile, privateFile } from '../secrets'
import { MIGRATIONS, type Migration } from './migrations'
import { checkConnection, damagedError, openError, type CheckKind } from './integrity'
import { hasInterruptedRun, needsRecovery, recoverInterrupted } from './syncLock'
import type { Db } from './types'

export type { Db } from './types'

interface AppliedRow {
  version: number
  name: string
}

function readApplied(db: Db): AppliedRow[] {
  const table = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    .get()
  if (!table) return []
  return db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all() as AppliedRow[]
}

/** Checks the recorded migrations against the known list; returns the pending ones. */
export function pendingMigrations(applied: AppliedRow[], known: Migration[] = MIGRATIONS): Migration[] {
  const latest = known.length ? known[known.length - 1].version : 0
  const newest = applied.length ? applied[applied.length - 1].version : 0
  if (newest > latest) {
    throw new AppError(
      'db_too_new',
      `The database was written by a newer version of SMS Desk (schema ${newest}, this version knows ${latest}). It was not modified.`,
      { found: newest, known: latest }
    )
  }
  applied.forEach((row, i) => {
    const expected = known[i]
    if (!expected || expected.version !== row.version || expected.name !== row.name) {
      throw new AppError(
        'db_out_of_order',
        `The database records migration ${row.version} "${row.name}" where ${expected ? `${expected.version} "${expected.name}"` : 'none'} was expected. It was not modified.`,
        { version: row.version }
      )
    }
  })
  return known.slice(applied.length)
}

export interface OpenOptions {
  /** Known migrations; tests pass their own lists. */
  migrations?: Migration[]
  readonly?: boolean
  /**
   * The integrity check of an existing file before anything is written: quick (the default),
   * full, or none (a second connection of a process that checked the file at its start).
   */
  check?: CheckKind | 'none'
  /**
   * Every transaction of this connection begins IMMEDIATE: for a connection that writes in
   * the background (the sync). A deferred transaction that read first cannot wait for the
   * write lock (SQLITE_BUSY at once, whatever the busy timeout); an immediate one waits.
   */
  immediate?: boolean
  /** The clock for what the open records (migration times, check times). */
  now?: () => number
  /** Tests: the most pages the file may hold, to make the disk "full" (SQLITE_FULL). */
  maxPageCount?: number
}

export interface OpenedStore {
  db: Db
  /** The check made at open (null for a new file, or with check: 'none'). */
  check: StoreCheck | null
  /** Runs found running with their process gone, now marked interrupted. */
  interrupted: number
}

/** Opens (creating, checking, migrating) the database; see openStore. */
export function openDatabase(file: string, options: OpenOptions = {}): Db {
  return openStore(file, options).db
}

export function openStore(file: string, options: OpenOptions = {}): OpenedStore {
  const migrations = options.migrations ?? MIGRATIONS
  const now = options.now ?? Date.now
  const kind = options.check ?? 'quick'
  const exists = file !== ':memory:' && fs.existsSync(file) && fs.statSync(file).size > 0

  // Inspect an existing file read-only first, so a refused database is never written to.
  let pending = migrations
  let current = 0
  let check: StoreCheck | null = null
  if (exists) {
    let probe: Db
    try {
      // Waits a little for another program's write (a rollback-journal file locks readers out).
      probe = new Database(file, { readonly: true, fileMustExist: true, timeout: 2000 })
    } catch (e) {
      throw openError(e, file)
    }
    try {
      if (kind !== 'none') {
        check = checkConnection(probe, kind, now)
        if (!check.ok) throw damagedError(file, check.problems)
      }
      const applied = readApplied(probe)
      current = applied.length ? applied[applied.length - 1].version : 0
      pending = pendingMigrations(applied, migrations)
      // Its last sync never finished (the process died): a crash may have left more than
      // quick_check sees, so read every page and index once.
      if (kind === 'quick' && hasInterruptedRun(probe)) {
        check = checkConnection(probe, 'full', now)
        if (!check.ok) throw damagedError(file, check.problems)
      }
    } catch (e) {
      throw openError(e, file)
    } finally {
      probe.close()
    }
  }

  let db: Db | null = null
  try {
    // A new file is created 0600 before SQLite opens it; the -wal and -shm files take its mode.
    if (!options.readonly && file !== ':memory:') createPrivateFile(file)
    db = new Database(file, { readonly: options.readonly ?? false })
    if (options.readonly) return { db, check, interrupted: 0 }
    if (file !== ':memory:') restrictMode(file)
    // 4 KiB pages: the statistics triggers copy every page a message write touches into the
    // statement journal, so small pages make the sync ~25% faster than 16 KiB ones did
    // (npm run bench -- sync). Only takes effect on a new, empty file.
    if (!exists) db.pragma('page_size = 4096')
    if (options.maxPageCount) db.pragma(`max_page_count = ${Math.floor(options.maxPageCount)}`)
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    db.pragma('foreign_keys = ON')
    db.pragma('busy_timeout = 5000')
    db.pragma('cache_size = -65536')
    db.pragma('temp_store = MEMORY')

    if (pending.length) {
      if (exists && current > 0) backup(db, file, current)
      migrate(db, pending, now)
    }
    const conn = db
    const interrupted = needsRecovery(conn) ? conn.transaction(() => recoverInterrupted(conn)).immediate() : 0
    if (options.immediate) immediateTransactions(conn)
    return { db, check, interrupted }
  } catch (e) {
    db?.close()
    throw openError(e, file)
  }
}

/**
 * The database holds the staff's data and encrypted tokens: it and its companions (left by an
 * earlier version with other modes) readable by their owner only.
 */
function restrictMode(file: string): void {
  for (const side of ['', '-wal', '-shm', '-journal']) privateFile(file + side)
}

/** Makes db.transaction(fn)() begin IMMEDIATE; .deferred / .exclusive stay available. */
function immediateTransactions(db: Db): void {
  const original = db.transaction.bind(db)
  db.transaction = ((fn: (...args: unknown[]) => unknown) => original(fn).immediate) as Db['transaction']
}

function backup(db: Db, file: string, version: number): void {
  const target = `${file}.v${version}.bak`
  fs.rmSync(target, { force: true })
  createPrivateFile(target) // VACUUM INTO fills an empty file, and keeps its mode
  db.prepare('VACUUM INTO ?').run(target)
  restrictMode(target)
}

function migrate(db: Db, pending: Migration[], now: () => number): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`)
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
  db.transaction(() => {
    for (const m of pending) {
      db.exec(m.sql)
      record.run(m.version, m.name, new Date(now()).toISOString())
    }
  }).immediate()
}
