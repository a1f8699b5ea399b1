/**
 * Backups of the local store, and the files a restore or a start-over keeps aside.
 *
 * - A backup is made with SQLite's online backup API (better-sqlite3's db.backup) while the
 *   app runs, into `backups/` beside the database (folder 0700, files 0600), named after the
 *   database and the time: `sms-desk-20261005-101500Z.sqlite`. It is written under a hidden
 *   partial name, switched to a rollback journal (one self-contained file), checked with
 *   quick_check and only then renamed into place: a backup that is listed was verified.
 * - Rotation keeps the newest `keep` backups (7 by default); one is made when the newest is
 *   older than `intervalHours` (24 by default).
 * - Restoring checks the backup again, keeps the current file aside (renamed, never deleted:
 *   `sms-desk.sqlite.replaced-<time>`, with its -wal and -shm) and copies the backup in.
 *   A damaged file is kept aside the same way as `sms-desk.sqlite.damaged-<time>`.
 *
 * Every time comes from the `now()` passed in: no test depends on the real date.
 */
import Database from 'better-sqlite3'
import fs from 'node:fs'
import path from 'node:path'
import { AppError, isAppError } from '../../shared/errors'
import type { BackupInfo } from '../../shared/types'
import { createPrivateFile, privateDir, privateFile } from '../secrets'
import type { Db } from './connection'
import { checkConnection, isDamageError } from './integrity'

export interface BackupPolicy {
  /** How many backups are kept (the oldest beyond go). */
  keep: number
  /** A backup is due when the newest is older than this; 0 = only by hand. */
  intervalHours: number
}

export const DEFAULT_BACKUP_POLICY: BackupPolicy = { keep: 7, intervalHours: 24 }

/** A backup's file name as the UI and the CLI pass it: a plain name, never a path. */
export const BACKUP_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}\.sqlite$/

const SIDE_FILES = ['-wal', '-shm', '-journal']

export function backupDir(dbFile: string): string {
  return path.join(path.dirname(path.resolve(dbFile)), 'backups')
}

function stem(dbFile: string): string {
  return path.basename(dbFile).replace(/\.(sqlite3?|db)$/i, '')
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** 20261005-101500 (UTC) */
function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)
}

function stampTime(day: string, time: string): string {
  return `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6, 8)}T${time.slice(0, 2)}:${time.slice(2, 4)}:${time.slice(4, 6)}Z`
}

function backupPattern(dbFile: string): RegExp {
  return new RegExp(`^${escape(stem(dbFile))}-(\\d{8})-(\\d{6})Z(?:-(\\d+))?\\.sqlite$`)
}

/** The verified backups of a database, newest first. */
export function listBackups(dbFile: string): BackupInfo[] {
  const dir = backupDir(dbFile)
  let names: string[]
  try {
    names = fs.readdirSync(dir)
  } catch {
    return []
  }
  const pattern = backupPattern(dbFile)
  const found: (BackupInfo & { order: string })[] = []
  for (const name of names) {
    const m = pattern.exec(name)
    if (!m) continue
    let bytes = 0
    try {
      const st = fs.statSync(path.join(dir, name))
      if (!st.isFile()) continue
      bytes = st.size
    } catch {
      continue
    }
    found.push({ name, createdAt: stampTime(m[1], m[2]), bytes, order: `${m[1]}${m[2]}${(m[3] ?? '1').padStart(6, '0')}` })
  }
  return found.sort((a, b) => (a.order < b.order ? 1 : a.order > b.order ? -1 : 0)).map(({ order: _order, ...b }) => b)
}

/** The backup a restore names, or the newest when it names none. */
export function findBackup(dbFile: string, name: string | null): BackupInfo & { file: string } {
  const all = listBackups(dbFile)
  const dir = backupDir(dbFile)
  if (name !== null && !BACKUP_NAME.test(name)) {
    throw new AppError('invalid_input', `Not a backup name: ${name.slice(0, 80)}`, { field: 'name' })
  }
  const chosen = name === null ? all[0] : all.find((b) => b.name === name)
  if (!chosen) {
    throw new AppError(
      'backup_not_found',
      name === null ? `There is no backup in ${dir}` : `There is no backup "${name}" in ${dir}`,
      { name: name ?? '', dir }
    )
  }
  return { ...chosen, file: path.join(dir, chosen.name) }
}

