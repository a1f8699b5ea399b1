/**
 * The browser mode over a damaged database, end to end through the bridge's HTTP API: it
 * starts (no SQLITE_CORRUPT / SQLITE_NOTADB crash), serves the app, says db_damaged on every
 * data channel, and the two ways out work: restore the latest backup, or start over (the
 * settings kept where readable, then a sync). The damaged file is kept aside byte for byte.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/backend/db/connection'
import { createBackup } from '../../src/backend/db/backup'
import { keyFileBox } from '../../src/backend/secrets'
import { createBackend, type Backend } from '../../src/backend/service'
import { startReferenceServer, type ReferenceServer } from '../../src/refserver/server'
import type { StoreStatus } from '../../src/shared/types'
import { startBridge, type Bridge } from '../../tools/bridge/server'
import { tempDir } from '../helpers'
import { damage, sha } from '../storeDamage'

let tmp: ReturnType<typeof tempDir>
let server: ReferenceServer
let staticDir: string

beforeAll(async () => {
  tmp = tempDir('smsdesk-store-bridge-')
  staticDir = path.join(tmp.dir, 'web')
  fs.mkdirSync(staticDir)
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>SMS Desk</title>')
  server = await startReferenceServer({ seed: 8, clients: 120, messages: 600, sims: 2, simActions: 2, dispatches: 3, days: 5 })
})
afterAll(async () => {
  await server?.close()
  tmp?.cleanup()
})

/** A data folder whose database was synced from the reference server (and backed up, if asked). */
async function syncedDataDir(name: string, withBackup: boolean): Promise<string> {
  const dataDir = path.join(tmp.dir, name)
  const backend = createBackend({ dataDir, box: keyFileBox(dataDir), mode: 'browser', version: 't' })
  await backend.dispatch('settings.save', { connections: { platform: { url: server.url } }, language: 'ru' })
  const sync = await backend.dispatch('sync.start', {})
  expect(sync.ok).toBe(true)
  if (withBackup) await createBackup(backend.db, path.join(dataDir, 'sms-desk.sqlite'), { now: () => Date.parse('2026-02-01T08:00:00Z') })
  backend.db.pragma('wal_checkpoint(TRUNCATE)')
  await backend.close()
  return dataDir
}

