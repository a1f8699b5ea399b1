/**
 * The statistics engine against a naive recomputation: after random inserts, status updates
 * (into a bucket and back), parts, cost, day, sender, operator, channel and client changes,
 * deletes and client currency changes, every grouping for one client and for all clients,
 * over several periods, equals what a plain pass over the raw messages gives. Then the same
 * through a real sync against the reference server, as delivery reports land.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { clientRowFromWire, clientsUpserter } from '../../src/backend/db/clients'
import type { Db } from '../../src/backend/db/connection'
import { messagesUpserter } from '../../src/backend/db/messages'
import type { Row } from '../../src/backend/db/upsert'
import { planPeriod } from '../../src/backend/stats/engine'
import { statsHandlers } from '../../src/backend/stats/handlers'
import { clientWireSchema } from '../../src/backend/sync/sources/platformSchemas'
import { generateClients } from '../../src/refserver/generate'
import { Rng } from '../../src/refserver/random'
import { startReferenceServer, type ReferenceServer } from '../../src/refserver/server'
import { statsQuerySchema, type StatsQuery } from '../../src/shared/contract'
import { PRICE_SCALE, parseDecimal } from '../../src/shared/money'
import { statusBucket } from '../../src/shared/status'
import { STATS_GROUPS, type StatsResult } from '../../src/shared/types'
import { openTestDb, tempDir, testEngine } from '../helpers'

/** A message as the naive recomputation sees it. */
interface RawMessage {
  client_id: number
  channel: string
  sender: string
  country: string
  operator: string
  bucket: string
  parts: number
  cost: number
  created_at: string
}

type Expected = Omit<StatsResult, 'ms'>

function fmtPrice(units: bigint): string {
  const neg = units < 0n
  const digits = (neg ? -units : units).toString().padStart(PRICE_SCALE + 1, '0')
  return `${neg ? '-' : ''}${digits.slice(0, -PRICE_SCALE)}.${digits.slice(-PRICE_SCALE)}`
}

/**
 * The definitions, applied message by message: sent parts = parts of every bucket but pending
 * and deleted; delivered parts = parts in delivered; price = every message's cost; per the
 * client's currency ('' for an unknown client); day = created_at's UTC day; sender = sms,
 * Viber sender = viber, viber_pr, viber_tx.
 */
function naive(messages: RawMessage[], currencies: Map<number, string>, q: StatsQuery): Expected {
  const groups = new Map<string, { key: string; currency: string; sent: number; delivered: number; cost: bigint }>()
  for (const m of messages) {
    const day = m.created_at.slice(0, 10)
    if (day < q.from || day > q.to) continue
    if (q.clientId !== null && m.client_id !== q.clientId) continue
    if (q.group === 'sender' && m.channel !== 'sms') continue
    if (q.group === 'viber-sender' && !['viber', 'viber_pr', 'viber_tx'].includes(m.channel)) continue
    const key = { day, operator: `${m.country}|${m.operator}`, sender: m.sender, 'viber-sender': m.sender, country: m.country }[q.group]
    const currency = currencies.get(m.client_id) ?? ''
    const id = JSON.stringify([key, currency])
    const g = groups.get(id) ?? { key, currency, sent: 0, delivered: 0, cost: 0n }
    if (m.bucket !== 'pending' && m.bucket !== 'deleted') g.sent += m.parts
    if (m.bucket === 'delivered') g.delivered += m.parts
    g.cost += BigInt(m.cost)
    groups.set(id, g)
  }
  const eff = (s: number, d: number) => (s > 0 ? d / s : null)
  const rows = [...groups.values()]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0))
    .map((g) => ({ key: g.key, sentParts: g.sent, deliveredParts: g.delivered, efficiency: eff(g.sent, g.delivered), price: fmtPrice(g.cost), currency: g.currency }))
  const totals = new Map<string, { sent: number; delivered: number; cost: bigint }>()
  for (const g of groups.values()) {
    const t = totals.get(g.currency) ?? { sent: 0, delivered: 0, cost: 0n }
    t.sent += g.sent
    t.delivered += g.delivered
    t.cost += g.cost
    totals.set(g.currency, t)
  }
  return {
    group: q.group,
    clientId: q.clientId,
    from: q.from,
    to: q.to,
    rows,
    totals: [...totals.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([currency, t]) => ({ sentParts: t.sent, deliveredParts: t.delivered, efficiency: eff(t.sent, t.delivered), price: fmtPrice(t.cost), currency }))
  }
}

