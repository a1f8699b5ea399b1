/**
 * The statistics engine against a naive recomputation: after random inserts, status updates
 * (into a bucket and back), parts, cost, day, sender, operator, channel and client changes,
 * deletes, client currency changes and regroupings for another time zone, every grouping for
 * one client and for all clients, over several periods, equals what a plain pass over the raw
 * messages gives, with days of the statistics' time zone (computed here with Intl, message by
 * message) — for zones east and west of UTC, with summer time, with :30 and :45 offsets, and
 * messages placed around local midnight and the clock changes. Then the same through a real
 * sync against the reference server, as delivery reports land.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { clientRowFromWire, clientsUpserter } from '../../src/backend/db/clients'
import type { Db } from '../../src/backend/db/connection'
import { messagesUpserter } from '../../src/backend/db/messages'
import type { Row } from '../../src/backend/db/upsert'
import { LOCAL_DAY, LOCAL_ROLLUPS } from '../../src/backend/db/migrations/0006_time_zones'
import { planPeriod } from '../../src/backend/stats/engine'
import { statsHandlers } from '../../src/backend/stats/handlers'
import { LocalDays, ensureStatsZone, regroupStats, storedZone } from '../../src/backend/stats/zone'
import { addDays, startOfDay, zoneTransitions } from '../../src/shared/zone'
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

const dayFormats = new Map<string, Intl.DateTimeFormat>()
const knownDays = new Map<string, string>()
/** The day of `zone` an ISO instant falls on, straight from Intl (en-CA writes YYYY-MM-DD). */
function localDay(zone: string, iso: string): string {
  const id = `${zone} ${iso}`
  let day = knownDays.get(id)
  if (day === undefined) {
    let f = dayFormats.get(zone)
    if (!f) dayFormats.set(zone, (f = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' })))
    day = f.format(Date.parse(iso))
    if (knownDays.size > 1_000_000) knownDays.clear()
    knownDays.set(id, day)
  }
  return day
}

function fmtPrice(units: bigint): string {
  const neg = units < 0n
  const digits = (neg ? -units : units).toString().padStart(PRICE_SCALE + 1, '0')
  return `${neg ? '-' : ''}${digits.slice(0, -PRICE_SCALE)}.${digits.slice(-PRICE_SCALE)}`
}

/**
 * The definitions, applied message by message: sent parts = parts of every bucket but pending
 * and deleted; delivered parts = parts in delivered; price = every message's cost; per the
 * client's currency ('' for an unknown client); day = created_at's day in `zone`; sender = sms,
 * Viber sender = viber, viber_pr, viber_tx.
 */
function naive(messages: RawMessage[], currencies: Map<number, string>, q: StatsQuery, zone: string): Expected {
  const groups = new Map<string, { key: string; currency: string; sent: number; delivered: number; cost: bigint }>()
  for (const m of messages) {
    const day = localDay(zone, m.created_at)
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
    timeZone: zone,
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

/**
 * Every grouping, for all clients and each of `clients`, over each period, equals the naive pass
 * with the days of the zone the statistics are grouped by (which the caller checks is the one it set).
 */
async function expectSameAsNaive(db: Db, clients: (number | null)[], periods: [string, string][], messages = localMessages(db), currencies = localCurrencies(db)): Promise<number> {
  const handlers = statsHandlers({ db })
  const zone = storedZone(db).zone
  let checked = 0
  for (const [from, to] of periods) {
    for (const group of STATS_GROUPS) {
      for (const clientId of clients) {
        const q = statsQuerySchema.parse({ group, clientId, from, to })
        const { ms, ...got } = await handlers['stats.query'](q)
        expect(ms).toBeGreaterThanOrEqual(0)
        expect(got, `${group} client ${clientId} ${from}..${to} in ${zone}`).toEqual(naive(messages, currencies, q, zone))
        checked += got.rows.length
      }
    }
  }
  return checked
}

/**
 * The aggregate tables equal a recount in SQL from the messages with the local day of the
 * migration (LOCAL_DAY): also for created_at text no Intl could read, where the day is whatever
 * SQLite makes of it, the same for the triggers and the batch writer.
 */
function expectSameAsSqlRecount(db: Db): void {
  for (const r of LOCAL_ROLLUPS) {
    const keys = r.keys.map(([k]) => k).join(', ')
    const exprs = r.keys.map(([, , e]) => e).join(', ')
    const recount = db
      .prepare(
        `SELECT ${exprs}, count(*), sum(CASE WHEN M.bucket IN ('pending', 'deleted') THEN 0 ELSE M.parts END),
           sum(CASE WHEN M.bucket = 'delivered' THEN M.parts ELSE 0 END), sum(M.cost)
         FROM messages AS M ${r.when ? `WHERE ${r.when}` : ''} GROUP BY ${exprs} ORDER BY ${r.keys.map((_, i) => i + 1).join(', ')}`
      )
      .raw()
      .all()
    const stored = db.prepare(`SELECT ${keys}, messages, sent_parts, delivered_parts, cost FROM ${r.table} ORDER BY ${keys}`).raw().all()
    expect(stored, r.table).toEqual(recount)
  }
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

/** East and west of UTC, with and without summer time, with :30 and :45 offsets, clock changes at :01 past (St John's), and UTC. */
const ZONES = ['Europe/Moscow', 'Asia/Almaty', 'Europe/Sofia', 'America/New_York', 'Asia/Kolkata', 'Asia/Kathmandu', 'America/St_Johns', 'UTC']

describe.each(ZONES)('statistics equal a naive recomputation from raw rows, days in %s', (ZONE) => {
  /** Another zone the statistics are regrouped for in the middle of the writes, then back. */
  const OTHER = ZONE === 'America/New_York' ? 'Asia/Kathmandu' : 'America/New_York'
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
    ['2026-03-08', '2026-03-08'], // New York's spring forward: 23 hours
    ['2026-03-29', '2026-03-29'], // Sofia's: 23 hours
    ['2026-03-28', '2026-03-30'], // around it
    ['2026-06-01', '2026-06-30'] // no data
  ]
  /** The zone's clock changes within the span (none for most zones). */
  const CHANGES = zoneTransitions(ZONE, START, START + SPAN_DAYS * 86_400_000).slice(1).map((t) => t.start)

  /** A creation time: anywhere in the span, or a few minutes either side of a local midnight or a clock change. */
  function createdAt(rng: Rng): number {
    const where = rng.next()
    if (where < 0.25) {
      const day = addDays('2026-01-20', rng.int(0, SPAN_DAYS - 1))
      return startOfDay(ZONE, day) + rng.int(-90, 90) * 60_000 + rng.int(0, 59_999)
    }
    if (where < 0.32 && CHANGES.length) return rng.pick(CHANGES) + rng.int(-120, 120) * 60_000 + rng.int(0, 999)
    return START + Math.floor(rng.next() * SPAN_DAYS * 86_400_000)
  }

  beforeEach(() => {
    ensureStatsZone(db, ZONE)
    expect(storedZone(db).zone).toBe(ZONE)
  })

  function clientRecord(rng: Rng, id: number, currency: string): Row {
    const base = generateClients({ seed: id, clients: 1, now: START })[0]
    return clientRowFromWire(clientWireSchema.parse({ ...base, id, currency, updated_at: new Date(START + rng.int(0, 1e9)).toISOString() }))
  }

  function randomMessage(rng: Rng, id: number, clients: number): Row {
    const channel = rng.pick(CHANNELS)
    const country = rng.pick(Object.keys(OPERATORS))
    const status = rng.pick(STATUSES)
    const created = createdAt(rng)
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
      // Another day, maybe another month, maybe either side of a midnight.
      next.created_at = new Date(createdAt(rng)).toISOString()
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
      // The zone changes: everything is regrouped, and the writes that follow use the new days.
      if (round === 2) regroupStats(db, OTHER)
      if (round === 4) regroupStats(db, ZONE)
      expect(storedZone(db).zone).toBe(round === 2 || round === 3 ? OTHER : ZONE)
      expectTidyAggregates(db)
      expectSameAsSqlRecount(db)
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

  it('gives a message the same day in the batch writer as in the triggers, whatever its created_at says', async () => {
    // Near every clock change and local midnight of the span, and text that is not a plain time.
    const times: string[] = []
    // (2010 too: St John's then changed its clocks at 00:01 local, off the quarter hours of UTC.)
    const changes2010 = zoneTransitions(ZONE, Date.UTC(2010, 0, 1), Date.UTC(2011, 0, 1)).slice(1).map((t) => t.start)
    for (const t of [...CHANGES, ...changes2010]) for (const d of [-3_600_000, -60_000, -1000, -1, 0, 1, 999, 1000, 60_000, 3_600_000]) times.push(new Date(t + d).toISOString())
    for (let k = 0; k < 80; k += 7) {
      const t = startOfDay(ZONE, addDays('2026-01-20', k))
      for (const d of [-1, 0, 1]) times.push(new Date(t + d).toISOString(), new Date(t + d).toISOString().replace('.000Z', 'Z'))
    }
    const odd = ['2026-02-30T10:00:00Z', '2026-03-01T23:59:59.9999Z', '2026-03-01T23:59:59.123456Z', '2026-03-01 20:00:00', '2026-03-01T24:00:00Z',
      '2026-03-01T10:00:60Z', '2026-13-01T00:00:00Z', 'garbage', '', '0099-01-01T00:00:00Z', '2026-03-29T00:59:59+03:00']
    const days = new LocalDays(db)
    days.refresh()
    const sqlDay = db.prepare(`SELECT ${LOCAL_DAY.replaceAll('M.created_at', '$t')}`).pluck()
    for (const t of [...times, ...odd]) expect(days.day(t), t).toBe(sqlDay.get({ t }))
    // Plain times: the very day Intl gives.
    for (const t of times) expect(days.day(t), t).toBe(localDay(ZONE, t))

    // Written both ways (SQL by hand, then the batch writer replacing them, then deleted by hand): the sums stay exact.
    const rng = new Rng(31)
    db.transaction(() => clientsUpserter(db).write([clientRecord(rng, 1, 'EUR')]))()
    const all = [...times, ...odd]
    const rows = all.map((t, i) => ({ ...randomMessage(rng, i + 1, 1), created_at: t }))
    const cols = Object.keys(rows[0])
    const insert = db.prepare(`INSERT INTO messages (${cols.join(', ')}) VALUES (${cols.map((c) => '@' + c).join(', ')})`)
    db.transaction(() => rows.forEach((r) => insert.run(r)))()
    expectSameAsSqlRecount(db)
    const up = messagesUpserter(db)
    const moved = rows.map((r, i) => ({ ...r, created_at: all[(i * 7 + 3) % all.length], bucket: 'delivered', status: 'DELIVRD', updated_at: '2027-01-01T00:00:00Z' }))
    db.transaction(() => up.write(moved))()
    expectSameAsSqlRecount(db)
    db.prepare('DELETE FROM messages WHERE id % 3 = 0').run()
    expectSameAsSqlRecount(db)
    expectTidyAggregates(db)
  })

  it('refuses a period that ends before it starts', async () => {
    const handlers = statsHandlers({ db })
    await expect(async () => handlers['stats.query']({ group: 'day', clientId: null, from: '2026-02-02', to: '2026-02-01' })).rejects.toMatchObject({ code: 'invalid_input' })
  })
})

describe('statistics through a real sync, as delivery reports land, days in Europe/Sofia', () => {
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
    // Sofia: the last 40 days hold its autumn clock change (25 October).
    ensureStatsZone(db, 'Europe/Sofia')
    const engine = testEngine(db, { platform: { url: server.url } }, { pageSize: 500 })
    const periods: [string, string][] = [
      ['2026-09-01', '2026-11-30'],
      ['2026-10-20', '2026-11-01'],
      ['2026-10-25', '2026-10-25'],
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
