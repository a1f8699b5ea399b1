/**
 * Statistics speed: a store of 5,000,000 messages over a year (2,000 clients), written through
 * the real write path (the messages upserter, which folds each batch into the aggregates as the
 * sync does; the last days arrive pending and get their delivery reports as updates), then
 * each of the five groupings timed for one client and for all clients over a year, through
 * the `stats.query` handler. The days are Europe/Moscow's (set before the load, so the batch
 * writer folds local days); then the whole store is regrouped for America/New_York (what a
 * change of the time zone in Settings costs) and timed.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { clientRowFromWire, clientsUpserter } from '../../src/backend/db/clients'
import { openDatabase, type Db } from '../../src/backend/db/connection'
import { MESSAGE_COLUMNS, messagesUpserter } from '../../src/backend/db/messages'
import { makeUpserter, type Row } from '../../src/backend/db/upsert'
import type { BackendDeps } from '../../src/backend/deps'
import { statsHandlers } from '../../src/backend/stats/handlers'
import { ensureStatsZone, offsetRows, regroupStats } from '../../src/backend/stats/zone'
import { clientWireSchema } from '../../src/backend/sync/sources/platformSchemas'
import { generateClients, type ClientRecord } from '../../src/refserver/generate'
import { Rng } from '../../src/refserver/random'
import { COUNTRIES, HOURLY_WEIGHTS } from '../../src/refserver/world'
import { PRICE_SCALE, parseDecimal } from '../../src/shared/money'
import { statusBucket } from '../../src/shared/status'
import { STATS_GROUPS, type Channel, type StatsGroup } from '../../src/shared/types'

const DAY_MS = 86_400_000
const HOUR_MS = 3_600_000

/** Destinations: the reference world's six countries and twelve more, with their operators. */
const DESTINATIONS: { iso: string; dial: string; operators: string[] }[] = [
  ...COUNTRIES.map((c) => ({ iso: c.iso, dial: c.dial, operators: c.operators.map((o) => o.name) })),
  { iso: 'TR', dial: '90', operators: ['Turkcell', 'Vodafone TR', 'Türk Telekom'] },
  { iso: 'GE', dial: '995', operators: ['Magti', 'Silknet', 'Cellfie'] },
  { iso: 'AM', dial: '374', operators: ['Team', 'Viva', 'Ucom'] },
  { iso: 'AZ', dial: '994', operators: ['Azercell', 'Bakcell', 'Nar'] },
  { iso: 'KG', dial: '996', operators: ['Beeline KG', 'MegaCom', 'O!'] },
  { iso: 'TJ', dial: '992', operators: ['Tcell', 'Megafon TJ', 'Babilon-M', 'ZET-Mobile'] },
  { iso: 'BY', dial: '375', operators: ['A1 BY', 'MTS BY', 'life:)'] },
  { iso: 'PL', dial: '48', operators: ['Orange PL', 'Play', 'Plus', 'T-Mobile PL'] },
  { iso: 'AE', dial: '971', operators: ['Etisalat', 'du'] },
  { iso: 'GB', dial: '44', operators: ['EE', 'Vodafone UK', 'O2 UK', 'Three'] },
  { iso: 'US', dial: '1', operators: ['AT&T', 'Verizon', 'T-Mobile US'] },
  { iso: 'CN', dial: '86', operators: ['China Mobile', 'China Unicom', 'China Telecom'] }
]
const GENERIC_SENDERS = ['INFO', 'SMS-INFO', 'Notify', 'Bank', 'Taxi', 'Delivery', 'Promo', 'Service']
const OTHER_CHANNELS: [Channel, number][] = [['sms', 6], ['viber', 2], ['voice', 1], ['viber_pr', 1], ['viber_tx', 1]]
/** Final statuses by channel, weighted as the reference server's status profiles end. */
const FINAL: Record<'sms' | 'viber' | 'voice', [string, number][]> = {
  sms: [['DELIVRD', 81], ['UNDELIV', 7], ['EXPIRED', 4], ['REJECTD', 3], ['FAILED', 1], ['UNKNOWN', 1], ['DELETED', 1]],
  viber: [['READ', 46], ['DELIVRD', 30], ['EXPIRED', 8], ['UNDELIV', 5], ['FAILED', 4], ['REJECTD', 2]],
  voice: [['DELIVRD', 64], ['UNDELIV', 25], ['FAILED', 5]]
}
const PARTS: [number, number][] = [[1, 60], [2, 25], [3, 10], [4, 4], [6, 1]]
const TEXTS = ['Your code: 4711', 'Ваш заказ доставлен', 'Скидка 20% до воскресенья!', 'Payment received, thank you', 'Напоминание о записи на завтра']

