/**
 * The browser bridge under hostile requests, most written as raw bytes on a socket (what fetch
 * cannot send): bad paths and URLs, absurd or malformed headers, cut and oversized bodies,
 * JSON that is not an object, clients that vanish mid-request. After each one the same bridge
 * still answers a normal authorized call: no request may stop it.
 */
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { keyFileBox } from '../../src/backend/secrets'
import { createBackend, type Backend } from '../../src/backend/service'
import type { ExportJob } from '../../src/shared/types'
import { BODY_LIMIT, startBridge, type Bridge } from '../../tools/bridge/server'
import { tempDir } from '../helpers'

let tmp: ReturnType<typeof tempDir>
let backend: Backend
let bridge: Bridge

beforeAll(async () => {
  tmp = tempDir('smsdesk-bridge-hostile-')
  const staticDir = path.join(tmp.dir, 'web')
  fs.mkdirSync(staticDir)
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>SMS Desk</title>')
  const dataDir = path.join(tmp.dir, 'data')
  backend = createBackend({ dataDir, box: keyFileBox(dataDir), mode: 'browser', version: 'test', defaultExportDir: path.join(tmp.dir, 'exports') })
  bridge = await startBridge({ backend, staticDir })
})
afterAll(async () => {
  await bridge?.close()
  await backend?.close()
  tmp?.cleanup()
})

interface RawAnswer {
  /** The status of the first answer, null when the bridge only closed the connection. */
  status: number | null
  text: string
}

/**
 * Writes the given bytes on a fresh connection and reads until the bridge closes it (or 5 s
 * pass). `hangUp` closes the connection right after writing, as a client that goes away.
 */
function rawBytes(parts: (string | Buffer)[], opts: { hangUp?: boolean } = {}): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = net.connect(bridge.port, '127.0.0.1')
    const chunks: Buffer[] = []
    let settled = false
    const done = (): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      const text = Buffer.concat(chunks).toString('latin1')
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text)
      resolve({ status: m ? Number(m[1]) : null, text })
    }
    const timer = setTimeout(done, 5_000)
    socket.on('data', (c: Buffer) => chunks.push(c))
    socket.on('error', done)
    socket.on('close', done)
    socket.on('connect', () => {
      for (const p of parts) socket.write(p)
      if (opts.hangUp) socket.destroy()
    })
  })
}

const host = (): string => `127.0.0.1:${bridge.port}`

/** A raw request: its request line, headers (Host and Connection: close added unless given) and body. */
function request(line: string, headers: string[] = [], body: string | Buffer = ''): Promise<RawAnswer> {
  const names = headers.map((h) => h.split(':')[0].toLowerCase())
  const all = [...(names.includes('host') ? [] : [`Host: ${host()}`]), ...(names.includes('connection') ? [] : ['Connection: close']), ...headers]
  return rawBytes([`${line}\r\n${all.join('\r\n')}\r\n\r\n`, body])
}

const auth = (): string => `Authorization: Bearer ${bridge.token}`

/** A JSON call to a channel, with the token, as raw bytes. */
function invokeRaw(channel: string, body: string | Buffer, extra: string[] = []): Promise<RawAnswer> {
  const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length
  return request(`POST /api/invoke/${channel} HTTP/1.1`, [auth(), 'Content-Type: application/json', `Content-Length: ${length}`, ...extra], body)
}

function bodyOf(answer: RawAnswer): string {
  return answer.text.slice(answer.text.indexOf('\r\n\r\n') + 4)
}

