/**
 * requestJson against a hostile server (tests/hostile.ts) on loopback: it never hangs (a drip,
 * a silent server, a half-closed body — even after a garbage collection mid-read), Cancel
 * answers within 2 s whatever the server does, a huge answer is refused without being taken
 * in, a body cut short is told apart from an unreachable server, a body nested 100,000 deep
 * is refused before parsing, and a call as a whole can be bounded in time.
 */
import v8 from 'node:v8'
import vm from 'node:vm'
import { afterEach, describe, expect, it } from 'vitest'
import { requestJson, type RequestOptions } from '../../src/backend/sync/http'
import { AppError } from '../../src/shared/errors'
import { cutShort, deep, drip, halfClosed, huge, json, refusedUrl, sequence, silent, startHostile, type Behaviour, type Hostile } from '../hostile'

/** A real gc(), without --expose-gc on the command line. */
v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as () => void

let servers: Hostile[] = []
afterEach(async () => {
  for (const s of servers) await s.close()
  servers = []
})

async function serve(b: Behaviour): Promise<Hostile> {
  const s = await startHostile(b)
  servers.push(s)
  return s
}

/** The call's error (an AppError) and how long it took to come. */
async function failure(url: string, options: RequestOptions): Promise<{ error: AppError; ms: number }> {
  const started = performance.now()
  try {
    await requestJson(url, options)
  } catch (e) {
    expect(e).toBeInstanceOf(AppError)
    return { error: e as AppError, ms: performance.now() - started }
  }
  throw new Error('requestJson resolved')
}

const NO_RETRY = { retries: 0 }
const FAST_RETRY = { retries: 2, baseDelayMs: 5, maxDelayMs: 10 }

describe('requestJson never hangs', () => {
  it('gives up on a server that drips a byte a second, at the per-request timeout', { timeout: 15_000 }, async () => {
    const s = await serve(drip(1000))
    const { error, ms } = await failure(s.url, { timeoutMs: 1000, retry: NO_RETRY })
    expect(error.code).toBe('server_timeout')
    expect(error.params).toMatchObject({ seconds: 1 })
    expect(ms).toBeLessThan(3000)
  })

  it('still times out when garbage is collected in the middle of the body', { timeout: 15_000 }, async () => {
    const s = await serve(drip(1000))
    // A caller's signal (never aborted) is what made the old code build a composite signal.
    const caller = new AbortController()
    const collecting = setInterval(gc, 150)
    try {
      const { error, ms } = await failure(s.url, { timeoutMs: 1000, retry: NO_RETRY, signal: caller.signal })
      expect(error.code).toBe('server_timeout')
      expect(ms).toBeLessThan(3000)
    } finally {
      clearInterval(collecting)
    }
    expect(s.sent).toBeGreaterThan(0) // the body had begun
  })

  it('gives up on a silent server', { timeout: 15_000 }, async () => {
    const s = await serve(silent())
    const { error, ms } = await failure(s.url, { timeoutMs: 500, retry: NO_RETRY })
    expect(error.code).toBe('server_timeout')
    expect(ms).toBeLessThan(2000)
  })

  it('gives up on a half-closed body (Content-Length promised, socket kept open)', { timeout: 15_000 }, async () => {
    const s = await serve(halfClosed(1000, 10))
    const { error, ms } = await failure(s.url, { timeoutMs: 1000, retry: NO_RETRY })
    expect(error.code).toBe('server_timeout')
    expect(ms).toBeLessThan(3000)
  })

  it('bounds a whole call with deadlineMs, across retries', { timeout: 15_000 }, async () => {
    const s = await serve(silent())
    const { error, ms } = await failure(s.url, { timeoutMs: 1000, deadlineMs: 2500, retry: { retries: 100, baseDelayMs: 10, maxDelayMs: 20 } })
    expect(error.code).toBe('server_timeout')
    expect(ms).toBeGreaterThan(2000)
    expect(ms).toBeLessThan(3500)
    expect(s.hits).toBeGreaterThanOrEqual(2)
  })

  it('does not sleep past deadlineMs: throws the last error instead', { timeout: 15_000 }, async () => {
    const s = await serve(json(503, { detail: 'busy' }, { 'retry-after': '30' }))
    const { error, ms } = await failure(s.url, { deadlineMs: 1000 })
    expect(error.code).toBe('server_error')
    expect(error.params).toMatchObject({ status: 503 })
    expect(ms).toBeLessThan(500)
    expect(s.hits).toBe(1)
  })
})

