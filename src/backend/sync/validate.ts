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

/** Checked on every timestamp of every synced record, so no Date parsing on the hot path. */
export function isIsoUtc(s: string): boolean {
  if (!ISO_UTC.test(s)) return false
  const month = (s.charCodeAt(5) - 48) * 10 + (s.charCodeAt(6) - 48)
  const day = (s.charCodeAt(8) - 48) * 10 + (s.charCodeAt(9) - 48)
  if (day <= DAYS_IN_MONTH[month - 1]) {
    if (month !== 2 || day < 29) return true
    const year = Number(s.slice(0, 4))
    return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  }
  return false
}
