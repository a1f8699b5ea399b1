/**
 * The outbox of writes to the platform, against the real reference server on loopback and a
 * real SQLite file: a write whose answer is lost is applied exactly once; a refused write is
 * rolled back with the platform's reason; a write made offline waits and is sent later; a
 * write left 'sending' by a killed process goes out again with the same key.
 */
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Db } from '../../src/backend/db/connection'
import { openDatabase } from '../../src/backend/db/connection'
import { Outbox, type OutboxOptions } from '../../src/backend/outbox/outbox'
import { keyFileBox } from '../../src/backend/secrets'
import { createBackend } from '../../src/backend/service'
import type { FaultKind } from '../../src/refserver/faults'
import { startReferenceServer, type ReferenceServer, type ReferenceServerOptions } from '../../src/refserver/server'
import { MONEY_SCALE, formatUnits, parseDecimal } from '../../src/shared/money'
import type { EventMap, EventName, OutboxItem } from '../../src/shared/types'
import { tempDir, testEngine } from '../helpers'

const DATA: ReferenceServerOptions = {
  seed: 21,
  clients: 12,
  messages: 120,
  days: 5,
  namesPerClient: 2,
  transactions: 24,
  sims: 1,
  simActions: 1,
  dispatches: 1,
  now: Date.parse('2026-11-10T12:00:00Z')
}

/** Fast timeouts and retries for tests. */
const FAST: OutboxOptions = {
  timeoutMs: 1_000,
  retry: { retries: 3, baseDelayMs: 5, maxDelayMs: 20 },
  retryPassMs: { base: 50, max: 200 },
  startDelayMs: 10,
  sendOnEnqueue: false
}

let cleanup: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanup.reverse()) await c()
  cleanup = []
})

interface Fixture {
  dir: string
  file: string
  db: Db
  server: ReferenceServer
  /** The platform URL (and token) the outbox uses (tests point it elsewhere to be offline). */
  url: { value: string; token?: string }
  events: [EventName, unknown][]
  outbox(options?: OutboxOptions): Outbox
}

async function startServer(options: ReferenceServerOptions = {}): Promise<ReferenceServer> {
  const server = await startReferenceServer({ ...DATA, ...options })
  cleanup.push(() => server.close())
  return server
}

/** A database synced from a reference server, and an outbox factory over it. */
async function setup(options: ReferenceServerOptions = {}): Promise<Fixture> {
  const tmp = tempDir()
  const file = path.join(tmp.dir, 'outbox.sqlite')
  const db = openDatabase(file)
  const server = await startServer(options)
  const summary = await testEngine(db, { platform: { url: server.url, token: options.token } }).run()
  expect(Object.values(summary.streams).filter((s) => s.error)).toEqual([])
  const url: Fixture['url'] = { value: server.url, token: options.token }
  const events: [EventName, unknown][] = []
  const outboxes: Outbox[] = []
  const fixture: Fixture = {
    dir: tmp.dir,
    file,
    db,
    server,
    url,
    events,
    outbox: (extra = {}) => {
      const o = new Outbox(
        {
          db: fixture.db,
          connection: () => ({ url: url.value, token: url.token }),
          emit: <E extends EventName>(event: E, payload: EventMap[E]) => void events.push([event, payload])
        },
        { ...FAST, ...extra }
      )
      outboxes.push(o)
      return o
    }
  }
  cleanup.push(async () => {
    for (const o of outboxes) {
      o.stop()
      await o.idle()
    }
    if (fixture.db.open) fixture.db.close()
    tmp.cleanup()
  })
  return fixture
}

function serverClient(server: ReferenceServer, id: number): { balance: number; credit: number; sms_subscription: boolean } {
  const c = server.data.clients.get(id)!
  return {
    balance: parseDecimal(c.balance, MONEY_SCALE)!,
    credit: parseDecimal(c.credit, MONEY_SCALE)!,
    sms_subscription: c.sms_subscription
  }
}

function serverTopUps(server: ReferenceServer, clientId: number, purpose?: string): { id: number; debit: string; purpose: string }[] {
  return server.data.transactions
    .all()
    .filter((t) => t.client_id === clientId && Number(t.debit) > 0 && (purpose === undefined || t.purpose === purpose))
}

function localClient(db: Db, id: number): { balance: number; credit: number; sms_subscription: number; updated_at: string } {
  return db.prepare('SELECT balance, credit, sms_subscription, updated_at FROM clients WHERE id = ?').get(id) as {
    balance: number
    credit: number
    sms_subscription: number
    updated_at: string
  }
}

