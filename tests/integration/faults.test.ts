/**
 * For each fault kind the reference server can inject, a sync converges to exactly the
 * server's data (every table, row by row, money to the cent); a re-sync changes nothing; and
 * updates made on the server later (delivery reports, balances) are picked up.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { Db } from '../../src/backend/db/connection'
import { SyncEngine } from '../../src/backend/sync/engine'
import { ALL_STREAMS } from '../../src/backend/sync/streams'
import { FAULT_KINDS, type FaultKind } from '../../src/refserver/faults'
import { startReferenceServer, type ReferenceServer } from '../../src/refserver/server'
import type { SyncRunSummary } from '../../src/shared/types'
import { differences, expectConverged } from '../converge'
import { ALL_BUT_SLOW, FAULT_CLOCK, runFaultCase } from '../faultcase'
import { openTestDb, tempDir, testEngine } from '../helpers'

const SIZES = { seed: 11, clients: 120, messages: 2500, namesPerClient: 2, sims: 4, simGroups: 2, simActions: 6, dispatches: 12, days: 10, now: FAULT_CLOCK }

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
    faults: { kinds: faults, rate, retryAfterSeconds: 0, slowMs: 900, cap: 30 }
  })
  const url = server.url
  const engine = testEngine(db, { platform: { url }, sim: { url }, dispatch: { url } }, {
    pageSize: 50,
    timeoutMs: 300,
    retries: 10,
    clock: () => server.now
  })
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

/**
 * The hardest cases: every fault kind at once at 10, 30 and 50 percent, with and without rows
 * shifting mid-sync, three seeds each. The faulty syncs may fail (at 50 percent most requests
 * do); after them and one sync with the faults off, nothing is lost or doubled: the store
 * equals the server's data and, table by table and statistics included, a clean sync.
 * `npm run bench -- faults` runs the same matrix at a larger size and prints the figures.
 */
describe('fault matrix: the store converges whatever the faulty syncs did', () => {
  for (const rate of [0.1, 0.3, 0.5]) {
    for (const shift of [true, false]) {
      it(`rate ${rate}, ${shift ? 'with' : 'without'} shift, seeds 1-3`, async () => {
        for (const seed of [1, 2, 3]) {
          const r = await runFaultCase({
            seed,
            rate,
            kinds: shift ? ALL_BUT_SLOW : ALL_BUT_SLOW.filter((k) => k !== 'shift'),
            sizes: { messages: 1500, clients: 80 }
          })
          const label = `seed ${seed}`
          expect(r.cleanErrors, label).toEqual([])
          expect(r.differences.slice(0, 10), label).toEqual([])
          expect(r.storeDifferences.slice(0, 10), label).toEqual([])
          expect(r.faultsFired.null ?? 0, label).toBeGreaterThan(0)
        }
      })
    }
  }

  it('damage alone at 50 percent: the faulty sync itself ends without error and complete', async () => {
    const r = await runFaultCase({ seed: 4, rate: 0.5, kinds: ['malformed', 'null', 'duplicate', 'cap'], attempts: 1 })
    expect(r.faultyErrors).toEqual([])
    expect(r.differences).toEqual([])
    expect(r.storeDifferences).toEqual([])
    expect(r.faultsFired.null).toBeGreaterThan(500)
  })
})

