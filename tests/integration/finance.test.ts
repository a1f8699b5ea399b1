/**
 * The client page's reads: Finance (balance, credit and what pending writes will make of
 * them), transactions for a period, and sender names, against data synced from the reference
 * server.
 */
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../src/backend/db/connection'
import { openDatabase } from '../../src/backend/db/connection'
import { SettingsRepo } from '../../src/backend/db/settings'
import type { BackendDeps } from '../../src/backend/deps'
import { clientPageHandlers } from '../../src/backend/outbox/handlers'
import { keyFileBox } from '../../src/backend/secrets'
import { startReferenceServer, type ReferenceServer } from '../../src/refserver/server'
import { transactionsQuerySchema, type TransactionsQuery } from '../../src/shared/contract'
import { AppError } from '../../src/shared/errors'
import { MONEY_SCALE, formatUnits, parseDecimal } from '../../src/shared/money'
import type { ClientFinance, OutboxItem, Page, SenderNameRow, TransactionRow } from '../../src/shared/types'
import { tempDir, testEngine } from '../helpers'

let tmp: ReturnType<typeof tempDir>
let db: Db
let server: ReferenceServer
let handlers: ReturnType<typeof clientPageHandlers>
const platformUrl = ''
/** The time zone the handlers' days are in (Settings in the app). */
let zone = 'UTC'
const dayFormats = new Map<string, Intl.DateTimeFormat>()
/** The day of `z` an ISO instant falls on, from Intl (en-CA writes YYYY-MM-DD). */
function dayIn(z: string, iso: string): string {
  let f = dayFormats.get(z)
  if (!f) dayFormats.set(z, (f = new Intl.DateTimeFormat('en-CA', { timeZone: z, year: 'numeric', month: '2-digit', day: '2-digit' })))
  return f.format(Date.parse(iso))
}

beforeAll(async () => {
  tmp = tempDir()
  db = openDatabase(path.join(tmp.dir, 'finance.sqlite'))
  server = await startReferenceServer({
    seed: 8,
    clients: 15,
    messages: 600,
    days: 12,
    namesPerClient: 4,
    transactions: 60,
    sims: 1,
    simActions: 1,
    dispatches: 1,
    now: Date.parse('2026-11-20T09:30:00Z')
  })
  const summary = await testEngine(db, { platform: { url: server.url } }).run()
  expect(Object.values(summary.streams).filter((s) => s.error)).toEqual([])
  const deps: BackendDeps = {
    db,
    dbFile: path.join(tmp.dir, 'finance.sqlite'),
    dataDir: tmp.dir,
    settings: new SettingsRepo(db, keyFileBox(tmp.dir)),
    connection: () => ({ url: platformUrl }),
    emit: () => undefined,
    exportDir: () => tmp.dir,
    timeZone: () => zone
  }
  // No platform address: writes stay pending, so what Finance expects of them can be read.
  handlers = clientPageHandlers(deps, { sendOnEnqueue: false, startDelayMs: 60_000, retryPassMs: { base: 60_000, max: 60_000 } })
})
afterAll(async () => {
  await server.close()
  db.close()
  tmp.cleanup()
})

const transactions = (q: Partial<TransactionsQuery> & { clientId: number; from: string; to: string }): Page<TransactionRow> =>
  handlers['clients.transactions'](transactionsQuerySchema.parse(q)) as Page<TransactionRow>

/** The client with the most transactions on the server. */
function busiestClient(): number {
  const counts = new Map<number, number>()
  for (const t of server.data.transactions.all()) counts.set(t.client_id, (counts.get(t.client_id) ?? 0) + 1)
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0]
}

function serverRows(clientId: number, from: string, to: string): TransactionRow[] {
  return server.data.transactions
    .all()
    .filter((t) => t.client_id === clientId && dayIn(zone, t.date) >= from && dayIn(zone, t.date) <= to)
    .sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : b.id - a.id))
    .map((t) => ({
      id: t.id,
      date: t.date,
      credit: t.credit,
      debit: t.debit,
      purpose: t.purpose,
      balanceAfter: t.balance_after,
      currency: t.currency
    }))
}

