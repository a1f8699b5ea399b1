/**
 * Calendar days as the contract takes them ("YYYY-MM-DD"): days of the chosen time zone
 * (src/shared/zone.ts), whatever this browser's own zone is.
 */
import { addDays, lastDaysIn, todayIn } from '@shared/zone'

function two(n: number): string {
  return String(n).padStart(2, '0')
}

/** The calendar day of a Date in this browser's own zone (not the chosen one: see lastDays). */
export function dayOf(d: Date): string {
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`
}

/** The last `days` days of `zone` up to today there, today included: lastDays(30, z) spans 30 days. */
export function lastDays(days: number, zone: string, now: number = Date.now()): { from: string; to: string } {
  return lastDaysIn(zone, days, now)
}

/**
 * A day of `zone` relative to today there (0 today, -1 yesterday), as the date picker takes a
 * value: the timestamp of that day's midnight in this browser's own zone (the picker reads
 * timestamps in it), so the picker shows the zone's day whatever the browser's zone is.
 */
export function pickerDay(zone: string, offsetDays: number, now: number = Date.now()): number {
  const [y, m, d] = addDays(todayIn(zone, now), offsetDays).split('-').map(Number)
  return new Date(y, m - 1, d).getTime()
}

export function isDay(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false
  const t = Date.parse(`${value}T00:00:00Z`)
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === value
}

/** Every day from `from` to `to` inclusive (at most `limit`), e.g. to fill a chart's axis. */
export function daysBetween(from: string, to: string, limit = 1000): string[] {
  if (!isDay(from) || !isDay(to) || from > to) return []
  const out: string[] = []
  const d = new Date(`${from}T00:00:00Z`)
  const end = Date.parse(`${to}T00:00:00Z`)
  while (d.getTime() <= end && out.length < limit) {
    out.push(d.toISOString().slice(0, 10))
    d.setUTCDate(d.getUTCDate() + 1)
  }
  return out
}

/** A calendar day for people: "Nov 22, 2025" / "22 нояб. 2025 г." (the day itself, no time zone shift). */
export function formatDay(day: string, locale: string, style: 'medium' | 'short' = 'medium'): string {
  if (!isDay(day)) return day
  return new Intl.DateTimeFormat(locale, { dateStyle: style, timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`))
}
