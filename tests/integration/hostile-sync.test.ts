/**
 * The platform keyset stream against hostile servers of the test's own (plain node:http on
 * loopback): a server that pages forever without moving, a `next` link to another host, a page
 * larger than asked for, the same damaged page forever, records that are all malformed, and a
 * server that never answers. Each sync ends within a bounded time, after a bounded number of
 * requests, with a clear error (or, for the foreign `next` link, with every record stored and
 * the other host never asked).
 */
import http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Db } from '../../src/backend/db/connection'
import { SyncEngine } from '../../src/backend/sync/engine'
import { platformClientsStream } from '../../src/backend/sync/sources/platform'
import type { SyncRunSummary } from '../../src/shared/types'
import { openTestDb, tempDir } from '../helpers'

const STREAM = 'platform.clients'
const PATH = '/api/v1/clients/'
/** The whole sync ends within this (ms), whatever the server does. */
const BOUND_MS = 10_000

type Handler = (url: URL, res: http.ServerResponse) => void

interface TestServer {
  url: string
  /** Every request received, in order. */
  requests: URL[]
  close(): Promise<void>
}

let servers: TestServer[] = []
let tmp: ReturnType<typeof tempDir>
let db: Db

beforeEach(() => {
  tmp = tempDir('smsdesk-hostile-sync-')
  db = openTestDb(tmp.dir)
})
afterEach(async () => {
  for (const s of servers) await s.close()
  servers = []
  db.close()
  tmp.cleanup()
})

async function serve(handler: Handler, host = '127.0.0.1'): Promise<TestServer> {
  const sockets = new Set<Socket>()
  const requests: URL[] = []
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${host}`)
    requests.push(url)
    req.resume()
    handler(url, res)
  })
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, host, () => resolve())
  })
  const { port } = server.address() as AddressInfo
  const self: TestServer = {
    url: `http://${host}:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      })
  }
  servers.push(self)
  return self
}

function send(res: http.ServerResponse, body: unknown, status = 200): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) })
  res.end(text)
}

/** A DRF page. */
function page(results: unknown[], next: string | null, count = results.length): unknown {
  return { count, next, previous: null, results }
}

/** updated_at of record `id`: ten records share each second, so the keyset's id tie-break matters. */
function updatedAt(id: number): string {
  return new Date(Date.UTC(2026, 9, 1) + Math.floor(id / 10) * 1000).toISOString()
}

/** A valid platform client (clientWireSchema). */
function client(id: number): Record<string, unknown> {
  return {
    id,
    login: `client${id}`,
    company: `Company ${id}`,
    name: `Name ${id}`,
    sms_price: '0.0450',
    balance: '12.50',
    credit: '0.00',
    currency: 'EUR',
    channel: 'sms',
    site: '',
    email: `client${id}@example.test`,
    region: '',
    activity_type: '',
    property_type: 'legal',
    postal_address: '',
    accounting_email: '',
    registered_at: '2025-01-01T00:00:00Z',
    last_login_at: null,
    login_attempts: 0,
    activation_required: false,
    referer: '',
    sms_subscription: true,
    updated_at: updatedAt(id)
  }
}

/** A client with a readable id that fails the schema (no login, a bad currency). */
function malformed(id: number): Record<string, unknown> {
  const { login: _login, ...rest } = client(id)
  return { ...rest, currency: 'euro' }
}

/** Records strictly after the request's (updated_after, after_id), as a keyset server would. */
function after(ids: number[], url: URL): number[] {
  const ua = url.searchParams.get('updated_after')
  const aid = Number(url.searchParams.get('after_id') ?? 0)
  if (!ua) return ids
  const t = Date.parse(ua)
  return ids.filter((id) => {
    const ti = Date.parse(updatedAt(id))
    return ti > t || (ti === t && id > aid)
  })
}

function engine(url: string, opts: { pageSize?: number; timeoutMs?: number; retries?: number } = {}): SyncEngine {
  return new SyncEngine({
    db,
    streams: [platformClientsStream],
    connections: () => ({ platform: { url } }),
    pageSize: opts.pageSize ?? 50,
    timeoutMs: opts.timeoutMs ?? 2000,
    retry: { retries: opts.retries ?? 2, baseDelayMs: 5, maxDelayMs: 20 }
  })
}

