import { describe, expect, it } from 'vitest'
import { retryAfterMs } from '../../src/backend/sync/http'
import { pageUrl, parseCursor } from '../../src/backend/sync/sources/platform'

describe('sync http helpers', () => {
  it('reads Retry-After as seconds or as a date', () => {
    expect(retryAfterMs('3')).toBe(3000)
    expect(retryAfterMs('0')).toBe(0)
    expect(retryAfterMs(null)).toBeNull()
    expect(retryAfterMs('soon')).toBeNull()
    const now = Date.parse('2026-01-01T00:00:00Z')
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000)
  })

  it('builds keyset page URLs and reads cursors defensively', () => {
    const u = new URL(pageUrl('http://h:1/base', 'api/v1/clients/', { updatedAfter: '2026-01-01T00:00:00.000Z', afterId: 7 }, 50))
    expect(u.pathname).toBe('/base/api/v1/clients/')
    expect(u.searchParams.get('after_id')).toBe('7')
    expect(u.searchParams.get('page_size')).toBe('50')
    expect(parseCursor('{"updatedAfter":"x","afterId":3}')).toEqual({ updatedAfter: 'x', afterId: 3 })
    expect(parseCursor('garbage')).toBeNull()
    expect(parseCursor(null)).toBeNull()
  })
})

import { ISO_UTC, isIsoUtc } from '../../src/backend/sync/validate'

describe('timestamps from the platform', () => {
  it('accepts real ISO-8601 UTC instants only', () => {
    for (const ok of ['2026-11-22T08:00:00Z', '2024-02-29T23:59:59.123456Z', '2000-02-29T00:00:00.1Z']) expect(isIsoUtc(ok), ok).toBe(true)
    for (const bad of ['2026-02-29T00:00:00Z', '1900-02-29T00:00:00Z', '2026-04-31T00:00:00Z', '2026-13-01T00:00:00Z',
      '2026-11-22T24:00:00Z', '2026-11-22 08:00:00Z', '2026-11-22T08:00:00+03:00', '2026-11-22T08:00:00', ''])
      expect(isIsoUtc(bad), bad).toBe(false)
  })

  it('reads a timestamp exactly as the ISO_UTC pattern plus a real day of the month', () => {
    // The character-by-character check against the readable pattern, over mutated timestamps.
    const spec = (s: string): boolean => {
      if (!ISO_UTC.test(s)) return false
      const [y, m, d] = [Number(s.slice(0, 4)), Number(s.slice(5, 7)), Number(s.slice(8, 10))]
      return new Date(Date.UTC(y, m - 1, d)).getUTCDate() === d || (y < 100 && m === 2 && d === 29 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0))
    }
    const bases = ['2026-11-22T08:00:00Z', '2024-02-29T23:59:59.123456Z', '2000-02-29T00:00:00.1Z', '2100-02-28T12:30:45.99Z']
    const chars = '0123456789-:TZ.+ x9'
    let seed = 7
    const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n)
    let checked = 0
    for (const base of bases) {
      for (let k = 0; k < 4000; k++) {
        let s = base
        for (let e = 0; e <= rand(3); e++) {
          const i = rand(s.length + 1)
          const op = rand(3)
          const c = chars[rand(chars.length)]
          s = op === 0 ? s.slice(0, i) + c + s.slice(i + 1) : op === 1 ? s.slice(0, i) + c + s.slice(i) : s.slice(0, i) + s.slice(i + 1)
        }
        expect(isIsoUtc(s), s).toBe(spec(s))
        checked++
      }
    }
    expect(checked).toBe(16000)
    for (const notText of [null, undefined, 20260101, {}, ['2026-11-22T08:00:00Z']]) expect(isIsoUtc(notText)).toBe(false)
  })
})
