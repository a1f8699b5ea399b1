/**
 * Row-by-row comparison of the local database with the reference server's true data, money
 * compared as exact decimal strings.
 */
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

/** Tables compared by storeDifferences, with the columns that may differ between two syncs. */
const STORE_TABLES: { table: string; skip: string[] }[] = [
  { table: 'clients', skip: [] },
  { table: 'sender_names', skip: [] },
  { table: 'transactions', skip: [] },
  { table: 'messages', skip: [] },
  { table: 'sim_actions', skip: [] },
  { table: 'dispatches', skip: ['first_seen_at', 'last_seen_at'] }
]

/** The statistics tables (every table the schema names stats_*, but the writer flag). */
function statsTables(db: Db): string[] {
  return (
    db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'stats%' AND name <> 'stats_writer' ORDER BY name")
      .pluck()
      .all() as string[]
  )
}

function tableRows(db: Db, table: string, skip: string[]): string[] {
  const cols = (db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[]).filter((c) => !skip.includes(c))
  const list = cols.map((c) => `"${c}"`).join(', ')
  return (db.prepare(`SELECT ${list} FROM "${table}" ORDER BY ${list}`).raw().all() as unknown[][]).map((r) =>
    JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))
  )
}

/**
 * Every difference between two local stores, table by table and row by row: the data tables
 * and every statistics table. Used to check that a store synced under faults equals a clean sync.
 */
export function storeDifferences(got: Db, want: Db): string[] {
  const problems: string[] = []
  const tables = [...STORE_TABLES, ...statsTables(want).map((table) => ({ table, skip: [] as string[] }))]
  for (const { table, skip } of tables) {
    const a = tableRows(got, table, skip)
    const b = tableRows(want, table, skip)
    const bs = new Set(b)
    const as = new Set(a)
    const missing = b.filter((r) => !as.has(r))
    const extra = a.filter((r) => !bs.has(r))
    if (a.length !== b.length) problems.push(`${table}: ${a.length} rows, the clean sync has ${b.length}`)
    for (const r of missing.slice(0, 5)) problems.push(`${table}: missing ${r.slice(0, 200)}`)
    for (const r of extra.slice(0, 5)) problems.push(`${table}: not in the clean sync ${r.slice(0, 200)}`)
    if (missing.length > 5 || extra.length > 5) problems.push(`${table}: ${missing.length} missing, ${extra.length} extra in all`)
  }
  return problems
}
