/**
 * Damaged records (malformed, null) are usually a passing fault of the source. A page with
 * damage is read again, and every record that came intact in any of the reads is kept; only a
 * record damaged in every read is quarantined.
 */
import type { Row } from '../db/upsert'

export interface PageRead<P, R = Row> {
  /** The page as the source sent it (records and paging data). */
  page: P
  /** How many records the page held. */
  size: number
  rows: R[]
  rejects: { reason: string; payload: unknown }[]
}

export const DAMAGED_PAGE_REREADS = 3

/** `key` names the records' key field; `keyOf` reads it from a row. */
export async function readUntilIntact<P, R>(
  read: () => Promise<PageRead<P, R>>,
  key: string,
  keyOf: (row: R) => unknown
): Promise<PageRead<P, R>> {
  let last = await read()
  if (!last.rejects.length) return last
  const intact = new Map<unknown, R>(last.rows.map((r) => [keyOf(r), r]))
  let size = last.size
  for (let n = 0; n < DAMAGED_PAGE_REREADS && intact.size < size; n++) {
    last = await read()
    size = Math.max(size, last.size)
    for (const r of last.rows) intact.set(keyOf(r), r)
  }
  const rows = [...intact.values()]
  // Whatever is still missing is quarantined: the last read's damaged records, less those
  // whose key came intact in another read.
  const rejects =
    rows.length >= size
      ? []
      : last.rejects.filter((r) => {
          const k = (r.payload as Record<string, unknown> | null)?.[key]
          return k === undefined || !intact.has(k)
        })
  return { page: last.page, size, rows, rejects }
}
