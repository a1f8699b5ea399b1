/**
 * Statistics aggregates (src/backend/stats): sums of the messages table kept exact by triggers,
 * in the same transaction as every write to messages (the sync's inserts and status updates,
 * tests, anything), so a message that turns delivered moves between the sums exactly once.
 *
 * What one message adds to the row of its key:
 *   messages        1
 *   sent_parts      parts, unless the bucket is pending or deleted (the message never left the
 *                   platform for the operator); sent, delivered, errors and other count as sent
 *   delivered_parts parts when the bucket is delivered
 *   cost            cost (every message, whatever its status: what the platform charged)
 *
 * Tables (day = the UTC day of created_at, month = its UTC month; currency = the client's, ''
 * while the client is not synced; kind = 'sms' for the sms channel, 'viber' for viber,
 * viber_pr and viber_tx; voice has no sender kind), by primary key:
 *   stats_client_day    day,   client, channel, country, operator, sender  one client, any grouping;
 *                                                                          all clients' sender IDs on loose days
 *   stats_geo_day       day,   currency, country, operator                 all clients by day, operator, country
 *   stats_geo_month     month, currency, country, operator                 the same for whole months
 *   stats_sender_month  month, kind, currency, sender                      all clients' sender IDs, whole months
 * Keys start with the period, so the rows a sync writes (recent days) sit together at the end.
 * Every table costs the write path about the same (an upsert per message, plus the statement
 * journal's copy of the page it touches), so there are only as many as the query targets need.
 *
 * An update that changes none of a message's keys (the usual case: a delivery report) is one
 * UPDATE by primary key per table, and nothing at all when the message's sums do not change
 * (e.g. ENROUTE -> DELIVERED_TO_OPERATOR, DELIVRD -> READ). A row whose messages fall to 0 is
 * deleted. A client whose currency changes (or who arrives after its messages) moves its sums
 * between currencies in the tables keyed by currency (rare; rebuilt from stats_client_day).
 * (An INSERT OR REPLACE on messages would need recursive_triggers, on in better-sqlite3's build,
 * for its implicit delete to fire stats_messages_ad; nothing writes messages that way.)
 *
 * This migration is released: never edit it, add a new one (its SQL is pinned by
 * tests/unit/migrations.test.ts). 0005 lets a batch writer fold the sums itself.
 */
export const name = 'stats'

export interface Rollup {
  table: string
  /** Key columns in primary-key order: name, type, value as an expression of the message `M`. */
  keys: [string, string, string][]
  /** Only messages for which this is true are counted (an expression of `M`). */
  when?: string
}

const CURRENCY = "COALESCE((SELECT currency FROM clients WHERE id = M.client_id), '')"
export const DAY = 'substr(M.created_at, 1, 10)'
const MONTH = 'substr(M.created_at, 1, 7)'
const KIND = "CASE M.channel WHEN 'sms' THEN 'sms' WHEN 'viber' THEN 'viber' WHEN 'viber_pr' THEN 'viber' WHEN 'viber_tx' THEN 'viber' END"

const client = (period: string, periodExpr: string, table: string): Rollup => ({
  table,
  keys: [
    [period, 'TEXT', periodExpr],
    ['client_id', 'INTEGER', 'M.client_id'],
    ['channel', 'TEXT', 'M.channel'],
    ['country', 'TEXT', 'M.country'],
    ['operator', 'TEXT', 'M.operator'],
    ['sender', 'TEXT', 'M.sender']
  ]
})
const geo = (period: string, periodExpr: string, table: string): Rollup => ({
  table,
  keys: [
    [period, 'TEXT', periodExpr],
    ['currency', 'TEXT', CURRENCY],
    ['country', 'TEXT', 'M.country'],
    ['operator', 'TEXT', 'M.operator']
  ]
})
const sender = (period: string, periodExpr: string, table: string): Rollup => ({
  table,
  keys: [
    [period, 'TEXT', periodExpr],
    ['kind', 'TEXT', KIND],
    ['currency', 'TEXT', CURRENCY],
    ['sender', 'TEXT', 'M.sender']
  ],
  when: `(${KIND}) IS NOT NULL`
})

export const ROLLUPS: Rollup[] = [
  client('day', DAY, 'stats_client_day'),
  geo('day', DAY, 'stats_geo_day'),
  geo('month', MONTH, 'stats_geo_month'),
  sender('month', MONTH, 'stats_sender_month')
]