export interface WorldClient {
  id: number
  login: string
  currency: string
  home: number
  priceUnits: number
  channel: Channel
  smsSenders: string[]
  viberSenders: string[]
  weight: number
}

export interface World {
  records: ClientRecord[]
  clients: WorldClient[]
}

/** 2,000 clients of the reference generator, with senders mostly their own and heavy-tailed volumes. */
export function statsWorld(seed: number, count: number, now: number): World {
  const records = generateClients({ seed, clients: count, now })
  const rng = new Rng(seed + 77)
  const clients = records.map((c): WorldClient => {
    const home = Math.max(0, COUNTRIES.findIndex((k) => k.currency === c.currency))
    const base = (c.company.replace(/[^A-Za-z]/g, '') || c.login).slice(0, 7) + c.id.toString(36).toUpperCase()
    const smsSenders = rng.chance(0.1) ? [rng.pick(GENERIC_SENDERS)] : []
    const extra = rng.weighted([[1, 6], [2, 3], [3, 1]])
    for (let k = 0; k < extra; k++) smsSenders.push(k === 0 ? base : `${base}${['INFO', 'PAY', 'SHOP'][k - 1]}`)
    const viberSenders = c.channel.startsWith('viber') || rng.chance(0.4) ? [`${base} Viber`, ...(rng.chance(0.3) ? [`${base} Promo`] : [])] : []
    return {
      id: c.id,
      login: c.login,
      currency: c.currency,
      home,
      priceUnits: parseDecimal(c.sms_price, PRICE_SCALE) ?? 0,
      channel: c.channel,
      smsSenders,
      viberSenders,
      // Heavy-tailed volumes: a few clients send most of the traffic (as the reference server).
      weight: 1 / Math.pow(1 - rng.next() * 0.999, 0.8) - 0.9
    }
  })
  return { records, clients }
}

export interface GeneratedMessage {
  row: Row
  /** Where the message stands before its delivery report (written first, then updated), or null. */
  interim: string | null
}

/**
 * Calls `emit` with each day's messages in creation order: single messages and campaigns (a
 * burst from one client, one sender, one text), spread over the hours by the daily curve;
 * 85% to the client's home country. Messages of the last `reportDays` days come first as
 * pending (ACCEPTED / ENROUTE / QUEUED) with their final status as `interim`'s counterpart.
 */
