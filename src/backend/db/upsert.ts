/**
 * Idempotent batched upserts keyed by primary key. Each row carries a hash of its content:
 * an identical row is left alone, so a re-sync of unchanged data writes nothing.
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
  /** Writes rows (without row_hash; it is computed here). Must run inside a transaction. */
  write(rows: Row[]): UpsertCounts
}

export function makeUpserter(db: Db, table: string, columns: string[], key = 'id'): Upserter {
  const all = [...columns, 'row_hash']
  const placeholders = all.map((c) => '@' + c).join(', ')
  const updates = all.filter((c) => c !== key).map((c) => `${c} = excluded.${c}`).join(', ')
  const insert = db.prepare(
    `INSERT INTO ${table} (${all.join(', ')}) VALUES (${placeholders})
     ON CONFLICT(${key}) DO UPDATE SET ${updates}`
  )
  // The stored hashes of a whole batch in one query, instead of one look-up per row.
  const existing = db.prepare(
    `SELECT ${key} AS k, row_hash AS h FROM ${table} WHERE ${key} IN (SELECT value FROM json_each(?))`
  )
  return {
    write(rows) {
      const counts: UpsertCounts = { inserted: 0, updated: 0, unchanged: 0 }
      const known = new Map<string | number, string>()
      for (let i = 0; i < rows.length; i += 5000) {
        const keys = JSON.stringify(rows.slice(i, i + 5000).map((r) => r[key]))
        for (const { k, h } of existing.all(keys) as { k: string | number; h: string }[]) known.set(k, h)
      }
      for (const row of rows) {
        const hash = rowHash(row)
        const k = row[key] as string | number
        const prev = known.get(k)
        if (prev === hash) {
          counts.unchanged++
          continue
        }
        insert.run({ ...row, row_hash: hash })
        known.set(k, hash)
        if (prev === undefined) counts.inserted++
        else counts.updated++
      }
      return counts
    }
  }
}
