/**
 * Integrity of the local store: SQLite's quick_check (at every open) and integrity_check (on
 * demand, and at the first open after a crash), and the one place that turns whatever opening
 * a database threw into an error code the UI translates. A check only ever reads.
 */
import Database from 'better-sqlite3'
import crypto from 'node:crypto'
import { AppError, INTERNAL_MESSAGE, isAppError, type WireError } from '../../shared/errors'
import type { StoreCheck } from '../../shared/types'
import type { Db } from './types'

export type CheckKind = 'quick' | 'full'

/** How many problems a check lists at most (SQLite stops there). */
const MAX_PROBLEMS = 20

/** SQLite's codes for a file that is not a database or whose pages do not hold together. */
export function isDamageError(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB')
}

/** Runs quick_check or integrity_check on an open connection; never throws for damage found. */
export function checkConnection(db: Db, kind: CheckKind, now: () => number = Date.now): StoreCheck {
  const started = performance.now()
  let problems: string[]
  try {
    const rows = db.pragma(`${kind === 'quick' ? 'quick_check' : 'integrity_check'}(${MAX_PROBLEMS})`, { simple: false }) as Record<
      string,
      string
    >[]
    const lines = rows.flatMap((r) => String(Object.values(r)[0] ?? '').split('\n'))
    problems = lines.length === 1 && lines[0] === 'ok' ? [] : lines.filter((l) => l && l !== '*** in database main ***')
    if (!problems.length && !(lines.length === 1 && lines[0] === 'ok')) problems = ['The check gave no result']
  } catch (e) {
    if (!isDamageError(e)) throw e
    problems = [String((e as Error).message)]
  }
  return {
    kind,
    ok: problems.length === 0,
    problems: problems.slice(0, MAX_PROBLEMS).map((p) => p.slice(0, 300)),
    checkedAt: new Date(now()).toISOString(),
    ms: Math.round(performance.now() - started)
  }
}

/** Checks a file through a read-only connection of its own (the file is never written). */
export function checkFile(file: string, kind: CheckKind, now: () => number = Date.now): StoreCheck {
  let db: Db
  try {
    db = new Database(file, { readonly: true, fileMustExist: true })
  } catch (e) {
    throw openError(e, file)
  }
  try {
    return checkConnection(db, kind, now)
  } catch (e) {
    throw openError(e, file)
  } finally {
    db.close()
  }
}

/** The error a damaged store is refused with; its first problems go along for the UI. */
export function damagedError(file: string, problems: string[]): AppError {
  const first = problems[0] ?? 'damaged'
  return new AppError(
    'db_damaged',
    `The local database${file ? ` ${file}` : ''} is damaged (${first}). It was not changed: restore a backup or start over by syncing again.`,
    { file, problem: first.slice(0, 200) }
  )
}

/**
 * What opening (or reading) a database threw, as an error the UI can translate: damage,
 * a full disk, a file another program holds, a file that cannot be read or written. An
 * AppError passes through as it is.
 */
export function openError(e: unknown, file: string): AppError {
  if (isAppError(e)) return e
  const err = (e ?? {}) as { code?: unknown; message?: unknown }
  const code = typeof err.code === 'string' ? err.code : ''
  const message = typeof err.message === 'string' ? err.message : String(e)
  if (isDamageError(e)) return damagedError(file, [message])
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT') {
    return new AppError('disk_full', `The disk holding ${file} is full; nothing was changed. Free some space and try again.`, { file })
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new AppError('db_busy', `The local database ${file} is in use by another program (${message}). Close it and try again.`, { file })
  }
  return new AppError('db_unavailable', `The local database ${file} cannot be opened: ${message} (${code || 'error'}).`, {
    file,
    reason: `${code || 'error'}: ${message}`.slice(0, 200)
  })
}

/** Where the detail of an internal error goes (the process's log); tests may listen. */
export type InternalErrorLog = (ref: string, error: unknown) => void

/** Internal errors already logged, by the reference their callers were told. */
const logged = new WeakMap<object, string>()

let internalLog: InternalErrorLog = (ref, error) => console.error(`[SMS Desk] internal error ${ref}:`, error)

/** Sends the detail of internal errors elsewhere (a logger; tests); returns the previous one. */
export function setInternalErrorLog(log: InternalErrorLog): InternalErrorLog {
  const previous = internalLog
  internalLog = log
  return previous
}

/**
 * Any thrown value as a wire error: an AppError as it is (our own words, meant for users),
 * damage as db_damaged, a full disk as disk_full. Anything else is internal: the caller gets a
 * generic message with a reference, and the detail (SQLite's or Node's own text, the stack)
 * goes to the log under that reference, never to the caller. The one mapper of unknown errors:
 * every other one hands them here.
 */
export function wireError(e: unknown): WireError {
  if (isAppError(e)) return e.toWire()
  const err = (e ?? {}) as { code?: unknown; message?: unknown }
  const message = typeof err.message === 'string' ? err.message : String(e)
  if (isDamageError(e)) return damagedError('', [message]).toWire()
  if (err.code === 'SQLITE_FULL' || err.code === 'ENOSPC' || err.code === 'EDQUOT') {
    return { code: 'disk_full', message: 'The disk is full; nothing was changed' }
  }
  // The same error mapped again (a caller that records it, then rethrows it) keeps its reference, logged once.
  const object = typeof e === 'object' && e !== null ? e : null
  let ref = object ? logged.get(object) : undefined
  if (ref === undefined) {
    ref = crypto.randomBytes(4).toString('hex')
    if (object) logged.set(object, ref)
    try {
      internalLog(ref, e)
    } catch {
      // a log that fails must not turn one error into another
    }
  }
  return { code: 'internal', message: `${INTERNAL_MESSAGE} (reference ${ref})`, params: { ref } }
}
