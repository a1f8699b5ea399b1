/**
 * Days and instants in a time zone: the one rule for days (PRODUCT.md, "Days and time zones").
 * A day is a calendar day of the chosen IANA zone; times are stored as UTC instants. A period
 * of days [from, to] is the instants from 00:00 of `from` (inclusive) to 00:00 of the day after
 * `to` (exclusive), both in the zone: a day is 23, 24 or 25 hours long (or another length
 * where a zone moved its clocks by something else), and where 00:00 does not exist (clocks
 * jumping over midnight) the day starts at its first instant.
 *
 * Used by the backend (filters, statistics, exports) and the renderer (the period picker's
 * "today", formatting) alike. Plain Intl, no globals: everything that depends on the clock
 * takes `now`, everything that depends on the zone takes `zone`.
 *
 * Days are "YYYY-MM-DD" strings; instants are milliseconds since the epoch. Offsets are
 * minutes east of UTC (Moscow +180, New York -300 / -240, Kathmandu +345).
 */

const SECOND = 1000
const MINUTE = 60_000
const HOUR = 3_600_000
const DAY_MS = 86_400_000
/** Offsets are cached per quarter hour of UTC (a slot whose two ends disagree is not cached). */
const SLOT = 900_000

export const UTC_ZONE = 'UTC'

/* ---------------- zones ---------------- */

const formatters = new Map<string, Intl.DateTimeFormat | null>()

function formatter(zone: string): Intl.DateTimeFormat | null {
  let f = formatters.get(zone)
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        era: 'short',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric'
      })
    } catch {
      f = null
    }
    if (formatters.size > 1000) formatters.clear()
    formatters.set(zone, f)
  }
  return f
}

/** True for a zone this Intl knows (IANA names such as "Europe/Moscow", and "UTC"). */
export function isTimeZone(zone: unknown): zone is string {
  return typeof zone === 'string' && zone.length > 0 && zone.length <= 64 && /^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(zone) && formatter(zone) !== null
}

/** This computer's zone (the default), or UTC when Intl cannot tell. */
export function systemTimeZone(): string {
  try {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone
    if (isTimeZone(zone)) return zone
  } catch {
    // an Intl without time zones: UTC
  }
  return UTC_ZONE
}

/** The zone in force: the chosen one, or this computer's when none is chosen ('' or unknown). */
export function effectiveTimeZone(chosen: string | null | undefined, system: string = systemTimeZone()): string {
  return chosen && isTimeZone(chosen) ? chosen : system
}

