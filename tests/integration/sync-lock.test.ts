/**
 * Two processes, one file: the sync lock holds across processes. A second sync (a second real
 * OS process running the CLI) fails at once with sync_running and the first one's pid, instead
 * of "database is locked"; after the first ends a sync works; a lock left by a SIGKILLed sync
 * is taken over, and that run's row says it was interrupted.
 */
import Database from 'better-sqlite3'
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/backend/db/connection'
import { processAlive, processStart } from '../../src/backend/db/syncLock'
import { keyFileBox } from '../../src/backend/secrets'
import { createBackend } from '../../src/backend/service'
import { startReferenceServer, type ReferenceServer } from '../../src/refserver/server'
import { sourceSyncWorker, sourceWorker } from '../../tools/bridge/server'
import { tempDir, testEngine } from '../helpers'

let server: ReferenceServer
let tmp: ReturnType<typeof tempDir>

beforeAll(async () => {
  tmp = tempDir('smsdesk-lock-')
  server = await startReferenceServer({ seed: 31, clients: 400, messages: 250_000, sims: 5, simActions: 10, dispatches: 10, days: 20 })
})
afterAll(async () => {
  await server?.close()
  tmp?.cleanup()
})

interface Run {
  child: ChildProcess
  done: Promise<{ code: number | null; signal: string | null; out: string; err: string; ms: number }>
}

function cliSync(db: string): Run {
  const started = Date.now()
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'tools/cli.ts', 'sync', '--platform', server.url, '--sim', server.url, '--dispatch', server.url, '--db', db, '--page-size', '200'],
    { stdio: ['ignore', 'pipe', 'pipe'] }
  )
  let out = ''
  let err = ''
  child.stdout!.on('data', (c) => (out += c))
  child.stderr!.on('data', (c) => (err += c))
  const done = new Promise<{ code: number | null; signal: string | null; out: string; err: string; ms: number }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, out, err, ms: Date.now() - started }))
  )
  return { child, done }
}

function lastLine(out: string): Record<string, unknown> {
  return JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>
}

function read<T>(db: string, fn: (d: Database.Database) => T): T | null {
  try {
    const d = new Database(db, { readonly: true, fileMustExist: true })
    try {
      return fn(d)
    } finally {
      d.close()
    }
  } catch {
    return null
  }
}