function row(db: Db, id: string): Record<string, unknown> {
  return db.prepare('SELECT * FROM outbox WHERE id = ?').get(id) as Record<string, unknown>
}

/**
 * Makes the next write lose its answer in the given way. reset / 5xx: applied, then the
 * connection dropped or a 502 sent (the server's "after apply" branch). slow: the answer
 * comes after the client's timeout. truncated: the 2xx body is cut short.
 */
function loseNextAnswer(server: ReferenceServer, kind: 'reset' | '5xx' | 'slow' | 'truncated'): void {
  server.faults.set({ kinds: [], rate: 0, slowMs: 1_500 })
  let armed = true
  server.faults.fire = (k: FaultKind) => {
    if (armed && k === kind) {
      armed = false
      return true
    }
    return false
  }
  server.faults.pick = (n: number) => (n === 2 ? 1 : 0) // the "applied, then lost" branch
}

async function waitFor(check: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 20))
  }
}

const CLIENT = 3

describe('outbox: a lost answer never applies a write twice', () => {
  for (const kind of ['reset', '5xx', 'slow', 'truncated'] as const) {
    it(`${kind}: the top-up is applied once on the platform and at once locally`, async () => {
      const f = await setup()
      const outbox = f.outbox()
      const before = serverClient(f.server, CLIENT)
      const txBefore = f.server.data.transactions.size
      const purpose = `Top-up: lost answer ${kind}`

      loseNextAnswer(f.server, kind)
      const item = outbox.topUp({ clientId: CLIENT, amount: '123.45', comment: `lost answer ${kind}` })
      expect(item.state).toBe('pending')
      const result = await outbox.flush()
      expect(result).toEqual({ sent: 1, pending: 0 })
      // A slow first request still sleeps on the server: let it finish (it must replay, not apply).
      if (kind === 'slow') await new Promise((r) => setTimeout(r, 800))

      // The platform: the balance moved by exactly the amount, one transaction more.
      expect(f.server.hits['clients.topUp']).toBeGreaterThanOrEqual(2)
      expect(serverClient(f.server, CLIENT).balance).toBe(before.balance + 12_345)
      expect(f.server.data.transactions.size).toBe(txBefore + 1)
      const topUps = serverTopUps(f.server, CLIENT, purpose)
      expect(topUps).toHaveLength(1)
      expect(topUps[0].debit).toBe('123.45')

      // Locally: applied, with the platform's answer; the balance and transaction are there already.
      const stored = row(f.db, item.id)
      expect(stored.state).toBe('applied')
      expect(stored.attempts as number).toBeGreaterThanOrEqual(2)
      expect(stored.applied_at).toBeTruthy()
      const answer = JSON.parse(stored.server_answer as string) as { client: { balance: string }; transaction: { id: number } }
      expect(answer.transaction.id).toBe(topUps[0].id)
      expect(localClient(f.db, CLIENT).balance).toBe(before.balance + 12_345)
      expect(formatUnits(localClient(f.db, CLIENT).balance, MONEY_SCALE)).toBe(f.server.data.clients.get(CLIENT)!.balance)
      const tx = f.db.prepare('SELECT debit, purpose FROM transactions WHERE id = ?').get(topUps[0].id)
      expect(tx).toEqual({ debit: 12_345, purpose })
      expect(f.events).toContainEqual(['data.changed', { tables: ['clients', 'transactions'] }])
      expect(f.events.filter(([e]) => e === 'outbox.changed').length).toBeGreaterThanOrEqual(2)

      // A later sync finds nothing to change; flushing again sends nothing.
      const hits = f.server.hits['clients.topUp']
      const resync = await testEngine(f.db, { platform: { url: f.server.url } }).run()
      expect(resync.streams['platform.clients'].updated + resync.streams['platform.clients'].inserted).toBe(0)
      expect(await outbox.flush()).toEqual({ sent: 0, pending: 0 })
      expect(f.server.hits['clients.topUp']).toBe(hits)
    })
  }

  it('under random transport faults every write is applied exactly once, in order per client', async () => {
    const f = await setup()
    f.server.faults.set({ kinds: ['5xx', 'reset', 'truncated', '429', 'slow'], rate: 0.3, retryAfterSeconds: 0, slowMs: 400 })
    const outbox = f.outbox({ timeoutMs: 250, retry: { retries: 2, baseDelayMs: 5, maxDelayMs: 20 } })
    const clients = [1, 2, 5]
    const start = new Map(clients.map((id) => [id, serverClient(f.server, id)]))
    const expected = new Map(clients.map((id) => [id, { ...start.get(id)!, topUps: 0 }]))
    const items: OutboxItem[] = []
    for (let i = 0; i < 24; i++) {
      const id = clients[i % 3]
      const e = expected.get(id)!
      if (i % 4 === 3) {
        items.push(outbox.setSubscription({ clientId: id, enabled: i % 8 === 3 }))
        e.sms_subscription = i % 8 === 3
      } else if (i % 4 === 2) {
        const amount = `${i * 10}.0${i % 10}`
        items.push(outbox.setCredit({ clientId: id, amount, notifyClient: i % 2 === 0 }))
        e.credit = parseDecimal(amount, MONEY_SCALE)!
      } else {
        const amount = `0.${String(i + 1).padStart(2, '0')}`
        items.push(outbox.topUp({ clientId: id, amount, comment: `stress ${i}` }))
        e.balance += parseDecimal(amount, MONEY_SCALE)!
        e.topUps++
      }
    }
    let pending = items.length
    for (let i = 0; i < 60 && pending > 0; i++) pending = (await outbox.flush()).pending
    expect(pending).toBe(0)
    const fired = f.server.faults.counts
    expect((fired['5xx'] ?? 0) + (fired.reset ?? 0) + (fired.truncated ?? 0) + (fired.slow ?? 0)).toBeGreaterThan(0)
    // The 'slow' answers still in flight reach the server and are replayed, never applied again.
    await new Promise((r) => setTimeout(r, 500))

    for (const id of clients) {
      const e = expected.get(id)!
      expect(serverClient(f.server, id)).toEqual({ balance: e.balance, credit: e.credit, sms_subscription: e.sms_subscription })
      const stress = f.server.data.transactions.all().filter((t) => t.client_id === id && t.purpose.startsWith('Top-up: stress'))
      expect(stress).toHaveLength(e.topUps)
      // Locally the last answer is the platform's latest state.
      const local = localClient(f.db, id)
      expect({ balance: local.balance, credit: local.credit, sms_subscription: local.sms_subscription === 1 }).toEqual({
        balance: e.balance,
        credit: e.credit,
        sms_subscription: e.sms_subscription
      })
    }
    expect(f.db.prepare("SELECT count(*) FROM outbox WHERE state = 'applied'").pluck().get()).toBe(items.length)
    // Each client's writes were applied in the order they were made.
    for (const id of clients) {
      const seqs = f.db
        .prepare("SELECT seq FROM outbox WHERE client_id = ? ORDER BY applied_at, seq")
        .pluck()
        .all(id) as number[]
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
    }
  })
})

