/**
 * The statistics engine: the five groupings of the Statistics tab (by day, operator, sender
 * ID, Viber sender ID, country), for one client or all clients, over a period of days of the
 * statistics' time zone, read from the aggregates kept on the messages table (migration
 * 0004_stats: by triggers; the sync's batches fold their own, src/backend/stats/batch.ts;
 * grouped by the days of the zone of stats_zone, migration 0006_time_zones).
 *
 * Definitions (the same as the aggregates', where they are applied per message):
 * - A message belongs to the day of its created_at in the statistics' zone (the zone chosen in
 *   Settings once the aggregates are regrouped for it; every result says which zone it is in):
 *   a period [from, to] is inclusive, from 00:00 of `from` to 00:00 after `to` in that zone.
 * - Sent parts: the parts of every message that left the platform for the operator, i.e. of
 *   every bucket but pending (not sent yet) and deleted (cancelled before sending): buckets
 *   sent, delivered, errors and other (an unknown provider status comes after submission).
 * - Delivered parts: the parts of messages in bucket delivered.
 * - Efficiency: delivered parts / sent parts, null when nothing was sent.
 * - Price: the sum of the cost of every message of the group, whatever its status (what the
 *   platform charged; the Finance tab's daily charges sum the same costs), exact, at scale 4.
 * - Currency: the client's (clients.currency). Clients have different currencies, so every row
 *   and every total is per currency; messages of a client not synced yet count under ''.
 * - Groupings: day = the day of the zone; operator = "country|operator" (country is the ISO code);
 *   country = the ISO code; sender ID = the sender of messages on the sms channel; Viber
 *   sender ID = the sender of messages on viber, viber_pr and viber_tx. Voice messages (whose
 *   sender is the caller number, not a registered sender name) count by day, operator and
 *   country only.
 * - A row is shown for every key with at least one message in the period (even if none was
 *   sent yet, e.g. all pending); rows are ordered by key, then currency; totals by currency.
 *
 * How a query reads: one client from stats_client_day, seeking (day, client) for each day of
 * the period; all clients by day from stats_geo_day; all clients by operator and country from
 * stats_geo_month for whole months and stats_geo_day for the other days; all clients by sender
 * ID from stats_sender_month for whole months and stats_client_day for the other days. A month
 * only partly in the period is read either as its days in the period or as the whole month
 * minus its days outside, whichever reads fewer days.
 */
import type Database from 'better-sqlite3'
import type { StatsQuery } from '../../shared/contract'
import { AppError } from '../../shared/errors'
import { PRICE_SCALE } from '../../shared/money'
import type { StatsGroup, StatsResult, StatsRow } from '../../shared/types'
import type { Db } from '../db/connection'

type Statement = Database.Statement<unknown[]>

const DAY_MS = 86_400_000

/** The key of each grouping, as an SQL expression over the aggregate tables' columns. */
const KEY: Record<StatsGroup, string> = {
  day: 'day',
  operator: "country || '|' || operator",
  sender: 'sender',
  'viber-sender': 'sender',
  country: 'country'
}
/** The channels of the sender groupings (stats_client_day) and their sender kind (stats_sender_month). */
const SENDER_CHANNELS: Partial<Record<StatsGroup, { channels: string; kind: string }>> = {
  sender: { channels: "('sms')", kind: 'sms' },
  'viber-sender': { channels: "('viber', 'viber_pr', 'viber_tx')", kind: 'viber' }
}

const SUMS = 'messages, sent_parts, delivered_parts, cost'
const NEG_SUMS = '-messages, -sent_parts, -delivered_parts, -cost'
const TOTALS = 'sum(messages) AS messages, sum(sent_parts) AS sent, sum(delivered_parts) AS delivered, sum(cost) AS cost'
const DAYS_IN = 'day IN (SELECT value FROM json_each(?))'
const MONTHS_IN = 'month IN (SELECT value FROM json_each(?))'

/** A grouped row as read (safe integers: every number is a bigint). */
interface RawRow {
  currency: string
  key: string
  messages: bigint
  sent: bigint
  delivered: bigint
  cost: bigint
}