describe('clients.finance', () => {
  it('shows balance and credit as synced, and as pending writes will make them, exactly', async () => {
    const id = 4
    const c = server.data.clients.get(id)!
    const plain = (await handlers['clients.finance']({ clientId: id })) as ClientFinance
    expect(plain).toEqual({
      clientId: id,
      currency: c.currency,
      balance: c.balance,
      credit: c.credit,
      expectedBalance: c.balance,
      expectedCredit: c.credit,
      smsSubscription: c.sms_subscription,
      expectedSmsSubscription: c.sms_subscription,
      pending: []
    })

    const writes: OutboxItem[] = []
    writes.push((await handlers['clients.topUp']({ clientId: id, amount: '0.1', comment: 'a' })) as OutboxItem)
    writes.push((await handlers['clients.setCredit']({ clientId: id, amount: '250', notifyClient: true })) as OutboxItem)
    writes.push((await handlers['clients.topUp']({ clientId: id, amount: '0.2', comment: 'b' })) as OutboxItem)
    writes.push((await handlers['clients.setSubscription']({ clientId: id, enabled: !c.sms_subscription })) as OutboxItem)
    writes.push((await handlers['clients.setCredit']({ clientId: id, amount: '0.5', notifyClient: false })) as OutboxItem)
    writes.push((await handlers['clients.topUp']({ clientId: id, amount: '999999.99', comment: 'c' })) as OutboxItem)
    // Another client's write changes nothing here.
    await handlers['clients.topUp']({ clientId: 5, amount: '1', comment: '' })
    expect(writes.map((w) => w.state)).toEqual(['pending', 'pending', 'pending', 'pending', 'pending', 'pending'])

    const f = (await handlers['clients.finance']({ clientId: id })) as ClientFinance
    const balance = parseDecimal(c.balance, MONEY_SCALE)!
    expect(f.balance).toBe(c.balance)
    expect(f.credit).toBe(c.credit)
    expect(f.expectedBalance).toBe(formatUnits(balance + 10 + 20 + 99_999_999, MONEY_SCALE))
    expect(f.expectedCredit).toBe('0.50')
    expect(f.smsSubscription).toBe(c.sms_subscription)
    expect(f.expectedSmsSubscription).toBe(!c.sms_subscription)
    expect(f.pending.map((p) => p.id)).toEqual(writes.map((w) => w.id))
    expect(f.pending[1].payload).toEqual({ amount: '250.00', notifyClient: true })

    // A rejected write is listed but expected no more.
    db.prepare("UPDATE outbox SET state = 'rejected', last_error_code = 'write_rejected', last_error_msg = 'No.' WHERE id = ?").run(writes[5].id)
    const after = (await handlers['clients.finance']({ clientId: id })) as ClientFinance
    expect(after.expectedBalance).toBe(formatUnits(balance + 30, MONEY_SCALE))
    expect(after.pending[5]).toMatchObject({ state: 'rejected', error: { code: 'write_rejected', message: 'No.' } })
    // ... for a day; then only the outbox list remembers it, for a day more.
    db.prepare("UPDATE outbox SET updated_at = '2020-01-01T00:00:00.000Z' WHERE id = ?").run(writes[5].id)
    expect(((await handlers['clients.finance']({ clientId: id })) as ClientFinance).pending).toHaveLength(5)

    const listed = (await handlers['outbox.list']({})) as OutboxItem[]
    expect(listed.map((i) => i.clientId)).toEqual([id, id, id, id, id, 5])
    expect(((await handlers['outbox.list']({ clientId: 5 })) as OutboxItem[]).map((i) => i.kind)).toEqual(['top_up'])
  })

  it('refuses a client that is not in the local database', async () => {
    expect(() => handlers['clients.finance']({ clientId: 999_999 })).toThrow(AppError)
    expect(() => handlers['clients.setSubscription']({ clientId: 999_999, enabled: true })).toThrowError(
      expect.objectContaining({ code: 'not_found' })
    )
  })
})