describe('outbox: a refused write is rolled back with the platform reason', () => {
  it('404 for a client the platform does not know: rejected, nothing applied, the reason kept', async () => {
    const f = await setup()
    // A client the local database still holds but the platform no longer has.
    f.db.prepare('INSERT INTO clients SELECT 990001, login, company, name, sms_price, balance, credit, currency, channel, site, email, region, activity_type, property_type, postal_address, accounting_email, registered_at, last_login_at, login_attempts, activation_required, referer, sms_subscription, updated_at, search_text FROM clients WHERE id = 1').run()
    const outbox = f.outbox()
    const before = localClient(f.db, 990001)
    const item = outbox.topUp({ clientId: 990001, amount: '50', comment: '' })
    expect(item.payload).toEqual({ amount: '50.00', comment: '' })
    expect(outbox.finance(990001).expectedBalance).toBe(formatUnits(before.balance + 5000, MONEY_SCALE))
    const txBefore = f.server.data.transactions.size

    expect(await outbox.flush()).toEqual({ sent: 1, pending: 0 })
    const rejected = outbox.get(item.id)!
    expect(rejected.state).toBe('rejected')
    expect(rejected.error).toEqual({ code: 'write_rejected', message: 'Not found.' })
    expect(JSON.parse(row(f.db, item.id).server_answer as string)).toEqual({ status: 404, detail: 'Not found.', code: 'not_found' })
    // Rolled back: the pending effect is gone, the stored balance untouched; the item is still shown.
    const finance = outbox.finance(990001)
    expect(finance.expectedBalance).toBe(finance.balance)
    expect(finance.balance).toBe(formatUnits(before.balance, MONEY_SCALE))
    expect(finance.pending.map((p) => [p.id, p.state])).toEqual([[item.id, 'rejected']])
    expect(localClient(f.db, 990001)).toEqual(before)
    expect(f.server.data.transactions.size).toBe(txBefore)
    // A refusal is final: it is not sent again.
    const hits = f.server.hits['clients.topUp']
    await outbox.flush()
    expect(f.server.hits['clients.topUp']).toBe(hits)
  })

  it('409 when the key was used for another request, 400 for an amount the platform refuses; later writes still go', async () => {
    const f = await setup()
    const outbox = f.outbox()
    const before = serverClient(f.server, CLIENT)
    const credit = outbox.setCredit({ clientId: CLIENT, amount: '700', notifyClient: true })
    // The same key already used on the platform for a different change (e.g. by a copy of this database).
    const res = await fetch(`${f.server.url}/api/v1/clients/${CLIENT}/credit/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': credit.id },
      body: JSON.stringify({ amount: '1.00', notify_client: false })
    })
    expect(res.status).toBe(200)
    // A stored write whose amount the platform refuses (written by an older version, say).
    const bad = outbox.topUp({ clientId: CLIENT, amount: '1', comment: 'bad' })
    f.db.prepare('UPDATE outbox SET payload = ? WHERE id = ?').run(JSON.stringify({ amount: '1.005', comment: 'bad' }), bad.id)
    const good = outbox.topUp({ clientId: CLIENT, amount: '2.50', comment: 'after the refusals' })

    expect(await outbox.flush()).toEqual({ sent: 3, pending: 0 })
    expect(outbox.get(credit.id)!.state).toBe('rejected')
    expect(outbox.get(credit.id)!.error).toEqual({
      code: 'write_rejected',
      message: 'This Idempotency-Key was already used with a different request.'
    })
    expect(JSON.parse(row(f.db, credit.id).server_answer as string)).toMatchObject({ status: 409, code: 'idempotency_conflict' })
    expect(outbox.get(bad.id)!.state).toBe('rejected')
    expect(JSON.parse(row(f.db, bad.id).server_answer as string)).toMatchObject({ status: 400, code: 'invalid_amount' })
    expect(outbox.get(good.id)!.state).toBe('applied')
    // Only the direct request changed the credit; only the good top-up moved the balance.
    expect(serverClient(f.server, CLIENT)).toEqual({ ...before, credit: 100, balance: before.balance + 250 })
    const finance = outbox.finance(CLIENT)
    expect(finance.expectedCredit).toBe(finance.credit)
    expect(finance.balance).toBe(formatUnits(before.balance + 250, MONEY_SCALE))
    expect(finance.pending.map((p) => p.state)).toEqual(['rejected', 'rejected'])
  })
})

describe('outbox: offline, then sent when the platform is back', () => {
  it('stays pending with the reason, then goes out by itself with the same key', async () => {
    const f = await setup()
    const port = f.server.port
    const before = serverClient(f.server, CLIENT)
    await f.server.close()
    const outbox = f.outbox({ sendOnEnqueue: true })

    const item = outbox.topUp({ clientId: CLIENT, amount: '0.10', comment: 'offline' })
    outbox.topUp({ clientId: CLIENT, amount: '0.20', comment: 'offline' })
    outbox.setCredit({ clientId: CLIENT, amount: '42.5', notifyClient: false })
    await waitFor(() => (row(f.db, item.id).attempts as number) > 0 && row(f.db, item.id).state === 'pending')
    await outbox.idle()
    const waiting = outbox.get(item.id)!
    expect(waiting.state).toBe('pending')
    expect(waiting.error?.code).toBe('server_unreachable')
    const finance = outbox.finance(CLIENT)
    expect(finance.balance).toBe(formatUnits(before.balance, MONEY_SCALE))
    expect(finance.expectedBalance).toBe(formatUnits(before.balance + 30, MONEY_SCALE)) // exact: 0.10 + 0.20
    expect(finance.expectedCredit).toBe('42.50')
    expect(finance.pending.map((p) => p.state)).toEqual(['pending', 'pending', 'pending'])

    // The platform comes back on the same address (same seed: the same data); the retry timer sends.
    const back = await startServer({ port })
    await waitFor(() => outbox.pendingCount() === 0)
    await outbox.idle()
    expect(outbox.list(CLIENT).map((i) => i.state)).toEqual(['applied', 'applied', 'applied'])
    expect(outbox.get(item.id)!.error).toBeNull()
    expect(serverClient(back, CLIENT)).toEqual({ ...before, balance: before.balance + 30, credit: 4250 })
    expect(serverTopUps(back, CLIENT, 'Top-up: offline')).toHaveLength(2)
    const now = outbox.finance(CLIENT)
    expect(now.balance).toBe(formatUnits(before.balance + 30, MONEY_SCALE))
    expect(now.expectedBalance).toBe(now.balance)
    expect(now.credit).toBe('42.50')
    expect(now.pending).toEqual([])
  })

  it('a write with no platform address configured waits with not_configured', async () => {
    const f = await setup()
    f.url.value = ''
    const outbox = f.outbox()
    const item = outbox.setSubscription({ clientId: CLIENT, enabled: false })
    expect(await outbox.flush()).toEqual({ sent: 0, pending: 1 })
    expect(outbox.get(item.id)!.error?.code).toBe('not_configured')
    expect(outbox.get(item.id)!.attempts).toBe(0)
    f.url.value = f.server.url
    expect(await outbox.flush()).toEqual({ sent: 1, pending: 0 })
    expect(f.server.data.clients.get(CLIENT)!.sms_subscription).toBe(false)
  })

  it('a refused token keeps the write pending (unauthorized) until the token is right', async () => {
    const f = await setup({ token: 'platform-token' })
    f.url.token = 'wrong'
    const outbox = f.outbox()
    const item = outbox.setCredit({ clientId: CLIENT, amount: '12.34', notifyClient: false })
    expect(await outbox.flush()).toEqual({ sent: 0, pending: 1 })
    expect(outbox.get(item.id)).toMatchObject({ state: 'pending', attempts: 1, error: { code: 'unauthorized' } })
    f.url.token = 'platform-token'
    expect(await outbox.flush()).toEqual({ sent: 1, pending: 0 })
    expect(f.server.data.clients.get(CLIENT)!.credit).toBe('12.34')
  })
})

describe('outbox: one sender, each write applied once', () => {
  it('two identical clicks are two writes, each applied once; concurrent flushes share one sender', async () => {
    const f = await setup()
    const outbox = f.outbox()
    const before = serverClient(f.server, CLIENT)
    const a = outbox.topUp({ clientId: CLIENT, amount: '10', comment: 'twice' })
    const b = outbox.topUp({ clientId: CLIENT, amount: '10', comment: 'twice' })
    expect(a.id).not.toBe(b.id)
    const flushes = [outbox.flush(), outbox.flush(), outbox.flush()]
    expect(flushes[1]).toBe(flushes[0])
    const results = await Promise.all(flushes)
    expect(results[0]).toEqual({ sent: 2, pending: 0 })
    expect(f.server.hits['clients.topUp']).toBe(2)
    expect(serverClient(f.server, CLIENT).balance).toBe(before.balance + 2000)
    expect(serverTopUps(f.server, CLIENT, 'Top-up: twice')).toHaveLength(2)
    // Again and again: nothing is sent twice.
    await outbox.flush()
    await outbox.flush()
    expect(f.server.hits['clients.topUp']).toBe(2)
  })

  it("a write left 'sending' by a killed process goes out again with the same key and applies once", async () => {
    const f = await setup()
    const outbox = f.outbox()
    const before = serverClient(f.server, CLIENT)
    // One write reached the platform before the process died; the other never left.
    const reached = outbox.topUp({ clientId: CLIENT, amount: '77.70', comment: 'killed' })
    const unsent = outbox.setCredit({ clientId: CLIENT, amount: '900', notifyClient: false })
    const res = await fetch(`${f.server.url}/api/v1/clients/${CLIENT}/top-up/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': reached.id },
      body: JSON.stringify({ amount: '77.70', comment: 'killed' })
    })
    expect(res.status).toBe(201)
    f.db.prepare("UPDATE outbox SET state = 'sending', attempts = 1").run()
    outbox.stop()
    f.db.close()

    // The next start.
    f.db = openDatabase(f.file)
    const again = f.outbox()
    expect(again.get(reached.id)!.state).toBe('pending')
    expect(again.get(unsent.id)!.state).toBe('pending')
    expect(again.finance(CLIENT).expectedCredit).toBe('900.00')
    expect(await again.flush()).toEqual({ sent: 2, pending: 0 })
    expect(again.get(reached.id)).toMatchObject({ state: 'applied', attempts: 2 })
    expect(again.get(unsent.id)).toMatchObject({ state: 'applied', attempts: 2 })
    expect(serverClient(f.server, CLIENT)).toEqual({ ...before, balance: before.balance + 7770, credit: 90_000 })
    expect(serverTopUps(f.server, CLIENT, 'Top-up: killed')).toHaveLength(1)
    expect(localClient(f.db, CLIENT).balance).toBe(before.balance + 7770)
  })

  it('starts by itself after a restart when writes are pending', async () => {
    const f = await setup()
    const first = f.outbox()
    const item = first.topUp({ clientId: CLIENT, amount: '5', comment: 'restart' })
    first.stop()
    f.db.close()
    f.db = openDatabase(f.file)
    const second = f.outbox({ startDelayMs: 10 })
    await waitFor(() => second.get(item.id)?.state === 'applied')
    expect(serverTopUps(f.server, CLIENT, 'Top-up: restart')).toHaveLength(1)
  })
})

