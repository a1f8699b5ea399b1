import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { keyFileBox } from '../../src/backend/secrets'
import { createBackend, type Backend } from '../../src/backend/service'
import { startReferenceServer, type ReferenceServer } from '../../src/refserver/server'
import type { ExportJob } from '../../src/shared/types'
import { startBridge, type Bridge } from '../../tools/bridge/server'
import { tempDir } from '../helpers'

let tmp: ReturnType<typeof tempDir>
let backend: Backend
let bridge: Bridge
let server: ReferenceServer

/** The clock the bridge's download tickets expire by. */
let clock = Date.parse('2026-03-01T10:00:00Z')

/** A raw request, so the Host and Origin headers can be forged as an attacker would. */
function raw(
  method: string,
  pathname: string,
  headers: Record<string, string>,
  body?: string
): Promise<{ status: number; text: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: bridge.port, method, path: pathname, headers }, (res) => {
      let text = ''
      res.on('data', (c) => (text += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }))
    })
    req.on('error', reject)
    if (body) req.write(body)
    req.end()
  })
}

const host = (): string => `127.0.0.1:${bridge.port}`
const authed = (): Record<string, string> => ({ host: host(), 'content-type': 'application/json', authorization: `Bearer ${bridge.token}` })

/** An authorized API call; the envelope it answers. */
async function invoke(channel: string, input: unknown = {}): Promise<{ ok: boolean; value?: unknown; error?: { code: string } }> {
  const r = await raw('POST', `/api/invoke/${channel}`, authed(), JSON.stringify(input))
  expect(r.status).toBe(200)
  return JSON.parse(r.text)
}

/** A finished CSV export of the clients table, made through the bridge. */
async function finishedExport(): Promise<ExportJob> {
  const started = await invoke('export.start', { table: 'clients', format: 'csv', columns: ['id', 'name'] })
  expect(started.ok).toBe(true)
  let job = started.value as ExportJob
  for (let i = 0; i < 500 && job.state === 'running'; i++) {
    await new Promise((r) => setTimeout(r, 20))
    job = (await invoke('export.status', { id: job.id })).value as ExportJob
  }
  expect(job.state).toBe('done')
  return job
}

/** A ticket for one download, asked for with the token. */
async function ticketFor(id: string): Promise<{ ticket: string; url: string }> {
  const r = await raw('POST', '/api/ticket', authed(), JSON.stringify({ download: id }))
  expect(r.status).toBe(200)
  return JSON.parse(r.text)
}

/** The bridge's event stream, read as the renderer reads it; `until` waits for an event of that name. */
function eventStream(headers: Record<string, string>): Promise<{ status: number; until(event: string): Promise<unknown>; close(): void }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: bridge.port, method: 'GET', path: '/api/events', headers }, (res) => {
      let text = ''
      const waiting: { event: string; done: (payload: unknown) => void }[] = []
      const seen: { event: string; payload: unknown }[] = []
      const check = (): void => {
        for (const w of [...waiting]) {
          const hit = seen.find((s) => s.event === w.event)
          if (hit) {
            waiting.splice(waiting.indexOf(w), 1)
            w.done(hit.payload)
          }
        }
      }
      res.setEncoding('utf8')
      res.on('data', (c: string) => {
        text += c
        let end: number
        while ((end = text.indexOf('\n\n')) >= 0) {
          const block = text.slice(0, end)
          text = text.slice(end + 2)
          for (const line of block.split('\n')) if (line.startsWith('data: ')) seen.push(JSON.parse(line.slice(6)))
        }
        check()
      })
      res.on('error', () => undefined)
      resolve({
        status: res.statusCode ?? 0,
        until: (event) =>
          new Promise((done) => {
            waiting.push({ event, done })
            check()
          }),
        close: () => req.destroy()
      })
    })
    req.on('error', reject)
    req.end()
  })
}

