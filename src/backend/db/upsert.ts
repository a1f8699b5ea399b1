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

export type Row = Record<string, string | number | null>

export function rowHash(row: Row): string {
  return createHash('sha1').update(JSON.stringify(row)).digest('base64url').slice(0, 22)
}

export interface Upserter {
  /** Writes rows; must run inside a transaction. */
  write(rows: Row[]): UpsertCounts
}

export interface UpsertOptions {
  table: string
  columns: string[]
  key?: string
  /** The column that versions a row; without it a row_hash column holds a hash of the row. */
  version?: string
}

export function makeUpserter(db: Db, options: UpsertOptions): Upserter {
  const { table, key = 'id' } = options
  const hashed = options.version === undefined
  const version = options.version ?? 'row_hash'
  const all = hashed ? [...options.columns, 'row_hash'] : options.columns
  const updates = all.filter((c) => c !== key).map((c) => `${c} = excluded.${c}`).join(', ')
  const placeholders = all.map(() => '?').join(', ')
  const insert = db.prepare(`INSERT INTO ${table} (${all.join(', ')}) VALUES (${placeholders})`)
  const upsert = db.prepare(
    `INSERT INTO ${table} (${all.join(', ')}) VALUES (${placeholders})
     ON CONFLICT(${key}) DO UPDATE SET ${updates}`
  )
  // The stored versions of a whole batch in one query, instead of one look-up per row.
  const existing = db
    .prepare(`SELECT ${key} AS k, ${version} AS v FROM ${table} WHERE ${key} IN (SELECT value FROM json_each(?))`)
    .raw()
  const values = new Array<string | number | null>(all.length)
  return {
    write(rows) {
      const counts: UpsertCounts = { inserted: 0, updated: 0, unchanged: 0 }
      const known = new Map<unknown, unknown>()
      for (let i = 0; i < rows.length; i += 5000) {
        const keys = JSON.stringify(rows.slice(i, i + 5000).map((r) => r[key]))
        for (const [k, v] of existing.all(keys) as [unknown, unknown][]) known.set(k, v)
      }
      for (const row of rows) {
        const v = hashed ? rowHash(row) : row[version]
        const k = row[key]
        const prev = known.get(k)
        if (prev === v) {
          counts.unchanged++
          continue
        }
        for (let c = 0; c < options.columns.length; c++) values[c] = row[options.columns[c]] ?? null
        if (hashed) values[all.length - 1] = v as string
        // A key not stored and not seen earlier in the batch is new: the plain insert is cheaper.
        if (prev === undefined) insert.run(values)
        else upsert.run(values)
        known.set(k, v)
        if (prev === undefined) counts.inserted++
        else counts.updated++
      }
      return counts
    }
  }
}
