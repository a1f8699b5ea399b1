/**
 * For each fault kind the reference server can inject, a sync converges to exactly the
 * server's data (every table, row by row, money to the cent); a re-sync changes nothing; and
 * updates made on the server later (delivery reports, balances) are picked up.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { Db } from '../../src/backend/db/connection'
import type { SyncEngine } from '../../src/backend/sync/engine'
import { FAULT_KINDS, type FaultKind } from '../../src/refserver/faults'
import { startReferenceServer, type ReferenceServer } from '../../src/refserver/server'
import type { SyncRunSummary } from '../../src/shared/types'
import { differences, expectConverged } from '../converge'
import { openTestDb, tempDir, testEngine } from '../helpers'

const SIZES = { seed: 11, clients: 120, messages: 2500, namesPerClient: 2, sims: 4, simGroups: 2, simActions: 6, dispatches: 12, days: 10 }

let cleanup: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanup.reverse()) await c()
  cleanup = []
})

async function setup(faults: FaultKind[], rate: number): Promise<{ server: ReferenceServer; db: Db; engine: SyncEngine }> {
  const tmp = tempDir()
  const db = openTestDb(tmp.dir)
  const server = await startReferenceServer({
    ...SIZES,
    faults: { kinds: faults, rate, retryAfterSeconds: 0, slowMs: 900 }
  })
  const url = server.url
  const engine = testEngine(db, { platform: { url }, sim: { url }, dispatch: { url } }, { pageSize: 50, timeoutMs: 300, retries: 10 })
  cleanup.push(async () => {
    await server.close()
    db.close()
    tmp.cleanup()
  })
  return { server, db, engine }
}

function noErrors(summary: SyncRunSummary): void {
  const errors = Object.entries(summary.streams).filter(([, s]) => s.error).map(([n, s]) => `${n}: ${s.error!.message}`)
  expect(errors).toEqual([])
}

const RATES: Partial<Record<FaultKind, number>> = { slow: 0.05, shift: 0.3, phantom: 0.5 }

describe('sync under faults converges to the server data', () => {
  for (const kind of FAULT_KINDS) {
    it(`${kind}`, async () => {
      const { server, db, engine } = await setup([kind], RATES[kind] ?? 0.2)
      if (kind === 'phantom') {
        // A dispatch we hold that the server no longer has: asking for it may get a 200 of nulls.
        await engine.run()
        const fake = db.prepare(
          `INSERT OR IGNORE INTO dispatches VALUES ('0b9e1c8a-1111-4222-8333-944455556666', '2026-01-01T00:00:00Z',
             '2026-01-02T00:00:00Z', 'gone', '911', 'x', 5, 4, 1, 0, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'h')`
        )
        for (let i = 0; i < 30 && !server.faults.counts.phantom; i++) {
          fake.run()
          noErrors(await engine.run())
          const kept = db.prepare("SELECT created, completed FROM dispatches WHERE message_text = 'gone'").get()
          if (server.faults.counts.phantom) expect(kept).toEqual({ created: 5, completed: 4 }) // never overwritten
          else expect(kept).toBeUndefined() // a 404: the server dropped it, so do we
        }
        const rejects = db.prepare("SELECT reason FROM sync_rejects WHERE stream = 'dispatch.reports'").pluck().all()
        expect(rejects.length).toBe(server.faults.counts.phantom)
        expect(rejects[0]).toMatch(/^(id|start_datetime|created|message_text|end_datetime)/)
        // Later syncs get the real answer, a 404, and drop it.
        const held = db.prepare("SELECT count(*) FROM dispatches WHERE message_text = 'gone'").pluck()
        for (let i = 0; i < 30 && held.get(); i++) noErrors(await engine.run())
        expect(held.get()).toBe(0)
      }
      const first = await engine.run()
      noErrors(first)
      expect(server.faults.counts[kind] ?? 0, `${kind} never fired`).toBeGreaterThan(0)
      expect(first.cancelled).toBe(false)
      if (kind === 'shift') {
        // Rows that changed during the sync itself are read by the next one; the SIM
        // provider's late rows by its trailing window.
        server.faults.set({ kinds: [], rate: 0 })
        noErrors(await engine.run())
      }
      expectConverged(db, server)
      if (kind !== 'phantom') expect(Object.values(first.streams).reduce((n, s) => n + s.fetched, 0)).toBeGreaterThan(3000)
      // Nothing rejected stays behind when the damage was passing.
      if (kind !== 'phantom') {
        expect(db.prepare('SELECT count(*) FROM sync_rejects').pluck().get()).toBe(0)
      }
    })
  }

  it('every fault at once', async () => {
    const { server, db, engine } = await setup([...FAULT_KINDS].filter((k) => k !== 'slow'), 0.08)
    noErrors(await engine.run())
    server.faults.set({ kinds: [], rate: 0 })
    noErrors(await engine.run())
    expect(differences(db, server)).toEqual([])
  })
})

describe('re-sync and later updates', () => {
  it('a second sync changes nothing; delivery reports, charges and new SIM days are picked up', async () => {
    const { server, db, engine } = await setup([], 0)
    noErrors(await engine.run())
    expectConverged(db, server)
    const again = await engine.run()
    for (const [name, s] of Object.entries(again.streams)) {
      expect(s.inserted + s.updated, name).toBe(0)
    }
    const pending = db.prepare("SELECT count(*) FROM messages WHERE bucket = 'pending'").pluck().get() as number
    const balances = db.prepare('SELECT sum(balance) FROM clients').pluck().get()
    server.advance(2 * 86_400_000)
    const later = await engine.run()
    noErrors(later)
    expect(later.streams['platform.messages'].updated).toBeGreaterThan(0)
    expect(later.streams['platform.transactions'].inserted).toBeGreaterThan(0)
    expect(later.streams['platform.clients'].updated).toBeGreaterThan(0)
    expect(db.prepare("SELECT count(*) FROM messages WHERE bucket = 'pending'").pluck().get()).toBeLessThan(pending)
    expect(db.prepare('SELECT sum(balance) FROM clients').pluck().get()).not.toBe(balances)
    const snapshots = db.prepare('SELECT count(*) FROM dispatch_snapshots').pluck().get() as number
    expect(snapshots).toBeGreaterThan(SIZES.dispatches)
    expectConverged(db, server)
  })
})
