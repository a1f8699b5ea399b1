/**
 * Idempotent batched upserts keyed by primary key. A row is written only when its version
 * differs from the stored one, so a re-sync of unchanged data writes nothing. The version is
 * the source's own (the platform's updated_at) or, for sources without one, a hash of the row.
 */
import { createHash } from 'node:crypto'
import type { Db } from './connection'

export interface UpsertCounts {
  inserted: number
  updated: number
  unchanged: number
}

export type Value = string | number | null
export type Row = Record<string, Value>
/** A row as its values in the upserter's column order (how pages cross between threads). */
export type Values = Value[]

/** A row's values in `columns` order (a missing column is null). */
export function valuesOf(row: Row, columns: readonly string[]): Values {
  return columns.map((c) => row[c] ?? null)
}

export function rowHash(row: Row | Values): string {
  return createHash('sha1').update(JSON.stringify(row)).digest('base64url').slice(0, 22)
}

export interface Upserter {
  readonly columns: readonly string[]
  /** Writes rows, inside the caller's transaction or else in one of its own. */
  write(rows: Row[]): UpsertCounts
  /** The same for rows given as values in `columns` order. */
  writeValues(rows: Values[]): UpsertCounts
}

/** Told about every row an upserter writes, inside the same transaction (src/backend/stats/batch.ts). */
export interface RowTracker {
  /** Columns of the stored row handed to `change` as `old`. */
  columns: readonly string[]
  begin(): void
  /** A row was written: the tracked columns of the new row, and of the row it replaced. */
  change(now: Values, old: Values | undefined): void
  /** After the batch's last row (also after a row that failed), still inside the transaction. */
  end(): void
}

export interface UpsertOptions {
  table: string
  columns: string[]
  key?: string
  /** The column that versions a row; without it a row_hash column holds a hash of the row. */
  version?: string
  tracker?: RowTracker
}

/** Rows per look-up of the stored versions. */
const LOOKUP = 5000

export function makeUpserter(db: Db, options: UpsertOptions): Upserter {
  const { table, columns, key = 'id', tracker } = options
  const hashed = options.version === undefined
  const version = options.version ?? 'row_hash'
  const all = hashed ? [...columns, 'row_hash'] : columns
  const keyAt = columns.indexOf(key)
  const versionAt = hashed ? -1 : columns.indexOf(version)
  if (keyAt < 0 || (!hashed && versionAt < 0)) throw new Error(`${table}: the key and version must be columns`)
  const trackedAt = (tracker?.columns ?? []).map((c) => {
    const i = columns.indexOf(c)
    if (i < 0) throw new Error(`${table}: tracked column ${c} is not written`)
    return i
  })
  const updates = all.filter((c) => c !== key).map((c) => `${c} = excluded.${c}`).join(', ')
  const placeholders = all.map(() => '?').join(', ')
  const insert = db.prepare(`INSERT INTO ${table} (${all.join(', ')}) VALUES (${placeholders})`)
  const upsert = db.prepare(
    `INSERT INTO ${table} (${all.join(', ')}) VALUES (${placeholders})
     ON CONFLICT(${key}) DO UPDATE SET ${updates}`
  )
  // The stored versions (and tracked columns) of a whole batch in one query, not one per row.
  const tracked = tracker?.columns.length ? `, ${tracker.columns.join(', ')}` : ''
  const existing = db
    .prepare(`SELECT ${key}, ${version}${tracked} FROM ${table} WHERE ${key} IN (SELECT value FROM json_each(?))`)
    .raw()
  const hashedValues = new Array<Value>(all.length)

  const writeBatch = (rows: Values[]): UpsertCounts => {
    const counts: UpsertCounts = { inserted: 0, updated: 0, unchanged: 0 }
    // key -> [version, tracked columns] of the stored row, or of the batch's last write of it.
    const known = new Map<Value, [Value, Values?]>()
    for (let i = 0; i < rows.length; i += LOOKUP) {
      const keys = JSON.stringify(rows.slice(i, i + LOOKUP).map((r) => r[keyAt]))
      for (const r of existing.all(keys) as Values[]) known.set(r[0], [r[1], r.slice(2)])
    }
    tracker?.begin()
    try {
      for (const row of rows) {
        const v = hashed ? rowHash(row) : row[versionAt]
        const k = row[keyAt]
        const prev = known.get(k)
        if (prev?.[0] === v) {
          counts.unchanged++
          continue
        }
        let bound = row
        if (hashed) {
          for (let c = 0; c < columns.length; c++) hashedValues[c] = row[c] ?? null
          hashedValues[all.length - 1] = v
          bound = hashedValues
        }
        // A key not stored and not seen earlier in the batch is new: the plain insert is cheaper.
        if (prev === undefined) {
          insert.run(bound)
          counts.inserted++
        } else {
          upsert.run(bound)
          counts.updated++
        }
        if (tracker) {
          const now = trackedAt.map((i) => row[i])
          tracker.change(now, prev?.[1])
          known.set(k, [v, now])
        } else known.set(k, [v])
      }
    } finally {
      // Also after a failed row: the tracker accounts for exactly the rows that were written.
      tracker?.end()
    }
    return counts
  }
  const inTransaction = db.transaction(writeBatch)
  // Inside the caller's transaction when there is one (not a savepoint: with the statistics
  // triggers on the table, a savepoint makes SQLite journal every page each insert touches,
  // ~6x slower), else in a transaction of its own.
  const writeValues = (rows: Values[]): UpsertCounts => (db.inTransaction ? writeBatch(rows) : inTransaction(rows))

  return {
    columns,
    writeValues,
    write: (rows) => writeValues(rows.map((r) => valuesOf(r, columns)))
  }
}
