/**
 * The statistics table, shaped once for the screen and for the file: the backend answers one
 * row per key and currency; the table shows one line per key, its parts added up and its costs
 * listed per currency (money of different currencies is never added together, and never as
 * binary floats), labelled ("BG" reads "Bulgaria"), sorted as the screen's sort says, with a
 * totals line. The Statistics panel and the statistics export both call `statsTable`.
 */
import { PRICE_SCALE, parseDecimal } from './money'
import type { StatsGroup, StatsRow } from './types'

export interface Money {
  /** Exact decimal at PRICE_SCALE. */
  amount: string
  currency: string
}

export interface StatsLine {
  key: string
  sentParts: number
  deliveredParts: number
  efficiency: number | null
  /** One per currency, by currency code. */
  prices: Money[]
}

/** The columns the statistics table sorts by. */
export const STATS_SORT_KEYS = ['key', 'sentParts', 'deliveredParts', 'efficiency', 'price'] as const
export type StatsSortKey = (typeof STATS_SORT_KEYS)[number]

export interface StatsSort {
  key: StatsSortKey
  order: 'asc' | 'desc'
}

/** The table's own order: days in order; other groupings the largest first. */
export function defaultStatsSort(group: StatsGroup): StatsSort {
  return group === 'day' ? { key: 'key', order: 'asc' } : { key: 'sentParts', order: 'desc' }
}

/** delivered / sent, null when nothing was sent. */
export function efficiencyOf(sent: number, delivered: number): number | null {
  return sent > 0 ? delivered / sent : null
}

function byCurrency(a: Money, b: Money): number {
  return a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0
}

const DECIMAL = /^([+-])?(\d+)(?:\.(\d+))?$/

/** An exact decimal as integer units at PRICE_SCALE (BigInt: sums never lose a digit). */
function priceUnits(amount: string): bigint {
  const m = DECIMAL.exec(amount.trim())
  if (!m) throw new Error(`not a decimal amount: ${amount}`)
  const units = BigInt(m[2] + (m[3] ?? '').padEnd(PRICE_SCALE, '0').slice(0, PRICE_SCALE))
  return m[1] === '-' ? -units : units
}

function priceText(units: bigint): string {
  const digits = (units < 0n ? -units : units).toString().padStart(PRICE_SCALE + 1, '0')
  return `${units < 0n ? '-' : ''}${digits.slice(0, -PRICE_SCALE)}.${digits.slice(-PRICE_SCALE)}`
}

/** One line per key, in the backend's order of first appearance. */
export function mergeRows(rows: StatsRow[]): StatsLine[] {
  const lines = new Map<string, StatsLine & { parts: StatsRow[] }>()
  for (const r of rows) {
    let line = lines.get(r.key)
    if (!line) {
      line = { key: r.key, sentParts: 0, deliveredParts: 0, efficiency: null, prices: [], parts: [] }
      lines.set(r.key, line)
    }
    line.sentParts += r.sentParts
    line.deliveredParts += r.deliveredParts
    line.prices.push({ amount: r.price, currency: r.currency })
    line.parts.push(r)
  }
  return [...lines.values()].map(({ parts, ...line }) => ({
    ...line,
    // One currency: the backend's own figure; several: recomputed from the summed parts.
    efficiency: parts.length === 1 ? parts[0].efficiency : efficiencyOf(line.sentParts, line.deliveredParts),
    prices: line.prices.sort(byCurrency)
  }))
}

/** The totals line: parts over every currency, costs per currency (exact sums); null without rows. */
export function totalLine(rows: StatsRow[]): StatsLine | null {
  if (rows.length === 0) return null
  const costs = new Map<string, bigint>()
  let sent = 0
  let delivered = 0
  for (const r of rows) {
    sent += r.sentParts
    delivered += r.deliveredParts
    costs.set(r.currency, (costs.get(r.currency) ?? 0n) + priceUnits(r.price))
  }
  return {
    key: '',
    sentParts: sent,
    deliveredParts: delivered,
    efficiency: efficiencyOf(sent, delivered),
    prices: [...costs].map(([currency, units]) => ({ amount: priceText(units), currency })).sort(byCurrency)
  }
}

