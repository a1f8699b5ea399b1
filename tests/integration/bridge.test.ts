import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { keyFileBox } from '../../src/backend/secrets'
import { createBackend, type Backend } from '../../src/backend/service'
import { startReferenceServer, type ReferenceServer } from '../../src/refserver/server'
import { startBridge, type Bridge } from '../../tools/bridge/server'
import { tempDir } from '../helpers'

let tmp: ReturnType<typeof tempDir>
let backend: Backend
let bridge: Bridge
let server: ReferenceServer

/** A raw request, so the Host and Origin headers can be forged as an attacker would. */
function raw(
  method: string,
  pathname: string,
  headers: Record<string, string>,
  body?: string
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: bridge.port, method, path: pathname, headers }, (res) => {
      let text = ''
      res.on('data', (c) => (text += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
    })
    req.on('error', reject)
    if (body) req.write(body)
    req.end()
  })
}

const host = (): string => `127.0.0.1:${bridge.port}`

beforeAll(async () => {
  tmp = tempDir()
  const staticDir = path.join(tmp.dir, 'web')
  fs.mkdirSync(staticDir)
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>SMS Desk</title>')
  fs.writeFileSync(path.join(tmp.dir, 'secret.txt'), 'do not serve')
  server = await startReferenceServer({ clients: 50, token: 'platform-token-123' })
  backend = createBackend({ dataDir: path.join(tmp.dir, 'data'), box: keyFileBox(path.join(tmp.dir, 'data')), mode: 'browser', version: 'test' })
  bridge = await startBridge({ backend, staticDir })
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
    const traversal = await raw('GET', '/..%2fsecret.txt', { host: host() })
    expect(traversal.status).not.toBe(200)
    expect(traversal.text).not.toContain('do not serve')
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
