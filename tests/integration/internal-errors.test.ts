/**
 * What SMS Desk did not expect never reaches the caller in its own words: a raw SQLite error
 * ("no such table: ...", a constraint's text) thrown by a handler, a sync stream, an outbox
 * write or an export comes back as code 'internal' with a generic message and a reference,
 * and its detail goes to the log under that reference. Our own errors (AppError) still say
 * what they say; a full disk and a damaged database keep their codes.
 */
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { setInternalErrorLog, wireError, type InternalErrorLog } from '../../src/backend/db/integrity'
import { openDatabase } from '../../src/backend/db/connection'
import { Outbox } from '../../src/backend/outbox/outbox'
import { keyFileBox } from '../../src/backend/secrets'
import { createBackend, type Backend } from '../../src/backend/service'
import { startReferenceServer, type ReferenceServer } from '../../src/refserver/server'
import { INTERNAL_MESSAGE, type WireError } from '../../src/shared/errors'
import type { ExportJob, OutboxItem } from '../../src/shared/types'
import { tempDir, testEngine } from '../helpers'

/** Words of SQLite's own that must not reach a caller. */
const RAW = /no such table|SQLITE|sender_names|secret detail|constraint/i

/** The log, as the tests see it: each internal error's reference and detail. */
const logged: { ref: string; detail: string }[] = []
let previousLog: InternalErrorLog
beforeAll(() => {
  previousLog = setInternalErrorLog((ref, error) => logged.push({ ref, detail: String((error as Error)?.message ?? error) }))
})
afterAll(() => void setInternalErrorLog(previousLog))

let cleanup: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanup.reverse()) await c()
  cleanup = []
})

/** An internal error as the caller sees it: generic, with a reference whose log line has the detail. */
function expectInternal(error: WireError | { code: string; message: string } | null | undefined, detail: RegExp): void {
  expect(error?.code).toBe('internal')
  expect(error?.message).not.toMatch(RAW)
  expect(error?.message.startsWith(INTERNAL_MESSAGE)).toBe(true)
  const ref = /\(reference ([0-9a-f]{8})\)$/.exec(error?.message ?? '')?.[1]
  expect(ref, error?.message).toBeTruthy()
  const line = logged.find((l) => l.ref === ref)
  expect(line?.detail).toMatch(detail)
}

function backendIn(dir: string): Backend {
  const backend = createBackend({
    dataDir: path.join(dir, 'data'),
    box: keyFileBox(path.join(dir, 'data')),
    mode: 'browser',
    version: 'test',
    homeDir: dir,
    defaultExportDir: path.join(dir, 'exports')
  })
  cleanup.push(() => backend.close())
  return backend
}

describe('internal errors through backend.dispatch', () => {
  it('a raw SQLite error of a handler: code internal, a generic message, the detail logged', async () => {
    const tmp = tempDir('smsdesk-internal-')
    cleanup.push(() => tmp.cleanup())
    const backend = backendIn(tmp.dir)
    expect(await backend.dispatch('clients.names', { clientId: 1 })).toEqual({ ok: true, value: [] })

    backend.db.exec('DROP TABLE sender_names')
    const r = await backend.dispatch('clients.names', { clientId: 1 })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expectInternal(r.error, /no such table: sender_names/)
    expect(r.error.params?.ref).toMatch(/^[0-9a-f]{8}$/)

    // A constraint's own text (a trigger standing in for any SQLITE_CONSTRAINT) stays in the log too.
    for (const when of ['INSERT', 'UPDATE']) {
      backend.db.exec(`CREATE TRIGGER refuse_settings_${when} BEFORE ${when} ON settings BEGIN SELECT RAISE(ABORT, 'secret detail of the constraint'); END`)
    }
    const w = await backend.dispatch('settings.save', { theme: 'dark' })
    expect(w.ok).toBe(false)
    if (!w.ok) expectInternal(w.error, /secret detail of the constraint/)
  })

  it('our own errors still say what they say', async () => {
    const tmp = tempDir('smsdesk-internal-')
    cleanup.push(() => tmp.cleanup())
    const backend = backendIn(tmp.dir)
    const r = await backend.dispatch('export.status', { id: '00000000-0000-4000-8000-000000000000' })
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_input', message: 'No export 00000000-0000-4000-8000-000000000000 in this session' } })
    const bad = await backend.dispatch('clients.names', { clientId: -1 })
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
  })

  it('an export whose table is gone fails as internal, its detail logged', async () => {
    const tmp = tempDir('smsdesk-internal-')
    cleanup.push(() => tmp.cleanup())
    const backend = backendIn(tmp.dir)
    backend.db.exec('DROP TABLE sender_names')
    const started = await backend.dispatch('export.start', { table: 'names', format: 'csv', columns: ['name'], names: { clientId: 1 } })
    expect(started.ok, JSON.stringify(started)).toBe(true)
    const id = (started as { value: ExportJob }).value.id
    let job: ExportJob
    for (;;) {
      job = ((await backend.dispatch('export.status', { id })) as { value: ExportJob }).value
      if (job.state !== 'running') break
      await new Promise((r) => setTimeout(r, 20))
    }
    expect(job.state).toBe('failed')
    expectInternal(job.error, /no such table: sender_names/)
  })
})

