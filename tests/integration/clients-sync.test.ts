import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Db } from '../../src/backend/db/connection'
import { ClientsRepo } from '../../src/backend/db/clients'
import { SyncStateRepo } from '../../src/backend/db/syncState'
import { startReferenceServer, type ReferenceServer } from '../../src/refserver/server'
import { formatUnits, MONEY_SCALE, PRICE_SCALE } from '../../src/shared/money'
import { openTestDb, tempDir, testEngine } from '../helpers'

let tmp: ReturnType<typeof tempDir>
let db: Db
let server: ReferenceServer

beforeEach(async () => {
  tmp = tempDir()
  db = openTestDb(tmp.dir)
  server = await startReferenceServer({ seed: 3, clients: 1234, now: Date.parse('2026-11-01T00:00:00Z') })
})
afterEach(async () => {
  await server.close()
  db.close()
  tmp.cleanup()
})

interface StoredClient {
  id: number
  login: string
  company: string
  name: string
  sms_price: number
  balance: number
  credit: number
  currency: string
  channel: string
  email: string
  property_type: string
  registered_at: string
  last_login_at: string | null
  activation_required: number
  sms_subscription: number
  updated_at: string
}

/** Every stored client equals the server's record, field by field, money to the cent. */
function expectSameAsServer(): void {
  const local = db.prepare('SELECT * FROM clients ORDER BY id').all() as StoredClient[]
  const remote = [...server.data.clients.all()].sort((a, b) => a.id - b.id)
  expect(local.length).toBe(remote.length)
  remote.forEach((r, i) => {
    const l = local[i]
    expect(l.id).toBe(r.id)
    expect(l.login).toBe(r.login)
    expect(l.company).toBe(r.company)
    expect(l.name).toBe(r.name)
    expect(formatUnits(l.sms_price, PRICE_SCALE)).toBe(r.sms_price)
    expect(formatUnits(l.balance, MONEY_SCALE)).toBe(r.balance)
    expect(formatUnits(l.credit, MONEY_SCALE)).toBe(r.credit)
    expect(l.currency).toBe(r.currency)
    expect(l.channel).toBe(r.channel)
    expect(l.email).toBe(r.email)
    expect(l.property_type).toBe(r.property_type)
    expect(l.registered_at).toBe(r.registered_at)
    expect(l.last_login_at).toBe(r.last_login_at)
    expect(l.activation_required === 1).toBe(r.activation_required)
    expect(l.sms_subscription === 1).toBe(r.sms_subscription)
    expect(l.updated_at).toBe(r.updated_at)
  })
}

