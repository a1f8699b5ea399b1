/** Calendar days as the contract takes them ("YYYY-MM-DD"), counted in the user's local time. */

function two(n: number): string {
  return String(n).padStart(2, '0')
}

/** The local calendar day of a Date. */
export function dayOf(d: Date): string {
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`
}

/** The last `days` days up to today, today included: lastDays(30) spans 30 calendar days. */
export function lastDays(days: number, now: Date = new Date()): { from: string; to: string } {
  const start = new Date(now.getFullYear(), now.getMonth(), now.getDate() - (days - 1))
  return { from: dayOf(start), to: dayOf(now) }
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