async function timedSync(e: SyncEngine): Promise<{ summary: SyncRunSummary; ms: number }> {
  const started = performance.now()
  const summary = await e.run()
  return { summary, ms: performance.now() - started }
}

const storedIds = (): number[] => db.prepare('SELECT id FROM clients ORDER BY id').pluck().all() as number[]
const rejectRows = (): number => db.prepare('SELECT count(*) FROM sync_rejects').pluck().get() as number

describe('the platform keyset stream against hostile servers', () => {
  it('ends with sync_stalled when every page repeats the same records under a growing `next` link', async () => {
    let afterId = 0
    const s = await serve((url, res) => {
      if (url.pathname !== PATH) return send(res, { detail: 'not found' }, 404)
      afterId += 5
      send(res, page([1, 2, 3, 4, 5].map(client), `http://127.0.0.1/api/v1/clients/?page_size=50&after_id=${afterId}`, 1_000_000))
    })
    const { summary, ms } = await timedSync(engine(s.url))
    const error = summary.streams[STREAM].error
    expect(error?.code).toBe('sync_stalled')
    expect(error?.message).toBe(`${STREAM}: 3 pages in a row did not move past the last record read; the server is not paging`)
    expect(ms).toBeLessThan(BOUND_MS)
    expect(s.requests.length).toBeLessThan(100)
    // The first page's records are stored, once.
    expect(storedIds()).toEqual([1, 2, 3, 4, 5])
    // Every request after the first asks from the last record read, never from the `next` link.
    for (const r of s.requests.slice(1)) {
      expect(r.searchParams.get('after_id')).toBe('5')
      expect(r.searchParams.get('updated_after')).toBe(updatedAt(5))
    }
  })

  it('never follows a `next` link to another host, and still reads every record', async () => {
    const other = await serve((_url, res) => send(res, page([], null)), '127.0.0.2')
    const all = Array.from({ length: 237 }, (_, i) => i + 1)
    const s = await serve((url, res) => {
      if (url.pathname !== PATH) return send(res, { detail: 'not found' }, 404)
      const size = Number(url.searchParams.get('page_size'))
      const rest = after(all, url)
      const ids = rest.slice(0, size)
      const last = ids.at(-1)
      const next =
        rest.length > size && last !== undefined
          ? `${other.url}/api/v1/clients/?page_size=${size}&updated_after=${encodeURIComponent(updatedAt(last))}&after_id=${last}`
          : null
      send(res, page(ids.map(client), next, rest.length))
    })
    const { summary, ms } = await timedSync(engine(s.url, { pageSize: 50 }))
    expect(summary.streams[STREAM].error).toBeNull()
    expect(ms).toBeLessThan(BOUND_MS)
    expect(other.requests.length).toBe(0)
    expect(storedIds()).toEqual(all)
    expect(s.requests.length).toBe(5) // 237 records at 50 a page
    // Each request's cursor is the last record of the page before it.
    expect(s.requests[0].searchParams.has('after_id')).toBe(false)
    s.requests.slice(1).forEach((r, i) => {
      const last = (i + 1) * 50
      expect(r.searchParams.get('after_id')).toBe(String(last))
      expect(r.searchParams.get('updated_after')).toBe(updatedAt(last))
    })
  })

  it('refuses a page larger than asked for with bad_response, storing nothing of it', async () => {
    const s = await serve((url, res) => {
      if (url.pathname !== PATH) return send(res, { detail: 'not found' }, 404)
      const ids = Array.from({ length: 500 }, (_, i) => i + 1)
      send(res, page(ids.map(client), `http://127.0.0.1/api/v1/clients/?page=2`, 5000))
    })
    const { summary, ms } = await timedSync(engine(s.url, { pageSize: 50 }))
    const error = summary.streams[STREAM].error
    expect(error?.code).toBe('bad_response')
    expect(error?.message).toBe(`${STREAM}: the server sent 500 records where at most 50 were asked for`)
    expect(ms).toBeLessThan(BOUND_MS)
    expect(s.requests.length).toBeLessThan(100)
    expect(s.requests[0].searchParams.get('page_size')).toBe('50')
    expect(storedIds()).toEqual([])
    expect(rejectRows()).toBe(0)
    expect(summary.streams[STREAM].fetched).toBe(0)
  })

  it('ends with sync_stalled on the same damaged page forever, without growing sync_rejects', async () => {
    const s = await serve((url, res) => {
      if (url.pathname !== PATH) return send(res, { detail: 'not found' }, 404)
      send(res, page(Array.from({ length: 50 }, () => null), `http://127.0.0.1/api/v1/clients/?page=2`, 1_000_000))
    })
    const e = engine(s.url, { pageSize: 50 })
    for (let sync = 1; sync <= 2; sync++) {
      const { summary, ms } = await timedSync(e)
      const error = summary.streams[STREAM].error
      expect(error?.code).toBe('sync_stalled')
      expect(error?.message).toBe(`${STREAM}: the records after the last one read stayed damaged in 3 pages of reads`)
      expect(ms).toBeLessThan(BOUND_MS)
      expect(s.requests.length).toBeLessThan(100 * sync)
      expect(rejectRows()).toBeLessThan(50)
    }
    expect(storedIds()).toEqual([])
  })

  it('ends with sync_stalled when all 2,000 records are malformed (readable ids), forever', async () => {
    const all = Array.from({ length: 2000 }, (_, i) => i + 1)
    const s = await serve((url, res) => {
      if (!url.pathname.startsWith(PATH)) return send(res, { detail: 'not found' }, 404)
      const one = /^\/api\/v1\/clients\/(\d+)\/$/.exec(url.pathname)
      if (one) return send(res, malformed(Number(one[1])))
      const size = Number(url.searchParams.get('page_size'))
      const rest = after(all, url)
      send(res, page(rest.slice(0, size).map(malformed), rest.length > size ? `http://127.0.0.1${PATH}?page=next` : null, rest.length))
    })
    const e = engine(s.url, { pageSize: 100 })
    for (let sync = 1; sync <= 2; sync++) {
      const { summary, ms } = await timedSync(e)
      const error = summary.streams[STREAM].error
      // A page of nothing but damage gives no record to step over to: the stream stops there.
      expect(error?.code).toBe('sync_stalled')
      expect(error?.message).toBe(`${STREAM}: the records after the last one read stayed damaged in 3 pages of reads`)
      expect(ms).toBeLessThan(BOUND_MS)
      expect(s.requests.length).toBeLessThan(100 * sync)
      expect(rejectRows()).toBeLessThanOrEqual(600)
    }
    expect(storedIds()).toEqual([])
  })

  it('ends with too_many_rejects when 2,000 records are malformed (readable ids) but for one a page', async () => {
    // Record 100, 200, ... is intact, so each damaged run has a record after it to step to.
    const all = Array.from({ length: 2000 }, (_, i) => i + 1)
    const record = (id: number): Record<string, unknown> => (id % 100 === 0 ? client(id) : malformed(id))
    const s = await serve((url, res) => {
      if (!url.pathname.startsWith(PATH)) return send(res, { detail: 'not found' }, 404)
      const one = /^\/api\/v1\/clients\/(\d+)\/$/.exec(url.pathname)
      if (one) return send(res, record(Number(one[1])))
      const size = Number(url.searchParams.get('page_size'))
      const rest = after(all, url)
      send(res, page(rest.slice(0, size).map(record), rest.length > size ? `http://127.0.0.1${PATH}?page=next` : null, rest.length))
    })
    const { summary, ms } = await timedSync(engine(s.url, { pageSize: 100 }))
    const error = summary.streams[STREAM].error
    expect(error?.code).toBe('too_many_rejects')
    expect(error?.message).toBe(`${STREAM}: more than 500 records stayed damaged in every read; the sync of this stream stopped`)
    expect(ms).toBeLessThan(BOUND_MS)
    // Pages read four times each, three pages a position, and each damaged id asked for once.
    expect(s.requests.length).toBeLessThan(1000)
    expect(rejectRows()).toBeLessThanOrEqual(600)
    expect(rejectRows()).toBeGreaterThan(0)
    // Only the intact records were stored.
    for (const id of storedIds()) expect(id % 100).toBe(0)
  })

  it('ends with server_timeout against a silent server within a few seconds', async () => {
    const s = await serve(() => undefined)
    const { summary, ms } = await timedSync(engine(s.url, { timeoutMs: 300, retries: 2 }))
    const error = summary.streams[STREAM].error
    expect(error?.code).toBe('server_timeout')
    expect(error?.message).toContain('No answer from')
    expect(error?.message).toContain('0.3 s')
    expect(ms).toBeLessThan(5000)
    expect(s.requests.length).toBe(3) // the first try and two retries
  })
})
