/**
 * The statistics aggregates folded once per batch (migration 0005_stats_batches): the
 * messages upserter tells this tracker every row it writes, with the stored row it replaces;
 * the tracker sums what each (day, client, channel, country, operator, sender) gains and
 * loses in memory, then adds those sums to the four aggregate tables with one statement per
 * table, at the end of the batch, inside the caller's transaction. The triggers of 0004 stand aside meanwhile
 * (stats_writer.batched = 1) and keep every other write exact.
 *
 * A message's contribution is the one the triggers add (0004_stats.ts): 1 message; its parts
 * as sent parts unless its bucket is pending or deleted; its parts as delivered parts when the
 * bucket is delivered; its cost. Its day is the day of the statistics' time zone, computed in
 * JS from the same transitions table the triggers read (0006_time_zones.ts, ./zone.ts). The
 * other tables' keys are derived from the day key rows with the same SQL expressions the
 * triggers use (ROLLUPS), currency included.
 */
import type { Db } from '../db/connection'
import { ROLLUPS, addExcluded, type Rollup } from '../db/migrations/0004_stats'
import type { RowTracker, Value, Values } from '../db/upsert'
import { LocalDays } from './zone'

/** What the tracker reads of a stored message (the columns the 0004 update triggers watch). */
const TRACKED = ['client_id', 'created_at', 'channel', 'country', 'operator', 'sender', 'bucket', 'parts', 'cost'] as const
const [CLIENT, CREATED, CHANNEL, COUNTRY, OPERATOR, SENDER, BUCKET, PARTS, COST] = TRACKED.map((_, i) => i)

/** One key's change: day (as created_at, so the rollups' substr() keys apply), the key, the sums. */
type Delta = [string, Value, Value, Value, Value, Value, number, number, number, number]
const MESSAGES = 6
const SENT = 7
const DELIVERED = 8
const COSTS = 9

/**
 * A batch's changes per key, shaped like a message (created_at holds the day, so every rollup's
 * key expressions read it as they read a message) and held in a temporary table of this
 * connection: each rollup then groups them in SQL with the expressions the triggers use.
 */
const DELTAS_TABLE = `CREATE TEMP TABLE IF NOT EXISTS stats_batch_deltas (
  created_at TEXT NOT NULL, client_id INTEGER NOT NULL, channel TEXT NOT NULL, country TEXT NOT NULL,
  operator TEXT NOT NULL, sender TEXT NOT NULL,
  messages INTEGER NOT NULL, sent_parts INTEGER NOT NULL, delivered_parts INTEGER NOT NULL, cost INTEGER NOT NULL
)`

function addSql(r: Rollup): string {
  const names = r.keys.map(([k]) => k).join(', ')
  const exprs = r.keys.map(([, , e]) => e).join(', ')
  return `INSERT INTO main.${r.table} (${names}, messages, sent_parts, delivered_parts, cost)
SELECT ${exprs}, sum(M.messages), sum(M.sent_parts), sum(M.delivered_parts), sum(M.cost)
FROM temp.stats_batch_deltas AS M WHERE ${r.when ?? 'true'} GROUP BY ${r.keys.map((_, i) => i + 1).join(', ')}
HAVING sum(M.messages) <> 0 OR sum(M.sent_parts) <> 0 OR sum(M.delivered_parts) <> 0 OR sum(M.cost) <> 0
ON CONFLICT DO UPDATE SET ${addExcluded}`
}

/** Drops the rows a batch emptied (only keys that lost messages can be empty). */
function tidySql(r: Rollup): string {
  return `DELETE FROM main.${r.table} WHERE messages = 0 AND (${r.keys.map(([k]) => k).join(', ')}) IN (
  SELECT ${r.keys.map(([, , e]) => e).join(', ')} FROM temp.stats_batch_deltas AS M WHERE M.messages < 0 AND ${r.when ?? 'true'})`
}

export function statsBatchTracker(db: Db): RowTracker {
  db.exec(DELTAS_TABLE)
  const batched = db.prepare('UPDATE main.stats_writer SET batched = ?')
  const keep = db.prepare('INSERT INTO temp.stats_batch_deltas VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
  const clear = db.prepare('DELETE FROM temp.stats_batch_deltas')
  const add = ROLLUPS.map((r) => db.prepare(addSql(r)))
  const tidy = ROLLUPS.map((r) => db.prepare(tidySql(r)))
  const deltas = new Map<string, Delta>()
  const days = new LocalDays(db)

  /** Adds (sign 1) or takes off (-1) one message's contribution, `m` its tracked columns. */
  const fold = (m: Values, sign: 1 | -1): void => {
    const day = days.day(String(m[CREATED]))
    const key = `${day}\u0000${m[CLIENT]}\u0000${m[CHANNEL]}\u0000${m[COUNTRY]}\u0000${m[OPERATOR]}\u0000${m[SENDER]}`
    let d = deltas.get(key)
    if (!d) {
      d = [day, m[CLIENT], m[CHANNEL], m[COUNTRY], m[OPERATOR], m[SENDER], 0, 0, 0, 0]
      deltas.set(key, d)
    }
    const bucket = m[BUCKET]
    const parts = m[PARTS] as number
    d[MESSAGES] += sign
    if (bucket !== 'pending' && bucket !== 'deleted') d[SENT] += sign * parts
    if (bucket === 'delivered') d[DELIVERED] += sign * parts
    d[COSTS] += sign * (m[COST] as number)
  }

  return {
    columns: TRACKED,
    begin() {
      deltas.clear()
      days.refresh()
      batched.run(1)
    },
    change(now, old) {
      fold(now, 1)
      if (old) fold(old, -1)
    },
    end() {
      let changed = 0
      let emptied = 0
      for (const d of deltas.values()) {
        if (!(d[MESSAGES] || d[SENT] || d[DELIVERED] || d[COSTS])) continue
        keep.run(d)
        changed++
        if (d[MESSAGES] < 0) emptied++
      }
      deltas.clear()
      if (changed) {
        for (const s of add) s.run()
        if (emptied) for (const s of tidy) s.run()
        clear.run()
      }
      batched.run(0)
    }
  }
}
