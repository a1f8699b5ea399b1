/** Fast ISO-8601 UTC formatting for serving millions of timestamps (same output as toISOString). */
export const DAY_MS = 86_400_000

/** "HH:MM:SS." for every second of a day, and "mmmZ" for every millisecond: 3 pieces a stamp. */
let HMS: string[] | null = null
const MSZ = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0') + 'Z')
const dayPrefix = new Map<number, string>()

function hms(): string[] {
  if (!HMS) {
    HMS = new Array<string>(86_400)
    for (let s = 0; s < 86_400; s++) {
      const h = Math.floor(s / 3600)
      const m = Math.floor((s % 3600) / 60)
      HMS[s] = `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}.`
    }
  }
  return HMS
}

/** `new Date(ms).toISOString()`, several times faster (for years 0..9999). */
export function isoTime(ms: number): string {
  const day = Math.floor(ms / DAY_MS)
  let prefix = dayPrefix.get(day)
  if (prefix === undefined) {
    prefix = new Date(day * DAY_MS).toISOString().slice(0, 11)
    if (dayPrefix.size > 20_000) dayPrefix.clear()
    dayPrefix.set(day, prefix)
  }
  const r = ms - day * DAY_MS
  const sec = Math.floor(r / 1000)
  return prefix + hms()[sec] + MSZ[r - sec * 1000]
}

/** ISO-8601 UTC without milliseconds ("2024-01-21T15:52:00Z"), as the dispatch service writes. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19) + 'Z'
}

/** UTC midnight of the day `ms` falls in. */
export function dayStart(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS
}

/** "YYYY-MM-DD" of a UTC day. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}