describe('Cancel answers within 2 s whatever the server does', () => {
  const cases: [string, () => Behaviour][] = [
    ['a drip', () => drip(1000)],
    ['a silent server', () => silent()],
    ['a half-closed body', () => halfClosed(1000, 10)],
    ['a Retry-After sleep', () => json(503, { detail: 'busy' }, { 'retry-after': '60' })]
  ]
  for (const [name, behaviour] of cases) {
    it(`during ${name}`, { timeout: 15_000 }, async () => {
      const s = await serve(behaviour())
      const controller = new AbortController()
      setTimeout(() => controller.abort(), 600)
      const collecting = setInterval(gc, 200)
      try {
        const { error, ms } = await failure(s.url, { timeoutMs: 60_000, signal: controller.signal })
        expect(error.code).toBe('sync_cancelled')
        expect(ms - 600).toBeLessThan(2000)
        console.log(`cancel during ${name}: answered ${Math.round(ms - 600)} ms after the abort`)
      } finally {
        clearInterval(collecting)
      }
      expect(s.hits).toBe(1)
    })
  }

  it('before the call starts', async () => {
    const s = await serve(json(200, []))
    const controller = new AbortController()
    controller.abort()
    const { error } = await failure(s.url, { signal: controller.signal })
    expect(error.code).toBe('sync_cancelled')
    expect(s.hits).toBe(0)
  })
})

describe('a huge answer is refused, not taken in', () => {
  const SIZE = 40 * 1024 * 1024

  /** The call's error and the peak growth of the process RSS while it ran. */
  async function measured(url: string, options: RequestOptions): Promise<{ error: AppError; rssMb: number }> {
    gc()
    const base = process.memoryUsage.rss()
    let peak = base
    const sampling = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5)
    try {
      const { error } = await failure(url, options)
      peak = Math.max(peak, process.memoryUsage.rss())
      return { error, rssMb: (peak - base) / 2 ** 20 }
    } finally {
      clearInterval(sampling)
    }
  }

  it('with a Content-Length: refused at once', { timeout: 30_000 }, async () => {
    const s = await serve(huge(SIZE, true))
    const { error, rssMb } = await measured(s.url, { retry: FAST_RETRY })
    expect(error.code).toBe('response_too_large')
    expect(error.message).toMatch(/41943040 bytes.*16777216/)
    expect(error.params).toMatchObject({ limit: 16 })
    expect(s.hits).toBe(1) // not retried: it would be too large again
    expect(s.sent).toBeLessThan(8 * 2 ** 20) // what the socket buffers took, no more
    expect(rssMb).toBeLessThan(20)
    console.log(`40 MB with Content-Length: RSS +${rssMb.toFixed(1)} MB, server wrote ${(s.sent / 2 ** 20).toFixed(1)} MiB`)
  })

  it('without a Content-Length: reading stops at the limit', { timeout: 30_000 }, async () => {
    const s = await serve(huge(SIZE, false))
    const { error, rssMb } = await measured(s.url, { maxBytes: 2 ** 20, retry: FAST_RETRY })
    expect(error.code).toBe('response_too_large')
    expect(error.params).toMatchObject({ limit: 1 })
    expect(s.hits).toBe(1)
    expect(s.sent).toBeLessThan(2 ** 20 + 8 * 2 ** 20)
    expect(rssMb).toBeLessThan(20)
    console.log(`40 MB chunked, 1 MiB limit: RSS +${rssMb.toFixed(1)} MB, server wrote ${(s.sent / 2 ** 20).toFixed(1)} MiB`)
  })

  it('without a Content-Length, at the default 16 MiB limit', { timeout: 30_000 }, async () => {
    const s = await serve(huge(SIZE, false))
    const { error, rssMb } = await measured(s.url, { retry: FAST_RETRY })
    expect(error.code).toBe('response_too_large')
    expect(s.sent).toBeLessThan(16 * 2 ** 20 + 8 * 2 ** 20)
    expect(rssMb).toBeLessThan(SIZE / 2 ** 20)
    console.log(`40 MB chunked, 16 MiB limit: RSS +${rssMb.toFixed(1)} MB, server wrote ${(s.sent / 2 ** 20).toFixed(1)} MiB`)
  })

  it('a body within the limit is read whole', async () => {
    const s = await serve(huge(3 * 2 ** 20, false))
    const { body } = await requestJson(s.url, { maxBytes: 4 * 2 ** 20 })
    expect(JSON.stringify(body).length).toBe(3 * 2 ** 20)
  })
})

