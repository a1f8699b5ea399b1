/**
 * The reference server on its own: every contract it serves (platform pages against
 * openapi/platform.yaml; SIM provider and dispatch service against their seeds), determinism,
 * the clock (delivery reports, daily billing, the SIM provider's one-day lag, dispatch counts),
 * idempotent writes, exact money, SMS part counting and fault injection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spec, validator } from '../openapi'
import { ReferenceDataset } from '../../src/refserver/dataset'
import { FAULT_KINDS } from '../../src/refserver/faults'
import { FINAL_STATUSES, MESSAGE_STATUSES, type MessageRecord } from '../../src/refserver/messages'
import { startReferenceServer, type ReferenceServer, type ReferenceServerOptions } from '../../src/refserver/server'
import { smsParts } from '../../src/refserver/sms'
import { MONEY_SCALE, PRICE_SCALE, formatUnits, parseDecimal } from '../../src/shared/money'


const NOW = Date.parse('2026-11-01T12:00:00Z')
const DAY = 86_400_000
const OPTIONS: ReferenceServerOptions = {
  seed: 11,
  clients: 60,
  messages: 4000,
  days: 10,
  namesPerClient: 3,
  transactions: 100,
  sims: 6,
  simGroups: 2,
  simActions: 1500,
  dispatches: 12,
  now: NOW
}

interface Page<T> {
  count: number
  next: string | null
  previous: string | null
  results: T[]
}

async function json<T = unknown>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init)
  return (await res.json()) as T
}

/** Every record of a keyset list, following `next`. */
async function readAll<T>(server: ReferenceServer, path: string, pageSize: number, check?: (page: Page<T>) => void): Promise<T[]> {
  const out: T[] = []
  let url: string | null = `${server.url}${path}?page_size=${pageSize}`
  while (url) {
    const page: Page<T> = await json<Page<T>>(url)
    check?.(page)
    out.push(...page.results)
    url = page.next
  }
  return out
}

interface CallSms {
  code: number
  message: string
  result: { items: Record<string, unknown>[] } | null
}