function localMessages(db: Db): RawMessage[] {
  return db.prepare('SELECT client_id, channel, sender, country, operator, bucket, parts, cost, created_at FROM messages').all() as RawMessage[]
}

function localCurrencies(db: Db): Map<number, string> {
  return new Map((db.prepare('SELECT id, currency FROM clients').all() as { id: number; currency: string }[]).map((c) => [c.id, c.currency]))
}

/** Every grouping, for all clients and each of `clients`, over each period, equals the naive pass. */
async function expectSameAsNaive(db: Db, clients: (number | null)[], periods: [string, string][], messages = localMessages(db), currencies = localCurrencies(db)): Promise<number> {
  const handlers = statsHandlers({ db })
  let checked = 0
  for (const [from, to] of periods) {
    for (const group of STATS_GROUPS) {
      for (const clientId of clients) {
        const q = statsQuerySchema.parse({ group, clientId, from, to })
        const { ms, ...got } = await handlers['stats.query'](q)
        expect(ms).toBeGreaterThanOrEqual(0)
        expect(got, `${group} client ${clientId} ${from}..${to}`).toEqual(naive(messages, currencies, q))
        checked += got.rows.length
      }
    }
  }
  return checked
}

/** The aggregate tables hold no negative sums, and no row that changes emptied. */
function expectTidyAggregates(db: Db): void {
  for (const t of ['stats_client_day', 'stats_geo_day', 'stats_geo_month', 'stats_sender_month']) {
    const bad = db.prepare(`SELECT count(*) FROM ${t} WHERE messages < 0 OR sent_parts < 0 OR delivered_parts < 0 OR cost < 0 OR delivered_parts > sent_parts OR messages = 0`).pluck().get()
    expect(bad, t).toBe(0)
  }
}

let tmp: ReturnType<typeof tempDir>
let db: Db

beforeEach(() => {
  tmp = tempDir('smsdesk-stats-')
  db = openTestDb(tmp.dir)
})
afterEach(() => {
  db.close()
  tmp.cleanup()
})

describe('period plan', () => {
  const day = (s: string) => Date.parse(`${s}T00:00:00Z`) / 86_400_000
  it('reads whole months from the month tables and at most half a month of days at each end', () => {
    expect(planPeriod(day('2026-01-01'), day('2026-03-31'))).toEqual({ days: [], months: ['2026-01', '2026-02', '2026-03'], minusDays: [] })
    const p = planPeriod(day('2026-01-03'), day('2026-03-05'))
    expect(p.months).toEqual(['2026-01', '2026-02'])
    expect(p.minusDays).toEqual(['2026-01-01', '2026-01-02'])
    expect(p.days).toEqual(['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05'])
    const rolling = planPeriod(day('2025-10-16'), day('2026-10-15'))
    expect(rolling.days.length + rolling.minusDays.length).toBeLessThanOrEqual(32)
  })
})

