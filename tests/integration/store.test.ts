/**
 * The local store survives damage: a damaged file (a corrupt page, random bytes, a truncated
 * file, a zeroed header, an index that no longer matches its table after a crash) is refused
 * with db_damaged without a byte changed, by the app and the CLI alike; a full disk at open is
 * disk_full; every open error has a code. Backups are made with the online backup API,
 * verified before they count, rotated, and restored with the current file kept aside.
 */
import Database from 'better-sqlite3'
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  backupDue,
  backupDir,
  createBackup,
  findBackup,
  listAside,
  listBackups,
  restoreBackup
} from '../../src/backend/db/backup'
import { openDatabase, openStore } from '../../src/backend/db/connection'
import { MIGRATIONS } from '../../src/backend/db/migrations'
import { SyncStateRepo } from '../../src/backend/db/syncState'
import { keyFileBox } from '../../src/backend/secrets'
import { createBackend } from '../../src/backend/service'
import { startReferenceServer, type ReferenceServer } from '../../src/refserver/server'
import { AppError } from '../../src/shared/errors'
import type { StoreStatus } from '../../src/shared/types'
import { tempDir, testEngine } from '../helpers'
import { damage, sha } from '../storeDamage'

let server: ReferenceServer
let tmp: ReturnType<typeof tempDir>
/** A synced database (clients, messages...) plus a small indexed probe table; WAL folded in. */
let template: string
const T0 = Date.parse('2026-01-05T09:30:00Z')
/** After the template's own sync run, whenever the suite runs. */
const LATER = '2999-01-01T00:00:00.000Z'

function expectCode(fn: () => unknown, code: string): AppError {
  let error: unknown
  try {
    fn()
  } catch (e) {
    error = e
  }
  expect(error, `expected ${code}`).toBeInstanceOf(AppError)
  expect((error as AppError).code).toBe(code)
  return error as AppError
}

function copy(name: string): string {
  const file = path.join(tmp.dir, name, 'sms-desk.sqlite')
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.copyFileSync(template, file)
  return file
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string; err: string; ms: number }> {
  return new Promise((resolve) => {
    const started = Date.now()
    const child = spawn(process.execPath, ['--import', 'tsx', 'tools/cli.ts', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env }
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (c) => (out += c))
    child.stderr.on('data', (c) => (err += c))
    child.on('exit', (code) => resolve({ code, out, err, ms: Date.now() - started }))
  })
}

