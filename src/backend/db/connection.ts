/**
 * Opens the local SQLite store: refuses a file written by a newer version (without touching
 * it), backs the file up before migrating, runs pending migrations in one transaction.
 */
import Database from 'better-sqlite3'
import fs from 'node:fs'
import { AppError } from '../../shared/errors'
import { MIGRATIONS, type Migration } from './migrations'

export type Db = Database.Database

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
}

export function openDatabase(file: string, options: OpenOptions = {}): Db {
  const migrations = options.migrations ?? MIGRATIONS
  const exists = file !== ':memory:' && fs.existsSync(file) && fs.statSync(file).size > 0

  // Inspect an existing file read-only first, so a refused database is never written to.
  let pending = migrations
  let current = 0
  if (exists) {
    const probe = new Database(file, { readonly: true, fileMustExist: true })
    try {
      const applied = readApplied(probe)
      current = applied.length ? applied[applied.length - 1].version : 0
      pending = pendingMigrations(applied, migrations)
    } finally {
      probe.close()
    }
  }

  const db = new Database(file, { readonly: options.readonly ?? false })
  if (options.readonly) return db
  // 4 KiB pages: the statistics triggers copy every page a message write touches into the
  // statement journal, so small pages make the sync ~25% faster than 16 KiB ones did
  // (npm run bench -- sync). Only takes effect on a new, empty file.
  if (!exists) db.pragma('page_size = 4096')
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.pragma('foreign_keys = ON')
  db.pragma('busy_timeout = 5000')
  db.pragma('cache_size = -65536')
  db.pragma('temp_store = MEMORY')

  if (pending.length) {
    if (exists && current > 0) backup(db, file, current)
    migrate(db, pending)
  }
  return db
}

function backup(db: Db, file: string, version: number): void {
  const target = `${file}.v${version}.bak`
  fs.rmSync(target, { force: true })
  db.prepare('VACUUM INTO ?').run(target)
}

function migrate(db: Db, pending: Migration[]): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`)
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
  db.transaction(() => {
    for (const m of pending) {
      db.exec(m.sql)
      record.run(m.version, m.name, new Date().toISOString())
    }
  })()
}
