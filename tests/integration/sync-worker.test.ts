/** The backend's syncs in a worker thread: same results, progress events reach the caller. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { keyFileBox } from '../../src/backend/secrets'
import { createBackend, type Backend } from '../../src/backend/service'
import { startReferenceServer, type ReferenceServer } from '../../src/refserver/server'
import type { SyncProgress, SyncRunSummary } from '../../src/shared/types'
import { sourceSyncWorker } from '../../tools/bridge/server'
import { tempDir } from '../helpers'

let tmp: ReturnType<typeof tempDir>
let server: ReferenceServer
let backend: Backend

beforeAll(async () => {
  tmp = tempDir()
  server = await startReferenceServer({ seed: 2, clients: 700 })
  backend = createBackend({
    dataDir: tmp.dir,
    box: keyFileBox(tmp.dir),
    mode: 'browser',
    version: 'test',
    sync: { pageSize: 100 },
    syncWorker: sourceSyncWorker()
  })
})
afterAll(async () => {
  await backend.close()
  await server.close()
  tmp.cleanup()
})

describe('sync in a worker thread', () => {
  it('syncs into the same database file and reports progress', async () => {
    const progress: SyncProgress[] = []
    backend.subscribe((event, payload) => {
      if (event === 'sync.progress') progress.push(payload as SyncProgress)
    })
    await backend.dispatch('settings.save', { connections: { platform: { url: server.url } } })
    const r = await backend.dispatch('sync.start', {})
    expect(r.ok).toBe(true)
    const summary = (r as { value: SyncRunSummary }).value
    expect(summary.streams['platform.clients']).toMatchObject({ inserted: 700, error: null })
    expect(progress.filter((p) => p.stream === 'platform.clients').length).toBeGreaterThanOrEqual(7)
    const last = progress.filter((p) => p.stream === 'platform.clients').pop()!
    expect(last.rows).toBe(700)
    expect(last.total).toBe(700)
    const list = await backend.dispatch('clients.list', {})
    expect((list as { value: { total: number } }).value.total).toBe(700)
    const busy = await Promise.all([backend.dispatch('sync.start', {}), backend.dispatch('sync.start', {})])
    expect(busy.map((b) => (b.ok ? 'ok' : b.error.code)).sort()).toEqual(['ok', 'sync_running'])
  })
})

describe('keyset pages read in a reader thread', () => {
  it('gives the same data as reading on the sync thread, under faults', async () => {
    const { openTestDb, testEngine } = await import('../helpers')
    const { differences } = await import('../converge')
    const { sourceWorker } = await import('../../tools/bridge/server')
    const faulty = await startReferenceServer({ seed: 4, clients: 150, messages: 4000, sims: 2, dispatches: 3, faults: { kinds: ['malformed', '5xx', 'truncated'], rate: 0.1, retryAfterSeconds: 0 } })
    const t = tempDir()
    const db = openTestDb(t.dir)
    try {
      const url = faulty.url
      const engine = testEngine(db, { platform: { url }, sim: { url }, dispatch: { url } }, {
        pageSize: 50,
        readerWorker: sourceWorker('src/backend/sync/readerWorker.ts')
      })
      const summary = await engine.run()
      expect(Object.values(summary.streams).map((s) => s.error)).toEqual(Object.values(summary.streams).map(() => null))
      expect(summary.streams['platform.messages'].retries).toBeGreaterThan(0)
      expect(differences(db, faulty)).toEqual([])
    } finally {
      db.close()
      t.cleanup()
      await faulty.close()
    }
  })
})