/** Waits until a sync holds the file's lock and has written some rows; returns the holder's pid. */
async function holder(db: string, run: Run): Promise<number> {
  for (let i = 0; i < 600; i++) {
    const pid = read(db, (d) => {
      const row = d.prepare('SELECT pid FROM sync_lock').get() as { pid: number } | undefined
      const rows = d.prepare('SELECT count(*) FROM clients').pluck().get() as number
      return row && rows > 0 ? row.pid : null
    })
    if (pid) return pid
    if (run.child.exitCode !== null) throw new Error(`the sync ended before it was seen: ${await run.done.then((r) => r.out + r.err)}`)
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error('no sync took the lock')
}

describe('the sync lock across processes', () => {
  it('a second sync fails at once with the pid of the first; once the first ends, a sync works', async () => {
    const db = path.join(tmp.dir, 'two.sqlite')
    const first = cliSync(db)
    const pid = await holder(db, first)
    expect(pid).toBe(first.child.pid)

    const second = await cliSync(db).done
    expect(first.child.exitCode, 'the first sync is still running').toBeNull()
    expect(second.code).toBe(1)
    const out = lastLine(second.out)
    expect(out).toMatchObject({ ok: false, error: { code: 'sync_running', params: { pid, host: os.hostname() } } })
    expect((out.error as { message: string }).message).toContain(`pid ${pid}`)
    expect(second.err.trim().split('\n')).toHaveLength(1)
    expect(second.err).not.toContain('database is locked')

    const firstResult = await first.done
    expect(firstResult.code, firstResult.out + firstResult.err).toBe(0)
    expect(lastLine(firstResult.out).ok).toBe(true)

    const third = await cliSync(db).done
    expect(third.code, third.out + third.err).toBe(0)
    expect(lastLine(third.out).ok).toBe(true)
    const runs = read(db, (d) => d.prepare('SELECT status, pid FROM sync_runs ORDER BY started_at').all()) as { status: string; pid: number }[]
    expect(runs.map((r) => r.status)).toEqual(['ok', 'ok'])
    expect(runs[0].pid).toBe(pid)
    expect(read(db, (d) => d.prepare('SELECT count(*) FROM sync_lock').pluck().get())).toBe(0)
  }, 180_000)

  it('a lock left by a SIGKILLed sync is taken over, and its run row reads interrupted', async () => {
    const db = path.join(tmp.dir, 'killed.sqlite')
    const first = cliSync(db)
    const pid = await holder(db, first)
    first.child.kill('SIGKILL')
    expect((await first.done).signal).toBe('SIGKILL')
    // What the killed process left: its lock, and its run marked running.
    expect(read(db, (d) => d.prepare('SELECT pid FROM sync_lock').pluck().get())).toBe(pid)
    expect(read(db, (d) => d.prepare("SELECT status FROM sync_runs WHERE pid = ?").pluck().get(pid))).toBe('running')

    const next = await cliSync(db).done
    expect(next.code, next.out + next.err).toBe(0)
    expect(lastLine(next.out).ok).toBe(true)
    expect(read(db, (d) => d.prepare('SELECT status FROM sync_runs WHERE pid = ?').pluck().get(pid))).toBe('interrupted')
    expect(read(db, (d) => d.prepare('SELECT count(*) FROM sync_lock').pluck().get())).toBe(0)
    expect(read(db, (d) => d.pragma('integrity_check', { simple: true }))).toBe('ok')
  }, 180_000)
})

describe('the lock in one process', () => {
  it('a live holder elsewhere: sync_running at once with its pid, from the engine and the app (in-process and worker)', async () => {
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120000)'], { stdio: 'ignore' })
    await new Promise((r) => sleeper.once('spawn', r))
    const pid = sleeper.pid!
    try {
      const dataDir = path.join(tmp.dir, 'app')
      fs.mkdirSync(dataDir)
      const hold = (d: Database.Database, start: string | null = processStart(pid)): void => {
        d.prepare("INSERT OR REPLACE INTO sync_lock (id, run_id, pid, host, pid_start, started_at) VALUES (1, 'other', ?, ?, ?, '2026-01-01T00:00:00.000Z')").run(
          pid,
          os.hostname(),
          start
        )
      }
      const db = openDatabase(path.join(dataDir, 'engine.sqlite'))
      hold(db)
      const engine = testEngine(db, { platform: { url: server.url } })
      const t = Date.now()
      await expect(engine.run()).rejects.toMatchObject({ code: 'sync_running', params: { pid } })
      expect(Date.now() - t).toBeLessThan(1000)

      for (const worker of [undefined, sourceSyncWorker()]) {
        const dir = path.join(dataDir, worker ? 'worker' : 'inprocess')
        const backend = createBackend({
          dataDir: dir,
          box: keyFileBox(dir),
          mode: 'browser',
          version: 't',
          syncWorker: worker,
          readerWorker: worker ? sourceWorker('src/backend/sync/readerWorker.ts') : undefined
        })
        await backend.dispatch('settings.save', { connections: { platform: { url: server.url } } })
        hold(backend.db)
        const r = await backend.dispatch('sync.start', {})
        expect(r).toMatchObject({ ok: false, error: { code: 'sync_running', params: { pid } } })
        await backend.close()
      }

      // The same pid, but another process's start time: the pid was reused, the lock is stale.
      expect(processAlive({ pid, host: os.hostname(), pidStart: processStart(pid) })).toBe(true)
      if (processStart(pid) !== null) expect(processAlive({ pid, host: os.hostname(), pidStart: '1' })).toBe(false)
      // A holder on another host cannot be asked: never taken over from here.
      expect(processAlive({ pid: 999_999, host: 'another-host.example', pidStart: null })).toBe(true)

      sleeper.kill('SIGKILL')
      await new Promise((r) => sleeper.once('exit', r))
      const summary = await engine.run((s) => s.name === 'platform.clients') // its holder is dead: taken over
      expect(summary.status).toBe('ok')
      expect(db.prepare('SELECT count(*) FROM sync_lock').pluck().get()).toBe(0)
      db.close()
    } finally {
      sleeper.kill('SIGKILL')
    }
  }, 120_000)
})
