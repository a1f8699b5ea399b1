import { describe, expect, it } from 'vitest'
import { DEFAULT_MAX_DEPTH, NestingScan, jsonNesting, retryAfterMs } from '../../src/backend/sync/http'
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

describe('the nesting scan run on every body before it is parsed', () => {
  const scan = (text: string, max = DEFAULT_MAX_DEPTH): { tooDeep: boolean; open: boolean } => jsonNesting(Buffer.from(text), max)
  /** The depth of a parsed value, the reference the scan must agree with. */
  const depthOf = (v: unknown): number =>
    v !== null && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v as object).map(depthOf)) : 0

  it('counts brackets outside strings only, honouring escapes', () => {
    expect(scan('[[[1]]]', 3)).toEqual({ tooDeep: false, open: false })
    expect(scan('[[[1]]]', 2)).toEqual({ tooDeep: true, open: false })
    expect(scan('{"a":{"b":[{}]}}', 4).tooDeep).toBe(false)
    expect(scan('{"a":{"b":[{}]}}', 3).tooDeep).toBe(true)
    // brackets, quotes and backslashes inside strings do not count
    expect(scan(String.raw`["[[[[{{{{", "\\"]`, 1)).toEqual({ tooDeep: false, open: false })
    expect(scan(String.raw`["\\"`, 1)).toEqual({ tooDeep: false, open: true }) // the string closed, the array did not
    expect(scan(String.raw`["\\\"[[[["]`, 1)).toEqual({ tooDeep: false, open: false }) // \\ then \" stay in the string
    expect(scan(String.raw`["\\\\"[[`, 2).tooDeep).toBe(true) // \\\\ ends at the quote: [[ is outside
    expect(scan('{"ключ":"значение [[[ {{{","€":["😀"]}', 2)).toEqual({ tooDeep: false, open: false })
  })

  it('tells a text that ends unfinished, also when it ends on an escape', () => {
    for (const cut of ['[1,2', '{"a":"tex', '{"a":[{"b":1}', '"abc', '["a\\']) expect(scan(cut).open, cut).toBe(true)
    for (const whole of ['[]', '{}', '1', '"x"', 'null', '[1,[2],{"a":"]"}]', '']) expect(scan(whole).open, whole).toBe(false)
  })

  it('stops at once on a body nested 100,000 levels deep', () => {
    const deep = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000)
    const started = performance.now()
    expect(scan(deep)).toEqual({ tooDeep: true, open: false })
    expect(performance.now() - started).toBeLessThan(50)
  })

  it('agrees with the depth of the parsed value on random JSON', () => {
    let seed = 11
    const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n)
    const pieces = ['[', ']', '{', '}', '"', '\\', 'x', 'я', ',', ':']
    const value = (d: number): unknown => {
      const k = rand(d > 6 ? 3 : 5)
      if (k === 0) return rand(100)
      if (k === 1) return Array.from({ length: rand(6) }, () => pieces[rand(pieces.length)]).join('')
      if (k === 2) return null
      if (k === 3) return Array.from({ length: rand(4) }, () => value(d + 1))
      return Object.fromEntries(Array.from({ length: rand(4) }, () => [pieces[rand(pieces.length)] + rand(9), value(d + 1)]))
    }
    for (let n = 0; n < 2000; n++) {
      const v = value(0)
      const text = JSON.stringify(v)
      const depth = depthOf(v)
      expect(scan(text, depth), text).toEqual({ tooDeep: false, open: false })
      if (depth > 0) expect(scan(text, depth - 1).tooDeep, text).toBe(true)
      // The same, fed in chunks cut anywhere (inside a string, after a backslash), as a body arrives.
      const bytes = Buffer.from(text)
      const chunked = new NestingScan(Math.max(0, depth - 1))
      const whole = new NestingScan(depth)
      for (let at = 0; at < bytes.length; ) {
        const next = Math.min(bytes.length, at + 1 + rand(8))
        chunked.feed(bytes.subarray(at, next))
        whole.feed(bytes.subarray(at, next))
        at = next
      }
      expect(chunked.tooDeep, text).toBe(depth > 0)
      expect([whole.tooDeep, whole.open], text).toEqual([false, false])
    }
  })

  it('costs a fraction of JSON.parse on a 10 MB page', () => {
    const rows = Array.from({ length: 32_000 }, (_, i) => ({
      id: i,
      client_id: i % 500,
      created_at: '2026-11-22T08:00:00.123Z',
      updated_at: '2026-11-22T08:00:05.000Z',
      sender: `Shop${i % 40}`,
      phone: `+7916${1e6 + i}`,
      operator: 'MTS',
      status: 'delivered',
      parts: 1,
      price: '0.4500',
      text: `Ваш код подтверждения: ${(i * 7919) % 1e6}. Никому не сообщайте "код" [ok]`
    }))
    const text = JSON.stringify({ count: rows.length, next: 'http://h/api/v1/messages/?after_id=1', previous: null, results: rows })
    const bytes = Buffer.from(text)
    expect(bytes.length).toBeGreaterThan(10e6)
    /** The best of a few runs: the machine is shared, the best run is the cost. */
    const best = (f: () => unknown): number => {
      let min = Infinity
      for (let r = 0; r < 7; r++) {
        const t = performance.now()
        f()
        min = Math.min(min, performance.now() - t)
      }
      return min
    }
    // In 64 KiB chunks, as undici hands a body over.
    const scanMs = best(() => {
      const scan = new NestingScan(DEFAULT_MAX_DEPTH)
      for (let at = 0; at < bytes.length; at += 65_536) scan.feed(bytes.subarray(at, at + 65_536))
    })
    const parseMs = best(() => JSON.parse(text))
    const decodeMs = best(() => new TextDecoder().decode(bytes))
    console.log(
      `nesting scan of a ${(bytes.length / 1e6).toFixed(1)} MB page: ${scanMs.toFixed(1)} ms; ` +
        `JSON.parse ${parseMs.toFixed(1)} ms, UTF-8 decoding ${decodeMs.toFixed(1)} ms`
    )
    expect(jsonNesting(bytes, DEFAULT_MAX_DEPTH)).toEqual({ tooDeep: false, open: false })
    expect(scanMs).toBeLessThan(parseMs + decodeMs)
  })
})