function removeWithSides(file: string): void {
  for (const s of ['', ...SIDE_FILES]) fs.rmSync(file + s, { force: true })
}

/** Any failure while writing a backup or restoring one, as a translated error. */
function fileError(e: unknown, file: string, what: string): AppError {
  if (isAppError(e)) return e
  const err = (e ?? {}) as { code?: unknown; message?: unknown }
  const code = typeof err.code === 'string' ? err.code : ''
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT') {
    return new AppError('disk_full', `The disk is full: ${what} ${file} was not written. Free some space and try again.`, { file })
  }
  const message = typeof err.message === 'string' ? err.message : String(e)
  return new AppError('db_unavailable', `${what} ${file} failed: ${message}`, { file, reason: `${code || 'error'}: ${message}`.slice(0, 200) })
}

/** Checks a backup file read-only; throws backup_damaged when it does not pass quick_check. */
export function verifyBackup(file: string, now: () => number = Date.now): void {
  let db: Db
  try {
    db = new Database(file, { readonly: true, fileMustExist: true })
  } catch (e) {
    throw new AppError('backup_damaged', `The backup ${path.basename(file)} cannot be read: ${(e as Error).message}`, {
      name: path.basename(file)
    })
  }
  try {
    const check = checkConnection(db, 'quick', now)
    if (check.ok) db.prepare('SELECT count(*) FROM schema_migrations').pluck().get()
    if (!check.ok) throw new Error(check.problems[0] ?? 'damaged')
  } catch (e) {
    throw new AppError('backup_damaged', `The backup ${path.basename(file)} is damaged (${(e as Error).message}); it was not used.`, {
      name: path.basename(file)
    })
  } finally {
    db.close()
  }
}

/**
 * Makes a backup of the open database now, verifies it, and rotates the folder. The copy is
 * made in steps (the event loop keeps running); if another connection's writes keep making
 * SQLite restart it, the rest is copied in one step.
 */
export async function createBackup(
  db: Db,
  dbFile: string,
  options: { now?: () => number; keep?: number } = {}
): Promise<BackupInfo> {
  const now = options.now ?? Date.now
  const dir = backupDir(dbFile)
  const base = `${stem(dbFile)}-${stamp(now())}Z`
  let name = `${base}.sqlite`
  let partial = ''
  try {
    privateDir(dir)
    for (let i = 2; fs.existsSync(path.join(dir, name)); i++) name = `${base}-${i}.sqlite`
    partial = path.join(dir, `.${name}.partial`)
    removeWithSides(partial)
    createPrivateFile(partial) // 0600 before a page is copied: the backup API fills an empty file
    let remaining = Infinity
    await db.backup(partial, {
      progress: ({ remainingPages }) => {
        const restarted = remainingPages > remaining
        remaining = remainingPages
        return restarted ? 0x7fffffff : 2048
      }
    })
    // One self-contained file (no -wal beside it), checked before it counts.
    const copy = new Database(partial, { fileMustExist: true })
    try {
      copy.pragma('journal_mode = DELETE')
      const check = checkConnection(copy, 'quick', now)
      if (!check.ok) {
        throw new AppError('backup_damaged', `The backup copy failed its check (${check.problems[0] ?? 'damaged'}); it was not kept.`, {
          name
        })
      }
    } finally {
      copy.close()
    }
    privateFile(partial)
    fs.renameSync(partial, path.join(dir, name))
  } catch (e) {
    if (partial) removeWithSides(partial)
    if (isDamageError(e)) {
      throw new AppError('backup_damaged', `The backup copy is damaged (${(e as Error).message}); it was not kept.`, { name })
    }
    throw fileError(e, path.join(dir, name), 'The backup')
  }
  rotate(dbFile, options.keep ?? DEFAULT_BACKUP_POLICY.keep)
  const made = listBackups(dbFile).find((b) => b.name === name)
  return made ?? { name, createdAt: new Date(now()).toISOString(), bytes: 0 }
}

