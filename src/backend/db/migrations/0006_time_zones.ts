/**
 * Days of the chosen time zone (PRODUCT.md, "Days and time zones"): the statistics aggregates
 * group messages by the day (and month) of the zone chosen in Settings, no longer the UTC day.
 *
 * The zone's offsets are kept in the database as a table of transitions (computed in JS with
 * Intl when the zone is set, src/backend/stats/zone.ts): each row is the first UTC instant of an
 * offset, "YYYY-MM-DDTHH:MM:SS" (so it compares as text with the stored ISO-8601 UTC times), and
 * the offset in minutes east of UTC. The first row starts at year 0. A message's day is then
 *
 *   date(created_at, <offset of the last row starting at or before created_at> || ' minutes')
 *
 * an index seek and a date() per message, in plain SQL: the triggers stay exact in any
 * connection (no application function needed), and a rebuild computes the same days. Where
 * date() cannot read created_at (text that is not a time) the day is its first 10 characters,
 * as before. The batch writer (src/backend/stats/batch.ts) computes the same day in JS from the
 * same table.
 *
 *   stats_zone          the zone the aggregates are grouped by now, and a version that every
 *                       regrouping bumps (writers that cache the table reload it)
 *   stats_zone_offsets  that zone's transitions
 *
 * This migration starts as UTC (offset 0 from year 0): exactly the days the aggregates were
 * built with, so nothing is recounted here; the app regroups them for the chosen zone (one
 * transaction, in the background: src/backend/stats/zoneService.ts). The month tables hold the
 * month of the local day. The message triggers of 0004/0005 are replaced by the same triggers
 * with the local day, gated the same way for the batch writer; the client triggers read the
 * aggregates' own day column and stay as they are.
 *
 * Released migrations are never edited: add a new one (the SQL is pinned by
 * tests/unit/migrations.test.ts).
 */
import { ROLLUPS as UTC_ROLLUPS, addExcluded, type Rollup } from './0004_stats'

export const name = 'time_zones'

/** The local day of message `M` in the zone of stats_zone_offsets. */
export const LOCAL_DAY =
  "COALESCE(date(M.created_at, (SELECT offset_minutes FROM stats_zone_offsets WHERE utc_start <= M.created_at ORDER BY utc_start DESC LIMIT 1) || ' minutes'), substr(M.created_at, 1, 10))"

const UTC_DAY = 'substr(M.created_at, 1, 10)'
const UTC_MONTH = 'substr(M.created_at, 1, 7)'

/** 0004's rollups, with the period of the local day. */
export const LOCAL_ROLLUPS: Rollup[] = UTC_ROLLUPS.map((r) => ({
  ...r,
  keys: r.keys.map(([k, t, e]): [string, string, string] => [k, t, e === UTC_DAY ? LOCAL_DAY : e === UTC_MONTH ? `substr(${LOCAL_DAY}, 1, 7)` : e])
}))

const SENT = "(CASE WHEN M.bucket IN ('pending', 'deleted') THEN 0 ELSE M.parts END)"
const DELIVERED = "(CASE WHEN M.bucket = 'delivered' THEN M.parts ELSE 0 END)"
const WATCHED = ['client_id', 'created_at', 'channel', 'country', 'operator', 'sender', 'bucket', 'parts', 'cost']
const sums = 'messages, sent_parts, delivered_parts, cost'

const of = (expr: string, row: 'new' | 'old'): string => expr.replaceAll('M.', `${row}.`)
const keyMatch = (r: Rollup, row: 'new' | 'old'): string => r.keys.map(([k, , e]) => `${k} = ${of(e, row)}`).join(' AND ')

function add(r: Rollup, row: 'new' | 'old'): string {
  const values = [...r.keys.map(([, , e]) => of(e, row)), '1', of(SENT, row), of(DELIVERED, row), `${row}.cost`].join(', ')
  const target = `${r.table} (${r.keys.map(([k]) => k).join(', ')}, ${sums})`
  if (!r.when) return `INSERT INTO ${target} VALUES (${values}) ON CONFLICT DO UPDATE SET ${addExcluded};`
  return `INSERT INTO ${target} SELECT ${values} WHERE ${of(r.when, row)} ON CONFLICT DO UPDATE SET ${addExcluded};`
}

