/**
 * A collection served with keyset pages over (updated_at, id): what the platform's
 * `updated_after` + `after_id` cursor reads. Updating a record moves it to the end.
 */
export interface Keyed {
  id: number
  updated_at: string
}

export interface KeysetPage<T> {
  results: T[]
  /** Rows from this page's position to the end. */
  count: number
  /** The cursor after the last row, or null at the end. */
  next: { updatedAfter: string; afterId: number } | null
}

export class KeysetCollection<T extends Keyed> {
  private readonly rows: T[] = []
  private readonly byId = new Map<number, T>()
  private lastMs = 0

  constructor(records: Iterable<T> = []) {
    for (const r of records) this.byId.set(r.id, r)
    this.rows = [...this.byId.values()].sort(compare)
    for (const r of this.rows) this.lastMs = Math.max(this.lastMs, Date.parse(r.updated_at))
  }

  get size(): number {
    return this.rows.length
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