/** The bridge's answer: an envelope whose value each test reads as the channel's output. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Reply = any

async function serve(dataDir: string): Promise<{ backend: Backend; bridge: Bridge; call: (c: string, i?: unknown) => Promise<Reply> }> {
  const backend = createBackend({ dataDir, box: keyFileBox(dataDir), mode: 'browser', version: 't' })
  const bridge = await startBridge({ backend, staticDir })
  const call = async (channel: string, input: unknown = {}) => {
    const res = await fetch(`${bridge.url}/api/invoke/${channel}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bridge.token}` },
      body: JSON.stringify(input)
    })
    expect(res.status).toBe(200)
    return res.json()
  }
  return { backend, bridge, call }
}

describe('browser mode over a damaged database', () => {
  it('starts, serves the damaged-database state, and restores the latest backup', async () => {
    const dataDir = await syncedDataDir('restore', true)
    const file = path.join(dataDir, 'sms-desk.sqlite')
    damage(file, 'page')
    const damagedHash = sha(file)
    const { backend, bridge, call } = await serve(dataDir)
    try {
      expect((await fetch(`${bridge.url}/`)).status).toBe(200)
      const status = await call('store.status')
      expect(status).toMatchObject({ ok: true, value: { state: 'damaged', error: { code: 'db_damaged' }, backups: [{ name: 'sms-desk-20260201-080000Z.sqlite' }] } })
      expect(await call('app.info')).toMatchObject({ ok: true, value: { mode: 'browser' } })
      for (const channel of ['clients.list', 'settings.get', 'sync.status', 'sync.start', 'store.backup', 'store.configure']) {
        const input = channel === 'store.configure' ? { keep: 3, intervalHours: 24 } : {}
        expect(await call(channel, input), channel).toMatchObject({ ok: false, error: { code: 'db_damaged' } })
      }
      expect(sha(file)).toBe(damagedHash)
      // The on-demand check reads the damaged file and lists what it found.
      expect(await call('store.check')).toMatchObject({ ok: true, value: { kind: 'full', ok: false } })
      expect(sha(file)).toBe(damagedHash)

      const restored = (await call('store.restore')) as { ok: true; value: StoreStatus }
      expect(restored).toMatchObject({ ok: true, value: { state: 'ok', error: null } })
      expect(restored.value.asideFiles).toHaveLength(1)
      expect(path.basename(restored.value.asideFiles[0])).toMatch(/^sms-desk\.sqlite\.damaged-\d{8}-\d{6}Z$/)
      expect(sha(restored.value.asideFiles[0])).toBe(damagedHash)
      expect(await call('clients.list', { pageSize: 5 })).toMatchObject({ ok: true, value: { total: 120 } })
      expect(await call('settings.get')).toMatchObject({ ok: true, value: { language: 'ru', connections: { platform: { url: server.url } } } })
      expect(await call('sync.start')).toMatchObject({ ok: true })
    } finally {
      await bridge.close()
      await backend.close()
    }
  })

  it('starts over: the damaged file kept aside, the settings kept where readable, then a sync fills the new file', async () => {
    const dataDir = await syncedDataDir('start-over', false)
    const file = path.join(dataDir, 'sms-desk.sqlite')
    damage(file, 'page') // a clients page: the settings table still reads
    const damagedHash = sha(file)
    const { backend, bridge, call } = await serve(dataDir)
    try {
      expect(await call('store.status')).toMatchObject({ ok: true, value: { state: 'damaged', backups: [] } })
      expect(await call('store.restore')).toMatchObject({ ok: false, error: { code: 'backup_not_found' } })
      expect(sha(file)).toBe(damagedHash)

      const fresh = (await call('store.startOver')) as { ok: true; value: StoreStatus }
      expect(fresh).toMatchObject({ ok: true, value: { state: 'ok' } })
      expect(sha(fresh.value.asideFiles[0])).toBe(damagedHash)
      expect(await call('settings.get')).toMatchObject({ ok: true, value: { language: 'ru', connections: { platform: { url: server.url } } } })
      // The sync it started fills the new file from the servers.
      let total = 0
      for (let i = 0; i < 200 && total < 120; i++) {
        await new Promise((r) => setTimeout(r, 50))
        total = (await call('clients.list', { pageSize: 1 })).value?.total ?? 0
      }
      expect(total).toBe(120)
    } finally {
      await bridge.close()
      await backend.close()
    }
  })

  it('a file of random bytes: starts over with nothing readable, and is never written to', async () => {
    const dataDir = path.join(tmp.dir, 'random')
    fs.mkdirSync(dataDir)
    const file = path.join(dataDir, 'sms-desk.sqlite')
    openDatabase(file).close()
    fs.writeFileSync(file, Buffer.alloc(64 * 1024, 0x5a))
    for (const s of ['-wal', '-shm']) fs.rmSync(file + s, { force: true })
    const before = sha(file)
    const { backend, bridge, call } = await serve(dataDir)
    try {
      expect(await call('store.status')).toMatchObject({ ok: true, value: { state: 'damaged', error: { code: 'db_damaged' } } })
      expect(sha(file)).toBe(before)
      const fresh = (await call('store.startOver')) as { ok: true; value: StoreStatus }
      expect(fresh).toMatchObject({ ok: true, value: { state: 'ok' } })
      expect(sha(fresh.value.asideFiles[0])).toBe(before)
      expect(await call('clients.list')).toMatchObject({ ok: true, value: { total: 0 } })
    } finally {
      await bridge.close()
      await backend.close()
    }
  })

  it('damage found by "Check integrity" while open closes the store at once', async () => {
    const dataDir = await syncedDataDir('check-live', false)
    const { backend, bridge, call } = await serve(dataDir)
    try {
      expect(await call('store.check')).toMatchObject({ ok: true, value: { kind: 'full', ok: true } })
      // The file goes bad under the running app (a disk error, another program).
      const file = path.join(dataDir, 'sms-desk.sqlite')
      backend.db.pragma('wal_checkpoint(TRUNCATE)')
      damage(file, 'page')
      expect(await call('settings.save', { theme: 'dark' })).toMatchObject({ ok: true }) // a write in the WAL
      const damagedHash = sha(file)
      expect(await call('store.check')).toMatchObject({ ok: true, value: { ok: false } })
      expect(await call('store.status')).toMatchObject({ ok: true, value: { state: 'damaged' } })
      expect(await call('clients.list')).toMatchObject({ ok: false, error: { code: 'db_damaged' } })
      // Closed without folding its WAL into the damaged file.
      expect(sha(file)).toBe(damagedHash)
      expect(fs.statSync(`${file}-wal`).size).toBeGreaterThan(0)
    } finally {
      await bridge.close()
      await backend.close()
    }
  })
})
