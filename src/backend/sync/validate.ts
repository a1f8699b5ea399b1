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

/** ISO-8601 UTC timestamp as the platform sends it. */
export const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/

export function isIsoUtc(s: string): boolean {
  return ISO_UTC.test(s) && !Number.isNaN(Date.parse(s))
}