describe('a body cut short is told apart from an unreachable server', () => {
  it('Content-Length promised more, then the socket closed: response_truncated, retried', async () => {
    const s = await serve(cutShort(1000, 10))
    const retries: string[] = []
    const { error } = await failure(s.url, { retry: FAST_RETRY, onRetry: (e) => retries.push(e.code) })
    expect(error.code).toBe('response_truncated')
    expect(error.message).toMatch(/cut short after 10 of 1000 bytes/)
    expect(error.params).toMatchObject({ received: 10 })
    expect(retries).toEqual(['response_truncated', 'response_truncated'])
    expect(s.hits).toBe(3)
  })

  it('a truncated JSON (complete as HTTP): response_truncated, then the good answer', async () => {
    const s = await serve(sequence(json(200, '{"results":[{"id":1},{"id"'), json(200, { results: [] })))
    const { body } = await requestJson(s.url, { retry: FAST_RETRY })
    expect(body).toEqual({ results: [] })
    expect(s.hits).toBe(2)
    const s2 = await serve(json(200, '[1,2,"thr'))
    const { error } = await failure(s2.url, { retry: NO_RETRY })
    expect(error.code).toBe('response_truncated')
    expect(error.message).toMatch(/cut short after 9 bytes/)
  })

  it('garbage that is not cut short stays bad_response', async () => {
    const s = await serve(json(200, '<html>oops</html>'))
    const { error } = await failure(s.url, { retry: NO_RETRY })
    expect(error.code).toBe('bad_response')
  })

  it('a connection refused stays server_unreachable', async () => {
    const { error } = await failure(await refusedUrl(), { retry: NO_RETRY })
    expect(error.code).toBe('server_unreachable')
    expect(error.message).toMatch(/ECONNREFUSED/)
  })
})

describe('deep nesting is refused before parsing', () => {
  it('a body nested 100,000 levels deep: bad_response, retried as usual', async () => {
    const s = await serve(deep(100_000))
    const { error } = await failure(s.url, { retry: FAST_RETRY })
    expect(error.code).toBe('bad_response')
    expect(error.message).toMatch(/nested deeper than 64 levels/)
    expect(s.hits).toBe(3)
  })

  it('maxDepth is per call; 64 levels pass by default', async () => {
    const s = await serve(deep(64))
    await expect(requestJson(s.url)).resolves.toMatchObject({ status: 200 })
    const { error } = await failure(s.url, { maxDepth: 10, retry: NO_RETRY })
    expect(error.message).toMatch(/nested deeper than 10 levels/)
  })
})

describe('what requestJson already did', () => {
  it('retries 5xx and 429 with onRetry, honouring Retry-After in seconds and as a date', async () => {
    const date = new Date(Date.now() + 1500).toUTCString()
    const s = await serve(
      sequence(json(500, {}), json(429, {}, { 'retry-after': '0' }), json(503, {}, { 'retry-after': date }), json(200, { ok: 1 }))
    )
    const seen: [string, number, number][] = []
    const { body } = await requestJson(s.url, { retry: { retries: 5, baseDelayMs: 1, maxDelayMs: 1 }, onRetry: (e, n, d) => seen.push([e.code, n, d]) })
    expect(body).toEqual({ ok: 1 })
    expect(seen.map(([c, n]) => [c, n])).toEqual([['server_error', 1], ['server_error', 2], ['server_error', 3]])
    expect(seen[1][2]).toBe(0)
    expect(seen[2][2]).toBeGreaterThan(0)
    expect(seen[2][2]).toBeLessThanOrEqual(2000)
  })

  it('401/403 unauthorized, 404 not_found and other 4xx refused, none retried', async () => {
    for (const [status, code] of [[401, 'unauthorized'], [403, 'unauthorized'], [404, 'not_found'], [400, 'server_error'], [422, 'server_error']] as const) {
      const s = await serve(json(status, { detail: 'No such thing.', code: 'nope' }))
      const { error } = await failure(s.url, { retry: FAST_RETRY })
      expect(error.code, String(status)).toBe(code)
      expect(s.hits, String(status)).toBe(1)
      if (status === 404 || status >= 400 && status !== 401 && status !== 403)
        expect((error as AppError & { refusal?: unknown }).refusal).toEqual({ status, detail: 'No such thing.', code: 'nope' })
    }
  })

  it('does not follow redirects', async () => {
    const target = await serve(json(200, { followed: true }))
    const s = await serve(json(302, {}, { location: target.url }))
    const { error } = await failure(s.url, { retry: FAST_RETRY })
    expect(error.code).toBe('server_error')
    expect(error.message).toMatch(/redirect/)
    expect(target.hits).toBe(0)
  })

  it('sends the token only in the Authorization header, never in a message', async () => {
    const s = await serve(json(500, {}))
    const { error } = await failure(`${s.url}/p?x=1`, { token: 'sekret-token', retry: NO_RETRY, method: 'POST', body: { a: 1 }, headers: { 'idempotency-key': 'k1' } })
    expect(s.lastHeaders).toMatchObject({ authorization: 'Bearer sekret-token', 'idempotency-key': 'k1', 'content-type': 'application/json' })
    expect(JSON.stringify(error.toWire())).not.toContain('sekret')
    expect(error.message).not.toContain('x=1')
  })
})