const SENT = "(CASE WHEN M.bucket IN ('pending', 'deleted') THEN 0 ELSE M.parts END)"
const DELIVERED = "(CASE WHEN M.bucket = 'delivered' THEN M.parts ELSE 0 END)"
/** The columns that decide a message's keys and sums: the update trigger watches these. */
const WATCHED = ['client_id', 'created_at', 'channel', 'country', 'operator', 'sender', 'bucket', 'parts', 'cost']

const of = (expr: string, row: 'new' | 'old'): string => expr.replaceAll('M.', `${row}.`)
const keyMatch = (r: Rollup, row: 'new' | 'old'): string => r.keys.map(([k, , e]) => `${k} = ${of(e, row)}`).join(' AND ')
const sums = 'messages, sent_parts, delivered_parts, cost'
export const addExcluded =
  'messages = messages + excluded.messages, sent_parts = sent_parts + excluded.sent_parts, ' +
  'delivered_parts = delivered_parts + excluded.delivered_parts, cost = cost + excluded.cost'

function createTable(r: Rollup): string {
  const cols = r.keys.map(([k, t]) => `  ${k} ${t} NOT NULL,`).join('\n')
  return `CREATE TABLE ${r.table} (
${cols}
  messages        INTEGER NOT NULL,
  sent_parts      INTEGER NOT NULL,
  delivered_parts INTEGER NOT NULL,
  cost            INTEGER NOT NULL,
  PRIMARY KEY (${r.keys.map(([k]) => k).join(', ')})
) STRICT, WITHOUT ROWID;`
}

/** Adds a message's contribution (as a new row or onto its key's row). */
function add(r: Rollup, row: 'new' | 'old'): string {
  const values = [...r.keys.map(([, , e]) => of(e, row)), '1', of(SENT, row), of(DELIVERED, row), `${row}.cost`].join(', ')
  const target = `${r.table} (${r.keys.map(([k]) => k).join(', ')}, ${sums})`
  if (!r.when) return `INSERT INTO ${target} VALUES (${values}) ON CONFLICT DO UPDATE SET ${addExcluded};`
  return `INSERT INTO ${target} SELECT ${values} WHERE ${of(r.when, row)} ON CONFLICT DO UPDATE SET ${addExcluded};`
}

/** Takes a message's contribution off its key's row, and drops the row when it is empty. */
function subtract(r: Rollup, row: 'new' | 'old'): string {
  const when = r.when ? ` AND ${of(r.when, row)}` : ''
  return `UPDATE ${r.table} SET messages = messages - 1, sent_parts = sent_parts - ${of(SENT, row)}, delivered_parts = delivered_parts - ${of(DELIVERED, row)}, cost = cost - ${row}.cost WHERE ${keyMatch(r, row)}${when};
  DELETE FROM ${r.table} WHERE ${keyMatch(r, row)} AND messages = 0;`
}

/** Same keys, other sums: one UPDATE by primary key. */
function change(r: Rollup): string {
  const when = r.when ? ` AND ${of(r.when, 'new')}` : ''
  return `UPDATE ${r.table} SET sent_parts = sent_parts + ${of(SENT, 'new')} - ${of(SENT, 'old')}, delivered_parts = delivered_parts + ${of(DELIVERED, 'new')} - ${of(DELIVERED, 'old')}, cost = cost + new.cost - old.cost WHERE ${keyMatch(r, 'new')}${when};`
}

const sameKeys = ['client_id', 'channel', 'country', 'operator', 'sender'].map((c) => `new.${c} = old.${c}`).concat(`${of(DAY, 'new')} = ${of(DAY, 'old')}`).join(' AND ')
const sameSums = [SENT, DELIVERED, 'M.cost'].map((e) => `${of(e, 'new')} = ${of(e, 'old')}`).join(' AND ')

/**
 * A client's sums in a table keyed by currency, rebuilt from stats_client_day (which holds
 * every key column) with a sign: '' adds them under `cur`, '-' takes them off (and drops the
 * rows of `cur` that fall to 0 on the client's days).
 */
