/**
 * The reference server: the platform, SIM provider and dispatch contracts on loopback, with
 * seeded data and switchable faults. The demo, the tests and the benchmarks talk to it.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Faults, type FaultOptions } from './faults'
import { generateClients, type ClientRecord } from './generate'
import { KeysetCollection } from './keyset'
import { Rng } from './random'

export interface ReferenceServerOptions {
  seed?: number
  clients?: number
  /** The instant the data is "as of" (ms); defaults to now. */
  now?: number
  faults?: FaultOptions
  /** When set, every request must carry `Authorization: Bearer <token>`. */
  token?: string
  host?: string
  port?: number
}

export interface ReferenceData {
  clients: KeysetCollection<ClientRecord>
}

export interface ReferenceServer {
  url: string
  port: number
  data: ReferenceData
  faults: Faults
  /** Requests served, by route name. */
  hits: Record<string, number>
  close(): Promise<void>
}

interface Ctx {
  req: http.IncomingMessage
  res: http.ServerResponse
  url: URL
  params: string[]
  body: unknown
}

type Handler = (ctx: Ctx) => unknown | Promise<unknown>

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown
  ) {
    super(`HTTP ${status}`)
  }
}

const MAX_PAGE = 1000

function intParam(url: URL, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = url.searchParams.get(name)
  if (raw === null || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new HttpError(400, { detail: `${name}: expected an integer from ${min} to ${max}` })
  }
  return n
}

/** Builds the `next` link of a keyset page: the same URL with the cursor moved on. */
function nextLink(url: URL, next: { updatedAfter: string; afterId: number } | null): string | null {
  if (!next) return null
  const u = new URL(url)
  u.searchParams.set('updated_after', next.updatedAfter)
  u.searchParams.set('after_id', String(next.afterId))
  return u.toString()
}

export async function startReferenceServer(options: ReferenceServerOptions = {}): Promise<ReferenceServer> {
  const now = options.now ?? Date.now()
  const seed = options.seed ?? 1
  const faults = new Faults({ seed, ...(options.faults ?? { kinds: [], rate: 0 }) })
  const data: ReferenceData = {
    clients: new KeysetCollection(generateClients({ seed, clients: options.clients ?? 500, now }))
  }
  const mutationRng = new Rng(seed + 1000)
  const hits: Record<string, number> = {}

  /** A keyset list endpoint with the record-level faults applied. */
  function keysetList<T extends ClientRecord>(collection: KeysetCollection<T>, mutate: (r: T) => T) {
    return (ctx: Ctx) => {
      const size = intParam(ctx.url, 'page_size', 100, 1, MAX_PAGE)
      const afterId = intParam(ctx.url, 'after_id', 0)
      const updatedAfter = ctx.url.searchParams.get('updated_after')
      if (updatedAfter !== null && Number.isNaN(Date.parse(updatedAfter))) {
        throw new HttpError(400, { detail: 'updated_after: expected an ISO-8601 timestamp' })
      }
      if (faults.fire('shift') && collection.size) {
        // A record changes while the client is paging: it moves to the end.
        const victim = collection.all()[mutationRng.int(0, collection.size - 1)]
        collection.put(mutate(victim))
      }
      const page = collection.page(updatedAfter, afterId, size)
      let results: unknown[] = page.results
      if (updatedAfter !== null && faults.fire('duplicate')) {
        // Rows the client already has, sent again at the top of the page.
        const before = collection.page(null, 0, collection.size).results.filter(
          (r) => Date.parse(r.updated_at) <= Date.parse(updatedAfter)
        )
        results = [...before.slice(-3), ...results]
      }
      results = results.map((r) => {
        if (faults.fire('null', 0.2)) return null
        if (faults.fire('malformed', 0.2)) return faults.corrupt(r as object)
        return r
      })
      return { count: page.count, next: nextLink(ctx.url, page.next), previous: null, results }
    }
  }

  function detail<T>(collection: KeysetCollection<T & ClientRecord>) {
    return (ctx: Ctx) => {
      const id = Number(ctx.params[0])
      const record = collection.get(id)
      if (!record) throw new HttpError(404, { detail: 'Not found.' })
      return record
    }
  }

  const routes: [string, RegExp, string, Handler][] = [
    [
      'GET',
      /^\/api\/v1\/clients\/$/,
      'clients.list',
      keysetList(data.clients, (c) => ({ ...c, last_login_at: new Date().toISOString() }))
    ],
    ['GET', /^\/api\/v1\/clients\/(\d+)\/$/, 'clients.detail', detail(data.clients)]
  ]

  const server = http.createServer((req, res) => {
    void handle(req, res)
  })

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`)
    const route = routes.find(([method, re]) => method === req.method && re.test(url.pathname))
    try {
      if (options.token && req.headers.authorization !== `Bearer ${options.token}`) {
        throw new HttpError(401, { detail: 'Authentication credentials were not provided.' })
      }
      if (!route) throw new HttpError(404, { detail: 'Not found.' })
      const [, re, name, handler] = route
      hits[name] = (hits[name] ?? 0) + 1
      const body = req.method === 'POST' ? await readJson(req) : undefined
      // Transport faults: decided before the handler so the data is not touched.
      if (faults.fire('reset')) {
        req.socket.destroy()
        return
      }
      if (faults.fire('5xx')) throw new HttpError(500 + faults.pick(4), { detail: 'Internal server error.' })
      if (faults.fire('429')) {
        res.setHeader('Retry-After', String(faults.retryAfterSeconds))
        throw new HttpError(429, { detail: 'Request was throttled.' })
      }
      if (faults.fire('slow')) await new Promise((r) => setTimeout(r, faults.slowMs))
      const result = await handler({ req, res, url, params: re.exec(url.pathname)!.slice(1), body })
      let text = JSON.stringify(result)
      if (faults.fire('truncated')) text = text.slice(0, Math.max(1, Math.floor(text.length / 2)))
      send(res, 200, text)
    } catch (e) {
      if (e instanceof HttpError) send(res, e.status, JSON.stringify(e.body))
      else send(res, 500, JSON.stringify({ detail: String((e as Error).message) }))
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    data,
    faults,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

function send(res: http.ServerResponse, status: number, text: string): void {
  if (res.headersSent || res.destroyed) return
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

function readJson(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > 1_000_000) reject(new HttpError(413, { detail: 'Request body too large.' }))
      else chunks.push(c)
    })
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      if (!text) return resolve({})
      try {
        resolve(JSON.parse(text))
      } catch {
        reject(new HttpError(400, { detail: 'Malformed JSON.' }))
      }
    })
    req.on('error', reject)
  })
}