/** The pid of a process that has ended. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'])
  return Number(r.stdout.toString())
}

function withRunningRow(file: string, pid: number): void {
  const db = new Database(file)
  db.prepare(
    "INSERT INTO sync_runs (id, started_at, finished_at, summary, status, pid, host, pid_start) VALUES ('crashed', ?, NULL, ?, 'running', ?, ?, NULL)"
  ).run(
    LATER,
    JSON.stringify({ runId: 'crashed', startedAt: LATER, finishedAt: '', seconds: 0, cancelled: false, streams: {} }),
    pid,
    os.hostname()
  )
  db.pragma('wal_checkpoint(TRUNCATE)')
  db.close()
}

beforeAll(async () => {
  tmp = tempDir('smsdesk-store-')
  server = await startReferenceServer({ seed: 4, clients: 300, messages: 3000, sims: 3, simActions: 2, dispatches: 5, days: 10 })
  template = path.join(tmp.dir, 'template.sqlite')
  const db = openDatabase(template)
  const summary = await testEngine(db, { platform: { url: server.url }, sim: { url: server.url }, dispatch: { url: server.url } }).run()
  expect(Object.values(summary.streams).every((s) => s.error === null)).toBe(true)
  db.exec('CREATE TABLE probe (id INTEGER PRIMARY KEY, v TEXT NOT NULL); CREATE INDEX probe_v ON probe (v);')
  const put = db.prepare('INSERT INTO probe (v) VALUES (?)')
  db.transaction(() => {
    for (let i = 0; i < 500; i++) put.run(`probe-value-${String(i).padStart(6, '0')}`)
  })()
  db.pragma('wal_checkpoint(TRUNCATE)')
  db.close()
  for (const s of ['-wal', '-shm']) fs.rmSync(template + s, { force: true })
}, 120_000)

afterAll(async () => {
  await server?.close()
  tmp?.cleanup()
})

describe('integrity at open', () => {
  it.each(['page', 'random', 'truncated', 'zero-header'] as const)('refuses a file with damage (%s) as db_damaged, without changing a byte', (how) => {
    const file = copy(`damaged-${how}`)
    damage(file, how)
    const before = sha(file)
    const error = expectCode(() => openDatabase(file), 'db_damaged')
    expect(error.message).toContain('damaged')
    expect(sha(file)).toBe(before)
    expect(fs.existsSync(`${file}-wal`) && fs.statSync(`${file}-wal`).size > 0).toBe(false)
    // And the app's backend stays up, on the damaged-database screen.
    const backend = createBackend({ dataDir: path.dirname(file), box: keyFileBox(path.dirname(file)), mode: 'browser', version: 't' })
    return backend
      .dispatch('store.status', {})
      .then((r) => {
        expect(r).toMatchObject({ ok: true, value: { state: 'damaged', error: { code: 'db_damaged' } } })
        return backend.dispatch('clients.list', {})
      })
      .then((r) => {
        expect(r).toMatchObject({ ok: false, error: { code: 'db_damaged' } })
        return backend.close()
      })
      .then(() => expect(sha(file)).toBe(before))
  })

  it('opens a sound file with a quick_check, and reports it', () => {
    const file = copy('sound')
    const store = openStore(file, { now: () => T0 })
    expect(store.check).toMatchObject({ kind: 'quick', ok: true, problems: [], checkedAt: new Date(T0).toISOString() })
    store.db.close()
  })

  it('runs a full integrity_check at the first open after a crash (a run left running by a dead process)', () => {
    // An index that no longer matches its table: quick_check does not see it.
    const quiet = copy('index-no-crash')
    damage(quiet, 'index')
    const opened = openStore(quiet)
    expect(opened.check?.kind).toBe('quick')
    opened.db.close()

    // The same damage after a sync whose process died: the open reads everything and refuses.
    const crashed = copy('index-crash')
    withRunningRow(crashed, deadPid())
    damage(crashed, 'index')
    const before = sha(crashed)
    const error = expectCode(() => openDatabase(crashed), 'db_damaged')
    expect(error.params.problem).toMatch(/index|missing|wrong/i)
    expect(sha(crashed)).toBe(before)

    // Sound after a crash: opens (full check), and the dead run reads as interrupted.
    const sound = copy('crash-sound')
    withRunningRow(sound, deadPid())
    const store = openStore(sound)
    expect(store.check?.kind).toBe('full')
    expect(store.interrupted).toBe(1)
    expect(new SyncStateRepo(store.db).lastRun()).toMatchObject({ runId: 'crashed', status: 'interrupted' })
    store.db.close()
  })

  it('a CLI sync into a damaged file exits non-zero with one clear line and leaves it as it was', async () => {
    const file = copy('cli-damaged')
    damage(file, 'page')
    const before = sha(file)
    const r = await cli(['sync', '--platform', server.url, '--db', file])
    expect(r.code).toBe(1)
    const lines = r.out.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(JSON.parse(lines[0])).toMatchObject({ ok: false, error: { code: 'db_damaged' } })
    const err = r.err.trim().split('\n')
    expect(err).toHaveLength(1)
    expect(err[0]).toMatch(/^sms-desk: The local database .* is damaged/)
    expect(r.err).not.toMatch(/\n\s+at /) // no stack trace
    expect(sha(file)).toBe(before)

    const check = await cli(['check', '--db', file])
    expect(check.code).toBe(1)
    expect(JSON.parse(check.out)).toMatchObject({ ok: false, error: { code: 'db_damaged' }, check: { kind: 'full', ok: false } })
    expect(sha(file)).toBe(before)
    const good = await cli(['check', '--db', copy('cli-sound')])
    expect(good.code).toBe(0)
    expect(JSON.parse(good.out)).toMatchObject({ ok: true, check: { kind: 'full', ok: true, problems: [] } })
  })
})

describe('open errors', () => {
  it('a full disk while the schema is written is disk_full, and nothing is half-applied', () => {
    const fresh = path.join(tmp.dir, 'full', 'new.sqlite')
    fs.mkdirSync(path.dirname(fresh), { recursive: true })
    expectCode(() => openDatabase(fresh, { maxPageCount: 8 }), 'disk_full')

    // An older file whose migration does not fit: refused as disk_full, still at its version.
    const old = path.join(tmp.dir, 'full', 'old.sqlite')
    openDatabase(old, { migrations: MIGRATIONS.filter((m) => m.version < 4) }).close()
    const pages = (() => {
      const db = new Database(old, { readonly: true })
      const n = db.pragma('page_count', { simple: true }) as number
      db.close()
      return n
    })()
    expectCode(() => openDatabase(old, { maxPageCount: pages + 2 }), 'disk_full')
    const check = new Database(old, { readonly: true })
    expect(check.prepare('SELECT max(version) FROM schema_migrations').pluck().get()).toBe(3)
    check.close()
    openDatabase(old).close() // with room, it migrates
  })

  it('a real full filesystem at open: the CLI says disk_full in one line, the backend stays up', async (ctx) => {
    const mnt = path.join(tmp.dir, 'tiny')
    fs.mkdirSync(mnt)
    const mounted = process.getuid?.() === 0 && spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=96k', 'tmpfs', mnt]).status === 0
    if (!mounted) return ctx.skip() // needs root and a kernel that lets us mount a tmpfs
    try {
      const dataDir = path.join(mnt, 'app')
      const backend = createBackend({ dataDir, box: keyFileBox(dataDir), mode: 'browser', version: 't' })
      const status = await backend.dispatch('store.status', {})
      expect(status).toMatchObject({ ok: true, value: { state: 'unavailable', error: { code: 'disk_full' } } })
      expect(await backend.dispatch('clients.list', {})).toMatchObject({ ok: false, error: { code: 'disk_full' } })
      await backend.close()
      fs.rmSync(dataDir, { recursive: true, force: true })

      const r = await cli(['sync', '--platform', server.url, '--db', path.join(mnt, 'desk.sqlite')])
      expect(r.code).toBe(1)
      expect(JSON.parse(r.out.trim())).toMatchObject({ ok: false, error: { code: 'disk_full' } })
      expect(r.err.trim().split('\n')).toHaveLength(1)
    } finally {
      spawnSync('umount', [mnt])
    }
  })

  it('maps every other open error to a code: a folder, a missing folder, a file locked by another program', () => {
    const dir = path.join(tmp.dir, 'a-folder.sqlite')
    fs.mkdirSync(dir)
    expectCode(() => openDatabase(dir), 'db_unavailable')
    expectCode(() => openDatabase(path.join(tmp.dir, 'no', 'such', 'folder', 'x.sqlite')), 'db_unavailable')

    const locked = path.join(tmp.dir, 'locked.sqlite')
    const holder = new Database(locked)
    holder.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1);')
    holder.exec('BEGIN EXCLUSIVE; INSERT INTO t VALUES (2);')
    try {
      expectCode(() => openDatabase(locked), 'db_busy')
    } finally {
      holder.exec('ROLLBACK')
      holder.close()
    }
  })
})

describe('backups', () => {
  it('are made with the online backup API, verified, 0600 in a 0700 folder, named by the injected clock', async () => {
    const file = copy('backup-basic')
    const db = openDatabase(file)
    const made = await createBackup(db, file, { now: () => T0 })
    expect(made).toMatchObject({ name: 'sms-desk-20260105-093000Z.sqlite', createdAt: '2026-01-05T09:30:00Z' })
    const dir = backupDir(file)
    expect(dir).toBe(path.join(path.dirname(file), 'backups'))
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700)
    const copyFile = path.join(dir, made.name)
    expect(fs.statSync(copyFile).mode & 0o777).toBe(0o600)
    expect(fs.readdirSync(dir)).toEqual([made.name]) // no partial file, no -wal beside it
    const b = new Database(copyFile, { readonly: true })
    expect(b.pragma('journal_mode', { simple: true })).toBe('delete')
    expect(b.prepare('SELECT count(*) FROM clients').pluck().get()).toBe(db.prepare('SELECT count(*) FROM clients').pluck().get())
    b.close()
    // A second one in the same second gets its own name.
    const again = await createBackup(db, file, { now: () => T0 })
    expect(again.name).toBe('sms-desk-20260105-093000Z-2.sqlite')
    expect(listBackups(file).map((x) => x.name)).toEqual([again.name, made.name])
    db.close()
  })

  it('rotate daily, keep 7 (configurable), and are due by the injected clock only', async () => {
    const file = copy('backup-rotate')
    const db = openDatabase(file)
    const policy = { keep: 7, intervalHours: 24 }
    let now = T0
    expect(backupDue(file, policy, () => now)).toBe(true)
    for (let day = 0; day < 9; day++) {
      now = T0 + day * 86_400_000
      await createBackup(db, file, { now: () => now, keep: policy.keep })
      expect(backupDue(file, policy, () => now + 23 * 3_600_000)).toBe(false)
      expect(backupDue(file, policy, () => now + 24 * 3_600_000)).toBe(true)
    }
    const names = listBackups(file).map((b) => b.name)
    expect(names).toHaveLength(7)
    expect(names[0]).toBe('sms-desk-20260113-093000Z.sqlite')
    expect(names[6]).toBe('sms-desk-20260107-093000Z.sqlite')
    expect(backupDue(file, { keep: 7, intervalHours: 0 }, () => now + 1e10)).toBe(false)
    await createBackup(db, file, { now: () => now + 1000, keep: 3 })
    expect(listBackups(file)).toHaveLength(3)
    db.close()
  })

  it('a copy that fails its check never counts', async () => {
    const file = copy('backup-of-damage')
    damage(file, 'page')
    const db = openDatabase(file, { check: 'none' }) // as if the damage came after the open
    await expect(createBackup(db, file, { now: () => T0 })).rejects.toMatchObject({ code: 'backup_damaged' })
    expect(listBackups(file)).toEqual([])
    expect(fs.readdirSync(backupDir(file))).toEqual([])
    db.close()
  })

  it('restore checks the backup, keeps the current file aside (never deleted) and puts the backup in place', async () => {
    const file = copy('backup-restore')
    let db = openDatabase(file)
    const clients = db.prepare('SELECT count(*) FROM clients').pluck().get() as number
    await createBackup(db, file, { now: () => T0 })
    db.prepare('DELETE FROM clients WHERE id > 10').run()
    db.pragma('wal_checkpoint(TRUNCATE)')
    db.close()
    const current = sha(file)

    expectCode(() => findBackup(file, '../../etc/passwd.sqlite'), 'invalid_input')
    expectCode(() => findBackup(file, 'sms-desk-20990101-000000Z.sqlite'), 'backup_not_found')

    const { backup, aside } = restoreBackup(file, null, { now: () => T0 + 60_000 })
    expect(backup.name).toBe('sms-desk-20260105-093000Z.sqlite')
    expect(aside).toBe(`${file}.replaced-20260105-093100Z`)
    expect(sha(aside!)).toBe(current)
    expect(listAside(file)).toEqual([aside])
    db = openDatabase(file)
    expect(db.prepare('SELECT count(*) FROM clients').pluck().get()).toBe(clients)
    db.close()

    // A damaged backup is refused, and nothing moves.
    const bad = path.join(backupDir(file), 'sms-desk-20260106-000000Z.sqlite')
    fs.writeFileSync(bad, Buffer.alloc(8192, 3))
    const now = sha(file)
    expectCode(() => restoreBackup(file, null), 'backup_damaged')
    expect(sha(file)).toBe(now)
    expect(listAside(file)).toEqual([aside])
  })

  it('from the CLI: backup, backups, restore --latest / --backup NAME, with clear errors', async () => {
    const file = copy('backup-cli')
    const made = await cli(['backup', '--db', file])
    expect(made.code, made.out + made.err).toBe(0)
    const name = JSON.parse(made.out).backup.name as string
    const list = JSON.parse((await cli(['backups', '--db', file])).out)
    expect(list.backups.map((b: { name: string }) => b.name)).toEqual([name])

    const none = await cli(['restore', '--db', file])
    expect(none.code).toBe(2)
    expect(JSON.parse(none.out).error.message).toContain(name)

    damage(file, 'zero-header')
    const damagedHash = sha(file)
    const restored = await cli(['restore', '--db', file, '--latest'])
    expect(restored.code, restored.out + restored.err).toBe(0)
    const out = JSON.parse(restored.out)
    expect(out.restored.name).toBe(name)
    expect(path.basename(out.aside)).toMatch(/^sms-desk\.sqlite\.damaged-\d{8}-\d{6}Z$/)
    expect(sha(out.aside)).toBe(damagedHash)
    expect((await cli(['check', '--db', file])).code).toBe(0)

    const missing = await cli(['restore', '--db', file, '--backup', 'sms-desk-20000101-000000Z.sqlite'])
    expect(missing.code).toBe(1)
    expect(JSON.parse(missing.out)).toMatchObject({ ok: false, error: { code: 'backup_not_found' } })
    const again = await cli(['restore', '--db', file, '--backup', name])
    expect(again.code).toBe(0)
    expect(path.basename(JSON.parse(again.out).aside)).toMatch(/\.replaced-/)
  })

  it('the backend backs up on schedule, lists, configures and restores through its channels', async () => {
    const file = copy('backend')
    const dataDir = path.dirname(file)
    let now = T0
    const backend = createBackend({
      dataDir,
      box: keyFileBox(dataDir),
      mode: 'browser',
      version: 't',
      now: () => now,
      store: { firstCheckMs: 5, checkEveryMs: 60_000 }
    })
    const status = async (): Promise<StoreStatus> => {
      const r = await backend.dispatch('store.status', {})
      if (!r.ok) throw new Error(r.error.message)
      return r.value as StoreStatus
    }
    for (let i = 0; i < 100 && !(await status()).backups.length; i++) await new Promise((r) => setTimeout(r, 50))
    expect((await status()).backups.map((b) => b.name)).toEqual(['sms-desk-20260105-093000Z.sqlite'])

    now += 3_600_000
    expect(await backend.dispatch('store.backup', {})).toMatchObject({ ok: true, value: { name: 'sms-desk-20260105-103000Z.sqlite' } })
    expect(await backend.dispatch('store.configure', { keep: 0, intervalHours: 24 })).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    expect(await backend.dispatch('store.configure', { keep: 1, intervalHours: 12 })).toMatchObject({
      ok: true,
      value: { keep: 1, intervalHours: 12, backups: [{ name: 'sms-desk-20260105-103000Z.sqlite' }] }
    })
    expect(await backend.dispatch('store.check', {})).toMatchObject({ ok: true, value: { kind: 'full', ok: true } })

    const total = backend.db.prepare('SELECT count(*) FROM clients').pluck().get()
    backend.db.prepare('DELETE FROM clients').run()
    expect(await backend.dispatch('store.restore', { name: '../x.sqlite' })).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    const restored = await backend.dispatch('store.restore', {})
    expect(restored).toMatchObject({ ok: true, value: { state: 'ok' } })
    expect((restored as { value: StoreStatus }).value.asideFiles).toHaveLength(1)
    expect(await backend.dispatch('clients.list', { pageSize: 1 })).toMatchObject({ ok: true, value: { total } })
    await backend.close()
  })
})
