/**
 * A hostile HTTP server for the tests of the sync's HTTP layer: it answers on 127.0.0.1 (a
 * random port) the way a broken or malicious source might — a byte a second, never, half a
 * body on a socket kept open, a body cut short, far too much, nested 100,000 deep — and
 * counts what it managed to write, so a test can tell how much the client actually read.
 */
import http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

/** How the server answers one request; `server` lets a behaviour count what it writes. */
export type Behaviour = (req: http.IncomingMessage, res: http.ServerResponse, server: Hostile) => void

export interface Hostile {
  url: string
  /** Requests received so far. */
  hits: number
  /** Body bytes the server has written (accepted by the socket) so far. */
  sent: number
  /** The headers of the last request. */
  lastHeaders: http.IncomingHttpHeaders | null
  /** Changes how the next requests are answered. */
  behave(b: Behaviour): void
  close(): Promise<void>
}

export async function startHostile(first: Behaviour): Promise<Hostile> {
  let behaviour = first
  const sockets = new Set<Socket>()
  const timers = new Set<NodeJS.Timeout>()
  const server = http.createServer((req, res) => {
    self.hits++
    self.lastHeaders = req.headers
    req.resume() // drain any request body
    behaviour(req, res, self)
  })
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const self: Hostile & { timers: Set<NodeJS.Timeout> } = {
    url: `http://127.0.0.1:${port}`,
    hits: 0,
    sent: 0,
    lastHeaders: null,
    timers,
    behave: (b) => (behaviour = b),
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearInterval(t)
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      })
  }
  return self
}

/** An interval that stops when the response's socket closes or the server closes. */
function every(server: Hostile, res: http.ServerResponse, ms: number, tick: () => void): void {
  const timers = (server as Hostile & { timers: Set<NodeJS.Timeout> }).timers
  const t = setInterval(tick, ms)
  timers.add(t)
  res.on('close', () => {
    clearInterval(t)
    timers.delete(t)
  })
}

/** Writes part of a body, counting what the socket accepted. */
function write(server: Hostile, res: http.ServerResponse, chunk: string | Buffer, done?: () => void): boolean {
  const ok = res.write(chunk, () => done?.())
  server.sent += Buffer.byteLength(chunk)
  return ok
}

/** Headers and the first byte at once, then one more byte of a valid JSON body every `ms` (default 1 s). */
export function drip(ms = 1000, bytes = 1000): Behaviour {
  return (_req, res, server) => {
    const body = JSON.stringify({ pad: 'x'.repeat(Math.max(0, bytes - 10)) })
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) })
    // The first byte at once (Node sends the headers with it), then one every `ms`.
    let i = 0
    write(server, res, body[i++])
    every(server, res, ms, () => {
      if (i < body.length) write(server, res, body[i++])
    })
  }
}

/** Accepts the request and never answers (no headers, socket kept open). */
export function silent(): Behaviour {
  return () => undefined
}

/** Headers promising `promised` bytes, `sent` of them, then nothing — the socket stays open. */
export function halfClosed(promised = 1000, sent = 10): Behaviour {
  return (_req, res, server) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(promised) })
    write(server, res, '['.padEnd(sent, ' '))
  }
}

/** Headers promising `promised` bytes, `sent` of them, then the socket is closed. */
export function cutShort(promised = 1000, sent = 10): Behaviour {
  return (_req, res, server) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(promised) })
    write(server, res, '['.padEnd(sent, ' '), () => res.socket?.destroy())
  }
}

/**
 * A JSON array of `bytes` bytes, with or without a Content-Length (chunked), written as fast
 * as the client reads it (backpressure), so `server.sent` tells how much the client took in.
 */
export function huge(bytes: number, withLength: boolean): Behaviour {
  const piece = Buffer.from('"' + 'y'.repeat(1022) + '",') // 1 KiB
  return (_req, res, server) => {
    res.writeHead(200, { 'content-type': 'application/json', ...(withLength ? { 'content-length': String(bytes) } : {}) })
    write(server, res, '[')
    let left = bytes - 1
    const pump = (): void => {
      while (left > 0) {
        let chunk: Buffer | string
        if (left > piece.length + 2) chunk = piece
        else chunk = '"' + 'z'.repeat(Math.max(0, left - 3)) + '"]'
        left -= chunk.length
        if (!write(server, res, chunk)) return void res.once('drain', pump)
      }
      res.end()
    }
    res.on('error', () => undefined)
    pump()
  }
}

/** A complete, well-formed JSON body nested `depth` levels deep. */
export function deep(depth: number): Behaviour {
  const body = '{"a":'.repeat(depth - 1) + '[1]' + '}'.repeat(depth - 1)
  return json(200, body)
}

/** A fixed answer: a status, a body (a string is sent as is) and headers. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Behaviour {
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  return (_req, res, server) => {
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers })
    server.sent += Buffer.byteLength(text)
    res.end(text)
  }
}

/** Answers with each behaviour in turn, the last one for every later request. */
export function sequence(...steps: Behaviour[]): Behaviour {
  let n = 0
  return (req, res, server) => steps[Math.min(n++, steps.length - 1)](req, res, server)
}

/** A loopback URL nothing listens on (a port that was free a moment ago). */
export async function refusedUrl(): Promise<string> {
  const s = http.createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  const { port } = s.address() as AddressInfo
  await new Promise<void>((resolve) => s.close(() => resolve()))
  return `http://127.0.0.1:${port}`
}