function callSms(server: ReferenceServer, body: unknown): Promise<CallSms> {
  return json<CallSms>(`${server.url}/api/report/call_sms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body)
  })
}

function post(server: ReferenceServer, path: string, body: unknown, key?: string): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { 'Idempotency-Key': key }) },
    body: JSON.stringify(body)
  })
}

const ddmmyyyy = (ms: number): string => {
  const d = new Date(ms)
  return `${String(d.getUTCDate()).padStart(2, '0')}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${d.getUTCFullYear()}`
}

let server: ReferenceServer
beforeAll(async () => {
  server = await startReferenceServer(OPTIONS)
})
afterAll(() => server.close())

describe('platform contract (openapi/platform.yaml)', () => {
  const resources: [string, string, () => { size: number; all(): readonly { id: number }[] }][] = [
    ['/api/v1/clients/', 'Client', () => server.data.clients],
    ['/api/v1/sender-names/', 'SenderName', () => server.data.senderNames],
    ['/api/v1/transactions/', 'Transaction', () => server.data.transactions],
    ['/api/v1/messages/', 'Message', () => server.data.messages]
  ]

  for (const [path, schema, source] of resources) {
    it(`every page and record of ${path} validates and equals the true data`, async () => {
      const validRecord = validator(schema)
      const validMeta = validator('PageMeta')
      const records = await readAll<{ id: number }>(server, path, 700, (page) => {
        expect(validMeta(page), JSON.stringify(validMeta.errors)).toBe(true)
      })
      for (const r of records) expect(validRecord(r), `${JSON.stringify(r)}: ${JSON.stringify(validRecord.errors)}`).toBe(true)
      expect(records.length).toBe(source().size)
      expect(records).toEqual(source().all())
      // Exactly the documented fields.
      expect(new Set(Object.keys(records[0]))).toEqual(new Set(spec.components.schemas[schema].required))
      // Detail of one record.
      const one = records[Math.floor(records.length / 2)]
      const detail = await fetch(`${server.url}${path}${one.id}/`)
      expect(detail.status).toBe(200)
      expect(await detail.json()).toEqual(one)
      const missing = await fetch(`${server.url}${path}99999999/`)
      expect(missing.status).toBe(404)
      expect(validator('Error')(await missing.json())).toBe(true)
    })
  }

  it('pages are ordered by (updated_at, id) and the cursor continues strictly after the last row', async () => {
    const page1 = await json<Page<MessageRecord>>(`${server.url}/api/v1/messages/?page_size=500`)
    expect(page1.count).toBe(server.data.messages.size)
    const keys = page1.results.map((r) => [Date.parse(r.updated_at), r.id])
    for (let i = 1; i < keys.length; i++) {
      expect(keys[i][0] > keys[i - 1][0] || (keys[i][0] === keys[i - 1][0] && keys[i][1] > keys[i - 1][1])).toBe(true)
    }
    const page2 = await json<Page<MessageRecord>>(page1.next!)
    expect(page2.count).toBe(server.data.messages.size - 500)
    expect(page2.results[0]).toEqual(server.data.messages.all()[500])
    expect((await fetch(`${server.url}/api/v1/messages/?page_size=5000`)).status).toBe(200)
    expect((await fetch(`${server.url}/api/v1/messages/?page_size=5001`)).status).toBe(400)
    expect((await fetch(`${server.url}/api/v1/messages/?updated_after=yesterday`)).status).toBe(400)
  })

  it('messages are realistic: prefixes give country and operator, parts and cost are exact', async () => {
    const { COUNTRIES } = await import('../../src/refserver/world')
    const clients = new Map(server.data.clients.all().map((c) => [c.id, c]))
    const names = new Set(server.data.senderNames.all().filter((n) => n.status === 'approved').map((n) => `${n.client_id}:${n.name}`))
    const seen = { channels: new Set<string>(), scripts: new Set<string>(), ucs2: 0, multi: 0, statuses: new Set<string>(), campaigns: 0 }
    for (const m of server.data.messages.all()) {
      const country = COUNTRIES.find((c) => c.iso === m.country)!
      const op = country.operators.find((o) => o.name === m.operator)!
      expect(op.codes.some((code) => m.recipient.startsWith(country.dial + code))).toBe(true)
      expect(m.recipient.length).toBe(country.dial.length + op.codes[0].length + country.subscriberDigits)
      const parts = m.channel === 'sms' ? smsParts(m.text).parts : 1
      expect(m.parts).toBe(parts)
      const price = parseDecimal(clients.get(m.client_id)!.sms_price, PRICE_SCALE)!
      expect(m.cost).toBe(formatUnits(parts * price, PRICE_SCALE))
      if (m.channel === 'sms' || m.channel.startsWith('viber')) expect(names.has(`${m.client_id}:${m.sender}`)).toBe(true)
      expect(MESSAGE_STATUSES).toContain(m.status)
      expect(m.finished_at === null).toBe(!FINAL_STATUSES.has(m.status))
      if (m.sent_at) expect(Date.parse(m.sent_at)).toBeGreaterThanOrEqual(Date.parse(m.created_at))
      if (m.finished_at) expect(Date.parse(m.updated_at)).toBeGreaterThanOrEqual(Date.parse(m.finished_at))
      seen.channels.add(m.channel)
      seen.statuses.add(m.status)
      if (/[А-Яа-яЁёІіЇїЄє]/.test(m.text)) seen.scripts.add('cyrillic')
      if (/^[\x20-\x7e]+$/.test(m.text)) seen.scripts.add('latin')
      if (/\p{Extended_Pictographic}/u.test(m.text)) seen.scripts.add('emoji')
      if (m.channel === 'sms' && smsParts(m.text).encoding === 'UCS-2') seen.ucs2++
      if (m.parts > 1) seen.multi++
      if (m.campaign_id !== null) seen.campaigns++
    }
    expect([...seen.channels].sort()).toEqual(['sms', 'viber', 'viber_pr', 'viber_tx', 'voice'])
    expect([...seen.scripts].sort()).toEqual(['cyrillic', 'emoji', 'latin'])
    expect(seen.ucs2).toBeGreaterThan(0)
    expect(seen.multi).toBeGreaterThan(0)
    expect(seen.campaigns).toBeGreaterThan(0)
    for (const s of ['DELIVRD', 'UNDELIV', 'EXPIRED', 'REJECTD', 'READ']) expect(seen.statuses).toContain(s)
    // Messages created in the last hours still wait for their delivery reports.
    expect(server.data.messages.pendingCount()).toBeGreaterThan(0)
  })

  it('the JSON served for a message is exactly JSON.stringify of its record', () => {
    const store = server.data.messages
    for (let m = 0; m < store.size; m += 7) expect(store.json(m)).toBe(JSON.stringify(store.get(m + 1)))
  })
})

describe('money', () => {
  it('balance_after runs per client, the balance is the last balance_after, charges equal message costs', () => {
    const byClient = new Map<number, { credit: number; debit: number; after: number; id: number; date: string; purpose: string }[]>()
    for (const t of server.data.transactions.all()) {
      const credit = parseDecimal(t.credit, MONEY_SCALE)!
      const debit = parseDecimal(t.debit, MONEY_SCALE)!
      expect(credit >= 0 && debit >= 0 && (credit === 0) !== (debit === 0)).toBe(true)
      const list = byClient.get(t.client_id) ?? []
      list.push({ credit, debit, after: parseDecimal(t.balance_after, MONEY_SCALE)!, id: t.id, date: t.date, purpose: t.purpose })
      byClient.set(t.client_id, list)
    }
    expect(byClient.size).toBeGreaterThan(30)
    for (const [clientId, list] of byClient) {
      list.sort((a, b) => Date.parse(a.date) - Date.parse(b.date) || a.id - b.id)
      for (let i = 1; i < list.length; i++) expect(list[i].after).toBe(list[i - 1].after + list[i].debit - list[i].credit)
      const client = server.data.clients.get(clientId)!
      expect(client.balance).toBe(formatUnits(list[list.length - 1].after, MONEY_SCALE))
      expect(client.currency).toBe(server.data.transactions.all().find((t) => t.client_id === clientId)!.currency)
    }
    // A day's charge = that day's message costs on the channel, summed exactly, rounded half up.
    const labels: Record<string, string> = { sms: 'SMS', voice: 'Voice', viber: 'Viber', viber_pr: 'Viber PR', viber_tx: 'Viber TX' }
    const costs = new Map<string, number>()
    for (const m of server.data.messages.all()) {
      const key = `${m.client_id}|${labels[m.channel]} campaign ${m.created_at.slice(0, 10)}`
      costs.set(key, (costs.get(key) ?? 0) + parseDecimal(m.cost, PRICE_SCALE)!)
    }
    let charges = 0
    for (const [clientId, list] of byClient) {
      for (const t of list) {
        if (!t.credit) continue
        charges++
        const units = costs.get(`${clientId}|${t.purpose}`)!
        expect(t.credit).toBe(Math.floor((units + 50) / 100))
      }
    }
    expect(charges).toBeGreaterThan(100)
  })
})

describe('writes', () => {
  it('a top-up is applied once per Idempotency-Key, replayed identically, and conflicts on another body', async () => {
    const id = 7
    const before = server.data.clients.get(id)!
    const transactionsBefore = server.data.transactions.size
    const body = { amount: '1234.56', comment: 'Bank transfer #42' }
    const first = await post(server, `/api/v1/clients/${id}/top-up/`, body, 'key-1')
    expect(first.status).toBe(201)
    const text = await first.text()
    const answer = JSON.parse(text)
    expect(validator('Client')(answer.client)).toBe(true)
    expect(validator('Transaction')(answer.transaction)).toBe(true)
    const expected = formatUnits(parseDecimal(before.balance, MONEY_SCALE)! + 123456, MONEY_SCALE)
    expect(answer.client.balance).toBe(expected)
    expect(answer.transaction).toMatchObject({ client_id: id, debit: '1234.56', credit: '0.00', balance_after: expected, purpose: 'Top-up: Bank transfer #42' })
    expect(server.data.clients.get(id)!.balance).toBe(expected)
    // The same key again: the same answer, nothing applied.
    const again = await post(server, `/api/v1/clients/${id}/top-up/`, body, 'key-1')
    expect(again.status).toBe(201)
    expect(await again.text()).toBe(text)
    expect(server.data.transactions.size).toBe(transactionsBefore + 1)
    expect(server.data.clients.get(id)!.balance).toBe(expected)
    // The same key with another body or on another client: a conflict.
    for (const [path, b] of [[`/api/v1/clients/${id}/top-up/`, { ...body, amount: '1.00' }], [`/api/v1/clients/8/top-up/`, body]] as const) {
      const conflict = await post(server, path, b, 'key-1')
      expect(conflict.status).toBe(409)
      expect(await conflict.json()).toMatchObject({ code: 'idempotency_conflict' })
    }
    expect(server.data.transactions.size).toBe(transactionsBefore + 1)
    // The change reaches an incremental sync.
    const cursor = before.updated_at
    const changed = await json<Page<{ id: number }>>(`${server.url}/api/v1/clients/?updated_after=${encodeURIComponent(cursor)}&after_id=${id}`)
    expect(changed.results.map((c) => c.id)).toContain(id)
  })

  it('validates writes and applies credit and SMS subscription', async () => {
    const cases: [string, unknown, string | undefined, number, string][] = [
      ['/api/v1/clients/3/top-up/', { amount: '10.00' }, undefined, 400, 'idempotency_key_required'],
      ['/api/v1/clients/3/top-up/', { amount: '10.00' }, 'x'.repeat(101), 400, 'idempotency_key_required'],
      ['/api/v1/clients/3/top-up/', { amount: 10 }, 'v1', 400, 'invalid_amount'],
      ['/api/v1/clients/3/top-up/', { amount: '0.00' }, 'v2', 400, 'invalid_amount'],
      ['/api/v1/clients/3/top-up/', { amount: '-5.00' }, 'v3', 400, 'invalid_amount'],
      ['/api/v1/clients/3/top-up/', { amount: '1.001' }, 'v4', 400, 'invalid_amount'],
      ['/api/v1/clients/3/top-up/', { amount: '1000000.01' }, 'v5', 400, 'invalid_amount'],
      ['/api/v1/clients/3/top-up/', { amount: '5.00', comment: 'x'.repeat(501) }, 'v6', 400, 'invalid_comment'],
      ['/api/v1/clients/3/top-up/', [1, 2], 'v7', 400, 'invalid_body'],
      ['/api/v1/clients/3/credit/', { amount: '-1.00', notify_client: true }, 'v8', 400, 'invalid_amount'],
      ['/api/v1/clients/3/credit/', { amount: '1.00', notify_client: 'yes' }, 'v9', 400, 'invalid_body'],
      ['/api/v1/clients/3/sms-subscription/', { enabled: 'true' }, 'v10', 400, 'invalid_body'],
      ['/api/v1/clients/99999/top-up/', { amount: '10.00' }, 'v11', 404, 'not_found']
    ]
    for (const [path, body, key, status, code] of cases) {
      const res = await post(server, path, body, key)
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(status)
      const answer = (await res.json()) as { code: string }
      expect(validator('Error')(answer)).toBe(true)
      expect(answer.code).toBe(code)
    }
    // A failed request is not stored: the key may be used again with a corrected body.
    const fixed = await post(server, '/api/v1/clients/3/top-up/', { amount: '1000000.00' }, 'v5')
    expect(fixed.status).toBe(201)
    const credit = await post(server, '/api/v1/clients/3/credit/', { amount: '750.50', notify_client: true }, 'c1')
    expect(credit.status).toBe(200)
    expect(((await credit.json()) as { client: { credit: string } }).client.credit).toBe('750.50')
    expect(server.data.clients.get(3)!.credit).toBe('750.50')
    const enabled = !server.data.clients.get(3)!.sms_subscription
    const sub = await post(server, '/api/v1/clients/3/sms-subscription/', { enabled }, 's1')
    expect(sub.status).toBe(200)
    expect(((await sub.json()) as { client: { sms_subscription: boolean } }).client.sms_subscription).toBe(enabled)
    expect(server.data.clients.get(3)!.sms_subscription).toBe(enabled)
  })
})

describe('SIM provider contract (call_sms)', () => {
  const KEYS = ['sid', 'date', 'type', 'to_number', 'session_cost', 'id', 'original_number', 'iccid', 'name']

  it('serves items of the exact shape, ordered by (date, sid), filtered by inclusive UTC days and selectors', async () => {
    const all = await callSms(server, { size: 5000 })
    expect(all).toMatchObject({ code: 200, message: 'OK' })
    const items = all.result!.items
    expect(items.length).toBe(server.data.simActions.visible().length)
    expect(items).toEqual(server.data.simActions.visible())
    for (const it of items) {
      expect(Object.keys(it)).toEqual(KEYS)
      expect(Number.isSafeInteger(it.sid) && Number.isSafeInteger(it.date) && Number.isSafeInteger(it.id)).toBe(true)
      expect(['call', 'in_sms', 'out_sms', 'ussd']).toContain(it.type)
      expect(typeof it.to_number).toBe('string')
      expect(typeof it.session_cost).toBe('number')
      expect(it.session_cost as number).toBeGreaterThanOrEqual(0)
      expect(String(it.session_cost)).toMatch(/^\d+(\.\d{1,4})?$/)
      expect(it.iccid).toMatch(/^\d{19,20}$/)
      expect(it.name === null || typeof it.name === 'string').toBe(true)
    }
    for (let i = 1; i < items.length; i++) {
      const [a, b] = [items[i - 1], items[i]] as { date: number; sid: number }[]
      expect(b.date > a.date || (b.date === a.date && b.sid > a.sid)).toBe(true)
    }
    // Dates are inclusive by UTC day.
    const day = Date.parse('2026-10-28T00:00:00Z')
    const oneDay = (await callSms(server, { filter: { start: ddmmyyyy(day), end: ddmmyyyy(day) }, size: 5000 })).result!.items
    expect(oneDay.length).toBeGreaterThan(0)
    expect(oneDay).toEqual(items.filter((i) => (i.date as number) >= day / 1000 && (i.date as number) < day / 1000 + 86_400))
    // Selectors: one SIM, one group, a union.
    const sim = server.data.sim.sims[2]
    const bySim = (await callSms(server, { select: [`s_${sim.id}`], size: 5000 })).result!.items
    expect(bySim.length).toBeGreaterThan(0)
    expect(bySim.every((i) => i.id === sim.id && i.iccid === sim.iccid)).toBe(true)
    const group = server.data.sim.groups[1]
    const byGroup = (await callSms(server, { select: [`g_${group.id}`], size: 5000 })).result!.items
    expect(new Set(byGroup.map((i) => i.id))).toEqual(new Set(group.simIds))
    const union = (await callSms(server, { select: [`g_${group.id}`, `s_${sim.id}`], size: 5000 })).result!.items
    expect(union.length).toBe(new Set([...byGroup, ...bySim].map((i) => i.sid)).size)
    // Pages from 0.
    const p0 = (await callSms(server, { page: 0, size: 100 })).result!.items
    const p3 = (await callSms(server, { page: 3, size: 100 })).result!.items
    expect(p0).toEqual(items.slice(0, 100))
    expect(p3).toEqual(items.slice(300, 400))
    expect((await callSms(server, { page: 10_000, size: 100 })).result!.items).toEqual([])
    // Defaults: all, page 0, size 100.
    expect((await callSms(server, {})).result!.items).toEqual(items.slice(0, 100))
  })

  it('answers bad input with HTTP 200 and code 400', async () => {
    const bad: unknown[] = [
      { filter: { start: '2026-10-01' } },
      { filter: { end: '31-02-2026' } },
      { filter: { start: '02-10-2026', end: '01-10-2026' } },
      { select: ['x_1'] },
      { select: ['s_999999'] },
      { select: ['g_999'] },
      { select: 'all' },
      { page: -1 },
      { size: 0 },
      { size: 5001 },
      { page: 1.5 },
      '{"filter":',
      '[1,2]'
    ]
    for (const body of bad) {
      const res = await fetch(`${server.url}/api/report/call_sms`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: typeof body === 'string' ? body : JSON.stringify(body)
      })
      expect(res.status, JSON.stringify(body)).toBe(200)
      const answer = (await res.json()) as CallSms
      expect(answer.code, JSON.stringify(body)).toBe(400)
      expect(answer.result).toBeNull()
      expect(answer.message.length).toBeGreaterThan(5)
    }
  })
})

describe('dispatch service contract', () => {
  const KEYS = ['id', 'start_datetime', 'end_datetime', 'message_text', 'filter_mobile_operator_code__code', 'filter_tag__code', 'created', 'completed', 'error', 'timeout']

  it('serves a bare array and details of the exact shape', async () => {
    const list = await json<Record<string, unknown>[]>(`${server.url}/api/v1/dispatch-reports/`)
    expect(Array.isArray(list)).toBe(true)
    expect(list.length).toBe(OPTIONS.dispatches)
    expect(list).toEqual(server.data.dispatches.all())
    for (const d of list) {
      expect(Object.keys(d)).toEqual(KEYS)
      expect(d.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
      expect(d.start_datetime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
      expect(d.end_datetime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
      expect(Date.parse(d.end_datetime as string)).toBeGreaterThan(Date.parse(d.start_datetime as string))
      for (const k of ['message_text', 'filter_mobile_operator_code__code', 'filter_tag__code']) expect(typeof d[k]).toBe('string')
      for (const k of ['created', 'completed', 'error', 'timeout']) expect(Number.isSafeInteger(d[k]) && (d[k] as number) >= 0).toBe(true)
    }
    expect(list.some((d) => (d.completed as number) > 0)).toBe(true)
    const one = list[3]
    expect(await json(`${server.url}/api/v1/dispatch-reports/${one.id}/`)).toEqual(one)
    const missing = await fetch(`${server.url}/api/v1/dispatch-reports/08bc9620-c0e6-45a7-97ca-bbbf94a04bdf/`)
    expect(missing.status).toBe(404)
    expect(await missing.json()).toEqual({ detail: 'Not found.' })
    const malformed = await fetch(`${server.url}/api/v1/dispatch-reports/not-a-uuid/`)
    expect(malformed.status).toBe(500)
  })
})

describe('determinism', () => {
  it('the same seed gives the same data; another seed other data', () => {
    const opts = { ...OPTIONS, messages: 3000 }
    const snapshot = (d: ReferenceDataset): string =>
      JSON.stringify([
        d.clients.all(),
        d.senderNames.all(),
        d.transactions.all(),
        d.messages.all(),
        d.simActions.visible(),
        d.dispatches.all()
      ])
    const a = snapshot(new ReferenceDataset(opts))
    expect(snapshot(new ReferenceDataset(opts))).toBe(a)
    expect(snapshot(new ReferenceDataset({ ...opts, seed: 12 }))).not.toBe(a)
  })

  it('dispatch counts depend only on the clock, not on how it was advanced', () => {
    const a = new ReferenceDataset({ ...OPTIONS, messages: 10 })
    const b = new ReferenceDataset({ ...OPTIONS, messages: 10 })
    a.advance(3 * DAY)
    for (let i = 0; i < 72; i++) b.advance(3_600_000)
    expect(b.dispatches.all()).toEqual(a.dispatches.all())
  })
})

describe('the clock', () => {
  it('SIM actions appear only the day after they happen', async () => {
    const s = await startReferenceServer({ ...OPTIONS, messages: 10, now: Date.parse('2026-11-01T12:00:00Z') })
    try {
      const today = ddmmyyyy(s.now)
      const yesterday = ddmmyyyy(s.now - DAY)
      const todayAsked = await callSms(s, { filter: { start: today, end: today }, size: 5000 })
      expect(todayAsked.result!.items).toEqual([])
      expect((await callSms(s, { filter: { start: yesterday, end: yesterday }, size: 5000 })).result!.items.length).toBeGreaterThan(0)
      const cutoff = Date.parse('2026-11-01T00:00:00Z') / 1000
      expect(s.data.simActions.visible().every((a) => a.date < cutoff)).toBe(true)
      // Actions of today exist but stay hidden until the day has passed.
      const generated = s.data.simActions.total()
      expect(generated).toBeGreaterThan(s.data.simActions.visible().length)
      s.advance(11 * 3_600_000) // 23:00, still the same day
      expect((await callSms(s, { filter: { start: today, end: today } })).result!.items).toEqual([])
      s.advance(2 * 3_600_000) // 01:00 next day
      const after = (await callSms(s, { filter: { start: today, end: today }, size: 5000 })).result!.items
      expect(after.length).toBeGreaterThan(0)
      expect(after.every((a) => (a.date as number) >= cutoff && (a.date as number) < cutoff + 86_400)).toBe(true)
      expect(s.data.simActions.total()).toBeGreaterThan(generated) // the new day is generated
    } finally {
      await s.close()
    }
  })

  it('delivery reports land later, move messages to the end and reach a sync reading from its cursor', async () => {
    const s = await startReferenceServer({ ...OPTIONS, now: NOW })
    try {
      const before = new Map(s.data.messages.all().map((m) => [m.id, m]))
      const pending = [...before.values()].filter((m) => !FINAL_STATUSES.has(m.status))
      expect(pending.length).toBeGreaterThan(0)
      expect(pending.every((m) => ['ACCEPTED', 'ENROUTE', 'QUEUED', 'SCHEDULED', 'SENT', 'DELIVERED_TO_OPERATOR'].includes(m.status))).toBe(true)
      // A sync reads everything and keeps its cursor.
      const all = await readAll<MessageRecord>(s, '/api/v1/messages/', 1000)
      const last = all[all.length - 1]
      const clientBalances = new Map(s.data.clients.all().map((c) => [c.id, c.balance]))
      const transactions = s.data.transactions.size
      const moved = s.advance(4 * DAY)
      expect(moved.messagesUpdated).toBeGreaterThanOrEqual(pending.length)
      expect(s.data.messages.pendingCount()).toBe(0)
      for (const m of pending) {
        const now = s.data.messages.get(m.id)!
        expect(FINAL_STATUSES.has(now.status)).toBe(true)
        expect(now.finished_at).not.toBeNull()
        expect(Date.parse(now.updated_at)).toBeGreaterThan(Date.parse(m.updated_at))
        expect(now.created_at).toBe(m.created_at)
        expect(now.text).toBe(m.text)
      }
      const changes = await readAll<MessageRecord>(
        s,
        `/api/v1/messages/?updated_after=${encodeURIComponent(last.updated_at)}&after_id=${last.id}&x=`,
        1000
      )
      expect(new Set(changes.map((m) => m.id))).toEqual(
        new Set([...before.values()].filter((m) => JSON.stringify(m) !== JSON.stringify(s.data.messages.get(m.id))).map((m) => m.id))
      )
      // The days that ended were billed: new charges, balances moved by exactly their sum.
      expect(moved.transactionsAdded).toBeGreaterThan(0)
      const added = s.data.transactions.all().filter((t) => t.id > transactions)
      expect(added.length).toBe(moved.transactionsAdded)
      const delta = new Map<number, number>()
      for (const t of added) {
        expect(t.debit).toBe('0.00')
        expect(t.purpose).toMatch(/ campaign 2026-11-01$/)
        delta.set(t.client_id, (delta.get(t.client_id) ?? 0) + parseDecimal(t.credit, MONEY_SCALE)!)
      }
      for (const [id, d] of delta) {
        const c = s.data.clients.get(id)!
        expect(parseDecimal(c.balance, MONEY_SCALE)).toBe(parseDecimal(clientBalances.get(id)!, MONEY_SCALE)! - d)
        const lastTx = s.data.transactions.all().filter((t) => t.client_id === id).at(-1)!
        expect(lastTx.balance_after).toBe(c.balance)
      }
      // Dispatch counts moved: errors are retried into completed.
      expect(moved.dispatchesChanged).toBeGreaterThan(0)
    } finally {
      await s.close()
    }
  })
})

describe('message keyset order', () => {
  it('stays exact through thousands of changes (tombstones, compaction, counts)', () => {
    const d = new ReferenceDataset({ ...OPTIONS, messages: 500, now: NOW })
    const store = d.messages
    for (let round = 0; round < 6; round++) {
      for (let k = 0; k < 700; k++) d.touchMessage()
      d.advance(7 * 3_600_000)
      const ids: number[] = []
      let cursor: { updatedAfter: string; afterId: number } | null = null
      let first = true
      while (first || cursor) {
        first = false
        const ms: number | null = cursor ? Date.parse(cursor.updatedAfter) : null
        const page = store.pageRows(ms, cursor?.afterId ?? 0, 37)
        expect(page.count).toBe(store.size - ids.length)
        ids.push(...page.rows.map((m) => m + 1))
        cursor = page.next
      }
      expect(ids.length).toBe(store.size)
      expect(new Set(ids).size).toBe(store.size)
      const all = store.all()
      expect(all.map((m) => m.id)).toEqual(ids)
      for (let i = 1; i < all.length; i++) {
        const [a, b] = [all[i - 1], all[i]]
        expect(a.updated_at < b.updated_at || (a.updated_at === b.updated_at && a.id < b.id)).toBe(true)
      }
    }
    expect(store.pendingCount()).toBe(0)
  })
})

describe('realtime clock', () => {
  it('moves the data clock with the wall clock when asked to', async () => {
    const s = await startReferenceServer({ ...OPTIONS, messages: 10, realtime: true, now: NOW })
    try {
      const start = s.now
      await new Promise((r) => setTimeout(r, 60))
      await fetch(`${s.url}/api/v1/dispatch-reports/`)
      expect(s.now - start).toBeGreaterThanOrEqual(50)
    } finally {
      await s.close()
    }
  })
})

describe('SMS parts', () => {
  const cases: [string, string, 'GSM-7' | 'UCS-2', number, number][] = [
    ['empty', '', 'GSM-7', 0, 1],
    ['160 GSM', 'a'.repeat(160), 'GSM-7', 160, 1],
    ['161 GSM', 'a'.repeat(161), 'GSM-7', 161, 2],
    ['306 GSM', 'a'.repeat(306), 'GSM-7', 306, 2],
    ['307 GSM', 'a'.repeat(307), 'GSM-7', 307, 3],
    ['GSM specials are one septet', '@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ!"#¤%&\'()*+,-./:;<=>?¡ÄÖÑÜ§¿äöñüà\n\r', 'GSM-7', 64, 1],
    ['80 euro signs are 160 septets', '€'.repeat(80), 'GSM-7', 160, 1],
    ['159 + € is 161 septets', 'a'.repeat(159) + '€', 'GSM-7', 161, 2],
    ['extension table', '^{}\\[~]|€\f', 'GSM-7', 20, 1],
    ['an escape is never split', 'a'.repeat(152) + '{' + 'a'.repeat(10), 'GSM-7', 164, 2],
    ['an escape that does not fit starts the next part', 'a'.repeat(152) + '{' + 'a'.repeat(152), 'GSM-7', 306, 3],
    ['70 Cyrillic', 'ж'.repeat(70), 'UCS-2', 70, 1],
    ['71 Cyrillic', 'ж'.repeat(71), 'UCS-2', 71, 2],
    ['134 Cyrillic', 'ж'.repeat(134), 'UCS-2', 134, 2],
    ['135 Cyrillic', 'ж'.repeat(135), 'UCS-2', 135, 3],
    ['one non-GSM character makes it UCS-2', 'a'.repeat(69) + 'ё', 'UCS-2', 70, 1],
    ['en dash is not GSM', 'a–b', 'UCS-2', 3, 1],
    ['35 emoji are 70 units', '😀'.repeat(35), 'UCS-2', 70, 1],
    ['36 emoji are 72 units', '😀'.repeat(36), 'UCS-2', 72, 2],
    ['a surrogate pair is never split', 'ж'.repeat(66) + '😀' + 'ж'.repeat(3), 'UCS-2', 71, 2],
    ['emoji over the part edge', 'ж'.repeat(66) + '😀'.repeat(34), 'UCS-2', 134, 3]
  ]
  for (const [name, text, encoding, units, parts] of cases) {
    it(name, () => expect(smsParts(text)).toEqual({ encoding, units, parts }))
  }
})

describe('faults', () => {
  let f: ReferenceServer
  beforeAll(async () => {
    f = await startReferenceServer({ ...OPTIONS, seed: 21 })
  })
  afterAll(() => f.close())

  const listUrls = (): string[] => [
    `${f.url}/api/v1/clients/?page_size=50`,
    `${f.url}/api/v1/sender-names/?page_size=50`,
    `${f.url}/api/v1/transactions/?page_size=50`,
    `${f.url}/api/v1/messages/?page_size=50`
  ]

  it('transport faults fire on every endpoint', async () => {
    f.faults.set({ kinds: ['5xx', '429'], rate: 1, retryAfterSeconds: 3 })
    const urls = [...listUrls(), `${f.url}/api/v1/dispatch-reports/`, `${f.url}/api/v1/clients/1/`]
    for (const url of urls) {
      const res = await fetch(url)
      expect(res.status).toBeGreaterThanOrEqual(500)
    }
    f.faults.set({ kinds: ['429'], rate: 1, retryAfterSeconds: 3 })
    const sim = await fetch(`${f.url}/api/report/call_sms`, { method: 'POST', body: '{}' })
    expect(sim.status).toBe(429)
    expect(sim.headers.get('retry-after')).toBe('3')
    f.faults.set({ kinds: ['reset'], rate: 1 })
    await expect(fetch(`${f.url}/api/v1/dispatch-reports/`)).rejects.toThrow()
    f.faults.set({ kinds: ['truncated'], rate: 1 })
    for (const url of urls) await expect((await fetch(url)).json()).rejects.toThrow()
    await expect((await fetch(`${f.url}/api/report/call_sms`, { method: 'POST', body: '{}' })).json()).rejects.toThrow()
    f.faults.set({ kinds: ['slow'], rate: 1, slowMs: 150 })
    const t0 = Date.now()
    expect((await fetch(`${f.url}/api/v1/clients/?page_size=1`)).status).toBe(200)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140)
    expect(f.faults.counts['5xx']).toBeGreaterThanOrEqual(urls.length)
    expect(f.faults.counts.reset).toBe(1)
    expect(f.faults.counts.slow).toBe(1)
    f.faults.set({ kinds: [], rate: 0 })
  })

  it('null and malformed records appear in every list, and a re-read without them is the true data', async () => {
    f.faults.set({ kinds: ['null', 'malformed'], rate: 0.5 })
    const counted = (): number => (f.faults.counts.null ?? 0) + (f.faults.counts.malformed ?? 0)
    for (const url of listUrls()) {
      const before = counted()
      const page = await json<Page<unknown>>(url)
      const broken = page.results.filter((r) => r === null || !validator(url.includes('clients') ? 'Client' : url.includes('sender') ? 'SenderName' : url.includes('transactions') ? 'Transaction' : 'Message')(r))
      expect(broken.length).toBeGreaterThan(0)
      expect(counted() - before).toBe(broken.length)
    }
    let before = counted()
    const items = (await callSms(f, { size: 200 })).result!.items
    expect(items.filter((i) => i === null || Object.keys(i).length !== 9 || typeof i.sid !== 'number' || typeof i.iccid !== 'string' || typeof i.date !== 'number').length).toBeGreaterThan(0)
    expect(counted()).toBeGreaterThan(before)
    before = counted()
    const list = await json<unknown[]>(`${f.url}/api/v1/dispatch-reports/`)
    expect(list.length).toBe(OPTIONS.dispatches)
    expect(counted()).toBeGreaterThan(before)
    f.faults.set({ kinds: [], rate: 0 })
    expect(await readAll(f, '/api/v1/messages/', 1000)).toEqual(f.data.messages.all())
    expect((await callSms(f, { size: 200 })).result!.items).toEqual(f.data.simActions.visible().slice(0, 200))
    expect(await json(`${f.url}/api/v1/dispatch-reports/`)).toEqual(f.data.dispatches.all())
  })

  it('phantom: a 200 with null fields for a dispatch that does not exist', async () => {
    f.faults.set({ kinds: ['phantom'], rate: 1 })
    const id = '0ee2b273-30c6-4be5-858f-f8c04d1e9261'
    const res = await fetch(`${f.url}/api/v1/dispatch-reports/${id}/`)
    expect(res.status).toBe(200)
    const body = (await res.json()) as Record<string, unknown>
    expect(body.id).toBe(id)
    expect(body.start_datetime).toBeNull()
    expect(body.created).toBeNull()
    expect(f.faults.counts.phantom).toBe(1)
    // A real id is never phantom.
    const real = f.data.dispatches.all()[0]
    expect(await json(`${f.url}/api/v1/dispatch-reports/${real.id}/`)).toEqual(real)
    f.faults.set({ kinds: [], rate: 0 })
  })

  it('duplicate: rows of the previous page come again', async () => {
    f.faults.set({ kinds: ['duplicate'], rate: 1 })
    const first = await json<Page<MessageRecord>>(`${f.url}/api/v1/messages/?page_size=20`)
    const second = await json<Page<MessageRecord>>(first.next!)
    expect(second.results.slice(0, 3)).toEqual(first.results.slice(-3))
    // The page keeps the size asked for: its last rows come on the next page instead.
    expect(second.results.length).toBe(20)
    const p0 = (await callSms(f, { page: 0, size: 50 })).result!.items
    const p1 = (await callSms(f, { page: 1, size: 50 })).result!.items
    const overlap = p1.length - 50
    expect(overlap).toBeGreaterThanOrEqual(1)
    expect(overlap).toBeLessThanOrEqual(3)
    expect(p1.slice(0, overlap)).toEqual(p0.slice(-overlap))
    expect(p1.slice(overlap)).toEqual(f.data.simActions.visible().slice(50, 100))
    const list = await json<{ id: string }[]>(`${f.url}/api/v1/dispatch-reports/`)
    expect(list.length).toBe(OPTIONS.dispatches! + 1)
    expect(new Set(list.map((d) => d.id)).size).toBe(OPTIONS.dispatches)
    f.faults.set({ kinds: [], rate: 0 })
  })

  it('cap: every page holds at most `cap` rows, whatever size was asked', async () => {
    f.faults.set({ kinds: ['cap'], rate: 0, cap: 7 })
    const page = await json<Page<MessageRecord>>(`${f.url}/api/v1/messages/?page_size=50`)
    expect(page.results.length).toBe(7)
    expect(page.results).toEqual(f.data.messages.all().slice(0, 7))
    // The SIM provider caps too, and still counts pages in the size asked for.
    const p1 = (await callSms(f, { page: 1, size: 50 })).result!.items
    expect(p1).toEqual(f.data.simActions.visible().slice(50, 57))
    f.faults.set({ kinds: [], rate: 0 })
  })

  it('shift: data really changes mid-sync, and a re-read converges on it', async () => {
    f.faults.set({ kinds: ['shift'], rate: 1 })
    // Keyset: a record changes and moves to the end.
    const lastBefore = f.data.messages.all().at(-1)!
    await fetch(`${f.url}/api/v1/messages/?page_size=10`)
    const lastAfter = f.data.messages.all().at(-1)!
    expect(lastAfter.id === lastBefore.id && lastAfter.updated_at === lastBefore.updated_at).toBe(false)
    expect(Date.parse(lastAfter.updated_at)).toBeGreaterThanOrEqual(Date.parse(lastBefore.updated_at))
    const transactions = f.data.transactions.size
    await fetch(`${f.url}/api/v1/transactions/?page_size=10`)
    expect(f.data.transactions.size).toBe(transactions + 1)
    // call_sms: a late action appears before the offset: page 1 now starts one row earlier.
    f.faults.set({ kinds: [], rate: 0 })
    const visible = f.data.simActions.visible()
    f.faults.set({ kinds: ['shift'], rate: 1 })
    const p1 = (await callSms(f, { page: 1, size: 100 })).result!.items
    const now = f.data.simActions.visible()
    expect(now.length).toBe(visible.length + 1)
    const inserted = now.find((a) => !visible.some((v) => v.sid === a.sid))!
    expect(now.indexOf(inserted)).toBeLessThan(100)
    expect(p1[0]).toEqual(visible[99])
    // Dispatch: a new one appears.
    const list = await json<{ id: string }[]>(`${f.url}/api/v1/dispatch-reports/`)
    expect(list.length).toBe(f.data.dispatches.size)
    expect(f.data.dispatches.size).toBeGreaterThan(OPTIONS.dispatches!)
    f.faults.set({ kinds: [], rate: 0 })
    // A reader that dedupes by sid and re-reads ends with exactly the true data.
    const seen = new Map<number, unknown>()
    for (let page = 0; ; page++) {
      const items = (await callSms(f, { page, size: 100 })).result!.items
      for (const i of items) seen.set(i.sid as number, i)
      if (items.length < 100) break
    }
    expect([...seen.values()].length).toBe(f.data.simActions.visible().length)
  })

  it('a write whose answer is lost is applied at most once, and its retry returns the stored answer', async () => {
    const id = 5
    const start = parseDecimal(f.data.clients.get(id)!.balance, MONEY_SCALE)!
    f.faults.set({ kinds: ['reset', '5xx'], rate: 1 })
    let lost = 0
    for (let k = 0; k < 12; k++) {
      try {
        const res = await post(f, `/api/v1/clients/${id}/top-up/`, { amount: '10.00' }, `lost-${k}`)
        expect(res.status).toBeGreaterThanOrEqual(500)
      } catch {
        lost++
      }
    }
    expect(lost).toBeGreaterThan(0)
    const applied = (parseDecimal(f.data.clients.get(id)!.balance, MONEY_SCALE)! - start) / 1000
    expect(applied).toBeGreaterThan(0) // some were applied before the answer was lost
    expect(applied).toBeLessThan(12)
    f.faults.set({ kinds: [], rate: 0 })
    for (let k = 0; k < 12; k++) {
      const res = await post(f, `/api/v1/clients/${id}/top-up/`, { amount: '10.00' }, `lost-${k}`)
      expect(res.status).toBe(201)
    }
    expect(parseDecimal(f.data.clients.get(id)!.balance, MONEY_SCALE)! - start).toBe(12 * 1000)
  })

  it('counts every kind it fires and can be switched off', () => {
    expect(Object.keys(f.faults.counts).sort()).toEqual([...FAULT_KINDS].sort())
    for (const k of FAULT_KINDS) expect(f.faults.counts[k]).toBeGreaterThan(0)
  })
})

describe('scale', () => {
  it('generates 1,000,000 messages and 200,000 SIM actions in seconds', () => {
    const t0 = performance.now()
    const d = new ReferenceDataset({ seed: 1, clients: 500, messages: 1_000_000, simActions: 200_000, now: NOW })
    const seconds = (performance.now() - t0) / 1000
    expect(d.messages.size).toBe(1_000_000)
    expect(d.sim.actionCount).toBeGreaterThan(190_000)
    expect(seconds).toBeLessThan(10)
    const page = d.messages.pageRows(null, 0, 5000)
    expect(page.rows.length).toBe(5000)
    expect(page.count).toBe(1_000_000)
  })
})