function moveClient(r: Rollup, cur: string, sign: '' | '-', id: string): string {
  const fromClientDay = (k: string, e: string): string =>
    k === 'currency' ? cur : e === DAY ? 'day' : e === MONTH ? 'substr(day, 1, 7)' : e.replaceAll('M.', '')
  const select = r.keys.map(([k, , e]) => fromClientDay(k, e))
  const groupBy = r.keys.map(([k], i) => (k === 'currency' ? 0 : i + 1)).filter(Boolean).join(', ')
  const where = `client_id = ${id}` + (r.when ? ` AND ${r.when.replaceAll('M.', '')}` : '')
  const upsert = `INSERT INTO ${r.table} (${r.keys.map(([k]) => k).join(', ')}, ${sums})
    SELECT ${select.join(', ')}, ${sign}sum(messages), ${sign}sum(sent_parts), ${sign}sum(delivered_parts), ${sign}sum(cost)
    FROM stats_client_day WHERE ${where} GROUP BY ${groupBy}
    ON CONFLICT DO UPDATE SET ${addExcluded};`
  if (sign === '') return upsert
  const [period, , periodExpr] = r.keys[0]
  return `${upsert}
  DELETE FROM ${r.table} WHERE ${period} IN (SELECT ${fromClientDay(period, periodExpr)} FROM stats_client_day WHERE client_id = ${id})
    AND currency = ${cur} AND messages = 0;`
}

const byCurrency = ROLLUPS.filter((r) => r.keys.some(([k]) => k === 'currency'))
const hasMessages = (id: string): string => `EXISTS (SELECT 1 FROM stats_client_day WHERE client_id = ${id})`
/** Moves the sums of client `id` from currency `from` to currency `to`. */
const move = (id: string, from: string, to: string): string =>
  byCurrency.map((r) => `  ${moveClient(r, from, '-', id)}\n  ${moveClient(r, to, '', id)}`).join('\n')

/** Sums of the messages already stored (a database synced before this migration). */
function backfill(r: Rollup): string {
  const keys = r.keys.map(([k]) => k).join(', ')
  const exprs = r.keys.map(([, , e]) => e).join(', ')
  return `INSERT INTO ${r.table} (${keys}, ${sums})
  SELECT ${exprs}, count(*), sum(${SENT}), sum(${DELIVERED}), sum(M.cost) FROM messages AS M
  ${r.when ? `WHERE ${r.when}` : ''} GROUP BY ${exprs};`
}


/**
 * The triggers on messages. `gate` is an extra condition (SQL, starting with ' AND ') under
 * which they run; a later migration uses it to let a batch writer fold its own sums.
 */
export function messagesTriggers(gate: string): string[] {
  const when = gate ? `WHEN ${gate.slice(' AND '.length)} ` : ''
  return [
    `CREATE TRIGGER stats_messages_ai AFTER INSERT ON messages ${when}BEGIN
  ${ROLLUPS.map((r) => add(r, 'new')).join('\n  ')}
END;`,
    `CREATE TRIGGER stats_messages_ad AFTER DELETE ON messages BEGIN
  ${ROLLUPS.map((r) => subtract(r, 'old')).join('\n  ')}
END;`,
    `CREATE TRIGGER stats_messages_au_sums AFTER UPDATE OF ${WATCHED.join(', ')} ON messages
WHEN ${sameKeys} AND NOT (${sameSums})${gate} BEGIN
  ${ROLLUPS.map(change).join('\n  ')}
END;`,
    `CREATE TRIGGER stats_messages_au_keys AFTER UPDATE OF ${WATCHED.join(', ')} ON messages
WHEN NOT (${sameKeys})${gate} BEGIN
  ${ROLLUPS.map((r) => subtract(r, 'old')).join('\n  ')}
  ${ROLLUPS.map((r) => add(r, 'new')).join('\n  ')}
END;`
  ]
}

export const sql = [
  ...ROLLUPS.map(createTable),
  ...ROLLUPS.map(backfill),
  ...messagesTriggers(''),
  // A client's messages are counted under '' while the client is unknown, then under its currency.
  `CREATE TRIGGER stats_clients_ai AFTER INSERT ON clients WHEN new.currency <> '' AND ${hasMessages('new.id')} BEGIN
${move('new.id', "''", 'new.currency')}
END;`,
  `CREATE TRIGGER stats_clients_ad AFTER DELETE ON clients WHEN old.currency <> '' AND ${hasMessages('old.id')} BEGIN
${move('old.id', 'old.currency', "''")}
END;`,
  `CREATE TRIGGER stats_clients_au AFTER UPDATE OF id, currency ON clients
WHEN (new.id <> old.id OR new.currency <> old.currency) AND (${hasMessages('old.id')} OR ${hasMessages('new.id')}) BEGIN
${move('old.id', 'old.currency', "''")}
${move('new.id', "''", 'new.currency')}
END;`
].join('\n\n')