/** Reading a whole month's rows costs about as much as reading this many days' rows. */
const MONTH_COST_DAYS = 2

/** The days and months a period is read from (see the header). */
export interface PeriodPlan {
  /** Days read as they are. */
  days: string[]
  /** Whole months read from the month tables. */
  months: string[]
  /** Days of those months outside the period, taken off. */
  minusDays: string[]
}

function dayNumber(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) / DAY_MS
}

function dayText(n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10)
}

function daysBetween(from: number, to: number): string[] {
  const out: string[] = []
  for (let d = from; d <= to; d++) out.push(dayText(d))
  return out
}

/** "YYYY-MM" of the month after. */
function nextMonth(month: string): string {
  const y = Number(month.slice(0, 4))
  const m = Number(month.slice(5, 7))
  return m === 12 ? `${String(y + 1).padStart(4, '0')}-01` : `${month.slice(0, 4)}-${String(m + 1).padStart(2, '0')}`
}

/** Plans [from, to] (inclusive day numbers) as days and whole months, reading the fewest days. */
export function planPeriod(from: number, to: number): PeriodPlan {
  const plan: PeriodPlan = { days: [], months: [], minusDays: [] }
  let d = from
  while (d <= to) {
    const month = dayText(d).slice(0, 7)
    const monthStart = dayNumber(`${month}-01`)
    const monthEnd = dayNumber(nextMonth(month) + '-01') - 1
    const lo = Math.max(from, monthStart)
    const hi = Math.min(to, monthEnd)
    const inside = hi - lo + 1
    const outside = monthEnd - monthStart + 1 - inside
    if (outside + MONTH_COST_DAYS < inside) {
      plan.months.push(month)
      plan.minusDays.push(...daysBetween(monthStart, lo - 1), ...daysBetween(hi + 1, monthEnd))
    } else plan.days.push(...daysBetween(lo, hi))
    d = monthEnd + 1
  }
  return plan
}

function efficiency(sent: number, delivered: number): number | null {
  return sent > 0 ? delivered / sent : null
}

/** Integer units at PRICE_SCALE (a bigint, exact at any size) as a decimal string. */
function price(units: bigint): string {
  const negative = units < 0n
  const digits = (negative ? -units : units).toString().padStart(PRICE_SCALE + 1, '0')
  return `${negative ? '-' : ''}${digits.slice(0, -PRICE_SCALE)}.${digits.slice(-PRICE_SCALE)}`
}

export class StatsEngine {
  private readonly statements = new Map<string, Statement>()

  constructor(private readonly db: Db) {}

  private prepared(name: string, sql: () => string): Statement {
    let s = this.statements.get(name)
    if (!s) {
      s = this.db.prepare<unknown[]>(sql()).safeIntegers(true)
      this.statements.set(name, s)
    }
    return s
  }

  /** The first and last day that has any message (null when there are none). */
  private dataSpan(): [number, number] | null {
    // Two statements: SQLite answers a lone min() or max() from the index, not both at once.
    const lo = this.prepared('first', () => 'SELECT min(day) FROM stats_client_day').pluck().get() as string | null
    const hi = this.prepared('last', () => 'SELECT max(day) FROM stats_client_day').pluck().get() as string | null
    return lo === null || hi === null ? null : [dayNumber(lo), dayNumber(hi)]
  }