describe('the other mappers hand unknown errors to the one mapper', () => {
  let server: ReferenceServer
  beforeAll(async () => {
    server = await startReferenceServer({ seed: 5, clients: 4, messages: 20, days: 2, namesPerClient: 2, transactions: 6, sims: 1, simActions: 1, dispatches: 1, now: Date.parse('2026-11-10T12:00:00Z') })
  })
  afterAll(async () => server.close())

  it('a sync stream that hits a raw SQLite error records internal, not SQLite’s words', async () => {
    const tmp = tempDir('smsdesk-internal-')
    cleanup.push(() => tmp.cleanup())
    const db = openDatabase(path.join(tmp.dir, 'sync.sqlite'))
    cleanup.push(() => void db.close())
    db.exec('DROP TABLE sender_names')
    const summary = await testEngine(db, { platform: { url: server.url } }).run()
    const failed = Object.entries(summary.streams).filter(([, s]) => s.error)
    expect(failed.map(([name]) => name)).toEqual(['platform.sender_names'])
    expectInternal(failed[0][1].error, /no such table: sender_names/)
    // The stream's stored state says the same, under the same reference (logged once).
    const stored = db.prepare("SELECT last_error_code AS code, last_error_msg AS message FROM sync_state WHERE stream = 'platform.sender_names'").get() as {
      code: string
      message: string
    }
    expect(stored).toEqual({ code: 'internal', message: failed[0][1].error!.message })
    expect(logged.filter((l) => failed[0][1].error!.message.includes(l.ref))).toHaveLength(1)
  })

  it('an outbox write whose answer cannot be stored keeps a generic error', async () => {
    const tmp = tempDir('smsdesk-internal-')
    cleanup.push(() => tmp.cleanup())
    const db = openDatabase(path.join(tmp.dir, 'outbox.sqlite'))
    cleanup.push(() => void db.close())
    const summary = await testEngine(db, { platform: { url: server.url } }).run()
    expect(Object.values(summary.streams).filter((s) => s.error)).toEqual([])
    // Storing the platform's answer (the client row) fails with SQLite's own words.
    db.exec(`CREATE TRIGGER refuse_client BEFORE UPDATE ON clients BEGIN SELECT RAISE(ABORT, 'secret detail of the update'); END`)
    const outbox = new Outbox(
      { db, connection: () => ({ url: server.url }), emit: () => undefined },
      { timeoutMs: 1_000, retry: { retries: 0, baseDelayMs: 5, maxDelayMs: 20 }, retryPassMs: { base: 60_000, max: 60_000 }, startDelayMs: 60_000, sendOnEnqueue: false }
    )
    cleanup.push(async () => {
      outbox.stop()
      await outbox.idle()
    })
    const item = outbox.setSubscription({ clientId: 2, enabled: false })
    await outbox.flush()
    const after = outbox.list().find((i: OutboxItem) => i.id === item.id)
    expect(after?.state).toBe('pending')
    expectInternal(after?.error, /secret detail of the update/)
  })
})

describe('the one mapper', () => {
  it('keeps the codes of a full disk and a damaged database, and AppError as it is', () => {
    expect(wireError(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }))).toEqual({
      code: 'disk_full',
      message: 'The disk is full; nothing was changed'
    })
    expect(wireError(Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' })).code).toBe('db_damaged')
    const before = logged.length
    const e = Object.assign(new Error('UNIQUE constraint failed: clients.id'), { code: 'SQLITE_CONSTRAINT_PRIMARYKEY' })
    const first = wireError(e)
    expect(first.code).toBe('internal')
    expect(first.message).not.toMatch(RAW)
    // The same error mapped twice (recorded, then rethrown): one reference, one log line.
    expect(wireError(e)).toEqual(first)
    expect(logged.length).toBe(before + 1)
    expect(wireError('a thrown string').message).not.toContain('a thrown string')
  })
})