export function generateMessages(
  world: World,
  options: { seed: number; messages: number; days: number; now: number; reportDays: number },
  emit: (day: number, messages: GeneratedMessage[]) => void
): void {
  const rng = new Rng(options.seed + 99)
  const { clients } = world
  const pickIndex = rng.picker(clients.map((c) => c.weight))
  const pickClient = (): WorldClient => clients[pickIndex()]
  const hourTotal = HOURLY_WEIGHTS.reduce((a, b) => a + b, 0)
  const firstDay = Math.floor(options.now / DAY_MS) - options.days
  const perDay = options.messages / options.days
  const meanCampaign = 1000
  const campaignChance = 0.67 / meanCampaign
  let id = 0
  let campaignId = 0
  let carry = 0
  for (let d = 0; d < options.days; d++) {
    const day = firstDay + d
    carry += perDay
    const count = d === options.days - 1 ? options.messages - id : Math.floor(carry)
    carry -= count
    const out: GeneratedMessage[] = []
    const reports = d >= options.days - options.reportDays
    while (out.length < count) {
      const c = pickClient()
      let channel = rng.chance(0.75) ? c.channel : rng.weighted(OTHER_CHANNELS)
      if (channel.startsWith('viber') && c.viberSenders.length === 0) channel = 'sms'
      const family = channel === 'sms' ? 'sms' : channel === 'voice' ? 'voice' : 'viber'
      const size = rng.chance(campaignChance) ? Math.min(count - out.length, rng.int(meanCampaign / 2, (meanCampaign * 3) / 2)) : 1
      const campaign = size > 1 ? ++campaignId : null
      const sender = family === 'sms' ? rng.pick(c.smsSenders) : family === 'voice' ? c.login : rng.pick(c.viberSenders)
      const parts = family === 'sms' ? rng.weighted(PARTS) : 1
      const text = rng.pick(TEXTS)
      // The hour by the daily curve, then a second within it.
      let h = 0
      for (let x = rng.next() * hourTotal; h < 23 && (x -= HOURLY_WEIGHTS[h]) >= 0; h++);
      const t0 = day * DAY_MS + h * HOUR_MS + Math.floor(rng.next() * (HOUR_MS - size * 10))
      for (let j = 0; j < size; j++) {
        const dest = rng.chance(0.85) ? DESTINATIONS[c.home] : DESTINATIONS[rng.int(0, DESTINATIONS.length - 1)]
        const operator = dest.operators[Math.floor(rng.next() * dest.operators.length)]
        const status = rng.weighted(FINAL[family])
        const created = new Date(t0 + j * 10).toISOString()
        const finished = new Date(t0 + j * 10 + rng.int(2_000, 90_000)).toISOString()
        out.push({
          row: {
            id: ++id,
            client_id: c.id,
            user: `${c.login}_api`,
            source: 'api',
            channel,
            sender,
            recipient: dest.dial + String(rng.int(100_000_000, 999_999_999)),
            country: dest.iso,
            operator,
            status,
            bucket: statusBucket(status),
            parts,
            cost: parts * c.priceUnits,
            text,
            created_at: created,
            sent_at: created,
            finished_at: finished,
            campaign_id: campaign,
            idx: null,
            updated_at: finished
          },
          interim: reports ? (family === 'sms' ? (rng.chance(0.5) ? 'ACCEPTED' : 'ENROUTE') : 'QUEUED') : null
        })
      }
    }
    emit(day, out)
  }
}

// ------------------------------------------------------------------------------------- bench

interface Args {
  messages: number
  clients: number
  runs: number
}

function round(n: number): number {
  return Math.round(n * 100) / 100
}

function fmtDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10)
}

/** Writes the world: clients through their upserter, messages through the messages upserter. */
export function loadStatsStore(db: Db, world: World, options: { seed: number; messages: number; days: number; now: number; reportDays: number }, log: (s: string) => void = () => {}): { insertSeconds: number; updateSeconds: number; updates: number } {
  const clientsUp = clientsUpserter(db)
  db.transaction(() => clientsUp.write(world.records.map((r) => clientRowFromWire(clientWireSchema.parse(r)))))()
  const up = messagesUpserter(db)
  let insertMs = 0
  let updateMs = 0
  let updates = 0
  let written = 0
  const batch = 5000
  generateMessages(world, options, (day, messages) => {
    const rows = messages.map((m) => (m.interim === null ? m.row : { ...m.row, status: m.interim, bucket: statusBucket(m.interim), finished_at: null, updated_at: m.row.created_at }))
    let t = performance.now()
    for (let i = 0; i < rows.length; i += batch) db.transaction(() => up.write(rows.slice(i, i + batch)))()
    insertMs += performance.now() - t
    // Delivery reports of the day's pending messages: the same rows, final status, newer updated_at.
    const reports = messages.filter((m) => m.interim !== null).map((m) => m.row)
    t = performance.now()
    for (let i = 0; i < reports.length; i += batch) db.transaction(() => up.write(reports.slice(i, i + batch)))()
    updateMs += performance.now() - t
    updates += reports.length
    written += messages.length
    if ((day + 1) % 30 === 0) log(`  ${fmtDay(day)}: ${written} messages written`)
  })
  return { insertSeconds: insertMs / 1000, updateSeconds: updateMs / 1000, updates }
}

