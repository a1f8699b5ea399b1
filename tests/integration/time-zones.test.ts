/**
 * The chosen time zone through the whole backend: Settings stores it (or '' for this
 * computer's), the statistics are regrouped for it in the regrouping worker with progress
 * events, and statistics, transaction periods and exports all take its days: a transaction and
 * a message at 23:30 UTC belong to the next day in Moscow. A restart keeps the grouping.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { keyFileBox } from '../../src/backend/secrets'
import { createBackend, type Backend } from '../../src/backend/service'
import type { EventMap, Page, SettingsView, StatsResult, StatsZoneStatus, TransactionRow } from '../../src/shared/types'
import { systemTimeZone } from '../../src/shared/zone'
import { sourceWorker } from '../../tools/bridge/server'
import { tempDir } from '../helpers'

let tmp: ReturnType<typeof tempDir>
/** Where exports go: outside the data folder. */
let out: ReturnType<typeof tempDir>
let backend: Backend
const events: { event: keyof EventMap; payload: unknown }[] = []

function open(): Backend {
  const b = createBackend({
    dataDir: tmp.dir,
    box: keyFileBox(tmp.dir),
    mode: 'browser',
    version: 'test',
    workers: { stats: sourceWorker('src/backend/stats/zoneWorker.ts') },
    defaultExportDir: out.dir
  })
  b.subscribe((event, payload) => events.push({ event, payload }))
  return b
}

async function call<T>(channel: string, input: unknown): Promise<T> {
  const r = await backend.dispatch(channel, input)
  if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code })
  return r.value as T
}

