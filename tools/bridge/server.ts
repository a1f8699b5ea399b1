/**
 * The browser bridge: the renderer and the same backend over HTTP, so the real UI runs in a
 * plain browser (tests, machines without Electron). Bound to 127.0.0.1 only; the Host header
 * must name this server (no DNS rebinding) and a cross-origin page cannot call it.
 *
 * Every API call, the event stream included, needs the per-run token in an
 * `Authorization: Bearer` header; a token in a query string is never accepted. A download is a
 * navigation, which carries no header: the page first asks `POST /api/ticket` for a ticket
 * bound to that one export, single-use and valid 30 s, and navigates to
 * `/api/download/<id>?ticket=…`.
 *
 * No request can stop the bridge: whatever a handler throws or rejects becomes a 4xx/5xx answer.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import serveStatic from 'serve-static'
import { exportedFile } from '../../src/backend/export/jobs'
import type { Backend } from '../../src/backend/service'
import type { WorkerScript } from '../../src/backend/workers'
import { isChannelName } from '../../src/shared/channelName'

/** A worker entry run from TypeScript source (tools/ts-worker.mjs registers tsx in the thread). */
export function sourceWorker(entry: string): WorkerScript {
  return { path: path.resolve('tools/ts-worker.mjs'), workerData: { entry: path.resolve(entry) } }
}

export function sourceSyncWorker(): WorkerScript {
  return sourceWorker('src/backend/sync/worker.ts')
}

export interface BridgeOptions {
  backend: Backend
  staticDir: string
  port?: number
  token?: string
  /** The clock download tickets expire by, in milliseconds (default: Date.now). */
  now?: () => number
}

export interface Bridge {
  url: string
  /** The URL to open: carries the token in the fragment, which is never sent to a server. */
  openUrl: string
  token: string
  port: number
  close(): Promise<void>
}

/** How long a download ticket stays valid. */
export const TICKET_TTL_MS = 30_000
/** The largest request body read, in bytes. */
export const BODY_LIMIT = 1_000_000

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

const EXPORT_ID = /^[0-9a-f-]{36}$/
const DOWNLOAD_PATH = /^\/api\/download\/([0-9a-f-]{36})$/
const INVOKE_PREFIX = '/api/invoke/'

/** An answer that ends a request early: its status and a plain-text reason. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string = http.STATUS_CODES[status] ?? 'Error'
  ) {
    super(message)
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && crypto.timingSafeEqual(x, y)
}

interface Ticket {
  value: string
  download: string
  expires: number
}

/** Single-use download tickets, each bound to one export and valid TICKET_TTL_MS. */
function ticketBook(now: () => number) {
  const live = new Set<Ticket>()
  const sweep = (): void => {
    const t = now()
    for (const ticket of live) if (ticket.expires <= t) live.delete(ticket)
  }
  return {
    issue(download: string): string {
      sweep()
      const value = crypto.randomBytes(32).toString('base64url')
      live.add({ value, download, expires: now() + TICKET_TTL_MS })
      return value
    },
    /** True when `given` is a live ticket for this download. A presented ticket is spent, whatever it was for. */
    redeem(given: string, download: string): boolean {
      sweep()
      let match: Ticket | undefined
      for (const ticket of live) if (safeEqual(given, ticket.value)) match = ticket
      if (!match) return false
      live.delete(match)
      return match.download === download
    },
    clear: () => live.clear()
  }
}

