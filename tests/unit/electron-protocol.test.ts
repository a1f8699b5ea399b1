/**
 * The app:// scheme (src/main/appProtocol.ts): registered as privileged, and its handler
 * serving real files of a renderer folder with their types and the CSP header, refusing
 * anything outside. Electron is mocked: only protocol's two calls are recorded.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'

const calls = vi.hoisted(() => ({ schemes: [] as unknown[], handled: new Map<string, unknown>() }))
vi.mock('electron', () => ({
  protocol: {
    registerSchemesAsPrivileged: (schemes: unknown[]) => calls.schemes.push(...schemes),
    handle: (scheme: string, handler: unknown) => calls.handled.set(scheme, handler)
  }
}))

const { contentType, handleAppProtocol, registerAppScheme, serveAppFiles } = await import('../../src/main/appProtocol')
const { RENDERER_CSP } = await import('../../src/main/security')

let dir: string
let root: string
let serve: (request: Request) => Promise<Response>

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsdesk-app-protocol-'))
  root = path.join(dir, 'renderer')
  fs.mkdirSync(path.join(root, 'assets'), { recursive: true })
  fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>SMS Desk</title>')
  fs.writeFileSync(path.join(root, 'assets', 'index-1.js'), 'export const x = 1')
  fs.writeFileSync(path.join(root, 'assets', 'index-1.css'), 'body{}')
  fs.writeFileSync(path.join(root, 'assets', 'font.woff2'), Buffer.from([0x77, 0x4f, 0x46, 0x32]))
  fs.writeFileSync(path.join(dir, 'secret.key'), 'SECRET')
  fs.mkdirSync(path.join(dir, 'renderer-evil'))
  fs.writeFileSync(path.join(dir, 'renderer-evil', 'x.js'), 'SECRET')
  serve = serveAppFiles(root)
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

describe('the app scheme', () => {
  it('is registered standard, secure and with fetch, and handled from the given folder', async () => {
    registerAppScheme()
    expect(calls.schemes).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }])
    handleAppProtocol(root)
    const handler = calls.handled.get('app') as (r: Request) => Promise<Response>
    const res = await handler(new Request('app://smsdesk/index.html'))
    expect(await res.text()).toContain('<title>SMS Desk</title>')
  })

  it('serves the renderer files with their types, the CSP and nosniff', async () => {
    const cases: [string, string, string][] = [
      ['app://smsdesk/', 'text/html; charset=utf-8', '<!doctype html>'],
      ['app://smsdesk/index.html#/clients', 'text/html; charset=utf-8', '<!doctype html>'],
      ['app://smsdesk/assets/index-1.js', 'text/javascript; charset=utf-8', 'export const x'],
      ['app://smsdesk/assets/index-1.css', 'text/css; charset=utf-8', 'body{}']
    ]
    for (const [url, type, start] of cases) {
      const res = await serve(new Request(url))
      expect(res.status, url).toBe(200)
      expect(res.headers.get('content-type'), url).toBe(type)
      expect(res.headers.get('content-security-policy')).toBe(RENDERER_CSP)
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
      expect((await res.text()).startsWith(start), url).toBe(true)
    }
    const font = await serve(new Request('app://smsdesk/assets/font.woff2'))
    expect(font.headers.get('content-type')).toBe('font/woff2')
    expect(Buffer.from(await font.arrayBuffer())).toEqual(Buffer.from([0x77, 0x4f, 0x46, 0x32]))
    const head = await serve(new Request('app://smsdesk/index.html', { method: 'HEAD' }))
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
    expect(contentType('x.unknown')).toBe('application/octet-stream')
    expect(contentType('A.PNG')).toBe('image/png')
  })

  it('answers 404 for a missing file or a folder, 403 for anything outside, and logs the refusals', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    try {
      expect((await serve(new Request('app://smsdesk/missing.js'))).status).toBe(404)
      expect((await serve(new Request('app://smsdesk/assets'))).status).toBe(404)
      // The URL parser resolves dot segments: this one asks for <root>/secret.key, which is not there.
      expect((await serve(new Request('app://smsdesk/../secret.key'))).status).toBe(404)
      expect(warn).not.toHaveBeenCalled()
      for (const url of [
        'app://smsdesk/..%2fsecret.key',
        'app://smsdesk/..%2frenderer-evil%2fx.js',
        'app://smsdesk/assets%2f..%2f..%2fsecret.key',
        'app://smsdesk/index.html%00',
        'app://smsdesk/..%5csecret.key',
        'app://other-host/index.html'
      ]) {
        const res = await serve(new Request(url))
        expect(res.status, url).toBe(403)
        expect(await res.text()).not.toContain('SECRET')
      }
      expect((await serve(new Request('app://smsdesk/index.html', { method: 'POST', body: 'x' }))).status).toBe(405)
      expect(warn).toHaveBeenCalledTimes(7)
      expect(warn.mock.calls.every(([line]) => String(line).startsWith('[security] refused app-protocol '))).toBe(true)
    } finally {
      warn.mockRestore()
    }
  })
})
