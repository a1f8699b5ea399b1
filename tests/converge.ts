/**
 * Row-by-row comparison of the local database with the reference server's true data, money
 * compared as exact decimal strings.
 */
import { expect } from 'vitest'
import type { Db } from '../src/backend/db/connection'
import type { ReferenceServer } from '../src/refserver/server'
import { floatToUnits, formatUnits, MONEY_SCALE, PRICE_SCALE, SIM_COST_SCALE } from '../src/shared/money'
import { statusBucket } from '../src/shared/status'

type Rec = Record<string, unknown>

function byKey<T extends Rec>(rows: T[], key: string): Map<unknown, T> {
  return new Map(rows.map((r) => [r[key], r]))
}

function compareTable(label: string, local: Rec[], remote: Rec[], key: string, map: (r: Rec) => Rec): string[] {
  const problems: string[] = []
  const l = byKey(local, key)
  const r = byKey(remote.map(map), key)
  if (l.size !== r.size) problems.push(`${label}: ${l.size} local rows, ${r.size} on the server`)
  for (const [k, want] of r) {
    const got = l.get(k)
    if (!got) {
      problems.push(`${label} ${String(k)}: missing`)
      continue
    }
    for (const [field, value] of Object.entries(want)) {
      if (got[field] !== value) problems.push(`${label} ${String(k)}.${field}: ${JSON.stringify(got[field])} != ${JSON.stringify(value)}`)
    }
  }
  for (const k of l.keys()) if (!r.has(k)) problems.push(`${label} ${String(k)}: not on the server`)
  return problems
}

/** Every difference between the local data and the server's; empty when they are the same. */
export function differences(db: Db, server: ReferenceServer): string[] {
  const all = (sql: string) => db.prepare(sql).all() as Rec[]
  const money = (v: unknown) => formatUnits(v as number, MONEY_SCALE)
  const price = (v: unknown) => formatUnits(v as number, PRICE_SCALE)
  const problems = [
    ...compareTable(
      'client',
      all('SELECT * FROM clients').map((c) => ({ ...c, balance: money(c.balance), credit: money(c.credit), sms_price: price(c.sms_price), activation_required: c.activation_required === 1, sms_subscription: c.sms_subscription === 1 })),
      [...server.data.clients.all()] as unknown as Rec[],
      'id',
      (c) => c
    ),
    ...compareTable('sender name', all('SELECT * FROM sender_names'), [...server.data.senderNames.all()] as unknown as Rec[], 'id', (n) => n),
    ...compareTable(
      'transaction',
      all('SELECT * FROM transactions').map((t) => ({ ...t, credit: money(t.credit), debit: money(t.debit), balance_after: money(t.balance_after) })),
      [...server.data.transactions.all()] as unknown as Rec[],
      'id',
      (t) => t
    ),
    ...compareTable(
      'message',
      all('SELECT * FROM messages').map((m) => ({ ...m, cost: price(m.cost) })),
      server.data.messages.all() as unknown as Rec[],
      'id',
      (m) => ({ ...m, bucket: statusBucket(String(m.status)) })
    ),
    ...compareTable(
      'sim action',
      all('SELECT * FROM sim_actions'),
      server.data.simActions.visible() as unknown as Rec[],
      'sid',
      ({ id, session_cost, ...rest }) => ({ ...rest, sim_id: id, session_cost: floatToUnits(session_cost as number, SIM_COST_SCALE) })
    ),
    ...compareTable(
      'dispatch',
      all('SELECT id, start_datetime, end_datetime, message_text, operator_code, tag_code, created, completed, error, timeout FROM dispatches'),
      server.data.dispatches.all() as unknown as Rec[],
      'id',
      ({ filter_mobile_operator_code__code, filter_tag__code, ...rest }) => ({ ...rest, operator_code: filter_mobile_operator_code__code, tag_code: filter_tag__code })
    )
  ]
  return problems
}

export function expectConverged(db: Db, server: ReferenceServer): void {
  const problems = differences(db, server)
  expect(problems.slice(0, 20), `${problems.length} differences`).toEqual([])
}
