/**
 * The browser bridge: the renderer and the same backend over HTTP, so the real UI runs in a
 * plain browser (tests, machines without Electron). Bound to 127.0.0.1 only; every API call
 * needs the per-run token; the Host header must name this server (no DNS rebinding) and a
 * cross-origin page cannot call it.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { exportedFile } from '../../src/backend/export/jobs'
import type { Backend } from '../../src/backend/service'
import type { WorkerScript } from '../../src/backend/sync/host'

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
}

export interface Bridge {
  url: string
  /** The URL to open: carries the token in the fragment, which is never sent to a server. */
  openUrl: string
  token: string
  port: number
  close(): Promise<void>
}

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json'
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && crypto.timingSafeEqual(x, y)
}

export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const token = options.token ?? crypto.randomBytes(24).toString('base64url')
  const root = path.resolve(options.staticDir)
  const clients = new Set<http.ServerResponse>()
  let port = 0

  const unsubscribe = options.backend.subscribe((event, payload) => {
    const data = `data: ${JSON.stringify({ event, payload })}\n\n`
    for (const c of clients) c.write(data)
  })

  const hostAllowed = (host: string | undefined): boolean =>
    host === `127.0.0.1:${port}` || host === `localhost:${port}`

  const originAllowed = (origin: string | undefined): boolean =>
    origin === undefined || origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`

  const authorized = (req: http.IncomingMessage, url: URL): boolean => {
    const header = req.headers.authorization ?? ''
    const given = header.startsWith('Bearer ') ? header.slice(7) : (url.searchParams.get('token') ?? '')
    return safeEqual(given, token)
  }

  const server = http.createServer((req, res) => {
    res.setHeader('X-Content-Type-Options', 'nosniff')
    res.setHeader('X-Frame-Options', 'DENY')
    res.setHeader('Referrer-Policy', 'no-referrer')
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin')
    if (!hostAllowed(req.headers.host)) return plain(res, 421, 'Misdirected request')
    if (!originAllowed(req.headers.origin)) return plain(res, 403, 'Cross-origin requests are refused')
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`)

    if (url.pathname.startsWith('/api/')) {
      res.setHeader('Cache-Control', 'no-store')
      if (!authorized(req, url)) return plain(res, 401, 'A valid token is required')
      if (url.pathname === '/api/events' && req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'text/event-stream', connection: 'keep-alive' })
        res.write(': connected\n\n')
        clients.add(res)
        req.on('close', () => clients.delete(res))
        return
      }
      // A finished export of this run, as a download (the browser cannot open a local path).
      const dl = /^\/api\/download\/([0-9a-f-]{36})$/.exec(url.pathname)
      if (dl && req.method === 'GET') return download(res, exportedFile(dl[1]))
      const m = /^\/api\/invoke\/([a-z]+\.[a-zA-Z]+)$/.exec(url.pathname)
      if (!m || req.method !== 'POST') return plain(res, 404, 'Not found')
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
        return plain(res, 415, 'Expected application/json')
      }
      readBody(req, 1_000_000)
        .then(async (text) => {
          let input: unknown
          try {
            input = text ? JSON.parse(text) : {}
          } catch {
            return json(res, 200, { ok: false, error: { code: 'invalid_input', message: 'Malformed JSON' } })
          }
          json(res, 200, await options.backend.dispatch(m[1], input))
        })
        .catch(() => plain(res, 413, 'Request too large'))
      return
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'Method not allowed')
    let rel: string
    try {
      rel = decodeURIComponent(url.pathname)
    } catch {
      return plain(res, 400, 'Bad path')
    }
    const file = path.resolve(root, '.' + (rel === '/' ? '/index.html' : rel))
    if (!file.startsWith(root + path.sep)) return plain(res, 403, 'Forbidden')
    fs.readFile(file, (err, data) => {
      if (err) return plain(res, 404, 'Not found')
      res.writeHead(200, {
        'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
        'content-security-policy': CSP,
        'cache-control': file.endsWith('index.html') ? 'no-store' : 'public, max-age=3600'
      })
      res.end(req.method === 'HEAD' ? undefined : data)
    })
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
        for (const c of clients) c.end()
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

function plain(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' })
  res.end(text)
}

function download(res: http.ServerResponse, file: string | null): void {
  if (!file) return plain(res, 404, 'No such export')
  const name = path.basename(file)
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_')
  const type = file.endsWith('.csv')
    ? 'text/csv; charset=utf-8'
    : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
  const stream = fs.createReadStream(file)
  stream.once('open', (fd) => {
    res.writeHead(200, {
      'content-type': type,
      'content-length': String(fs.fstatSync(fd).size),
      'content-disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`
    })
    stream.pipe(res)
  })
  stream.once('error', () => (res.headersSent ? res.destroy() : plain(res, 404, 'No such export')))
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
  res.end(text)
}

function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > limit) {
        reject(new Error('too large'))
        req.destroy()
      } else chunks.push(c)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}
