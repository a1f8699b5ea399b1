/**
 * SMS Desk headless: npm run cli -- <command> [flags]
 *   sync [--platform URL] [--sim URL] [--dispatch URL] [--token-file FILE]
 *        [--sim-select all|s_1|g_2[,...]] [--sim-trailing-days 3] [--from DD-MM-YYYY] --db FILE
 *        pull every given source into FILE. Tokens: SMS_DESK_TOKEN_PLATFORM, SMS_DESK_TOKEN_SIM,
 *        SMS_DESK_TOKEN_DISPATCH, or --token-file FILE (JSON {"platform": "…"} or kind=token
 *        lines, readable by you only); --token-platform|--token-sim|--token-dispatch T still work
 *        but show in the process list. A token goes only over https (plain http only to this computer).
 *   export clients|transactions|statistics|names --db FILE [--out FILE] [--format xlsx|csv] [--columns a,b]
 *        [--lang en|ru] [--search S --sort COL --order asc|desc] [--client ID] [--from YYYY-MM-DD --to YYYY-MM-DD]
 *        [--group day|operator|sender|viber-sender|country] [--utc]
 *        export a table as the app does, with the same filters (see tools/cli-export.ts)
 *   check --db FILE [--quick]       integrity_check (quick_check with --quick); the file is only read
 *   backup --db FILE [--keep 7]     a verified backup now, into backups/ beside FILE (the oldest beyond --keep go)
 *   backups --db FILE               the backups of FILE, newest first
 *   restore --db FILE --latest | --backup NAME
 *        puts a backup in FILE's place; FILE is kept aside (FILE.damaged-<time> or FILE.replaced-<time>),
 *        never deleted. Close the app that uses FILE first.
 * Prints one JSON line as its result; exits non-zero with a JSON error line on stdout and the
 * same message as one plain line on stderr.
 */
import Database from 'better-sqlite3'
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { backupDir, createBackup, listBackups, restoreBackup } from '../src/backend/db/backup'
import { openDatabase } from '../src/backend/db/connection'
import { checkFile, damagedError, openError, wireError } from '../src/backend/db/integrity'
import { liveHolder, syncRunningError } from '../src/backend/db/syncLock'
import type { Connection } from '../src/backend/db/settings'
import { SyncEngine } from '../src/backend/sync/engine'
import { createStreams } from '../src/backend/sync/streams'
import { isSimSelector, parseProviderDate } from '../src/shared/sim'
import { insecureUrlError } from '../src/backend/db/settings'
import { AppError, type ErrorParams } from '../src/shared/errors'
import { SOURCE_KINDS, type SourceKind } from '../src/shared/types'
import { mayCarryToken, urlSchema } from '../src/shared/contract'
import { isToken } from '../src/shared/validation'
import { runExport } from './cli-export'

function fail(code: string, message: string, exit = 1, params?: ErrorParams, extra: Record<string, unknown> = {}): never {
  const line = message.replace(/\s*\n\s*/g, ' ')
  console.log(JSON.stringify({ ok: false, error: { code, message: line, ...(params && { params }) }, ...extra }))
  console.error(`sms-desk: ${line}`)
  process.exit(exit)
}

/** What to do about a damaged file, said where the error is. */
function advice(code: string, dbFile: string): string {
  if (code !== 'db_damaged') return ''
  const backups = listBackups(dbFile)
  return backups.length
    ? ` Restore the latest backup (${backups[0].name}): npm run cli -- restore --db ${dbFile} --latest`
    : ` There is no backup in ${backupDir(dbFile)}: move the file aside and sync again into a new one.`
}

function dbArg(value: string | undefined): string {
  if (!value) fail('invalid_input', '--db FILE is required', 2, { field: 'db' })
  return path.resolve(value)
}

function existingDb(value: string | undefined): string {
  const file = dbArg(value)
  if (!fs.existsSync(file)) fail('invalid_input', `--db: no such file: ${file}`, 2, { field: 'db' })
  return file
}

function check(argv: string[]): void {
  const { values } = parseArgs({ args: argv, options: { db: { type: 'string' }, quick: { type: 'boolean', default: false } } })
  const file = existingDb(values.db)
  const result = checkFile(file, values.quick ? 'quick' : 'full')
  if (!result.ok) {
    const e = damagedError(file, result.problems)
    fail(e.code, e.message + advice(e.code, file), 1, e.params, { check: result })
  }
  console.log(JSON.stringify({ ok: true, check: result }))
}