/**
 * What statistics cost the write path: the same first `messages` of the world written in batches
 * of 500, one transaction each, into a fresh store through the messages upserter (which folds
 * each batch into the aggregates), and into one without statistics (no triggers, no folding).
 */
function writePathCost(dir: string, world: World, messages: number, now: number): { withStats: number; without: number } {
  const rates: number[] = []
  for (const stats of [true, false]) {
    const file = path.join(dir, `write-${stats}.sqlite`)
    const db = openDatabase(file)
    try {
      if (!stats) for (const t of db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'stats_%'").pluck().all() as string[]) db.exec(`DROP TRIGGER ${t}`)
      const up = stats ? messagesUpserter(db) : makeUpserter(db, { table: 'messages', columns: MESSAGE_COLUMNS, version: 'updated_at' })
      const clientsUp = clientsUpserter(db)
      db.transaction(() => clientsUp.write(world.records.map((r) => clientRowFromWire(clientWireSchema.parse(r)))))()
      const rows: Row[] = []
      generateMessages(world, { seed: 5, messages, days: 30, now, reportDays: 0 }, (_day, ms) => {
        for (const m of ms) rows.push(m.row)
      })
      const t = performance.now()
      for (let i = 0; i < rows.length; i += 500) db.transaction(() => up.write(rows.slice(i, i + 500)))()
      rates.push(Math.round(rows.length / ((performance.now() - t) / 1000)))
    } finally {
      db.close()
      for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true })
    }
  }
  return { withStats: rates[0], without: rates[1] }
}

