/**
 * The files that hold secrets: the data folder, the database and its companions, the backups
 * are readable by their owner only, whatever the umask; the key file lives apart from the
 * database, in the key folder (never the real home here: the tests name their own), and a
 * key an earlier version left beside the database is moved there with its tokens still
 * readable. Real SQLite files through createBackend(...).dispatch.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { configRoot, defaultKeyDir, keyFileBox, keyFilePath } from '../../src/backend/secrets'
import { createBackend, type Backend } from '../../src/backend/service'
import type { Envelope } from '../../src/shared/errors'
import type { BackupInfo, SettingsView } from '../../src/shared/types'
import { tempDir } from '../helpers'

const posix = process.platform !== 'win32'
const mode = (p: string): number => fs.statSync(p).mode & 0o777

let tmp: ReturnType<typeof tempDir>
let dataDir: string
let keyDir: string
let umask: number
const open: Backend[] = []

function backend(keys = keyDir): Backend {
  const b = createBackend({ dataDir, box: keyFileBox(dataDir, keys), mode: 'browser', version: 'test' })
  open.push(b)
  return b
}

async function call<T>(b: Backend, channel: string, input: unknown = {}): Promise<Envelope<T>> {
  return (await b.dispatch(channel, input)) as Envelope<T>
}

/** A loopback server that records the Authorization header of each request. */
async function recorder(): Promise<{ url: string; seen: (string | undefined)[]; close(): Promise<void> }> {
  const seen: (string | undefined)[] = []
  const server = http.createServer((req, res) => {
    seen.push(req.headers.authorization)
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{"count":0,"next":null,"previous":null,"results":[]}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise((resolve) => server.close(() => resolve()))
  }
}

beforeEach(() => {
  tmp = tempDir('smsdesk-files-')
  dataDir = path.join(tmp.dir, 'data')
  keyDir = path.join(tmp.dir, 'config', 'sms-desk-keys')
  // The modes must not depend on the umask: the loosest one.
  umask = process.umask(0)
})

afterEach(async () => {
  process.umask(umask)
  for (const b of open.splice(0)) await b.close()
  tmp.cleanup()
})

describe.skipIf(!posix)('file modes', () => {
  it('the data folder (also one made before), the database, -wal, -shm, backups: owner only', async () => {
    fs.mkdirSync(dataDir, { mode: 0o755 })
    fs.chmodSync(dataDir, 0o755) // made before, by an earlier version or by Electron
    const b = backend()
    const saved = await call<SettingsView>(b, 'settings.save', { connections: { platform: { url: 'https://admin.example.com', token: 'tok' } } })
    expect(saved.ok).toBe(true)
    const db = path.join(dataDir, 'sms-desk.sqlite')
    expect(mode(dataDir)).toBe(0o700)
    for (const f of [db, `${db}-wal`, `${db}-shm`]) {
      expect(fs.existsSync(f)).toBe(true)
      expect({ f, mode: mode(f).toString(8) }).toEqual({ f, mode: '600' })
    }
    const made = await call<BackupInfo>(b, 'store.backup')
    expect(made.ok).toBe(true)
    const backups = path.join(dataDir, 'backups')
    expect(mode(backups)).toBe(0o700)
    const files = fs.readdirSync(backups)
    expect(files.length).toBe(1)
    for (const f of files) expect(mode(path.join(backups, f))).toBe(0o600)
  })

  it('a database and companions left world-readable by an earlier version are made private on open', async () => {
    const first = backend()
    await call(first, 'settings.save', { language: 'ru' })
    await first.close()
    open.splice(0)
    const db = path.join(dataDir, 'sms-desk.sqlite')
    fs.writeFileSync(`${db}-wal`, '') // an empty WAL, as a clean close may leave
    for (const f of [dataDir]) fs.chmodSync(f, 0o755)
    for (const f of [db, `${db}-wal`]) fs.chmodSync(f, 0o644)
    backend()
    expect(mode(dataDir)).toBe(0o700)
    expect(mode(db)).toBe(0o600)
    expect(mode(`${db}-wal`)).toBe(0o600)
  })
})

describe('the key file', () => {
  it('lives in the key folder, one per data folder (by its real path), not beside the database', async () => {
    const b = backend()
    expect((await call(b, 'settings.save', { connections: { platform: { url: 'https://a.example.com', token: 'tok' } } })).ok).toBe(true)
    const file = keyFilePath(dataDir, keyDir)
    expect(fs.existsSync(file)).toBe(true)
    expect(path.dirname(path.dirname(file))).toBe(keyDir)
    expect(fs.existsSync(path.join(dataDir, 'secret.key'))).toBe(false)
    expect(fs.readdirSync(dataDir).some((n) => n.endsWith('.key'))).toBe(false)
    if (posix) {
      expect(mode(file)).toBe(0o600)
      expect(mode(path.dirname(file))).toBe(0o700)
      expect(mode(keyDir)).toBe(0o700)
    }
    // The same folder through a symlink has the same key; another folder has its own.
    if (posix) {
      const link = path.join(tmp.dir, 'link')
      fs.symlinkSync(dataDir, link)
      expect(keyFilePath(link, keyDir)).toBe(file)
    }
    const other = path.join(tmp.dir, 'other')
    fs.mkdirSync(other)
    expect(keyFilePath(other, keyDir)).not.toBe(file)
  })

  it('moves the key an earlier version kept beside the database: its tokens still decrypt', async () => {
    const server = await recorder()
    try {
      // An earlier version: the key in the data folder, the token encrypted with it.
      const first = backend(path.join(tmp.dir, 'scratch'))
      await call(first, 'settings.save', { connections: { platform: { url: server.url, token: 'kept-token' } } })
      await first.close()
      open.splice(0)
      const oldKey = fs.readFileSync(keyFilePath(dataDir, path.join(tmp.dir, 'scratch')), 'utf8')
      fs.writeFileSync(path.join(dataDir, 'secret.key'), oldKey, { mode: 0o644 })

      const b = backend()
      const tested = await call(b, 'connections.test', { source: 'platform', url: server.url })
      expect(tested.ok).toBe(true)
      expect(server.seen.at(-1)).toBe('Bearer kept-token')
      expect(fs.existsSync(path.join(dataDir, 'secret.key'))).toBe(false)
      expect(fs.readFileSync(keyFilePath(dataDir, keyDir), 'utf8')).toBe(oldKey)
      if (posix) expect(mode(keyFilePath(dataDir, keyDir))).toBe(0o600)
    } finally {
      await server.close()
    }
  })

  it('a damaged key file is a clear error naming it, not a crash', async () => {
    fs.mkdirSync(dataDir, { recursive: true })
    const file = keyFilePath(dataDir, keyDir)
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, 'not a key\n')
    const b = backend() // the key is read on first use: the app still starts
    const r = await call(b, 'settings.save', { connections: { platform: { url: 'https://a.example.com', token: 'tok' } } })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.code).toBe('key_damaged')
    expect(r.error.message).toContain(file)
    expect(r.error.message).not.toMatch(/\n\s+at /)
    expect((await call<SettingsView>(b, 'settings.get')).ok).toBe(true)
    expect(fs.readFileSync(file, 'utf8')).toBe('not a key\n') // never replaced by a new key
  })

  it('a damaged key left by an earlier version is reported, not replaced', async () => {
    fs.mkdirSync(dataDir, { recursive: true })
    fs.writeFileSync(path.join(dataDir, 'secret.key'), crypto.randomBytes(7).toString('base64'))
    const box = keyFileBox(dataDir, keyDir)
    expect(() => box.encrypt('x')).toThrow(/secret\.key is damaged/)
    expect(fs.existsSync(path.join(dataDir, 'secret.key'))).toBe(true)
    expect(fs.existsSync(keyFilePath(dataDir, keyDir))).toBe(false)
  })

  it('the key folder: SMS_DESK_KEY_DIR, else the OS config folder', () => {
    expect(defaultKeyDir({ SMS_DESK_KEY_DIR: keyDir })).toBe(keyDir)
    expect(configRoot({ XDG_CONFIG_HOME: '/x/conf' }, 'linux', '/home/u')).toBe('/x/conf')
    expect(configRoot({ XDG_CONFIG_HOME: 'relative' }, 'linux', '/home/u')).toBe(path.join('/home/u', '.config'))
    expect(configRoot({}, 'linux', '/home/u')).toBe(path.join('/home/u', '.config'))
    expect(configRoot({}, 'darwin', '/Users/u')).toBe(path.join('/Users/u', 'Library', 'Application Support'))
    expect(configRoot({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32', 'C:\\Users\\u')).toBe('C:\\Users\\u\\AppData\\Roaming')
    expect(defaultKeyDir({ XDG_CONFIG_HOME: '/x/conf' })).toBe(
      process.platform === 'linux' ? path.join('/x/conf', 'sms-desk-keys') : path.join(configRoot({}), 'sms-desk-keys')
    )
  })
})