async function backup(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { db: { type: 'string' }, keep: { type: 'string', default: '7' } } })
  const file = existingDb(values.db)
  const keep = Number(values.keep)
  if (!Number.isInteger(keep) || keep < 1 || keep > 100) fail('invalid_input', '--keep: 1 to 100', 2, { field: 'keep' })
  const db = openDatabase(file)
  try {
    const made = await createBackup(db, file, { keep })
    console.log(JSON.stringify({ ok: true, backup: made, dir: backupDir(file) }))
  } finally {
    db.close()
  }
}

function backups(argv: string[]): void {
  const { values } = parseArgs({ args: argv, options: { db: { type: 'string' } } })
  const file = dbArg(values.db)
  console.log(JSON.stringify({ ok: true, dir: backupDir(file), backups: listBackups(file) }))
}

function restore(argv: string[]): void {
  const { values } = parseArgs({ args: argv, options: { db: { type: 'string' }, backup: { type: 'string' }, latest: { type: 'boolean', default: false } } })
  const file = dbArg(values.db)
  if (!values.latest && !values.backup) {
    const names = listBackups(file).map((b) => b.name)
    fail('invalid_input', `Give --latest or --backup NAME. Backups of ${file}: ${names.length ? names.join(', ') : 'none'}`, 2, { field: 'backup' })
  }
  if (values.latest && values.backup) fail('invalid_input', '--latest or --backup NAME: one or the other', 2, { field: 'backup' })
  // Is the current file damaged (it is then kept aside as such), or does a sync write it now?
  let label: 'damaged' | 'replaced' = 'replaced'
  if (fs.existsSync(file) && fs.statSync(file).size > 0) {
    let ok = false
    try {
      ok = checkFile(file, 'quick').ok
    } catch {
      ok = false
    }
    if (!ok) label = 'damaged'
    else {
      const probe = new Database(file, { readonly: true, fileMustExist: true })
      try {
        const holder = liveHolder(probe)
        if (holder) throw syncRunningError(holder)
      } finally {
        probe.close()
      }
    }
  }
  const { backup: restored, aside } = restoreBackup(file, values.backup ?? null, { label })
  openDatabase(file).close() // opened as the app opens it: checked, and migrated when older
  console.log(JSON.stringify({ ok: true, restored, aside }))
}

type Tokens = Partial<Record<SourceKind, string>>

function isKind(value: string): value is SourceKind {
  return (SOURCE_KINDS as readonly string[]).includes(value)
}

/**
 * The tokens of --token-file: a JSON object {"platform": "…", "sim": "…", "dispatch": "…"}, or
 * lines `kind=token` (blank lines and # comments skipped). Refused when other users may read it
 * (POSIX). No message ever repeats a token.
 */
function tokenFile(file: string): Tokens {
  const bad = (why: string): never => fail('invalid_input', `--token-file ${file}: ${why}`, 2, { field: 'token-file' })
  let st: fs.Stats
  try {
    st = fs.statSync(file)
  } catch {
    return bad('no such file')
  }
  if (!st.isFile()) bad('not a file')
  if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
    bad(`other users can read it (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}). Make it yours only: chmod 600 ${file}`)
  }
  const text = fs.readFileSync(file, 'utf8')
  const entries: [string, unknown][] = []
  if (text.trimStart().startsWith('{')) {
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      return bad('not valid JSON')
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) bad('expected an object {"platform": "…"}')
    entries.push(...Object.entries(parsed as Record<string, unknown>))
  } else {
    text.split(/\r?\n/).forEach((raw, i) => {
      const line = raw.trim()
      if (line === '' || line.startsWith('#')) return
      const eq = line.indexOf('=')
      if (eq < 0) bad(`line ${i + 1}: expected kind=token`)
      entries.push([line.slice(0, eq).trim(), line.slice(eq + 1).trim()])
    })
  }
  const tokens: Tokens = {}
  for (const [kind, token] of entries) {
    if (!isKind(kind)) bad(`unknown source "${kind.slice(0, 40)}" (expected ${SOURCE_KINDS.join(', ')})`)
    if (typeof token !== 'string' || token === '' || !isToken(token)) bad(`the ${kind} token is not a token (printable characters, no spaces)`)
    tokens[kind as SourceKind] = token as string
  }
  return tokens
}

