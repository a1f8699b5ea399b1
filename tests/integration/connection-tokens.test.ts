/**
 * A connection's token goes only to the origin (scheme, host, port) it was saved for, and only
 * over https or to this computer: through the backend's channels on a real SQLite file, against
 * loopback servers that record the Authorization header they receive; and the command line's
 * ways of taking tokens, run as a child process.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SettingsRepo } from '../../src/backend/db/settings'
import { keyFileBox } from '../../src/backend/secrets'
import { createBackend, type Backend } from '../../src/backend/service'
import { startReferenceServer, type ReferenceServer } from '../../src/refserver/server'
import type { Envelope, WireError } from '../../src/shared/errors'
import type { SettingsView, SyncRunSummary } from '../../src/shared/types'
import { tempDir } from '../helpers'

/** A loopback server that answers every request with an empty page and records what it got. */
interface Recorder {
  url: string
  /** One entry per request: its path and its Authorization header (undefined when none). */
  seen: { path: string; authorization: string | undefined }[]
  close(): Promise<void>
}

async function recorder(host = '127.0.0.1'): Promise<Recorder> {
  const seen: Recorder['seen'] = []
  const server = http.createServer((req, res) => {
    seen.push({ path: req.url ?? '', authorization: req.headers.authorization })
    req.resume()
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(req.url?.includes('dispatch-reports') ? [] : { count: 0, next: null, previous: null, results: [] }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, host, resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://${host}:${port}`,
    seen,
    close: () => new Promise((resolve) => server.close(() => resolve()))
  }
}

let tmp: ReturnType<typeof tempDir>
let dataDir: string
let keyDir: string
let backend: Backend
let home: Recorder
let foreign: Recorder

function open(): Backend {
  return createBackend({ dataDir, box: keyFileBox(dataDir, keyDir), mode: 'browser', version: 'test', demo: { seed: 2, clients: 12 } })
}

async function call<T>(channel: string, input: unknown = {}): Promise<T> {
  const r = (await backend.dispatch(channel, input)) as Envelope<T>
  if (!r.ok) throw Object.assign(new Error(r.error.message), { wire: r.error })
  return r.value
}

async function failure(channel: string, input: unknown): Promise<WireError> {
  const r = await backend.dispatch(channel, input)
  if (r.ok) throw new Error(`${channel} succeeded`)
  return r.error
}

const save = (connections: unknown): Promise<SettingsView> => call<SettingsView>('settings.save', { connections })
const view = async (): Promise<SettingsView> => call<SettingsView>('settings.get')
const storedSecrets = (): number => backend.db.prepare('SELECT count(*) FROM secrets').pluck().get() as number

beforeEach(async () => {
  tmp = tempDir('smsdesk-tokens-')
  dataDir = path.join(tmp.dir, 'data')
  keyDir = path.join(tmp.dir, 'keys')
  backend = open()
  home = await recorder()
  foreign = await recorder()
})

afterEach(async () => {
  await backend.close()
  await home.close()
  await foreign.close()
  tmp.cleanup()
})

describe('a token is bound to the origin it was saved for', () => {
  it('connections.test sends the stored token to its own origin only; a foreign origin gets no Authorization at all', async () => {
    await save({ platform: { url: `${home.url}/v1`, token: 'home-secret' } })

    await call('connections.test', { source: 'platform', url: `${home.url}/other/path` })
    expect(home.seen.at(-1)?.authorization).toBe('Bearer home-secret')

    await call('connections.test', { source: 'platform', url: foreign.url })
    expect(foreign.seen).toHaveLength(1)
    expect(foreign.seen[0].authorization).toBeUndefined()

    // The same port on another host name is another origin too.
    await call('connections.test', { source: 'platform', url: home.url.replace('127.0.0.1', 'localhost') }).catch(() => undefined)
    for (const r of [...home.seen.slice(1), ...foreign.seen]) expect(r.authorization).toBeUndefined()

    // A token given in the call is the one sent, wherever the test points.
    await call('connections.test', { source: 'platform', url: foreign.url, token: 'typed-now' })
    expect(foreign.seen.at(-1)?.authorization).toBe('Bearer typed-now')
  })

  it('a new URL on another origin, saved without a token, removes the stored one: the next sync sends none', async () => {
    await save({ platform: { url: home.url, token: 'home-secret' } })
    expect((await view()).connections.platform).toEqual({ url: home.url, hasToken: true })

    const after = await save({ platform: { url: foreign.url } })
    expect(after.connections.platform).toEqual({ url: foreign.url, hasToken: false, tokenReset: 'origin_changed' })
    expect(storedSecrets()).toBe(0)

    await call<SyncRunSummary>('sync.start')
    expect(foreign.seen.length).toBeGreaterThan(0)
    for (const r of foreign.seen) expect(r.authorization).toBeUndefined()
    expect(home.seen).toHaveLength(0)

    // Going back does not bring it back: it was removed, and must be entered again.
    expect((await save({ platform: { url: home.url } })).connections.platform.hasToken).toBe(false)
    const fresh = await save({ platform: { url: home.url, token: 'entered-again' } })
    expect(fresh.connections.platform).toEqual({ url: home.url, hasToken: true })
  })

  it('a new path on the same origin keeps the token, and the sync sends it there', async () => {
    await save({ platform: { url: home.url, token: 'home-secret' } })
    const moved = await save({ platform: { url: `${home.url}/prefix/` } })
    expect(moved.connections.platform).toEqual({ url: `${home.url}/prefix/`, hasToken: true })
    await call<SyncRunSummary>('sync.start')
    expect(home.seen.length).toBeGreaterThan(0)
    for (const r of home.seen) {
      expect(r.path.startsWith('/prefix/')).toBe(true)
      expect(r.authorization).toBe('Bearer home-secret')
    }
  })

  it('a token saved before origins were recorded is bound to the URL stored then', async () => {
    // What an earlier version left: a URL and its token, no origin.
    const legacy = new SettingsRepo(backend.db, keyFileBox(dataDir, keyDir))
    legacy.set('connection.platform.url', home.url)
    legacy.setSecret('connection.platform.token', 'old-secret')
    legacy.set('connection.sim.url', 'http://sim.example.com')
    legacy.setSecret('connection.sim.token', 'sent-in-clear')
    await backend.close()
    backend = open()

    const v = await view()
    expect(v.connections.platform).toEqual({ url: home.url, hasToken: true })
    // Saved with a plain-http address of another computer: removed, to be entered again over https.
    expect(v.connections.sim).toEqual({ url: 'http://sim.example.com', hasToken: false, tokenReset: 'insecure_url' })
    expect(backend.db.prepare("SELECT key FROM secrets").pluck().all()).toEqual(['connection.platform.token'])

    await call('connections.test', { source: 'platform', url: home.url })
    expect(home.seen.at(-1)?.authorization).toBe('Bearer old-secret')

    // A later move to another origin drops it, as for any token.
    await save({ platform: { url: foreign.url } })
    await call('connections.test', { source: 'platform', url: foreign.url })
    expect(foreign.seen.at(-1)?.authorization).toBeUndefined()
  })

  it('the demo keeps working; a token saved for another server is not sent to it', async () => {
    await save({ platform: { url: home.url, token: 'home-secret' } })
    const url = await backend.startDemo()
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const v = await view()
    expect(v.connections.platform).toEqual({ url, hasToken: false, tokenReset: 'origin_changed' })
    const summary = await call<SyncRunSummary>('sync.start')
    for (const [name, s] of Object.entries(summary.streams)) expect({ name, error: s.error }).toEqual({ name, error: null })
    expect(summary.streams['platform.clients'].inserted).toBe(12)
    expect(home.seen).toHaveLength(0)
  })
})

describe('tokens travel over https, or to this computer only', () => {
  it('refuses a token with a plain-http address of another computer, and such an address while a token is stored', async () => {
    const withToken = await failure('settings.save', { connections: { platform: { url: 'http://admin.example.com/', token: 't1' } } })
    expect(withToken).toMatchObject({ code: 'insecure_url', params: { field: 'connections.platform.url' } })
    expect((await view()).connections.platform).toEqual({ url: '', hasToken: false })
    expect(storedSecrets()).toBe(0)

    await save({ platform: { url: home.url, token: 'home-secret' } })
    const moved = await failure('settings.save', { connections: { platform: { url: 'http://admin.example.com/' } } })
    expect(moved).toMatchObject({ code: 'insecure_url', params: { field: 'connections.platform.url' } })
    expect((await view()).connections.platform).toEqual({ url: home.url, hasToken: true })

    // A token typed for a connection test is not sent in clear either (refused before any request).
    const tested = await failure('connections.test', { source: 'platform', url: 'http://admin.example.com/', token: 't2' })
    expect(tested.code).toBe('insecure_url')

    // Without a token the address is saved (the server is then asked without credentials).
    const cleared = await save({ platform: { url: 'http://admin.example.com/', token: '' } })
    expect(cleared.connections.platform).toEqual({ url: 'http://admin.example.com/', hasToken: false })
    const noToken = await save({ dispatch: { url: 'http://reports.example.com/' } })
    expect(noToken.connections.dispatch).toEqual({ url: 'http://reports.example.com/', hasToken: false })
  })

  it('accepts https anywhere and plain http to 127.0.0.0/8, ::1 and localhost', async () => {
    for (const url of ['https://admin.example.com/', 'http://127.0.0.1:8787', 'http://127.10.0.3/', 'http://[::1]:9000/', 'http://localhost:5000/']) {
      const v = await save({ sim: { url, token: 'tok' } })
      expect(v.connections.sim).toEqual({ url, hasToken: true })
    }
  })
})

describe('the command line takes tokens from the environment or a private file', () => {
  let server: ReferenceServer
  beforeEach(async () => {
    server = await startReferenceServer({ seed: 4, clients: 6, token: 'cli-token' })
  })
  afterEach(async () => {
    await server.close()
  })

  /** Runs `cli sync` (asynchronously: the reference server answers from this process). */
  const cli = async (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tools/cli.ts', 'sync', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SMS_DESK_TOKEN_PLATFORM: '', SMS_DESK_TOKEN_SIM: '', SMS_DESK_TOKEN_DISPATCH: '', ...env }
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve))
    const last = stdout.trim().split('\n').at(-1) ?? ''
    return { status, stderr, result: JSON.parse(last) as { ok: boolean; error?: WireError } }
  }
  const dbArgs = (): string[] => ['--platform', server.url, '--db', path.join(tmp.dir, 'cli.sqlite')]
  const tokenFile = (name: string, text: string, mode: number): string => {
    const file = path.join(tmp.dir, name)
    fs.writeFileSync(file, text, { mode })
    fs.chmodSync(file, mode)
    return file
  }

  it('--token-file as JSON or kind=token lines, readable by its owner only', async () => {
    const json = tokenFile('tokens.json', JSON.stringify({ platform: 'cli-token' }), 0o600)
    const a = await cli([...dbArgs(), '--token-file', json])
    expect(a.result.ok).toBe(true)
    expect(a.status).toBe(0)
    expect(a.stderr).not.toContain('warning')

    const lines = tokenFile('tokens.txt', '# SMS Desk\n\nplatform = cli-token\ndispatch=other\n', 0o600)
    expect((await cli([...dbArgs(), '--token-file', lines])).result.ok).toBe(true)

    const wrong = tokenFile('wrong.txt', 'platform=not-the-token\n', 0o600)
    expect((await cli([...dbArgs(), '--token-file', wrong])).result.ok).toBe(false) // the file's token is the one sent
  })

  it.skipIf(process.platform === 'win32')('refuses a token file other users can read, without repeating the token', async () => {
    const file = tokenFile('open.json', JSON.stringify({ platform: 'cli-token' }), 0o644)
    const r = await cli([...dbArgs(), '--token-file', file])
    expect(r.status).toBe(2)
    expect(r.result.error?.code).toBe('invalid_input')
    expect(r.stderr).toContain('other users can read it')
    expect(r.stderr).toContain('chmod 600')
    expect(r.stderr + JSON.stringify(r.result)).not.toContain('cli-token')
    expect(server.hits).toEqual({})
  })

  it('takes the environment variable; --token-platform still works, with a warning', async () => {
    expect((await cli(dbArgs(), { SMS_DESK_TOKEN_PLATFORM: 'cli-token' })).result.ok).toBe(true)
    const flagged = await cli([...dbArgs(), '--token-platform', 'cli-token'])
    expect(flagged.result.ok).toBe(true)
    expect(flagged.stderr).toContain('--token-platform is visible to other users')
    expect(flagged.stderr).toContain('SMS_DESK_TOKEN_PLATFORM')
  })

  it('refuses to send a token over plain http to another computer', async () => {
    const r = await cli(['--platform', 'http://admin.example.com', '--db', path.join(tmp.dir, 'x.sqlite')], { SMS_DESK_TOKEN_PLATFORM: 'cli-token' })
    expect(r.status).toBe(2)
    expect(r.result.error?.code).toBe('insecure_url')
  })
})