/** Whether a scheduled backup is due: none yet, or the newest older than the interval. */
export function backupDue(dbFile: string, policy: BackupPolicy, now: () => number = Date.now): boolean {
  if (policy.intervalHours <= 0) return false
  const newest = listBackups(dbFile)[0]
  if (!newest) return true
  const age = now() - Date.parse(newest.createdAt)
  return age >= policy.intervalHours * 3_600_000 || age < -3_600_000 // a clock set back: start afresh
}

/** Deletes the oldest backups beyond `keep` (never fewer than one is kept). */
export function rotate(dbFile: string, keep: number): string[] {
  const all = listBackups(dbFile)
  const gone = all.slice(Math.max(1, Math.floor(keep)))
  for (const b of gone) fs.rmSync(path.join(backupDir(dbFile), b.name), { force: true })
  return gone.map((b) => b.name)
}

/**
 * Renames the database (and its -wal, -shm, -journal) aside: `<file>.<label>-<time>`. Never
 * deletes anything. Returns the new name, or null when there was no file.
 */
export function moveAside(dbFile: string, label: 'damaged' | 'replaced', now: () => number = Date.now): string | null {
  if (!fs.existsSync(dbFile)) {
    for (const s of SIDE_FILES) fs.rmSync(dbFile + s, { force: true }) // orphans of no database
    return null
  }
  const base = `${dbFile}.${label}-${stamp(now())}Z`
  let aside = base
  for (let i = 2; ['', ...SIDE_FILES].some((s) => fs.existsSync(aside + s)); i++) aside = `${base}-${i}`
  try {
    fs.renameSync(dbFile, aside)
    for (const s of SIDE_FILES) if (fs.existsSync(dbFile + s)) fs.renameSync(dbFile + s, aside + s)
  } catch (e) {
    throw fileError(e, dbFile, 'Keeping aside')
  }
  return aside
}

/** The files kept aside beside a database, newest first. */
export function listAside(dbFile: string): string[] {
  const dir = path.dirname(path.resolve(dbFile))
  const pattern = new RegExp(`^${escape(path.basename(dbFile))}\\.(damaged|replaced)-(\\d{8}-\\d{6})Z(?:-(\\d+))?$`)
  let names: string[]
  try {
    names = fs.readdirSync(dir)
  } catch {
    return []
  }
  return names
    .map((n) => ({ n, m: pattern.exec(n) }))
    .filter((x): x is { n: string; m: RegExpExecArray } => x.m !== null)
    .sort((a, b) => {
      const ka = `${a.m[2]}${(a.m[3] ?? '1').padStart(6, '0')}`
      const kb = `${b.m[2]}${(b.m[3] ?? '1').padStart(6, '0')}`
      return ka < kb ? 1 : ka > kb ? -1 : 0
    })
    .map((x) => path.join(dir, x.n))
}

/**
 * Puts a backup in the database's place (the database must be closed): checks the backup,
 * keeps the current file aside, copies the backup in. Returns where the old file went.
 */
export function restoreBackup(
  dbFile: string,
  name: string | null,
  options: { now?: () => number; label?: 'damaged' | 'replaced' } = {}
): { backup: BackupInfo; aside: string | null } {
  const now = options.now ?? Date.now
  const chosen = findBackup(dbFile, name)
  verifyBackup(chosen.file, now)
  const staging = `${dbFile}.restoring`
  try {
    removeWithSides(staging)
    createPrivateFile(staging)
    fs.copyFileSync(chosen.file, staging)
    privateFile(staging)
  } catch (e) {
    removeWithSides(staging)
    throw fileError(e, dbFile, 'Restoring')
  }
  const aside = moveAside(dbFile, options.label ?? 'replaced', now)
  try {
    fs.renameSync(staging, dbFile)
  } catch (e) {
    throw fileError(e, dbFile, 'Restoring')
  }
  const { file: _file, ...backup } = chosen
  return { backup, aside }
}