async function sync(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      platform: { type: 'string' },
      sim: { type: 'string' },
      dispatch: { type: 'string' },
      'token-platform': { type: 'string' },
      'token-sim': { type: 'string' },
      'token-dispatch': { type: 'string' },
      'token-file': { type: 'string' },
      db: { type: 'string' },
      'page-size': { type: 'string', default: '500' },
      timeout: { type: 'string', default: '20' },
      'sim-select': { type: 'string', default: 'all' },
      'sim-trailing-days': { type: 'string', default: '3' },
      from: { type: 'string' }
    }
  })
  const dbFile = dbArg(values.db)
  const fromFile = values['token-file'] ? tokenFile(path.resolve(values['token-file'])) : {}
  const connections: Partial<Record<SourceKind, Connection>> = {}
  for (const kind of SOURCE_KINDS) {
    const url = values[kind]
    const flag = values[`token-${kind}`]
    if (flag !== undefined) {
      const env = `SMS_DESK_TOKEN_${kind.toUpperCase()}`
      console.error(`sms-desk: warning: --token-${kind} is visible to other users of this computer (ps); use ${env} or --token-file FILE`)
    }
    if (!url) continue
    if (!urlSchema.safeParse(url).success) fail('invalid_input', `--${kind}: not an http(s) URL: ${url}`, 2)
    const token = flag ?? fromFile[kind] ?? process.env[`SMS_DESK_TOKEN_${kind.toUpperCase()}`]
    if (token && !mayCarryToken(url)) {
      const e = insecureUrlError(kind, url)
      fail(e.code, e.message, 2, e.params)
    }
    connections[kind] = { url, token }
  }
  if (!Object.keys(connections).length) fail('invalid_input', 'Give at least one of --platform, --sim, --dispatch', 2)
  const select = values['sim-select'].split(',').map((x) => x.trim())
  if (!select.every(isSimSelector)) fail('invalid_input', `--sim-select: expected all, s_<id> or g_<id>, got ${values['sim-select']}`, 2)
  const from = values.from ? parseProviderDate(values.from) : null
  if (values.from && from === null) fail('invalid_input', `--from: expected a date as DD-MM-YYYY, got ${values.from}`, 2)
  const trailingDays = Number(values['sim-trailing-days'])
  if (!Number.isInteger(trailingDays) || trailingDays < 0 || trailingDays > 60) fail('invalid_input', '--sim-trailing-days: 0 to 60', 2)
  // The sync's connection: every transaction begins IMMEDIATE (waits for the write lock).
  const db = openDatabase(dbFile, { immediate: true })
  const engine = new SyncEngine({
    db,
    streams: createStreams(() => ({ select, trailingDays, from })),
    connections: () => connections,
    pageSize: Number(values['page-size']),
    timeoutMs: Number(values.timeout) * 1000
  })
  process.on('SIGINT', () => engine.cancel())
  const summary = await engine.run()
  db.close()
  const totals = { fetched: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0, retries: 0 }
  for (const s of Object.values(summary.streams)) {
    for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += s[k]
  }
  const errors = Object.entries(summary.streams).filter(([, s]) => s.error)
  console.log(
    JSON.stringify({
      ok: errors.length === 0 && !summary.cancelled,
      ...totals,
      seconds: summary.seconds,
      cancelled: summary.cancelled,
      streams: summary.streams
    })
  )
  if (errors.length) process.exitCode = 1
}

const [command, ...rest] = process.argv.slice(2)
const dbFlag = rest.indexOf('--db')
const named = dbFlag >= 0 && rest[dbFlag + 1] ? path.resolve(rest[dbFlag + 1]) : ''
try {
  if (command === 'sync') await sync(rest)
  else if (command === 'export') await runExport(rest)
  else if (command === 'check') check(rest)
  else if (command === 'backup') await backup(rest)
  else if (command === 'backups') backups(rest)
  else if (command === 'restore') restore(rest)
  else fail('invalid_input', `Unknown command "${command ?? ''}". Commands: sync, export, check, backup, backups, restore`, 2)
} catch (e) {
  const err = e instanceof AppError ? e : named ? openError(e, named) : null
  if (err) fail(err.code, err.message + (named ? advice(err.code, named) : ''), 1, err.params)
  const wire = wireError(e)
  fail(wire.code, wire.message, 1, wire.params)
}
