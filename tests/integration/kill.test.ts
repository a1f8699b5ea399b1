/**
 * A sync killed with SIGKILL at random points and resumed ends exactly at the server's data:
 * each page's rows and cursor are committed together, so nothing is lost or doubled.
 */
import { spawn } from 'node:child_process'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/backend/db/connection'
import { Rng } from '../../src/refserver/random'
import { startReferenceServer, type ReferenceServer } from '../../src/refserver/server'
import { differences } from '../converge'
import { tempDir } from '../helpers'

let server: ReferenceServer
let tmp: ReturnType<typeof tempDir>

beforeAll(async () => {
  tmp = tempDir()
  server = await startReferenceServer({ seed: 21, clients: 400, messages: 300_000, sims: 10, simActions: 20, dispatches: 30, days: 20 })
})
afterAll(async () => {
  await server.close()
  tmp.cleanup()
})

function cli(args: string[], killAfterMs: number | null): Promise<{ code: number | null; signal: string | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tools/cli.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (c) => (out += c))
    let timer: NodeJS.Timeout | null = null
    if (killAfterMs !== null) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs)
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer)
      resolve({ code, signal, out })
    })
  })
}

const cliSync = (db: string, killAfterMs: number | null) =>
  cli(['sync', '--platform', server.url, '--sim', server.url, '--dispatch', server.url, '--db', db, '--page-size', '200'], killAfterMs)

describe('a sync killed with SIGKILL', () => {
  it('resumes after 10 kills at random points and ends exact', async () => {
    const db = path.join(tmp.dir, 'killed.sqlite')
    const rng = new Rng(Date.now() % 100_000)
    // How long the CLI takes to start, so the kills land inside the sync itself.
    const started = Date.now()
    await cli(['sync', '--db', path.join(tmp.dir, 'probe.sqlite')], null)
    const startup = Math.min(Date.now() - started, 3000)
    let kills = 0
    const points: number[] = []
    for (let i = 0; i < 10; i++) {
      const at = startup + rng.int(0, 900)
      points.push(at)
      const r = await cliSync(db, at)
      if (r.signal === 'SIGKILL') kills++
    }
    const progress = openDatabase(db)
    const partial = progress
      .prepare('SELECT (SELECT count(*) FROM clients) + (SELECT count(*) FROM transactions) + (SELECT count(*) FROM messages)')
      .pluck()
      .get() as number
    progress.close()
    expect(kills, `kill points ${points.join(', ')} ms`).toBeGreaterThanOrEqual(8)
    expect(partial).toBeGreaterThan(0)
    const last = await cliSync(db, null)
    expect(last.code, last.out).toBe(0)
    const summary = JSON.parse(last.out.trim().split('\n').pop()!)
    expect(summary.ok).toBe(true)
    const local = openDatabase(db)
    try {
      expect(differences(local, server)).toEqual([])
      // Resumed, not restarted: the final run did not read everything again.
      const total = Object.values(summary.streams as Record<string, { fetched: number }>).reduce((n, x) => n + x.fetched, 0)
      const d = server.data
      const onServer = d.clients.size + d.senderNames.size + d.transactions.size + d.messages.size + d.simActions.visible().length + d.dispatches.all().length
      expect(total).toBeLessThan(onServer)
      expect(local.pragma('integrity_check', { simple: true })).toBe('ok')
    } finally {
      local.close()
    }
  }, 180_000)
})