function subtract(r: Rollup, row: 'new' | 'old'): string {
  const when = r.when ? ` AND ${of(r.when, row)}` : ''
  return `UPDATE ${r.table} SET messages = messages - 1, sent_parts = sent_parts - ${of(SENT, row)}, delivered_parts = delivered_parts - ${of(DELIVERED, row)}, cost = cost - ${row}.cost WHERE ${keyMatch(r, row)}${when};
  DELETE FROM ${r.table} WHERE ${keyMatch(r, row)} AND messages = 0;`
}

function change(r: Rollup): string {
  const when = r.when ? ` AND ${of(r.when, 'new')}` : ''
  return `UPDATE ${r.table} SET sent_parts = sent_parts + ${of(SENT, 'new')} - ${of(SENT, 'old')}, delivered_parts = delivered_parts + ${of(DELIVERED, 'new')} - ${of(DELIVERED, 'old')}, cost = cost + new.cost - old.cost WHERE ${keyMatch(r, 'new')}${when};`
}

const sameKeys = ['client_id', 'channel', 'country', 'operator', 'sender']
  .map((c) => `new.${c} = old.${c}`)
  .concat(`${of(LOCAL_DAY, 'new')} = ${of(LOCAL_DAY, 'old')}`)
  .join(' AND ')
const sameSums = [SENT, DELIVERED, 'M.cost'].map((e) => `${of(e, 'new')} = ${of(e, 'old')}`).join(' AND ')
const GATE = ' AND (SELECT batched FROM stats_writer) = 0'

/** The four message triggers of 0004, by the local day, gated for the batch writer as in 0005. */
function messagesTriggers(): string[] {
  const when = `WHEN ${GATE.slice(' AND '.length)} `
  return [
    `CREATE TRIGGER stats_messages_ai AFTER INSERT ON messages ${when}BEGIN
  ${LOCAL_ROLLUPS.map((r) => add(r, 'new')).join('\n  ')}
END;`,
    `CREATE TRIGGER stats_messages_ad AFTER DELETE ON messages BEGIN
  ${LOCAL_ROLLUPS.map((r) => subtract(r, 'old')).join('\n  ')}
END;`,
    `CREATE TRIGGER stats_messages_au_sums AFTER UPDATE OF ${WATCHED.join(', ')} ON messages
WHEN ${sameKeys} AND NOT (${sameSums})${GATE} BEGIN
  ${LOCAL_ROLLUPS.map(change).join('\n  ')}
END;`,
    `CREATE TRIGGER stats_messages_au_keys AFTER UPDATE OF ${WATCHED.join(', ')} ON messages
WHEN NOT (${sameKeys})${GATE} BEGIN
  ${LOCAL_ROLLUPS.map((r) => subtract(r, 'old')).join('\n  ')}
  ${LOCAL_ROLLUPS.map((r) => add(r, 'new')).join('\n  ')}
END;`
  ]
}

export const sql = [
  `CREATE TABLE stats_zone (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  zone    TEXT NOT NULL,
  version INTEGER NOT NULL
) STRICT;`,
  "INSERT INTO stats_zone (id, zone, version) VALUES (1, 'UTC', 1);",
  `CREATE TABLE stats_zone_offsets (
  utc_start      TEXT PRIMARY KEY,
  offset_minutes INTEGER NOT NULL
) STRICT, WITHOUT ROWID;`,
  "INSERT INTO stats_zone_offsets (utc_start, offset_minutes) VALUES ('0000-01-01T00:00:00', 0);",
  'DROP TRIGGER stats_messages_ai;',
  'DROP TRIGGER stats_messages_ad;',
  'DROP TRIGGER stats_messages_au_sums;',
  'DROP TRIGGER stats_messages_au_keys;',
  ...messagesTriggers()
].join('\n\n')