describe('outbox through the backend', () => {
  it('validates amounts and clients, shows the write at once as pending, sends it and tells the UI', async () => {
    const tmp = tempDir()
    const server = await startServer()
    const dataDir = path.join(tmp.dir, 'data')
    const backend = createBackend({ dataDir, box: keyFileBox(dataDir), mode: 'browser', version: 'test' })
    cleanup.push(async () => {
      await backend.close()
      tmp.cleanup()
    })
    const events: [string, unknown][] = []
    backend.subscribe((event, payload) => void events.push([event, payload]))
    const call = (channel: string, input: unknown) => backend.dispatch(channel, input)
    expect((await call('settings.save', { connections: { platform: { url: server.url } } })).ok).toBe(true)
    expect((await call('sync.start', {})).ok).toBe(true)

    for (const [amount, reason] of [
      ['0', 'amount_positive'],
      ['0.00', 'amount_positive'],
      ['-5', 'amount_format'],
      ['1.234', 'amount_decimals'],
      ['1e3', 'amount_format'],
      ['12,50', 'amount_format'],
      ['', 'amount_format'],
      ['1000000.01', 'amount_max'],
      ['99999999', 'amount_max'],
      ['1234567890'.repeat(4), 'amount_max']
    ]) {
      const r = await call('clients.topUp', { clientId: CLIENT, amount, comment: '' })
      expect(r, amount).toEqual({ ok: false, error: { code: 'invalid_input', message: `amount: ${reason}`, params: { field: 'amount' } } })
    }
    expect(await call('clients.topUp', { clientId: CLIENT, amount: 5 })).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    expect(await call('clients.setCredit', { clientId: CLIENT, amount: '-1' })).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    expect(await call('clients.topUp', { clientId: 0, amount: '5' })).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    expect(await call('clients.topUp', { clientId: 424242, amount: '5' })).toMatchObject({ ok: false, error: { code: 'not_found' } })
    expect(backend.db.prepare('SELECT count(*) FROM outbox').pluck().get()).toBe(0)

    const before = serverClient(server, CLIENT)
    const r = await call('clients.topUp', { clientId: CLIENT, amount: ' 1000000.00 ', comment: ' big one ' })
    expect(r.ok).toBe(true)
    const item = (r as { value: OutboxItem }).value
    expect(item).toMatchObject({ kind: 'top_up', clientId: CLIENT, state: 'pending', attempts: 0, error: null })
    expect(item.payload).toEqual({ amount: '1000000.00', comment: 'big one' })
    const credit = await call('clients.setCredit', { clientId: CLIENT, amount: '0' })
    expect(credit).toMatchObject({ ok: true, value: { kind: 'set_credit', payload: { amount: '0.00', notifyClient: false } } })
    expect(events).toContainEqual(['outbox.changed', { clientId: CLIENT }])

    // Sent by itself right after it was stored; outbox.flush waits for the sender.
    await waitFor(() => backend.db.prepare("SELECT count(*) FROM outbox WHERE state = 'applied'").pluck().get() === 2)
    expect(await call('outbox.flush', {})).toEqual({ ok: true, value: { sent: 0, pending: 0 } })
    expect(serverClient(server, CLIENT)).toEqual({ ...before, balance: before.balance + 100_000_000, credit: 0 })
    const listed = await call('outbox.list', { clientId: CLIENT })
    expect((listed as { value: OutboxItem[] }).value.map((i) => [i.kind, i.state])).toEqual([
      ['top_up', 'applied'],
      ['set_credit', 'applied']
    ])
    const finance = (await call('clients.finance', { clientId: CLIENT })) as { ok: true; value: { balance: string; credit: string } }
    expect(finance.value.balance).toBe(server.data.clients.get(CLIENT)!.balance)
    expect(finance.value.credit).toBe('0.00')
    expect(events).toContainEqual(['data.changed', { tables: ['clients', 'transactions'] }])
  })
})