describe('clients sync against the reference server', () => {
  it('pulls every page and stores exactly the server data', async () => {
    const summary = await testEngine(db, { platform: { url: server.url } }).run()
    const s = summary.streams['platform.clients']
    expect(s.error).toBeNull()
    expect(s).toMatchObject({ fetched: 1234, inserted: 1234, updated: 0, rejected: 0 })
    expect(server.hits['clients.list']).toBe(Math.ceil(1234 / 100))
    expectSameAsServer()
  })

  it('re-sync changes nothing, and a full re-read from scratch finds nothing to update', async () => {
    const engine = testEngine(db, { platform: { url: server.url } })
    await engine.run()
    const again = await engine.run()
    expect(again.streams['platform.clients']).toMatchObject({ fetched: 0, inserted: 0, updated: 0 })
    db.prepare('UPDATE sync_state SET cursor = NULL').run()
    const full = await engine.run()
    expect(full.streams['platform.clients']).toMatchObject({ fetched: 1234, inserted: 0, updated: 0, unchanged: 1234 })
    expectSameAsServer()
  })

  it('picks up records changed on the server since the last sync', async () => {
    const engine = testEngine(db, { platform: { url: server.url } })
    await engine.run()
    const c = server.data.clients.get(17)!
    server.data.clients.put({ ...c, balance: '10.01', company: 'ООО «Новое имя»' })
    const s = await engine.run()
    expect(s.streams['platform.clients']).toMatchObject({ fetched: 1, inserted: 0, updated: 1 })
    const local = new ClientsRepo(db).get(17)
    expect(local.balance).toBe('10.01')
    expect(local.company).toBe('ООО «Новое имя»')
    expectSameAsServer()
  })

  it('rejects a malformed record with its reason, counts it and never stores it', async () => {
    // Records the server keeps sending broken: a balance with three decimals, a missing login.
    const a = server.data.clients.get(10)!
    const b = server.data.clients.get(20)!
    server.data.clients.put({ ...a, balance: '12.345' })
    const { login: _drop, ...noLogin } = b
    server.data.clients.put(noLogin as typeof b)
    const summary = await testEngine(db, { platform: { url: server.url } }).run()
    const s = summary.streams['platform.clients']
    // Reported, not skipped silently: the stream says how many it could not read.
    expect(s.error?.code).toBe('records_unreadable')
    expect(s.error?.message).toMatch(/2 record/)
    expect(s.rejected).toBe(2)
    expect(s.inserted).toBe(1232)
    const rejects = new SyncStateRepo(db).rejects('platform.clients')
    expect(rejects.map((r) => r.reason).sort()).toEqual([
      'balance: expected a decimal with at most 2 decimals',
      'login: Invalid input: expected string, received undefined'
    ])
    expect(JSON.parse(rejects.find((r) => r.reason.startsWith('balance'))!.payload).id).toBe(10)
    expect(db.prepare('SELECT count(*) FROM clients WHERE id IN (10, 20)').pluck().get()).toBe(0)
  })

  it('reads a page with passing damage (malformed or null records) again and ends exact', async () => {
    server.faults.set({ kinds: ['malformed', 'null'], rate: 0.5 })
    const engine = testEngine(db, { platform: { url: server.url } })
    const first = await engine.run()
    const s = first.streams['platform.clients']
    expect((server.faults.counts.malformed ?? 0) + (server.faults.counts.null ?? 0)).toBeGreaterThan(20)
    // Whatever was still damaged after the re-reads is quarantined, never stored.
    expect(new SyncStateRepo(db).rejects('platform.clients').length).toBe(s.rejected)
    const local = db.prepare('SELECT id, login, balance FROM clients').all() as { id: number; login: string; balance: number }[]
    for (const l of local) {
      const remote = server.data.clients.get(l.id)!
      expect(l.login).toBe(remote.login)
      expect(formatUnits(l.balance, MONEY_SCALE)).toBe(remote.balance)
    }
    expect(local.length + s.rejected).toBeGreaterThanOrEqual(1234)
  })

  it('reports an unreachable server clearly and leaves the local data as it was', async () => {
    const engine = testEngine(db, { platform: { url: server.url } })
    await engine.run()
    const before = db.prepare('SELECT * FROM clients ORDER BY id').all()
    const url = server.url
    await server.close()
    const down = await testEngine(db, { platform: { url } }, { retries: 2 }).run()
    const s = down.streams['platform.clients']
    expect(s.error?.code).toBe('server_unreachable')
    expect(s.error?.message).toContain(url)
    expect(s.retries).toBe(2)
    expect(db.prepare('SELECT * FROM clients ORDER BY id').all()).toEqual(before)
    const state = new SyncStateRepo(db).states([{ name: 'platform.clients', source: 'platform' }], {})[0]
    expect(state.lastError?.code).toBe('server_unreachable')
    expect(state.lastSuccessAt).not.toBeNull()
    server = await startReferenceServer({ clients: 1 }) // for afterEach
  })

  it('searches, sorts and pages the synced clients', async () => {
    await testEngine(db, { platform: { url: server.url } }).run()
    const repo = new ClientsRepo(db)
    const first = repo.list({ search: '', sort: 'id', order: 'desc', page: 1, pageSize: 10 })
    expect(first.total).toBe(1234)
    expect(first.rows.map((r) => r.id)).toEqual([1234, 1233, 1232, 1231, 1230, 1229, 1228, 1227, 1226, 1225])
    const page3 = repo.list({ search: '', sort: 'id', order: 'asc', page: 3, pageSize: 20 })
    expect(page3.rows[0].id).toBe(41)
    const byBalance = repo.list({ search: '', sort: 'balance', order: 'desc', page: 1, pageSize: 50 })
    const balances = byBalance.rows.map((r) => Number(r.balance))
    expect([...balances].sort((a, b) => b - a)).toEqual(balances)
    // Case-insensitive search in Cyrillic, on company and name.
    const some = server.data.clients.all().find((c) => /[А-Яа-я]/.test(c.name))!
    const word = some.name.split(' ')[0].toUpperCase()
    const found = repo.list({ search: word, sort: 'id', order: 'asc', page: 1, pageSize: 500 })
    const expected = server.data.clients.all().filter((c) =>
      `${c.id} ${c.login} ${c.company} ${c.name}`.toLowerCase().includes(word.toLowerCase())
    )
    expect(found.total).toBe(expected.length)
    // Hostile search strings are plain text.
    for (const hostile of ["%", "_", "' OR 1=1 --", '"; DROP TABLE clients; --', '\u0000', '*']) {
      expect(repo.list({ search: hostile, sort: 'id', order: 'asc', page: 1, pageSize: 10 }).total).toBe(0)
    }
    expect(repo.count()).toBe(1234)
  })
})