beforeAll(async () => {
  tmp = tempDir()
  const staticDir = path.join(tmp.dir, 'web')
  fs.mkdirSync(staticDir)
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>SMS Desk</title>')
  fs.mkdirSync(path.join(staticDir, 'assets'))
  fs.writeFileSync(path.join(staticDir, 'assets', 'index-Ab3dE_9x.js'), 'console.log(1)')
  fs.writeFileSync(path.join(staticDir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>')
  fs.writeFileSync(path.join(tmp.dir, 'secret.txt'), 'do not serve')
  server = await startReferenceServer({ clients: 50, token: 'platform-token-123' })
  backend = createBackend({ dataDir: path.join(tmp.dir, 'data'), box: keyFileBox(path.join(tmp.dir, 'data')), mode: 'browser', version: 'test', defaultExportDir: path.join(tmp.dir, 'exports') })
  bridge = await startBridge({ backend, staticDir, now: () => clock })
})
afterAll(async () => {
  await bridge.close()
  await backend.close()
  await server.close()
  tmp.cleanup()
})

describe('browser bridge', () => {
  it('listens on loopback and prints a URL carrying the token in the fragment only', () => {
    expect(bridge.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(bridge.openUrl).toBe(`${bridge.url}/#token=${bridge.token}`)
    expect(bridge.token.length).toBeGreaterThanOrEqual(32)
  })

  it('serves the renderer with a strict CSP and refuses paths outside it', async () => {
    const page = await raw('GET', '/', { host: host() })
    expect(page.status).toBe(200)
    expect(page.text).toContain('<title>SMS Desk</title>')
    expect(page.headers['content-type']).toMatch(/^text\/html/)
    expect(page.headers['content-security-policy']).toContain("default-src 'self'")
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'")
    expect(page.headers['cache-control']).toBe('no-store')
    expect(page.headers['x-content-type-options']).toBe('nosniff')
    expect(page.headers['x-frame-options']).toBe('DENY')
    expect(page.headers['referrer-policy']).toBe('no-referrer')
    expect((await raw('GET', '/index.html', { host: host() })).headers['cache-control']).toBe('no-store')
    const asset = await raw('GET', '/assets/index-Ab3dE_9x.js', { host: host() })
    expect(asset.status).toBe(200)
    expect(asset.headers['content-type']).toMatch(/javascript/)
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(asset.headers['x-content-type-options']).toBe('nosniff')
    expect((await raw('GET', '/favicon.svg', { host: host() })).headers['cache-control']).toBe('no-cache')
    expect((await raw('HEAD', '/', { host: host() })).status).toBe(200)
    expect((await raw('GET', '/missing.js', { host: host() })).status).toBe(404)
    expect((await raw('GET', '/assets', { host: host() })).status).toBe(404)
    expect((await raw('POST', '/', { host: host() })).status).toBe(405)
    for (const p of ['/..%2fsecret.txt', '/../secret.txt', '/assets/..%2f..%2fsecret.txt', '/%2e%2e/secret.txt']) {
      const traversal = await raw('GET', p, { host: host() })
      expect(traversal.status, p).toBeGreaterThanOrEqual(400)
      expect(traversal.text).not.toContain('do not serve')
    }
  })

  it('answers a NUL byte in a path with 400 and keeps serving', async () => {
    expect((await raw('GET', '/x%00y', { host: host() })).status).toBe(400)
    expect((await raw('GET', '/', { host: host() })).status).toBe(200)
    expect((await invoke('app.info')).ok).toBe(true)
  })

  it('never takes the token from a query string, on any path', async () => {
    const job = await finishedExport()
    const t = `token=${encodeURIComponent(bridge.token)}`
    const json = { host: host(), 'content-type': 'application/json' }
    expect((await raw('POST', `/api/invoke/app.info?${t}`, json, '{}')).status).toBe(401)
    expect((await raw('GET', `/api/events?${t}`, { host: host() })).status).toBe(401)
    expect((await raw('POST', `/api/ticket?${t}`, json, JSON.stringify({ download: job.id }))).status).toBe(401)
    expect((await raw('GET', `/api/download/${job.id}?${t}`, { host: host() })).status).toBe(401)
    expect((await raw('GET', `/api/download/${job.id}?ticket=${encodeURIComponent(bridge.token)}`, { host: host() })).status).toBe(401)
    // A token that is not a Bearer one is refused as well.
    expect((await raw('POST', '/api/invoke/app.info', { ...json, authorization: bridge.token }, '{}')).status).toBe(401)
    expect((await raw('POST', '/api/invoke/app.info', { ...json, authorization: `Basic ${bridge.token}` }, '{}')).status).toBe(401)
  })

  it('streams the events to a client that sends the token in the Authorization header', async () => {
    const refused = await eventStream({ host: host() })
    expect(refused.status).toBe(401)
    refused.close()
    const stream = await eventStream({ host: host(), authorization: `Bearer ${bridge.token}` })
    try {
      expect(stream.status).toBe(200)
      const progress = stream.until('export.progress')
      const job = await finishedExport()
      expect(await progress).toMatchObject({ id: job.id })
    } finally {
      stream.close()
    }
  })

  it('downloads an export with a ticket that works once, for that export only, for 30 s', async () => {
    const job = await finishedExport()
    const other = await finishedExport()
    const bytes = fs.readFileSync(job.file)

    const { ticket, url } = await ticketFor(job.id)
    expect(ticket).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(url).toBe(`/api/download/${job.id}?ticket=${ticket}`)
    const first = await raw('GET', url, { host: host() })
    expect(first.status).toBe(200)
    expect(first.headers['content-disposition']).toMatch(/^attachment; filename="clients-[^"]+\.csv"/)
    expect(first.headers['cache-control']).toBe('no-store')
    expect(Buffer.from(first.text).equals(bytes)).toBe(true)
    expect((await raw('GET', url, { host: host() })).status).toBe(401) // spent

    // Bound to its export: refused for another one (and spent by the attempt).
    const forJob = await ticketFor(job.id)
    expect((await raw('GET', `/api/download/${other.id}?ticket=${forJob.ticket}`, { host: host() })).status).toBe(401)
    expect((await raw('GET', forJob.url, { host: host() })).status).toBe(401)

    // Valid 30 s by the bridge's clock: still good just before, refused from then on.
    const late = await ticketFor(job.id)
    const inTime = await ticketFor(job.id)
    clock += 29_999
    expect((await raw('GET', inTime.url, { host: host() })).status).toBe(200)
    clock += 1
    expect((await raw('GET', late.url, { host: host() })).status).toBe(401)

    // Tickets are for exports of this run, asked for with the token in the header.
    const json = { host: host(), 'content-type': 'application/json' }
    expect((await raw('POST', '/api/ticket', json, JSON.stringify({ download: job.id }))).status).toBe(401)
    expect((await raw('POST', '/api/ticket', authed(), JSON.stringify({ download: '00000000-0000-4000-8000-000000000000' }))).status).toBe(404)
    for (const body of ['{}', '{"download":1}', '{"download":"../x"}', 'null', '[]', '{oops']) {
      expect((await raw('POST', '/api/ticket', authed(), body)).status, body).toBe(400)
    }
    expect((await raw('GET', '/api/ticket', authed())).status).toBe(405)
    // The header alone also downloads (a script, not a navigation).
    expect((await raw('GET', `/api/download/${job.id}`, { host: host(), authorization: `Bearer ${bridge.token}` })).status).toBe(200)
    expect((await raw('GET', `/api/download/${job.id}`, { host: host() })).status).toBe(401)
  })

  it('routes every well-formed channel name to the backend, which knows its contract', async () => {
    for (const name of ['reports.schedules.list', 'apiReports.list2', 'clients.drop']) {
      expect(await invoke(name), name).toMatchObject({ ok: false, error: { code: 'unknown_channel' } })
    }
    for (const name of ['clients', 'Clients.list', 'clients.list/x', 'clients..list', 'clients.li%73t', `a.${'b'.repeat(99)}`]) {
      expect((await raw('POST', `/api/invoke/${name}`, authed(), '{}')).status, name).toBe(404)
    }
    expect((await raw('GET', '/api/invoke/app.info', authed())).status).toBe(405)
  })

  it('refuses API calls without the token, with a wrong one, or with a forged Host or Origin', async () => {
    const body = '{}'
    const json = { 'content-type': 'application/json' }
    expect((await raw('POST', '/api/invoke/app.info', { host: host(), ...json }, body)).status).toBe(401)
    expect((await raw('POST', '/api/invoke/app.info', { host: host(), ...json, authorization: 'Bearer wrong' }, body)).status).toBe(401)
    const auth = { authorization: `Bearer ${bridge.token}` }
    expect((await raw('POST', '/api/invoke/app.info', { host: 'evil.example:80', ...json, ...auth }, body)).status).toBe(421)
    expect((await raw('POST', '/api/invoke/app.info', { host: host(), origin: 'http://evil.example', ...json, ...auth }, body)).status).toBe(403)
    expect((await raw('GET', '/api/events', { host: host() })).status).toBe(401)
    const ok = await raw('POST', '/api/invoke/app.info', { host: host(), ...json, ...auth }, body)
    expect(ok.status).toBe(200)
    expect(JSON.parse(ok.text)).toMatchObject({ ok: true, value: { mode: 'browser' } })
  })

  it('validates payloads and answers with translated error codes', async () => {
    const headers = { host: host(), 'content-type': 'application/json', authorization: `Bearer ${bridge.token}` }
    const bad = JSON.parse((await raw('POST', '/api/invoke/clients.list', headers, '{"pageSize":"ten"}')).text)
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    const unknown = JSON.parse((await raw('POST', '/api/invoke/clients.drop', headers, '{}')).text)
    expect(unknown).toMatchObject({ ok: false, error: { code: 'unknown_channel' } })
    const garbled = JSON.parse((await raw('POST', '/api/invoke/clients.list', headers, '{not json')).text)
    expect(garbled).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
  })

  it('syncs through the backend with an encrypted token that never lands in the database in clear', async () => {
    const headers = { host: host(), 'content-type': 'application/json', authorization: `Bearer ${bridge.token}` }
    const call = async (channel: string, input: unknown) =>
      JSON.parse((await raw('POST', `/api/invoke/${channel}`, headers, JSON.stringify(input))).text)
    const denied = await call('connections.test', { source: 'platform', url: server.url })
    expect(denied).toMatchObject({ ok: false, error: { code: 'unauthorized' } })
    const saved = await call('settings.save', { connections: { platform: { url: server.url, token: 'platform-token-123' } } })
    expect(saved.value.connections.platform).toEqual({ url: server.url, hasToken: true })
    expect(JSON.stringify(saved)).not.toContain('platform-token-123')
    const test = await call('connections.test', { source: 'platform', url: server.url })
    expect(test).toMatchObject({ ok: true, value: { ok: true } })
    const sync = await call('sync.start', {})
    expect(sync.value.streams['platform.clients']).toMatchObject({ inserted: 50, error: null })
    const list = await call('clients.list', { pageSize: 20 })
    expect(list.value.total).toBe(50)
    expect(list.value.rows).toHaveLength(20)
    backend.db.pragma('wal_checkpoint(TRUNCATE)')
    const file = fs.readFileSync(path.join(tmp.dir, 'data', 'sms-desk.sqlite'))
    expect(file.includes(Buffer.from('platform-token-123'))).toBe(false)
  })
})
