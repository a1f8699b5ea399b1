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
  const existing = db.prepare(`SELECT row_hash FROM ${table} WHERE ${key} = ?`).pluck()
  return {
    write(rows) {
      const counts: UpsertCounts = { inserted: 0, updated: 0, unchanged: 0 }
      for (const row of rows) {
        const hash = rowHash(row)
        const prev = existing.get(row[key]) as string | undefined
        if (prev === hash) {
          counts.unchanged++
          continue
        }
        insert.run({ ...row, row_hash: hash })
        if (prev === undefined) counts.inserted++
        else counts.updated++
      }
      return counts
    }
  }
}