export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const token = options.token ?? crypto.randomBytes(24).toString('base64url')
  const root = path.resolve(options.staticDir)
  const tickets = ticketBook(options.now ?? Date.now)
  const clients = new Set<http.ServerResponse>()
  let port = 0

  const unsubscribe = options.backend.subscribe((event, payload) => {
    let data: string
    try {
      data = `data: ${JSON.stringify({ event, payload })}\n\n`
    } catch {
      return
    }
    for (const c of clients) if (!c.writableEnded && !c.destroyed) c.write(data)
  })

  const files = serveStatic(root, {
    index: ['index.html'],
    redirect: false,
    fallthrough: false,
    cacheControl: false,
    setHeaders: (res, file) => {
      res.setHeader('Content-Security-Policy', CSP)
      res.setHeader('Cache-Control', cacheControl(root, file))
    }
  })

  const hostAllowed = (host: string | undefined): boolean =>
    host === `127.0.0.1:${port}` || host === `localhost:${port}`

  const originAllowed = (origin: string | undefined): boolean =>
    origin === undefined || origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`

  const authorized = (req: http.IncomingMessage): boolean => {
    const header = req.headers.authorization ?? ''
    return header.startsWith('Bearer ') && safeEqual(header.slice(7), token)
  }

  const events = (res: http.ServerResponse): void => {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive' })
    res.write(': connected\n\n')
    clients.add(res)
    res.once('close', () => clients.delete(res))
  }

  const api = async (req: http.IncomingMessage, res: http.ServerResponse, pathname: string, query: URLSearchParams): Promise<void> => {
    res.setHeader('Cache-Control', 'no-store')
    // A finished export of this run, as a download (the browser cannot open a local path).
    const dl = DOWNLOAD_PATH.exec(pathname)
    if (dl) {
      allow(req, 'GET', 'HEAD')
      const ticket = query.get('ticket')
      if (!authorized(req) && !(ticket !== null && tickets.redeem(ticket, dl[1]))) {
        throw new HttpError(401, 'A valid token or download ticket is required')
      }
      return download(req, res, exportedFile(dl[1]))
    }
    if (!authorized(req)) throw new HttpError(401, 'A valid token is required')
    if (pathname === '/api/events') {
      allow(req, 'GET')
      return events(res)
    }
    if (pathname === '/api/ticket') {
      allow(req, 'POST')
      const body = await readJson(req)
      const id = body && isRecord(body.value) ? body.value.download : undefined
      if (typeof id !== 'string' || !EXPORT_ID.test(id)) throw new HttpError(400, 'Expected {"download": "<export id>"}')
      if (!exportedFile(id)) throw new HttpError(404, 'No such export')
      const ticket = tickets.issue(id)
      return json(res, 200, { ticket, url: `/api/download/${id}?ticket=${ticket}` })
    }
    if (pathname.startsWith(INVOKE_PREFIX)) {
      const channel = pathname.slice(INVOKE_PREFIX.length)
      if (!isChannelName(channel)) throw new HttpError(404)
      allow(req, 'POST')
      const body = await readJson(req)
      if (!body) return json(res, 200, { ok: false, error: { code: 'invalid_input', message: 'Malformed JSON' } })
      return json(res, 200, await options.backend.dispatch(channel, body.value))
    }
    throw new HttpError(404)
  }

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    res.setHeader('X-Content-Type-Options', 'nosniff')
    res.setHeader('X-Frame-Options', 'DENY')
    res.setHeader('Referrer-Policy', 'no-referrer')
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin')
    if (!hostAllowed(req.headers.host)) throw new HttpError(421, 'Misdirected request')
    if (!originAllowed(req.headers.origin)) throw new HttpError(403, 'Cross-origin requests are refused')
    const target = req.url ?? ''
    if (!target.startsWith('/')) throw new HttpError(400, 'Bad request target')
    const q = target.indexOf('?')
    const pathname = q < 0 ? target : target.slice(0, q)
    if (pathname.startsWith('/api/')) return api(req, res, pathname, new URLSearchParams(q < 0 ? '' : target.slice(q + 1)))
    allow(req, 'GET', 'HEAD')
    // send (behind serve-static) refuses traversal and NUL bytes, and answers ranges and revalidation.
    files(req, res, (err) => answerError(req, res, err ?? new HttpError(404)))
  }

  const server = http.createServer((req, res) => {
    req.on('error', () => res.destroy())
    res.on('error', () => res.destroy())
    handle(req, res).catch((err: unknown) => answerError(req, res, err))
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  port = (server.address() as AddressInfo).port
  const url = `http://127.0.0.1:${port}`
  return {
    url,
    openUrl: `${url}/#token=${token}`,
    token,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        unsubscribe()
        tickets.clear()
        for (const c of clients) c.end()
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

/** Vite names every file under assets/ by its content hash; index.html must always be fresh. */
function cacheControl(root: string, file: string): string {
  if (file.endsWith('.html')) return 'no-store'
  const rel = path.relative(root, file)
  return rel.startsWith(`assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache'
}

function allow(req: http.IncomingMessage, ...methods: string[]): void {
  if (!methods.includes(req.method ?? '')) throw new HttpError(405)
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** The answer to a failed request: its HttpError's status, a client error's own, 500 otherwise. */
function answerError(req: http.IncomingMessage, res: http.ServerResponse, err: unknown): void {
  try {
    if (res.headersSent || res.destroyed) return void res.destroy()
    const status = errorStatus(err)
    if (status >= 500) console.error(`SMS Desk bridge: ${req.method} ${req.url?.slice(0, 200)}:`, err)
    // A body left unread is not drained: the connection closes after this answer.
    if (!req.complete && hasBody(req)) res.setHeader('Connection', 'close')
    plain(res, status, err instanceof HttpError ? err.message : (http.STATUS_CODES[status] ?? 'Error'))
  } catch {
    res.destroy()
  }
}

function errorStatus(err: unknown): number {
  if (err instanceof HttpError) return err.status
  const status = isRecord(err) ? (err.statusCode ?? err.status) : undefined
  return typeof status === 'number' && status >= 400 && status < 500 ? status : 500
}

function hasBody(req: http.IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '0') !== '0'
}

function plain(res: http.ServerResponse, status: number, text: string): void {
  reply(res, status, 'text/plain; charset=utf-8', text)
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  reply(res, status, 'application/json; charset=utf-8', JSON.stringify(body))
}

function reply(res: http.ServerResponse, status: number, type: string, text: string): void {
  const body = Buffer.from(text)
  res.writeHead(status, { 'content-type': type, 'content-length': String(body.length) })
  res.end(body)
}

async function download(req: http.IncomingMessage, res: http.ServerResponse, file: string | null): Promise<void> {
  const handle = file ? await fs.promises.open(file, 'r').catch(() => null) : null
  if (!file || !handle) throw new HttpError(404, 'No such export')
  let size: number
  try {
    size = (await handle.stat()).size
  } catch (e) {
    await handle.close()
    throw e
  }
  const name = path.basename(file)
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_')
  res.writeHead(200, {
    'content-type': file.endsWith('.csv') ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'content-length': String(size),
    'content-disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`
  })
  if (req.method === 'HEAD') {
    await handle.close()
    return void res.end()
  }
  await pipeline(handle.createReadStream(), res) // the stream closes the file
}

/** The request's JSON body ({} when empty), or null when it is not JSON. */
async function readJson(req: http.IncomingMessage): Promise<{ value: unknown } | null> {
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) throw new HttpError(415, 'Expected application/json')
  const text = await readBody(req, BODY_LIMIT)
  try {
    return { value: text ? (JSON.parse(text) as unknown) : {} }
  } catch {
    return null
  }
}

function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  if (Number(req.headers['content-length']) > limit) return Promise.reject(new HttpError(413, 'Request too large'))
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size <= limit) return void chunks.push(c)
      chunks.length = 0
      reject(new HttpError(413, 'Request too large'))
    })
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.once('error', () => reject(new HttpError(400, 'The request body was cut short')))
    req.once('close', () => reject(new HttpError(400, 'The request body was cut short')))
  })
}