/** The bridge still serves the app and answers an authorized call. */
async function stillServing(): Promise<void> {
  const res = await fetch(`${bridge.url}/api/invoke/app.info`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bridge.token}` },
    body: '{}'
  })
  expect(res.status).toBe(200)
  expect(await res.json()).toMatchObject({ ok: true, value: { mode: 'browser' } })
  expect((await fetch(`${bridge.url}/`)).status).toBe(200)
}

/** An answer that is an HTTP client error, or a closed connection (what Node's parser does with garbage). */
function refused(answer: RawAnswer): void {
  if (answer.status !== null) {
    expect(answer.status, answer.text.slice(0, 200)).toBeGreaterThanOrEqual(400)
    expect(answer.status, answer.text.slice(0, 200)).toBeLessThan(500)
  }
}

describe('the browser bridge under hostile requests', () => {
  it('answers bad paths and URLs without stopping', async () => {
    const cases: [string, number | null][] = [
      ['/x%00y', 400],
      ['/%00', 400],
      ['/assets/%00.js', 400],
      ['/%', 400],
      ['/%E0%A4%A', 400],
      ['/%ff%fe', 400],
      ['//', null],
      ['///etc/passwd', null],
      ['/..%2f..%2f..%2fetc%2fpasswd', null],
      ['/..\\..\\etc\\passwd', null],
      ['/.env', 404],
      ['/api/', 401],
      ['/api/%', 401],
      ['/api/%E0%A4%A', 401],
      ['/api/download/%00', 401],
      ['/api/download/../../etc/passwd', 401],
      [`/${'a'.repeat(4_000)}`, 404],
      [`/${'a/'.repeat(2_000)}`, null],
      [`/?${'q'.repeat(8_000)}`, 200],
      [`/${'%'.repeat(3_000)}`, 400],
      ['/?token=%', 200]
    ]
    for (const [target, status] of cases) {
      const answer = await request(`GET ${target} HTTP/1.1`)
      if (status === null) refusedOrServed(answer)
      else expect(answer.status, target.slice(0, 60)).toBe(status)
      expect(answer.text).not.toContain('root:x:0:0')
      await stillServing()
    }
    // Authorized, the API paths that name nothing are 404s.
    for (const target of ['/api/%', '/api/%E0%A4%A', '/api/invoke/%', '/api/invoke/%E0%A4%A', '/api/invoke/a.%00', '/api/download/%00', '/api/events/..']) {
      expect((await request(`GET ${target} HTTP/1.1`, [auth()])).status, target).toBe(404)
      await stillServing()
    }
  })

  it('answers request targets that are not paths, and malformed request lines', async () => {
    for (const line of [
      `GET http://${host()}/ HTTP/1.1`,
      'GET http://evil.example/ HTTP/1.1',
      'OPTIONS * HTTP/1.1',
      'CONNECT 127.0.0.1:22 HTTP/1.1',
      'GET HTTP/1.1',
      'GET',
      'GARBAGE',
      'GET / HTTP/9.9',
      'GET / FOO/1.1',
      'BREW / HTTP/1.1',
      `GET /${'x'.repeat(70_000)} HTTP/1.1`,
      'GET /\u00e9\u00ff HTTP/1.1',
      'GET /a b c HTTP/1.1'
    ]) {
      refused(await request(line))
      await stillServing()
    }
    refused(await rawBytes([Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03])])) // a TLS hello
    await stillServing()
    refused(await rawBytes([Buffer.alloc(4096, 0)]))
    await stillServing()
  })

  it('refuses malformed or forged Host and Origin headers', async () => {
    const port = bridge.port
    for (const [headers, status] of [
      [[`Host: 127.0.0.1:${port}:1`], 421],
      [[`Host: 127.0.0.1:${port}.evil.example`], 421],
      [['Host: [::1'], 421],
      [['Host: '], 421],
      [[`Host: ${'h'.repeat(8_000)}`], 421],
      [[`Host: user@127.0.0.1:${port}`], 421],
      [['Host: evil.example', `Host: 127.0.0.1:${port}`], 421],
      [['Origin: null'], 403],
      [['Origin: http://evil.example'], 403],
      [[`Origin: http://127.0.0.1:${port}`, 'Origin: http://evil.example'], 403]
    ] as [string[], number][]) {
      expect((await request('GET / HTTP/1.1', headers)).status, headers.join(' | ').slice(0, 80)).toBe(status)
      await stillServing()
    }
    // HTTP/1.0 without any Host header.
    expect((await rawBytes(['GET / HTTP/1.0\r\n\r\n'])).status).toBe(421)
    await stillServing()
    // Bytes no header may hold: Node's parser refuses them.
    for (const bad of [`Host: 127.0.0.1:${port}\u0000`, 'X-Bad: a\u0000b', 'X-Bad: a\rb', 'No colon here', ' Folded: x', 'Bad Name: x']) {
      refused(await rawBytes([`GET / HTTP/1.1\r\nHost: ${host()}\r\n${bad}\r\nConnection: close\r\n\r\n`]))
      await stillServing()
    }
  })

  it('answers absurd headers without stopping', async () => {
    const many = Array.from({ length: 3_000 }, (_, i) => `X-${i}: ${i}`)
    for (const headers of [
      [`X-Huge: ${'v'.repeat(20_000)}`],
      [`X-Big: ${'v'.repeat(8_000)}`],
      many.slice(0, 500),
      many,
      [`Authorization: Bearer ${'t'.repeat(10_000)}`],
      ['Authorization: Bearer', 'Content-Type: application/json'],
      ['Authorization: '],
      [`Authorization: Bearer ${bridge.token}`, 'Authorization: Bearer wrong'],
      ['Content-Length: -1'],
      ['Content-Length: 1e9'],
      ['Content-Length: 5', 'Content-Length: 6'],
      ['Transfer-Encoding: chunked', 'Content-Length: 5'],
      ['Transfer-Encoding: gzip, chunked'],
      ['Range: bytes=999999-1000000'],
      ['Range: bytes=-1,-2,-3,-4,-5,-6,-7,-8,-9,0-,1-,2-,3-'],
      ['If-None-Match: *', 'If-Modified-Since: not a date'],
      ['Expect: 100-continue'],
      ['Accept-Encoding: ' + 'gzip;q=0.1,'.repeat(500)]
    ]) {
      const answer = await request('GET / HTTP/1.1', headers)
      if (answer.status !== null) expect(answer.status, headers[0].slice(0, 60)).toBeLessThan(500)
      await stillServing()
    }
    expect((await request('GET /api/events HTTP/1.1', [`Authorization: Bearer ${'t'.repeat(10_000)}`])).status).toBe(401)
    await stillServing()
  })

  it('answers bodies that are cut, oversized, or not JSON objects', async () => {
    const invalid = (answer: RawAnswer): void => {
      expect(answer.status).toBe(200)
      expect(JSON.parse(bodyOf(answer))).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    }
    for (const body of ['{not json', '[]', '[1,2,3]', '"text"', '42', 'true', '{"__proto__":{"admin":true}}', '\ufeff{}', '{}{}', '{"a":1}', '{"pageSize":1e400}']) {
      invalid(await invokeRaw('clients.list', body))
      await stillServing()
    }
    // JSON null is no input, as an empty body is: the channel's defaults.
    for (const body of ['null', '']) {
      const answer = await invokeRaw('clients.list', body)
      expect(JSON.parse(bodyOf(answer))).toMatchObject({ ok: true, value: { page: 1, pageSize: 10 } })
    }
    invalid(await invokeRaw('clients.list', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]))) // invalid UTF-8
    await stillServing()
    // Nested as deep as the body limit allows.
    const depth = Math.floor((BODY_LIMIT - 10) / 2)
    for (const body of ['['.repeat(depth) + ']'.repeat(depth), '{"a":'.repeat(Math.floor(depth / 3)) + '1' + '}'.repeat(Math.floor(depth / 3))]) {
      expect(body.length).toBeLessThanOrEqual(BODY_LIMIT)
      for (const channel of ['app.info', 'clients.list', 'settings.save', 'export.start']) {
        const answer = await invokeRaw(channel, body)
        expect(answer.status, channel).toBe(200)
        expect(JSON.parse(bodyOf(answer)), channel).toMatchObject({ ok: false })
      }
      await stillServing()
    }
    // Larger than the limit, declared…
    const declared = await request('POST /api/invoke/app.info HTTP/1.1', [auth(), 'Content-Type: application/json', `Content-Length: ${BODY_LIMIT + 1}`], '{')
    expect(declared.status).toBe(413)
    await stillServing()
    // …or not (chunked), sent in full: 413, or the connection closed after it.
    const chunk = 'x'.repeat(64 * 1024)
    const chunked = [`POST /api/invoke/app.info HTTP/1.1\r\nHost: ${host()}\r\n${auth()}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`]
    for (let sent = 0; sent <= BODY_LIMIT; sent += chunk.length) chunked.push(`${chunk.length.toString(16)}\r\n${chunk}\r\n`)
    chunked.push('0\r\n\r\n')
    const undeclared = await rawBytes(chunked)
    if (undeclared.status !== null) expect(undeclared.status).toBe(413)
    await stillServing()
    // A body larger than declared, a broken chunk, a wrong or missing content type.
    refused(await request('POST /api/invoke/app.info HTTP/1.1', [auth(), 'Content-Type: application/json', 'Content-Length: 2'], '{}{}{}'))
    await stillServing()
    refused(await request('POST /api/invoke/app.info HTTP/1.1', [auth(), 'Content-Type: application/json', 'Transfer-Encoding: chunked'], 'zz\r\n{}\r\n0\r\n\r\n'))
    await stillServing()
    expect((await request('POST /api/invoke/app.info HTTP/1.1', [auth(), 'Content-Type: text/plain', 'Content-Length: 2'], '{}')).status).toBe(415)
    expect((await request('POST /api/invoke/app.info HTTP/1.1', [auth(), 'Content-Length: 2'], '{}')).status).toBe(415)
    expect((await request('POST /api/ticket HTTP/1.1', [auth(), 'Content-Type: application/json', 'Content-Length: 4'], 'null')).status).toBe(400)
    expect((await request('POST /api/ticket HTTP/1.1', [auth(), 'Content-Type: application/json', 'Content-Length: 2'], '[]')).status).toBe(400)
    await stillServing()
  })

  it('survives clients that go away mid-request or mid-answer', async () => {
    // Mid-body: half of what was declared, then gone.
    for (let i = 0; i < 5; i++) {
      await rawBytes([`POST /api/invoke/app.info HTTP/1.1\r\nHost: ${host()}\r\n${auth()}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"a":`], { hangUp: true })
      await rawBytes([`POST /api/ticket HTTP/1.1\r\nHost: ${host()}\r\n${auth()}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"dow`], { hangUp: true })
    }
    await stillServing()
    // Mid-headers.
    await rawBytes([`GET / HTTP/1.1\r\nHost: ${host()}\r\nX-Half: `], { hangUp: true })
    await rawBytes(['GE'], { hangUp: true })
    await stillServing()

    // Event streams that vanish, then events to write to them.
    for (let i = 0; i < 5; i++) await rawBytes([`GET /api/events HTTP/1.1\r\nHost: ${host()}\r\n${auth()}\r\n\r\n`], { hangUp: true })
    const answered = await rawBytes([`HEAD /api/events HTTP/1.1\r\nHost: ${host()}\r\n${auth()}\r\nConnection: close\r\n\r\n`])
    expect(answered.status).toBe(405)
    const started = await fetch(`${bridge.url}/api/invoke/export.start`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bridge.token}` },
      body: JSON.stringify({ table: 'clients', format: 'csv', columns: ['id', 'name'] })
    })
    const job = ((await started.json()) as { value: ExportJob }).value
    let state = job.state
    for (let i = 0; i < 500 && state === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 20))
      state = ((await backend.dispatch('export.status', { id: job.id })) as { value: ExportJob }).value.state
    }
    expect(state).toBe('done')
    await stillServing()

    // A download dropped as soon as it was asked for.
    for (let i = 0; i < 5; i++) {
      await rawBytes([`GET /api/download/${job.id} HTTP/1.1\r\nHost: ${host()}\r\n${auth()}\r\n\r\n`], { hangUp: true })
    }
    await stillServing()
    const whole = await request(`GET /api/download/${job.id} HTTP/1.1`, [auth()])
    expect(whole.status).toBe(200)
    expect(bodyOf(whole)).toBe(fs.readFileSync(job.file, 'latin1'))
    await stillServing()
  })

  it('keeps serving a connection that pipelines good and bad requests', async () => {
    const good = `POST /api/invoke/app.info HTTP/1.1\r\nHost: ${host()}\r\n${auth()}\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`
    const bad = `GET /x%00y HTTP/1.1\r\nHost: ${host()}\r\n\r\n`
    const last = `GET / HTTP/1.1\r\nHost: ${host()}\r\nConnection: close\r\n\r\n`
    const answer = await rawBytes([good + bad + good + bad + last])
    expect(answer.text.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 400', 'HTTP/1.1 200', 'HTTP/1.1 400', 'HTTP/1.1 200'])
    await stillServing()
  })
})

/** A path that may name the app (200), or be refused as a client error: anything but a 5xx or a crash. */
function refusedOrServed(answer: RawAnswer): void {
  expect(answer.status, answer.text.slice(0, 200)).not.toBeNull()
  expect(answer.status!, answer.text.slice(0, 200)).toBeLessThan(500)
}