describe('statistics equal a naive recomputation from raw rows', () => {
  const CURRENCIES = ['KZT', 'RUB', 'EUR', 'BGN']
  const CHANNELS = ['sms', 'sms', 'sms', 'voice', 'viber', 'viber_pr', 'viber_tx']
  const STATUSES = ['ACCEPTED', 'QUEUED', 'ENROUTE', 'SENT', 'DELIVERED_TO_OPERATOR', 'DELIVRD', 'READ', 'UNDELIV', 'EXPIRED', 'REJECTD', 'DELETED', 'UNKNOWN']
  const OPERATORS: Record<string, string[]> = { KZ: ['Kcell', 'Beeline KZ', 'Tele2 KZ'], RU: ['MTS', 'MegaFon'], DE: ['Telekom', 'O2'], BG: ['A1 Bulgaria'] }
  const START = Date.parse('2026-01-20T00:00:00Z')
  const SPAN_DAYS = 80 // into April: months cut at both ends
  const PERIODS: [string, string][] = [
    ['2026-01-01', '2026-12-31'], // everything
    ['2026-01-20', '2026-01-20'], // one day
    ['2026-01-25', '2026-03-03'], // partial months at both ends, a whole one between
    ['2026-02-01', '2026-02-28'], // exactly a month
    ['2026-01-31', '2026-04-09'], // a month read whole minus its days outside
    ['2026-02-03', '2026-02-27'], // most of one month
    ['2026-06-01', '2026-06-30'] // no data
  ]

  function clientRecord(rng: Rng, id: number, currency: string): Row {
    const base = generateClients({ seed: id, clients: 1, now: START })[0]
    return clientRowFromWire(clientWireSchema.parse({ ...base, id, currency, updated_at: new Date(START + rng.int(0, 1e9)).toISOString() }))
  }

  function randomMessage(rng: Rng, id: number, clients: number): Row {
    const channel = rng.pick(CHANNELS)
    const country = rng.pick(Object.keys(OPERATORS))
    const status = rng.pick(STATUSES)
    const created = START + Math.floor(rng.next() * SPAN_DAYS * 86_400_000)
    const parts = channel === 'sms' ? rng.int(1, 4) : 1
    return {
      id,
      client_id: rng.int(1, clients),
      user: 'u_api',
      source: 'api',
      channel,
      sender: channel === 'voice' ? '77010000000' : rng.pick(channel === 'sms' ? ['SHOP', 'INFO', 'Bank|1'] : ['Shop Viber', 'Promo']),
      recipient: '77011234567',
      country,
      operator: rng.pick(OPERATORS[country]),
      status,
      bucket: statusBucket(status),
      parts,
      cost: parts * rng.int(0, 900),
      text: 'text',
      created_at: new Date(created).toISOString(),
      sent_at: null,
      finished_at: null,
      campaign_id: null,
      idx: null,
      updated_at: new Date(created).toISOString()
    }
  }

  /** A later version of a message: usually a delivery report, sometimes any other change. */
  function changed(rng: Rng, m: Row, version: number, clients: number): Row {
    const next: Row = { ...m, updated_at: new Date(Date.parse('2027-01-01T00:00:00Z') + version * 1000).toISOString() }
    const what = rng.next()
    if (what < 0.6) {
      next.status = rng.pick(STATUSES)
      next.bucket = statusBucket(next.status as string)
    } else if (what < 0.68) {
      next.parts = rng.int(1, 6)
      next.cost = (next.parts as number) * rng.int(0, 900)
    } else if (what < 0.74) {
      next.cost = rng.int(0, 5000)
    } else if (what < 0.8) {
      // Another day, maybe another month.
      next.created_at = new Date(START + Math.floor(rng.next() * SPAN_DAYS * 86_400_000)).toISOString()
    } else if (what < 0.85) {
      // The same day, another time: keys unchanged.
      next.created_at = (m.created_at as string).slice(0, 11) + '23:59:59.999Z'
    } else if (what < 0.9) {
      next.sender = rng.pick(['SHOP', 'INFO', 'Other', 'Shop Viber'])
    } else if (what < 0.94) {
      next.country = rng.pick(Object.keys(OPERATORS))
      next.operator = rng.pick(OPERATORS[next.country as string])
    } else if (what < 0.97) {
      next.channel = rng.pick(CHANNELS)
    } else {
      next.client_id = rng.int(1, clients)
    }
    return next
  }

  it('after random inserts, status updates, changes, deletes and currency changes', async () => {
    const rng = new Rng(20260101)
    const CLIENTS = 12
    const clientsUp = clientsUpserter(db)
    const up = messagesUpserter(db)
    // Clients 1..9 are known from the start, 10..12 arrive after their messages.
    db.transaction(() => clientsUp.write(Array.from({ length: 9 }, (_, i) => clientRecord(rng, i + 1, CURRENCIES[i % CURRENCIES.length]))))()
    const current = new Map<number, Row>()
    let nextId = 0
    let version = 0
    const insert = (n: number) => {
      const rows = Array.from({ length: n }, () => randomMessage(rng, ++nextId, CLIENTS))
      db.transaction(() => up.write(rows))()
      for (const r of rows) current.set(r.id as number, r)
    }
    const update = (n: number) => {
      const ids = [...current.keys()]
      const rows: Row[] = []
      for (let i = 0; i < n; i++) {
        const id = rng.pick(ids)
        const next = changed(rng, current.get(id)!, ++version, CLIENTS)
        rows.push(next)
        current.set(id, next)
      }
      // Batches of the sync's size, each in its own transaction (a message may recur in a batch).
      for (let i = 0; i < rows.length; i += 100) db.transaction(() => up.write(rows.slice(i, i + 100)))()
    }
    const checkClients = [null, 1, 2, 7, 10, 99]

    insert(1500)
    expectTidyAggregates(db)
    expect(await expectSameAsNaive(db, checkClients, PERIODS)).toBeGreaterThan(0)

    for (let round = 0; round < 6; round++) {
      update(400)
      insert(200)
      // A status moves away and back within one transaction: counted once at the end.
      const m = current.get(rng.pick([...current.keys()]))!
      db.transaction(() => {
        up.write([{ ...m, status: 'DELIVRD', bucket: 'delivered', updated_at: `2028-01-01T00:00:0${round}.000Z` }])
        up.write([{ ...m, status: 'UNDELIV', bucket: 'errors', updated_at: `2028-01-01T00:00:1${round}.000Z` }])
        up.write([{ ...m, updated_at: `2028-01-01T00:00:2${round}.000Z` }])
      })()
      // Deletes (no write path deletes messages today; the triggers keep the sums exact anyway).
      const del = db.prepare('DELETE FROM messages WHERE id = ?')
      db.transaction(() => {
        for (let i = 0; i < 20; i++) {
          const victim = rng.int(1, nextId)
          if (del.run(victim).changes) current.delete(victim)
        }
      })()
      if (round === 1) {
        // Late clients arrive: their messages move from currency '' to theirs.
        db.transaction(() => clientsUp.write([10, 11, 12].map((i) => clientRecord(rng, i, CURRENCIES[i % CURRENCIES.length]))))()
      }
      if (round === 3) {
        // A client changes currency; another is deleted (its messages fall back to '').
        db.prepare("UPDATE clients SET currency = 'UZS' WHERE id = 2").run()
        db.prepare('DELETE FROM clients WHERE id = 11').run()
      }
      expectTidyAggregates(db)
      await expectSameAsNaive(db, checkClients, PERIODS)
    }
    // The local table is what the writes say it is (the oracle reads the raw rows).
    expect(db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(current.size)
  })

  it('counts a message that turns delivered exactly once, and a re-sent unchanged row not at all', async () => {
    const rng = new Rng(7)
    db.transaction(() => clientsUpserter(db).write([clientRecord(rng, 1, 'KZT')]))()
    const up = messagesUpserter(db)
    const m = randomMessage(rng, 1, 1)
    Object.assign(m, { channel: 'sms', sender: 'SHOP', parts: 3, cost: 4500, status: 'ACCEPTED', bucket: 'pending', created_at: '2026-02-10T10:00:00.000Z' })
    const q = { group: 'sender' as const, clientId: 1, from: '2026-02-01', to: '2026-02-28' }
    const handlers = statsHandlers({ db })
    db.transaction(() => up.write([m]))()
    expect((await handlers['stats.query'](q)).rows).toEqual([{ key: 'SHOP', sentParts: 0, deliveredParts: 0, efficiency: null, price: '0.4500', currency: 'KZT' }])
    const sent = { ...m, status: 'ENROUTE', bucket: 'sent', updated_at: '2026-02-10T10:00:01.000Z' }
    const delivered = { ...m, status: 'DELIVRD', bucket: 'delivered', updated_at: '2026-02-10T10:00:05.000Z' }
    const read = { ...m, status: 'READ', bucket: 'delivered', updated_at: '2026-02-10T11:00:00.000Z' }
    for (const v of [sent, delivered, delivered, read, read]) db.transaction(() => up.write([v]))()
    const r = await handlers['stats.query'](q)
    expect(r.rows).toEqual([{ key: 'SHOP', sentParts: 3, deliveredParts: 3, efficiency: 1, price: '0.4500', currency: 'KZT' }])
    expect(r.totals).toEqual([{ sentParts: 3, deliveredParts: 3, efficiency: 1, price: '0.4500', currency: 'KZT' }])
    const all = await handlers['stats.query']({ ...q, clientId: null })
    expect(all.rows).toEqual(r.rows)
  })

  it('keeps the sums exact for writes that bypass the batch writer, and after a batch that failed', async () => {
    const rng = new Rng(99)
    db.transaction(() => clientsUpserter(db).write([1, 2, 3].map((i) => clientRecord(rng, i, CURRENCIES[i]))))()
    const up = messagesUpserter(db)
    const rows = Array.from({ length: 300 }, (_, i) => randomMessage(rng, i + 1, 3))
    db.transaction(() => up.write(rows))()
    expect(db.prepare('SELECT batched FROM stats_writer').pluck().get()).toBe(0)
    // Plain SQL, as an edit by hand would be: the triggers count it.
    const cols = Object.keys(rows[0])
    const insert = db.prepare(`INSERT INTO messages (${cols.join(', ')}) VALUES (${cols.map((c) => '@' + c).join(', ')})`)
    db.transaction(() => {
      for (let i = 0; i < 50; i++) insert.run(randomMessage(rng, 1000 + i, 3))
      db.prepare("UPDATE messages SET bucket = 'delivered', status = 'DELIVRD' WHERE id % 7 = 0").run()
      db.prepare("UPDATE messages SET created_at = '2026-02-15T00:00:00.000Z', sender = 'MOVED' WHERE id % 11 = 0").run()
    })()
    expectTidyAggregates(db)
    await expectSameAsNaive(db, [null, 1, 3], PERIODS)

    // A batch that fails half-way (its 2nd row breaks a NOT NULL) in a transaction of its own
    // leaves nothing behind; inside a transaction that goes on, its 1st row stays and is counted.
    const bad = (id: number) => [randomMessage(rng, id, 3), { ...randomMessage(rng, id + 1, 3), text: null }]
    expect(() => up.write(bad(5000))).toThrow(/NOT NULL/)
    db.transaction(() => {
      expect(() => up.write(bad(5100))).toThrow(/NOT NULL/)
      insert.run(randomMessage(rng, 6000, 3)) // counted by the triggers: the flag is down again
    })()
    const stored = db.prepare('SELECT id FROM messages WHERE id IN (5000, 5001, 5100, 5101, 6000) ORDER BY id').pluck().all()
    expect(stored).toEqual([5100, 6000])
    expect(db.prepare('SELECT batched FROM stats_writer').pluck().get()).toBe(0)
    expectTidyAggregates(db)
    await expectSameAsNaive(db, [null, 1, 2, 3], PERIODS)
  })

  it('refuses a period that ends before it starts', async () => {
    const handlers = statsHandlers({ db })
    await expect(async () => handlers['stats.query']({ group: 'day', clientId: null, from: '2026-02-02', to: '2026-02-01' })).rejects.toMatchObject({ code: 'invalid_input' })
  })
})

describe('statistics through a real sync, as delivery reports land', () => {
  let server: ReferenceServer
  const NOW = Date.parse('2026-11-01T12:00:00Z')

  beforeEach(async () => {
    server = await startReferenceServer({ seed: 5, clients: 60, messages: 6000, days: 40, now: NOW, namesPerClient: 2, transactions: 1 })
  })
  afterEach(async () => {
    await server.close()
  })

  /** The server's own records, as the oracle: bucket from the raw status, cost parsed exactly. */
  function serverMessages(): RawMessage[] {
    return server.data.messages.all().map((m) => ({
      client_id: m.client_id,
      channel: m.channel,
      sender: m.sender,
      country: m.country,
      operator: m.operator,
      bucket: statusBucket(m.status),
      parts: m.parts,
      cost: parseDecimal(m.cost, PRICE_SCALE)!,
      created_at: m.created_at
    }))
  }

  function serverCurrencies(): Map<number, string> {
    return new Map([...server.data.clients.all()].map((c) => [c.id, c.currency]))
  }

  it('equals the raw rows after the first sync and after each later one', async () => {
    const engine = testEngine(db, { platform: { url: server.url } }, { pageSize: 500 })
    const periods: [string, string][] = [
      ['2026-09-01', '2026-11-30'],
      ['2026-10-20', '2026-11-01'],
      ['2026-11-01', '2026-11-01'],
      ['2026-09-23', '2026-10-31']
    ]
    const someClients = [null, ...[...new Set(server.data.messages.all().slice(0, 400).map((m) => m.client_id))].slice(0, 3)]
    const delivered = async () => (await statsHandlers({ db })['stats.query']({ group: 'day', clientId: null, from: '2026-01-01', to: '2026-12-31' })).totals.reduce((n, t) => n + t.deliveredParts, 0)

    let summary = await engine.run()
    expect(summary.streams['platform.messages'].error).toBeNull()
    await expectSameAsNaive(db, someClients, periods)
    await expectSameAsNaive(db, someClients, periods, serverMessages(), serverCurrencies())
    const pendingBefore = server.data.messages.pendingCount()
    const deliveredBefore = await delivered()

    let updated = 0
    for (const ms of [30_000, 10 * 60_000, 6 * 3_600_000, 3 * 86_400_000]) {
      server.advance(ms)
      summary = await engine.run()
      expect(summary.streams['platform.messages'].error).toBeNull()
      updated += summary.streams['platform.messages'].updated
      await expectSameAsNaive(db, someClients, periods)
      await expectSameAsNaive(db, someClients, periods, serverMessages(), serverCurrencies())
    }
    // Delivery reports did land, and moved parts into delivered.
    expect(server.data.messages.pendingCount()).toBeLessThan(pendingBefore)
    expect(updated).toBeGreaterThan(0)
    expect(await delivered()).toBeGreaterThan(deliveredBefore)
    expectTidyAggregates(db)
  })
})

describe('a database synced before the statistics migration', () => {
  it('gets its existing messages counted when the migration runs', async () => {
    const { openDatabase } = await import('../../src/backend/db/connection')
    const { MIGRATIONS } = await import('../../src/backend/db/migrations')
    const t = tempDir()
    const server = await startReferenceServer({ seed: 8, clients: 30, messages: 2000, days: 20, namesPerClient: 1, transactions: 1 })
    try {
      // Synced by this version, then copied into the schema an older app had (before migration 4).
      const synced = openDatabase(`${t.dir}/synced.sqlite`)
      const { SyncEngine } = await import('../../src/backend/sync/engine')
      const { ALL_STREAMS } = await import('../../src/backend/sync/streams')
      await new SyncEngine({ db: synced, streams: ALL_STREAMS.filter((s) => s.source === 'platform'), connections: () => ({ platform: { url: server.url } }) }).run()
      synced.close()
      const file = `${t.dir}/old.sqlite`
      const old = openDatabase(file, { migrations: MIGRATIONS.filter((m) => m.version < 4) })
      old.prepare('ATTACH DATABASE ? AS synced').run(`${t.dir}/synced.sqlite`)
      old.exec('INSERT INTO clients SELECT * FROM synced.clients; INSERT INTO messages SELECT * FROM synced.messages;')
      old.exec('DETACH DATABASE synced')
      expect(old.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(2000)
      old.close()
      const upgraded = openDatabase(file)
      try {
        await expectSameAsNaive(upgraded, [null, 1, 2], [['2000-01-01', '2100-12-31']])
        expectTidyAggregates(upgraded)
      } finally {
        upgraded.close()
      }
    } finally {
      await server.close()
      t.cleanup()
    }
  })
})