export async function benchStats(args: Args): Promise<Record<string, unknown>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsdesk-bench-stats-'))
  const file = path.join(dir, 'stats.sqlite')
  const db = openDatabase(file)
  try {
    const now = Date.parse('2026-11-01T00:00:00Z')
    const days = 365
    const seed = 11
    const world = statsWorld(seed, args.clients, now)
    const cost = writePathCost(dir, world, 300_000, now)
    console.log(`write path, 300000 messages in pages of 500: ${cost.withStats}/s with statistics, ${cost.without}/s without (${Math.round((1 - cost.withStats / cost.without) * 100)}% slower)`)
    ensureStatsZone(db, 'Europe/Moscow')
    console.log(`writing ${args.messages} messages of ${args.clients} clients over ${days} days (days in Europe/Moscow)…`)
    const t0 = performance.now()
    const load = loadStatsStore(db, world, { seed, messages: args.messages, days, now, reportDays: 7 }, console.log)
    db.pragma('optimize')
    const loadSeconds = (performance.now() - t0) / 1000
    console.log(`loaded in ${loadSeconds.toFixed(1)} s (inserts ${load.insertSeconds.toFixed(1)} s, ${load.updates} delivery reports ${load.updateSeconds.toFixed(1)} s)`)

    const handlers = statsHandlers({ db } as unknown as BackendDeps)
    // The biggest client and a median one by volume.
    const volumes = db
      .prepare('SELECT client_id AS id, sum(messages) AS n FROM stats_client_day GROUP BY client_id ORDER BY n DESC')
      .all() as { id: number; n: number }[]
    const biggest = volumes[0]
    const median = volumes[volumes.length >> 1]
    const lastDay = Math.floor(now / DAY_MS) - 1
    // A calendar-aligned year and a rolling year that cuts months in the middle (the worst case).
    const periods: [string, string, string][] = [
      ['year', fmtDay(lastDay - 364), fmtDay(lastDay)],
      ['rolling year', fmtDay(lastDay - 364 - 16), fmtDay(lastDay - 16)]
    ]
    const cases: { name: string; group: StatsGroup; clientId: number | null; from: string; to: string; target: number }[] = []
    for (const [label, from, to] of periods) {
      for (const group of STATS_GROUPS) {
        cases.push({ name: `${group}, biggest client (${biggest.n} msgs), ${label}`, group, clientId: biggest.id, from, to, target: 50 })
        cases.push({ name: `${group}, median client (${median.n} msgs), ${label}`, group, clientId: median.id, from, to, target: 50 })
        cases.push({ name: `${group}, all clients, ${label}`, group, clientId: null, from, to, target: 200 })
      }
    }
    const results: Record<string, { medianMs: number; maxMs: number; rows: number; targetMs: number }> = {}
    for (const c of cases) {
      const times: number[] = []
      let rows = 0
      for (let i = 0; i < args.runs; i++) {
        const s = performance.now()
        const r = await handlers['stats.query']({ group: c.group, clientId: c.clientId, from: c.from, to: c.to })
        times.push(performance.now() - s)
        rows = r.rows.length
      }
      times.sort((a, b) => a - b)
      results[c.name] = { medianMs: round(times[times.length >> 1]), maxMs: round(times[times.length - 1]), rows, targetMs: c.target }
      console.log(`${c.name.padEnd(58)} median ${results[c.name].medianMs.toFixed(2).padStart(7)} ms  max ${results[c.name].maxMs.toFixed(2).padStart(7)} ms  ${rows} rows  (target ${c.target} ms)`)
    }
    const one = Object.entries(results).filter(([, r]) => r.targetMs === 50)
    const all = Object.entries(results).filter(([, r]) => r.targetMs === 200)
    const worst = (list: typeof one, k: 'medianMs' | 'maxMs') => Math.max(...list.map(([, r]) => r[k]))
    const tables = Object.fromEntries(
      ['stats_client_day', 'stats_geo_day', 'stats_geo_month', 'stats_sender_month'].flatMap((t) => {
        try {
          return [[t, db.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number]]
        } catch {
          return []
        }
      })
    )
    // A change of zone: every aggregate regrouped from the messages, in one transaction.
    const rows = offsetRows('America/New_York')
    let lastProgress = 0
    const regroupMs = regroupStats(db, 'America/New_York', {
      rows,
      onProgress: (p) => {
        if (p.fraction - lastProgress >= 0.2 || p.fraction === 1) {
          lastProgress = p.fraction
          console.log(`  regrouping for America/New_York: ${Math.round(p.fraction * 100)}%`)
        }
      }
    })
    console.log(`regrouped ${args.messages} messages for America/New_York in ${(regroupMs / 1000).toFixed(1)} s`)
    const afterRegroup = await handlers['stats.query']({ group: 'day', clientId: null, from: periods[0][1], to: periods[0][2] })
    db.pragma('wal_checkpoint(TRUNCATE)')
    return {
      bench: 'stats',
      messages: args.messages,
      clients: args.clients,
      load_seconds: round(loadSeconds),
      insert_messages_per_s: Math.round((args.messages - load.updates) / load.insertSeconds),
      write_path_messages_per_s: { with_stats: cost.withStats, without: cost.without },
      delivery_reports: load.updates,
      one_client_worst_median_ms: worst(one, 'medianMs'),
      one_client_worst_max_ms: worst(one, 'maxMs'),
      all_clients_worst_median_ms: worst(all, 'medianMs'),
      all_clients_worst_max_ms: worst(all, 'maxMs'),
      target_one_client_ms: 50,
      target_all_clients_ms: 200,
      aggregate_rows: tables,
      regroup_seconds: round(regroupMs / 1000),
      regroup_zone: afterRegroup.timeZone,
      db_bytes: fs.statSync(file).size,
      peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024)
    }
  } finally {
    db.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