describe('clients.transactions', () => {
  it('pages a period of UTC days, newest first, exactly as the platform has them', () => {
    const id = busiestClient()
    const all = serverRows(id, '2000-01-01', '2100-01-01')
    expect(all.length).toBeGreaterThan(15)
    const first = all[all.length - 1].date.slice(0, 10)
    const last = all[0].date.slice(0, 10)

    const whole = transactions({ clientId: id, from: first, to: last, pageSize: 500 })
    expect(whole.total).toBe(all.length)
    expect(whole.rows).toEqual(all)

    // Pages of 7 add up to the whole, in order.
    const paged: TransactionRow[] = []
    for (let page = 1; ; page++) {
      const p = transactions({ clientId: id, from: first, to: last, page, pageSize: 7 })
      expect(p).toMatchObject({ total: all.length, page, pageSize: 7 })
      if (!p.rows.length) break
      paged.push(...p.rows)
    }
    expect(paged).toEqual(all)

    // Oldest first on request.
    expect(transactions({ clientId: id, from: first, to: last, pageSize: 500, order: 'asc' }).rows).toEqual([...all].reverse())

    // A period inside the history: both ends included, by UTC day.
    const days = [...new Set(all.map((t) => t.date.slice(0, 10)))].sort()
    const from = days[1]
    const to = days[days.length - 3]
    const inside = transactions({ clientId: id, from, to, pageSize: 500 })
    expect(inside.rows).toEqual(serverRows(id, from, to))
    expect(inside.rows.some((t) => t.date.startsWith(from))).toBe(true)
    expect(inside.rows.some((t) => t.date.startsWith(to))).toBe(true)
    const oneDay = transactions({ clientId: id, from: to, to, pageSize: 500 })
    expect(oneDay.rows.length).toBeGreaterThan(0)
    expect(oneDay.rows.every((t) => t.date.startsWith(to))).toBe(true)

    // Money as exact decimals; credit = mailing costs, debit = top-ups.
    for (const t of inside.rows) {
      expect(t.credit).toMatch(/^\d+\.\d{2}$/)
      expect(t.debit).toMatch(/^\d+\.\d{2}$/)
      expect(t.balanceAfter).toMatch(/^-?\d+\.\d{2}$/)
    }
    expect(all.some((t) => t.debit !== '0.00' && t.purpose.startsWith('Top-up'))).toBe(true)
    expect(all.some((t) => t.credit !== '0.00' && / campaign \d{4}-\d{2}-\d{2}$/.test(t.purpose))).toBe(true)

    // Nothing outside the history; another client's rows never.
    expect(transactions({ clientId: id, from: '2001-01-01', to: '2001-12-31' })).toEqual({ rows: [], total: 0, page: 1, pageSize: 20 })
    expect(transactions({ clientId: 999_999, from: first, to: last }).total).toBe(0)
  })

  it('takes a period as days of the chosen time zone: 00:00 to 00:00 there', () => {
    const id = busiestClient()
    try {
      for (zone of ['Europe/Moscow', 'America/New_York', 'Asia/Kathmandu', 'Asia/Almaty']) {
        const all = serverRows(id, '2000-01-01', '2100-01-01')
        const days = [...new Set(all.map((t) => dayIn(zone, t.date)))].sort()
        for (const [from, to] of [[days[1], days[days.length - 3]], [days[2], days[2]], [days[0], days[days.length - 1]]]) {
          const got = transactions({ clientId: id, from, to, pageSize: 500 })
          expect(got.rows, `${zone} ${from}..${to}`).toEqual(serverRows(id, from, to))
          expect(got.rows.every((t) => dayIn(zone, t.date) >= from && dayIn(zone, t.date) <= to)).toBe(true)
        }
      }
      // A time at 23:30 UTC belongs to the next day in Moscow, to its own day in UTC.
      zone = 'Europe/Moscow'
      const late = server.data.transactions.all().find((t) => t.client_id === id && t.date.slice(11, 13) === '23')
      if (late) {
        const next = dayIn('Europe/Moscow', late.date)
        expect(next > late.date.slice(0, 10)).toBe(true)
        expect(transactions({ clientId: id, from: next, to: next, pageSize: 500 }).rows.map((t) => t.id)).toContain(late.id)
        zone = 'UTC'
        expect(transactions({ clientId: id, from: next, to: next, pageSize: 500 }).rows.map((t) => t.id)).not.toContain(late.id)
      }
    } finally {
      zone = 'UTC'
    }
  })

  it('reads through the (client_id, date, id) index and refuses a period that ends before it starts', () => {
    const plan = db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT id FROM transactions INDEXED BY transactions_client_date
         WHERE client_id = 1 AND date >= '2026-11-01' AND date < '2026-11-02' ORDER BY date DESC, id DESC LIMIT 20`
      )
      .all() as { detail: string }[]
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/transactions_client_date \(client_id=\? AND date>\? AND date<\?\)/)
    expect(plan.map((p) => p.detail).join(' ')).not.toMatch(/TEMP B-TREE/)
    expect(() => transactions({ clientId: 1, from: '2026-11-02', to: '2026-11-01' })).toThrowError(
      expect.objectContaining({ code: 'invalid_input' })
    )
  })
})

describe('clients.names', () => {
  it("lists the client's sender names by name, as the platform has them", async () => {
    for (const client of server.data.clients.all()) {
      const expected: SenderNameRow[] = server.data.senderNames
        .all()
        .filter((n) => n.client_id === client.id)
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id - b.id))
        .map((n) => ({ id: n.id, name: n.name, channel: n.channel, status: n.status, questionnaire: n.questionnaire }))
      expect(await handlers['clients.names']({ clientId: client.id })).toEqual(expected)
    }
    expect(server.data.senderNames.size).toBeGreaterThan(20)
    expect(await handlers['clients.names']({ clientId: 999_999 })).toEqual([])
  })
})