/** Exact comparison of two lines' costs (first currency), for sorting. */
export function comparePrices(a: StatsLine, b: StatsLine): number {
  const ua = a.prices[0] ? (parseDecimal(a.prices[0].amount, PRICE_SCALE) ?? 0) : 0
  const ub = b.prices[0] ? (parseDecimal(b.prices[0].amount, PRICE_SCALE) ?? 0) : 0
  return ua - ub
}

const regionNames = new Map<string, Intl.DisplayNames | null>()

/** "RU" -> "Russia" / "Россия"; anything that is not a region code stays as it is. */
export function countryName(code: string, locale: string): string {
  const c = code.trim()
  if (!/^[A-Za-z]{2}$/.test(c)) return c
  let names = regionNames.get(locale)
  if (names === undefined) {
    try {
      names = new Intl.DisplayNames([locale], { type: 'region' })
    } catch {
      names = null
    }
    regionNames.set(locale, names)
  }
  try {
    return names?.of(c.toUpperCase()) ?? c
  } catch {
    return c
  }
}

const dayFormats = new Map<string, Intl.DateTimeFormat>()

/** A day key (YYYY-MM-DD) for people: "Nov 22, 2025" / "22 нояб. 2025 г." (the day itself, no zone shift). */
function dayText(day: string, locale: string): string {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(day) ? Date.parse(`${day}T00:00:00Z`) : NaN
  if (Number.isNaN(ms)) return day
  let f = dayFormats.get(locale)
  if (!f) dayFormats.set(locale, (f = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' })))
  return f.format(ms)
}

/** The group column's text for a key: a date, "Country - Operator", a sender ID or a country. */
export function keyLabel(group: StatsGroup, key: string, locale: string, unknown: string): string {
  switch (group) {
    case 'day':
      return dayText(key, locale)
    case 'operator': {
      const i = key.indexOf('|')
      const country = i >= 0 ? key.slice(0, i) : ''
      const operator = i >= 0 ? key.slice(i + 1) : key
      return `${country ? countryName(country, locale) : unknown} - ${operator || unknown}`
    }
    case 'country':
      return key ? countryName(key, locale) : unknown
    default:
      return key || unknown
  }
}

/**
 * The lines in the order of a sort: by the column, ascending or descending; lines that compare
 * equal keep the backend's order. Keys sort by their labels in the locale, days by the day.
 */
export function sortLines(lines: StatsLine[], group: StatsGroup, sort: StatsSort, labels: Map<string, string>, locale: string): StatsLine[] {
  const collator = new Intl.Collator(locale)
  const compare: Record<StatsSortKey, (a: StatsLine, b: StatsLine) => number> = {
    key: (a, b) =>
      group === 'day' ? a.key.localeCompare(b.key) : collator.compare(labels.get(a.key) ?? a.key, labels.get(b.key) ?? b.key),
    sentParts: (a, b) => a.sentParts - b.sentParts,
    deliveredParts: (a, b) => a.deliveredParts - b.deliveredParts,
    efficiency: (a, b) => (a.efficiency ?? -1) - (b.efficiency ?? -1),
    price: comparePrices
  }
  const by = compare[sort.key]
  const sign = sort.order === 'desc' ? -1 : 1
  return [...lines].sort((a, b) => by(a, b) * sign)
}

export interface StatsTable {
  /** One line per key, in the backend's order (the chart's). */
  merged: StatsLine[]
  /** The same lines in the table's order. */
  lines: StatsLine[]
  /** The totals line; null when there are no rows. */
  total: StatsLine | null
  /** Each key's label. */
  labels: Map<string, string>
  /** Every currency of the costs, by code (the totals line has each). */
  currencies: string[]
}

/** The statistics table as the screen shows it and the file holds it. */
export function statsTable(rows: StatsRow[], group: StatsGroup, sort: StatsSort, locale: string, unknown: string): StatsTable {
  const merged = mergeRows(rows)
  const labels = new Map(merged.map((l) => [l.key, keyLabel(group, l.key, locale, unknown)]))
  const total = totalLine(rows)
  return {
    merged,
    lines: sortLines(merged, group, sort, labels, locale),
    total,
    labels,
    currencies: total ? total.prices.map((p) => p.currency) : []
  }
}
