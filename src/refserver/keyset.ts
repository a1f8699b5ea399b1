/**
 * A collection served with keyset pages over (updated_at, id): what the platform's
 * `updated_after` + `after_id` cursor reads. Updating a record moves it to the end.
 */
import type { JsonSink } from './jsonsink'

export interface Keyed {
  id: number
  updated_at: string
}

export interface KeysetCursor {
  updatedAfter: string
  afterId: number
}

export interface KeysetPage<T> {
  results: T[]
  /** Rows from this page's position to the end. */
  count: number
  /** The cursor after the last row, or null at the end. */
  next: KeysetCursor | null
}

/**
 * What a keyset list endpoint serves from: rows of some handle type R (a record, or an index
 * into compact columns), in (updated_at, id) order, each turned into JSON or a plain object.
 */
export interface KeysetSource<R> {
  readonly size: number
  /** Changes with every change of the data (so a page rendered ahead can be known stale). */
  readonly version: number
  pageRows(updatedAfterMs: number | null, afterId: number, size: number): { rows: R[]; count: number; next: KeysetCursor | null }
  /** Up to n rows just before the cursor (what a previous page ended with). */
  rowsBefore(updatedAfterMs: number, afterId: number, n: number): R[]
  rowJson(row: R): string
  /** Writes the row's JSON into the page being built. */
  writeRowJson(row: R, sink: JsonSink): void
  rowObject(row: R): object
}

export class KeysetCollection<T extends Keyed> implements KeysetSource<T> {
  private readonly rows: T[] = []
  private readonly byId = new Map<number, T>()
  private lastMs = 0
  private changes = 0

  constructor(records: Iterable<T> = []) {
    for (const r of records) this.byId.set(r.id, r)
    this.rows = [...this.byId.values()].sort(compare)
    for (const r of this.rows) this.lastMs = Math.max(this.lastMs, Date.parse(r.updated_at))
  }

  get size(): number {
    return this.rows.length
  }

  get version(): number {
    return this.changes
  }

  get(id: number): T | undefined {
    return this.byId.get(id)
  }

  all(): readonly T[] {
    return this.rows
  }

  /** A strictly increasing timestamp, so every change sorts after every earlier one. */
  tick(now = Date.now()): string {
    this.lastMs = Math.max(this.lastMs + 1, now)
    return new Date(this.lastMs).toISOString()
  }

  /** Inserts or replaces a record, stamping it with a fresh updated_at. */
  put(record: T, now = Date.now()): T {
    const stamped = { ...record, updated_at: this.tick(now) }
    this.changes++
    const old = this.byId.get(record.id)
    if (old) this.rows.splice(this.indexOf(old), 1)
    this.rows.push(stamped)
    this.byId.set(record.id, stamped)
    return stamped
  }

  private indexOf(r: T): number {
    const i = this.lowerBound(Date.parse(r.updated_at), r.id)
    return this.rows[i] === r ? i : this.rows.indexOf(r)
  }

  /** First index whose (ms, id) is >= the given key. */
  private lowerBound(ms: number, id: number): number {
    let lo = 0
    let hi = this.rows.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const r = this.rows[mid]
      const rm = Date.parse(r.updated_at)
      if (rm < ms || (rm === ms && r.id < id)) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  pageRows(updatedAfterMs: number | null, afterId: number, size: number): { rows: T[]; count: number; next: KeysetCursor | null } {
    const page = this.page(updatedAfterMs === null ? null : new Date(updatedAfterMs).toISOString(), afterId, size)
    return { rows: page.results, count: page.count, next: page.next }
  }

  rowsBefore(updatedAfterMs: number, afterId: number, n: number): T[] {
    const start = this.lowerBound(updatedAfterMs, afterId + 1)
    return this.rows.slice(Math.max(0, start - n), start)
  }

  rowJson(row: T): string {
    return JSON.stringify(row)
  }

  writeRowJson(row: T, sink: JsonSink): void {
    sink.raw(JSON.stringify(row))
  }

  rowObject(row: T): object {
    return row
  }

  page(updatedAfter: string | null, afterId: number, size: number): KeysetPage<T> {
    let start = 0
    if (updatedAfter !== null) start = this.lowerBound(Date.parse(updatedAfter), afterId + 1)
    const results = this.rows.slice(start, start + size)
    const last = results[results.length - 1]
    const more = start + size < this.rows.length
    return {
      results,
      count: this.rows.length - start,
      next: more && last ? { updatedAfter: last.updated_at, afterId: last.id } : null
    }
  }
}

function compare(a: Keyed, b: Keyed): number {
  return Date.parse(a.updated_at) - Date.parse(b.updated_at) || a.id - b.id
}
