/** Turns a zod failure into one short, readable reason stored with a rejected record. */
import type { z } from 'zod'

export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string }

export function check<S extends z.ZodType>(schema: S, raw: unknown): Checked<z.output<S>> {
  const r = schema.safeParse(raw)
  if (r.success) return { ok: true, value: r.data }
  const issue = r.error.issues[0]
  const path = issue.path.length ? issue.path.join('.') : 'record'
  return { ok: false, reason: `${path}: ${issue.message}`.slice(0, 300) }
}

/** ISO-8601 UTC timestamp as the platform sends it, with fields in their ranges. */
export const ISO_UTC = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?Z$/

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/** Two ASCII digits at i as a number, or -1. */
function two(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48
  const b = s.charCodeAt(i + 1) - 48
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1
}

/**
 * ISO_UTC plus the day-of-month check (leap years included), read character by character: it
 * runs on every timestamp of every synced record (four per message), so no regex and no Date.
 */
export function isIsoUtc(s: unknown): boolean {
  if (typeof s !== 'string') return false
  const n = s.length
  if (n !== 20 && (n < 22 || n > 27)) return false
  const y1 = two(s, 0)
  const y2 = two(s, 2)
  const month = two(s, 5)
  const day = two(s, 8)
  const hour = two(s, 11)
  const minute = two(s, 14)
  const second = two(s, 17)
  if (
    y1 < 0 || y2 < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 ||
    minute < 0 || minute > 59 || second < 0 || second > 59 ||
    s.charCodeAt(4) !== 45 /* - */ || s.charCodeAt(7) !== 45 /* - */ || s.charCodeAt(10) !== 84 /* T */ ||
    s.charCodeAt(13) !== 58 /* : */ || s.charCodeAt(16) !== 58 /* : */ || s.charCodeAt(n - 1) !== 90 /* Z */
  ) {
    return false
  }
  if (n !== 20) {
    if (s.charCodeAt(19) !== 46 /* . */) return false
    for (let i = 20; i < n - 1; i++) {
      const c = s.charCodeAt(i)
      if (c < 48 || c > 57) return false
    }
  }
  if (day > DAYS_IN_MONTH[month - 1]) return false
  if (month !== 2 || day !== 29) return true
  const year = y1 * 100 + y2
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
}
