/**
 * Statistics as the screens show them: the backend answers one row per key and currency; the
 * table shows one row per key, its parts added up and its costs listed per currency (money of
 * different currencies is never added together, and never as binary floats).
 */
import type { StatsGroup, StatsResult, StatsRow } from '@shared/types'
import { parseDecimal, PRICE_SCALE } from '@shared/money'
import { formatDay } from './period'

export interface Money {
  amount: string
  currency: string
}

export interface StatsLine {
  key: string
  sentParts: number
  deliveredParts: number
  efficiency: number | null
  prices: Money[]
}

/** delivered / sent, null when nothing was sent. */
export function efficiencyOf(sent: number, delivered: number): number | null {
  return sent > 0 ? delivered / sent : null
}

function byCurrency(a: Money, b: Money): number {
  return a.currency.localeCompare(b.currency)
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

/** The totals row: parts over every currency, costs per currency. */
export function totalLine(result: StatsResult): StatsLine {
  const sent = result.totals.reduce((s, t) => s + t.sentParts, 0)
  const delivered = result.totals.reduce((s, t) => s + t.deliveredParts, 0)
  return {
    key: '',
    sentParts: sent,
    deliveredParts: delivered,
    efficiency: result.totals.length === 1 ? result.totals[0].efficiency : efficiencyOf(sent, delivered),
    prices: result.totals.map((t) => ({ amount: t.price, currency: t.currency })).sort(byCurrency)
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

/** The group column's text for a key: a date, "Country - Operator", a sender ID or a country. */
export function keyLabel(group: StatsGroup, key: string, locale: string, unknown: string): string {
  switch (group) {
    case 'day':
      return formatDay(key, locale)
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