/** Every IANA zone this Intl knows, UTC first (Intl's list leaves it out). */
export function listTimeZones(): string[] {
  let zones: string[] = []
  try {
    zones = (Intl as unknown as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.('timeZone') ?? []
  } catch {
    zones = []
  }
  return [UTC_ZONE, ...zones.filter((z) => z !== UTC_ZONE)]
}

/* ---------------- offsets ---------------- */

/** Date.UTC without its 0-99 -> 1900-1999 mapping. */
function utcMs(y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number {
  const date = new Date(0)
  date.setUTCFullYear(y, mo - 1, d)
  date.setUTCHours(h, mi, s, 0)
  return date.getTime()
}

/** The zone's offset at an instant, computed (no cache). */
function exactOffset(zone: string, ms: number): number {
  const f = formatter(zone)
  if (!f) throw new RangeError(`Unknown time zone: ${zone}`)
  let y = 0
  let mo = 1
  let d = 1
  let h = 0
  let mi = 0
  let s = 0
  let bc = false
  for (const p of f.formatToParts(ms)) {
    switch (p.type) {
      case 'year':
        y = Number(p.value)
        break
      case 'month':
        mo = Number(p.value)
        break
      case 'day':
        d = Number(p.value)
        break
      case 'hour':
        h = Number(p.value)
        break
      case 'minute':
        mi = Number(p.value)
        break
      case 'second':
        s = Number(p.value)
        break
      case 'era':
        bc = p.value.startsWith('B')
        break
    }
  }
  if (bc) y = 1 - y
  const wall = utcMs(y, mo, d, h % 24, mi, s)
  const whole = ms - (((ms % SECOND) + SECOND) % SECOND)
  return Math.round((wall - whole) / MINUTE)
}

/** Per zone: quarter hour of UTC -> the offset through the whole of it (NaN: it changes inside). */
const offsetCache = new Map<string, Map<number, number>>()

/** The zone's offset (minutes east of UTC) at an instant. */
export function offsetMinutes(zone: string, ms: number): number {
  if (zone === UTC_ZONE) return 0
  let cache = offsetCache.get(zone)
  if (!cache) {
    if (offsetCache.size > 50) offsetCache.clear()
    offsetCache.set(zone, (cache = new Map()))
  }
  const slot = Math.floor(ms / SLOT)
  let off = cache.get(slot)
  if (off === undefined) {
    const a = exactOffset(zone, slot * SLOT)
    const b = exactOffset(zone, slot * SLOT + SLOT - 1)
    off = a === b ? a : NaN
    if (cache.size > 400_000) cache.clear()
    cache.set(slot, off)
  }
  return Number.isNaN(off) ? exactOffset(zone, ms) : off
}

/** "+03:00", "-05:00", "+05:45". */
export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+'
  const abs = Math.abs(minutes)
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`
}

/** "Europe/Moscow (UTC+03:00)": the zone with its offset at `now`. */
export function zoneLabel(zone: string, now: number): string {
  return `${zone} (UTC${formatOffset(offsetMinutes(zone, now))})`
}

/** The wall clock of an instant in the zone, as milliseconds whose UTC fields read it. */
export function wallClock(zone: string, ms: number): number {
  return ms + offsetMinutes(zone, ms) * MINUTE
}

/* ---------------- days ---------------- */

const DAY_TEXT = /^(\d{4})-(\d{2})-(\d{2})$/

/** True for "YYYY-MM-DD" naming a day that exists. */
export function isDay(value: unknown): value is string {
  if (typeof value !== 'string') return false
  const m = DAY_TEXT.exec(value)
  if (!m) return false
  return dayText(utcMs(Number(m[1]), Number(m[2]), Number(m[3]))) === value
}

/** The UTC midnight that starts a calendar day (the day as a label, no zone). */
export function dayMs(day: string): number {
  const m = DAY_TEXT.exec(day)
  if (!m) throw new RangeError(`Not a day: ${day}`)
  return utcMs(Number(m[1]), Number(m[2]), Number(m[3]))
}

/** "YYYY-MM-DD" of the UTC fields of `ms`. */
export function dayText(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}

/** The day `n` days after `day` (before, for a negative n). */
export function addDays(day: string, n: number): string {
  return dayText(dayMs(day) + n * DAY_MS)
}

/** Every day from `from` to `to`, both included (at most `limit`). */
export function daysFromTo(from: string, to: string, limit = 100_000): string[] {
  if (!isDay(from) || !isDay(to) || from > to) return []
  const out: string[] = []
  for (let t = dayMs(from), end = dayMs(to); t <= end && out.length < limit; t += DAY_MS) out.push(dayText(t))
  return out
}

/** The day of the zone an instant falls on. */
export function dayIn(zone: string, ms: number): string {
  return dayText(wallClock(zone, ms))
}

/** Today in the zone. */
export function todayIn(zone: string, now: number): string {
  return dayIn(zone, now)
}

/** The last `days` days of the zone up to today, today included: lastDaysIn(z, 30, now) spans 30 days. */
export function lastDaysIn(zone: string, days: number, now: number): { from: string; to: string } {
  const to = todayIn(zone, now)
  return { from: addDays(to, -(days - 1)), to }
}

/**
 * The first instant of `day` in the zone: 00:00 there, or, where the clocks jumped over
 * midnight, the first instant that reads `day`.
 */
export function startOfDay(zone: string, day: string): number {
  const t0 = dayMs(day)
  if (zone === UTC_ZONE) return t0
  // Usually: midnight at the offset in force at midnight.
  const guess = t0 - offsetMinutes(zone, t0 - offsetMinutes(zone, t0) * MINUTE) * MINUTE
  if (dayIn(zone, guess) === day && dayIn(zone, guess - 1) < day) return guess
  // Near a transition: the first instant whose day is `day` or later (days only move forward),
  // between the earliest and the latest midnight any zone has (offsets lie within -12 and +14 hours).
  let lo = t0 - 15 * HOUR
  let hi = t0 + 13 * HOUR
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2)
    if (dayIn(zone, mid) >= day) hi = mid
    else lo = mid
  }
  return hi
}

/** A period of days as UTC instants: [00:00 of `from`, 00:00 of the day after `to`) in the zone. */
export function dayRange(zone: string, from: string, to: string): { start: number; end: number } {
  return { start: startOfDay(zone, from), end: startOfDay(zone, addDays(to, 1)) }
}

/**
 * An instant as "YYYY-MM-DDTHH:MM:SS" (UTC, whole seconds): compared as text with stored
 * ISO-8601 UTC times ("...:SSZ", "...:SS.mmmZ"), it is less than or equal to every one of
 * them at or after it and greater than every one before it, so it serves as a range bound.
 */
export function utcBound(ms: number): string {
  return new Date(ms - (((ms % SECOND) + SECOND) % SECOND)).toISOString().slice(0, 19)
}

/** A period of days as text bounds for stored UTC times: `time >= start AND time < end`. */
export function dayBounds(zone: string, from: string, to: string): { start: string; end: string } {
  const r = dayRange(zone, from, to)
  return { start: utcBound(r.start), end: utcBound(r.end) }
}

/* ---------------- transitions ---------------- */

export interface ZoneTransition {
  /** The first instant of this offset (whole seconds). */
  start: number
  offset: number
}

/**
 * The zone's offsets from `fromMs` to `toMs`: the offset in force at `fromMs` (starting there),
 * then one entry per change. Found by sampling every 12 hours and bisecting to the second, so two
 * changes less than 12 hours apart that cancel out are not seen (no zone has had such since 1990).
 */
export function zoneTransitions(zone: string, fromMs: number, toMs: number): ZoneTransition[] {
  const out: ZoneTransition[] = [{ start: fromMs, offset: exactOffset(zone, fromMs) }]
  if (zone === UTC_ZONE) return out
  const STEP = 12 * HOUR
  let t = fromMs
  let off = out[0].offset
  while (t < toMs) {
    const next = Math.min(t + STEP, toMs)
    const o = exactOffset(zone, next)
    if (o === off) {
      t = next
      continue
    }
    // The first second in (t, next] whose offset differs from `off`.
    let lo = Math.floor(t / SECOND)
    let hi = Math.floor(next / SECOND)
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2)
      if (exactOffset(zone, mid * SECOND) !== off) hi = mid
      else lo = mid
    }
    const start = hi * SECOND
    off = exactOffset(zone, start)
    out.push({ start, offset: off })
    t = start
  }
  return out
}