/** Waits until the statistics are grouped by `zone` and no regrouping runs. */
async function grouped(zone: string): Promise<StatsZoneStatus> {
  const until = Date.now() + 60_000
  for (;;) {
    const s = (await call<SettingsView>('settings.get', {})).statsZone
    if (s.zone === zone && s.regrouping === null) return s
    if (s.error) throw new Error(s.error.message)
    if (Date.now() > until) throw new Error(`still grouped by ${s.zone}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

function seed(): void {
  const db = backend.db
  db.prepare(
    `INSERT INTO clients (id, login, company, name, sms_price, balance, credit, currency, channel, site, email, region, activity_type,
       property_type, postal_address, accounting_email, registered_at, last_login_at, login_attempts, activation_required, referer,
       sms_subscription, updated_at, search_text)
     VALUES (1, 'romashka', 'Romashka', 'Anna', 4500, 100000, 0, 'RUB', 'sms', '', '', '', '', 'legal', '', '', '2025-01-01T00:00:00Z', NULL, 0, 0, '', 1,
       '2026-01-01T00:00:00Z', '1 romashka romashka anna')`
  ).run()
  const msg = db.prepare(
    `INSERT INTO messages (id, client_id, user, source, channel, sender, recipient, country, operator, status, bucket, parts, cost, text,
       created_at, sent_at, finished_at, campaign_id, idx, updated_at)
     VALUES (?, 1, 'u', 'api', 'sms', 'SHOP', '79990000000', 'RU', 'MTS', 'DELIVRD', 'delivered', ?, 4500, 'hi', ?, NULL, NULL, NULL, NULL, ?)`
  )
  const tx = db.prepare(
    `INSERT INTO transactions (id, client_id, date, credit, debit, purpose, balance_after, currency, updated_at) VALUES (?, 1, ?, 100, 0, ?, 0, 'RUB', ?)`
  )
  const times = ['2026-03-10T12:00:00Z', '2026-03-10T20:59:59Z', '2026-03-10T23:30:00Z', '2026-03-11T12:00:00Z']
  db.transaction(() => {
    times.forEach((t, i) => {
      msg.run(i + 1, i + 1, t, t)
      tx.run(i + 1, t, `at ${t}`, t)
    })
  })()
}

beforeAll(async () => {
  tmp = tempDir('smsdesk-zones-')
  out = tempDir('smsdesk-zones-out-')
  backend = open()
  await grouped(systemTimeZone())
  seed()
})
afterAll(async () => {
  await backend.close()
  tmp.cleanup()
  out.cleanup()
})

const day = (d: string) => ({ group: 'day', clientId: 1, from: d, to: d })

describe('the chosen time zone', () => {
  it('defaults to this computer’s and says so', async () => {
    const v = await call<SettingsView>('settings.get', {})
    expect(v.timeZone).toBe('')
    expect(v.systemTimeZone).toBe(systemTimeZone())
    expect(v.statsZone).toMatchObject({ zone: systemTimeZone(), regrouping: null, error: null })
  })

  it('regroups the statistics in the worker, with progress, then every day is Moscow’s', async () => {
    await call('settings.save', { timeZone: 'UTC' })
    await grouped('UTC')
    expect((await call<StatsResult>('stats.query', day('2026-03-10'))).rows.map((r) => r.sentParts)).toEqual([1 + 2 + 3])
    events.length = 0
    const v = await call<SettingsView>('settings.save', { timeZone: 'Europe/Moscow' })
    expect(v.timeZone).toBe('Europe/Moscow')
    await grouped('Europe/Moscow')
    const zoneEvents = events.filter((e) => e.event === 'stats.zone').map((e) => e.payload as StatsZoneStatus)
    expect(zoneEvents[0]).toMatchObject({ regrouping: 'Europe/Moscow' })
    expect(zoneEvents.at(-1)).toMatchObject({ zone: 'Europe/Moscow', regrouping: null, error: null })
    expect(events.some((e) => e.event === 'data.changed')).toBe(true)

    // 23:30 UTC on the 10th is 02:30 on the 11th in Moscow; 20:59:59 UTC is still the 10th (23:59:59).
    const tenth = await call<StatsResult>('stats.query', day('2026-03-10'))
    expect(tenth.timeZone).toBe('Europe/Moscow')
    expect(tenth.rows).toMatchObject([{ key: '2026-03-10', sentParts: 1 + 2 }])
    const eleventh = await call<StatsResult>('stats.query', day('2026-03-11'))
    expect(eleventh.rows).toMatchObject([{ key: '2026-03-11', sentParts: 3 + 4 }])
    const all = await call<StatsResult>('stats.query', { group: 'day', clientId: null, from: '2026-03-01', to: '2026-03-31' })
    expect(all.rows.map((r) => [r.key, r.sentParts])).toEqual([['2026-03-10', 3], ['2026-03-11', 7]])

    const tx = (d: string) => call<Page<TransactionRow>>('clients.transactions', { clientId: 1, from: d, to: d, order: 'asc' })
    expect((await tx('2026-03-10')).rows.map((r) => r.date)).toEqual(['2026-03-10T12:00:00Z', '2026-03-10T20:59:59Z'])
    expect((await tx('2026-03-11')).rows.map((r) => r.date)).toEqual(['2026-03-10T23:30:00Z', '2026-03-11T12:00:00Z'])
  })

  it('counts later writes by the new days, and keeps the grouping over a restart', async () => {
    backend.db
      .prepare(
        `INSERT INTO messages (id, client_id, user, source, channel, sender, recipient, country, operator, status, bucket, parts, cost, text,
           created_at, sent_at, finished_at, campaign_id, idx, updated_at)
         VALUES (9, 1, 'u', 'api', 'sms', 'SHOP', '7999', 'RU', 'MTS', 'DELIVRD', 'delivered', 10, 1, 'x', '2026-03-11T21:00:00Z', NULL, NULL, NULL, NULL, '2026-03-11T21:00:00Z')`
      )
      .run()
    expect((await call<StatsResult>('stats.query', day('2026-03-12'))).rows).toMatchObject([{ key: '2026-03-12', sentParts: 10 }])
    await backend.close()
    events.length = 0
    backend = open()
    expect((await grouped('Europe/Moscow')).zone).toBe('Europe/Moscow')
    expect(events.some((e) => e.event === 'data.changed')).toBe(false) // nothing to regroup
    expect((await call<StatsResult>('stats.query', day('2026-03-11'))).rows).toMatchObject([{ sentParts: 7 }])
  })

  it('refuses a zone it does not know, and goes back to this computer’s on an empty choice', async () => {
    const r = await backend.dispatch('settings.save', { timeZone: 'Mars/Olympus' })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error).toMatchObject({ code: 'invalid_input', params: { field: 'timeZone' } })
    expect((await call<SettingsView>('settings.get', {})).timeZone).toBe('Europe/Moscow')
    await call('settings.save', { timeZone: '' })
    await grouped(systemTimeZone())
    expect((await call<StatsResult>('stats.query', day('2026-03-11'))).timeZone).toBe(systemTimeZone())
  })

  it('exports the transactions of the zone’s days, saying the zone', async () => {
    await call('settings.save', { timeZone: 'Asia/Kathmandu' })
    await grouped('Asia/Kathmandu')
    const job = await call<{ id: string; file: string }>('export.start', {
      table: 'transactions', format: 'csv', columns: ['date', 'purpose'], transactions: { clientId: 1, from: '2026-03-11', to: '2026-03-11', order: 'asc' }
    })
    const until = Date.now() + 30_000
    while ((await call<{ state: string }>('export.status', { id: job.id })).state === 'running' && Date.now() < until) await new Promise((r) => setTimeout(r, 20))
    const { readFileSync } = await import('node:fs')
    const lines = readFileSync(job.file, 'utf8').slice(1).trim().split('\r\n')
    // Kathmandu is +05:45: the 11th runs from 18:15 UTC on the 10th.
    expect(lines).toEqual([
      'Date (Asia/Kathmandu),Purpose',
      '2026-03-11 02:44:59,at 2026-03-10T20:59:59Z',
      '2026-03-11 05:15:00,at 2026-03-10T23:30:00Z',
      '2026-03-11 17:45:00,at 2026-03-11T12:00:00Z'
    ])
  })
})