  query(q: StatsQuery): StatsResult {
    const started = performance.now()
    if (q.from > q.to) throw new AppError('invalid_input', 'The period ends before it starts', { field: 'to' })
    // One read: the zone and the sums it grouped (a regrouping commits between two reads, never inside one).
    const { raw, timeZone } = this.db.transaction(() => {
      const zone = this.prepared('zone', () => 'SELECT zone FROM stats_zone WHERE id = 1').pluck().get() as string
      const span = this.dataSpan()
      const from = span ? Math.max(dayNumber(q.from), span[0]) : 0
      const to = span ? Math.min(dayNumber(q.to), span[1]) : -1
      const rows = from <= to ? (q.clientId === null ? this.allClients(q.group, from, to) : this.oneClient(q.group, q.clientId, from, to)) : []
      return { raw: rows, timeZone: zone }
    })()
    const rows: StatsRow[] = []
    const totals = new Map<string, { sent: number; delivered: number; cost: bigint }>()
    for (const r of raw) {
      const sent = Number(r.sent)
      const delivered = Number(r.delivered)
      rows.push({ key: r.key, sentParts: sent, deliveredParts: delivered, efficiency: efficiency(sent, delivered), price: price(r.cost), currency: r.currency })
      const t = totals.get(r.currency) ?? { sent: 0, delivered: 0, cost: 0n }
      t.sent += sent
      t.delivered += delivered
      t.cost += r.cost
      totals.set(r.currency, t)
    }
    rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0))
    return {
      group: q.group,
      clientId: q.clientId,
      from: q.from,
      to: q.to,
      timeZone,
      rows,
      totals: [...totals.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([currency, t]) => ({ sentParts: t.sent, deliveredParts: t.delivered, efficiency: efficiency(t.sent, t.delivered), price: price(t.cost), currency })),
      ms: Math.round((performance.now() - started) * 100) / 100
    }
  }

  /** One client: its day rows, one seek per day of the period. */
  private oneClient(group: StatsGroup, clientId: number, from: number, to: number): RawRow[] {
    const senders = SENDER_CHANNELS[group]
    const statement = this.prepared(`one:${group}`, () => `
      SELECT COALESCE((SELECT currency FROM clients WHERE id = $client), '') AS currency, ${KEY[group]} AS key, ${TOTALS}
      FROM stats_client_day
      WHERE ${DAYS_IN.replace('?', '$days')} AND client_id = $client${senders ? ` AND channel IN ${senders.channels}` : ''}
      GROUP BY 2 HAVING sum(messages) > 0`)
    return statement.all({ client: clientId, days: JSON.stringify(daysBetween(from, to)) }) as RawRow[]
  }

  /**
   * All clients. Day: stats_geo_day over the period. Operator and country: whole months from
   * stats_geo_month, the other days from stats_geo_day. Sender IDs: whole months from
   * stats_sender_month, the other days from stats_client_day (with the client's currency).
   * Days of a month read whole that fall outside the period are taken off.
   */
  private allClients(group: StatsGroup, from: number, to: number): RawRow[] {
    if (group === 'day') {
      const statement = this.prepared('all:day', () => `
        SELECT currency, day AS key, ${TOTALS} FROM stats_geo_day
        WHERE day BETWEEN ? AND ? GROUP BY day, currency HAVING sum(messages) > 0`)
      return statement.all(dayText(from), dayText(to)) as RawRow[]
    }
    const senders = SENDER_CHANNELS[group]
    const plan = planPeriod(from, to)
    const statement = this.prepared(`all:${group}`, () => {
      let months: string
      let days: (param: string, sums: string) => string
      if (senders) {
        const currency = "COALESCE((SELECT currency FROM clients WHERE id = client_id), '')"
        months = `SELECT currency, sender, ${SUMS} FROM stats_sender_month WHERE ${MONTHS_IN.replace('?', '$months')} AND kind = '${senders.kind}'`
        days = (param, sums) =>
          `SELECT ${currency}, sender, ${sums} FROM stats_client_day WHERE ${DAYS_IN.replace('?', param)} AND channel IN ${senders.channels}`
      } else {
        months = `SELECT currency, country, operator, ${SUMS} FROM stats_geo_month WHERE ${MONTHS_IN.replace('?', '$months')}`
        days = (param, sums) => `SELECT currency, country, operator, ${sums} FROM stats_geo_day WHERE ${DAYS_IN.replace('?', param)}`
      }
      return `
        SELECT currency, ${KEY[group]} AS key, ${TOTALS} FROM (
          ${months}
          UNION ALL
          ${days('$days', SUMS)}
          UNION ALL
          ${days('$minus', NEG_SUMS)}
        )
        GROUP BY 2, 1 HAVING sum(messages) > 0`
    })
    return statement.all({
      months: JSON.stringify(plan.months),
      days: JSON.stringify(plan.days),
      minus: JSON.stringify(plan.minusDays)
    }) as RawRow[]
  }
}