describe('records the server cannot deliver', () => {
  it('a record damaged in every read (id readable) is quarantined, reported, passed, and repaired later', async () => {
    const { server, db, engine } = await setup([], 0)
    server.faults.breakRecord('messages', 77, 'malformed')
    const first = await engine.run()
    expect(first.streams['platform.messages'].error?.code).toBe('records_unreadable')
    expect(first.streams['platform.messages'].error?.message).toMatch(/1 record/)
    for (const [name, s] of Object.entries(first.streams)) if (name !== 'platform.messages') expect(s.error, name).toBeNull()
    // Everything else is there; the one record is kept aside under its id, once.
    const missing = differences(db, server).filter((d) => d.endsWith('missing'))
    expect(missing).toEqual(['message 77: missing'])
    const keys = () => db.prepare("SELECT record_key FROM sync_rejects WHERE stream = 'platform.messages'").pluck().all()
    expect(keys()).toEqual(['id:77'])
    // A second sync asks for it by id again: still broken, still one reject, still reported.
    expect((await engine.run()).streams['platform.messages'].error?.code).toBe('records_unreadable')
    expect(keys()).toEqual(['id:77'])
    // The server is fixed: the next sync stores it and clears the reject.
    server.faults.repairRecord('messages', 77)
    noErrors(await engine.run())
    expect(keys()).toEqual([])
    expectConverged(db, server)
  })

  it('a null in place of a record in every read is stepped over as a gap and read again when repaired', async () => {
    const { server, db, engine } = await setup([], 0)
    server.faults.breakRecord('transactions', 40, 'null')
    const first = await engine.run()
    expect(first.streams['platform.transactions'].error?.code).toBe('records_unreadable')
    expect(differences(db, server).filter((d) => d.endsWith('missing'))).toEqual(['transaction 40: missing'])
    const rejects = () => db.prepare("SELECT record_key FROM sync_rejects WHERE stream = 'platform.transactions'").pluck().all() as string[]
    expect(rejects()).toHaveLength(1)
    expect(rejects()[0]).toMatch(/^gap:/)
    server.faults.repairRecord('transactions', 40)
    noErrors(await engine.run())
    expect(rejects()).toEqual([])
    expectConverged(db, server)
  })

  it('the SIM provider: a damaged action is quarantined and its day read again until it comes intact', async () => {
    const { server, db, engine } = await setup([], 0)
    const visible = server.data.simActions.visible()
    expect(visible.length).toBeGreaterThan(2)
    const sid = visible[Math.floor(visible.length / 2)].sid
    server.faults.breakRecord('sim', sid, 'null')
    const first = await engine.run()
    expect(first.streams['sim.call_sms'].error?.code).toBe('records_unreadable')
    expect(db.prepare('SELECT count(*) FROM sim_actions WHERE sid = ?').pluck().get(sid)).toBe(0)
    server.faults.repairRecord('sim', sid)
    noErrors(await engine.run())
    expect(db.prepare("SELECT count(*) FROM sync_rejects WHERE stream = 'sim.call_sms'").pluck().get()).toBe(0)
    expectConverged(db, server)
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
    // The sync's clock is the server's: new SIM days are read whatever the real date is.
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

describe('balances and the transactions behind them', () => {
  it('a top-up between the clients and the transactions streams: the stored balance matches the newest transaction', async () => {
    const { server, db } = await setup([], 0)
    const url = server.url
    let toppedUp = false
    const engine = new SyncEngine({
      db,
      streams: ALL_STREAMS,
      connections: () => ({ platform: { url } }),
      pageSize: 50,
      clock: () => server.now,
      onProgress: (p) => {
        // The clients stream is done; the transactions stream starts: a top-up lands now.
        if (p.stream === 'platform.transactions' && !toppedUp) {
          toppedUp = true
          server.dataset.topUp(5, 12_345, 'Top-up: card')
        }
      }
    })
    noErrors(await engine.run())
    expect(toppedUp).toBe(true)
    const stale = db
      .prepare(
        `SELECT c.id, c.balance, (SELECT balance_after FROM transactions t WHERE t.client_id = c.id ORDER BY date DESC, id DESC LIMIT 1) AS after
         FROM clients c WHERE c.balance IS NOT (SELECT balance_after FROM transactions t WHERE t.client_id = c.id ORDER BY date DESC, id DESC LIMIT 1)
           AND EXISTS (SELECT 1 FROM transactions t WHERE t.client_id = c.id)`
      )
      .all()
    expect(stale).toEqual([])
    expect(differences(db, server).filter((d) => d.startsWith('client') || d.startsWith('transaction'))).toEqual([])
  })
})

describe('the SIM provider learns of an action late', () => {
  it('later than the trailing window: the weekly deep re-read picks it up, and says when it ran', async () => {
    const { server, db, engine } = await setup([], 0)
    noErrors(await engine.run())
    expectConverged(db, server)
    const deepAt = () => engine.state.states([{ name: 'sim.call_sms', source: 'sim' }], {})[0].deepReadAt
    expect(deepAt()).toBe(new Date(server.now).toISOString()) // the first sync reads its whole window
    // An action dated 9 to 8 days back appears now: far behind the 3 days re-read each sync.
    const day = 86_400_000
    const q = server.dataset.simQuery({})
    const before = server.data.simActions.visible().length
    server.dataset.insertLateSimAction(q, Math.floor((server.now - 9 * day) / 1000), Math.floor((server.now - 8 * day) / 1000))
    expect(server.data.simActions.visible().length).toBe(before + 1)
    server.advance(day)
    noErrors(await engine.run())
    expect(differences(db, server).filter((d) => d.startsWith('sim action'))).not.toEqual([]) // not read yet
    // A week after the last deep re-read, the next sync reads the last 35 days again.
    server.advance(6 * day)
    noErrors(await engine.run())
    expect(differences(db, server).filter((d) => d.startsWith('sim action'))).toEqual([])
    expect(deepAt()).toBe(new Date(server.now).toISOString())
  })
})

describe('a source that stays silent', () => {
  it('gives up within the bounded time and skips the source’s other streams', async () => {
    const net = await import('node:net')
    const sockets: import('node:net').Socket[] = []
    const silent = net.createServer((s) => sockets.push(s))
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()))
    const url = `http://127.0.0.1:${(silent.address() as import('node:net').AddressInfo).port}`
    const tmp = tempDir()
    const db = openTestDb(tmp.dir)
    cleanup.push(async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((r) => silent.close(() => r()))
      db.close()
      tmp.cleanup()
    })
    // Long timeouts and many retries, as a user might set: the give-up time still bounds it.
    const engine = new SyncEngine({
      db,
      streams: ALL_STREAMS,
      connections: () => ({ platform: { url } }),
      timeoutMs: 1000,
      retry: { retries: 50, baseDelayMs: 10, maxDelayMs: 100 },
      giveUpMs: 2500
    })
    const t0 = Date.now()
    const summary = await engine.run()
    const seconds = (Date.now() - t0) / 1000
    expect(seconds).toBeLessThan(6)
    expect(summary.streams['platform.clients'].error?.code).toBe('server_timeout')
    for (const name of ['platform.sender_names', 'platform.transactions', 'platform.messages']) {
      expect(summary.streams[name].error?.message, name).toMatch(/^Skipped: /)
    }
  })
})
