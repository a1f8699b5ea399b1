/**
 * Switchable fault injection for the reference server. Each kind fires on a share of the
 * responses it applies to, decided by a seeded PRNG so a failing run can be replayed.
 */
import { Rng } from './random'

export const FAULT_KINDS = [
  '5xx', // an HTTP 500/502/503 instead of the answer
  '429', // Too Many Requests with Retry-After
  'slow', // the answer comes after the client's timeout
  'reset', // the connection is dropped without an answer
  'truncated', // the JSON body is cut short
  'malformed', // records with wrong or missing fields
  'null', // null in place of a record
  'phantom', // a 200 with an empty record for an id that does not exist
  'duplicate', // rows of the previous page repeated
  'shift', // rows inserted or changed mid-sync, shifting later pages
  'cap' // every page holds at most `cap` rows, whatever size was asked (not random: always on)
] as const
export type FaultKind = (typeof FAULT_KINDS)[number]

export interface FaultOptions {
  kinds: FaultKind[]
  /** Share of eligible responses (0..1) each kind fires on. */
  rate: number
  seed?: number
  retryAfterSeconds?: number
  slowMs?: number
  /** Rows a page holds at most while `cap` is on (default 100). */
  cap?: number
}

export function parseFaults(spec: string | undefined, rate = 0.1, cap?: number): FaultOptions {
  if (!spec || spec === 'none') return { kinds: [], rate: 0 }
  const kinds = spec === 'all' ? [...FAULT_KINDS] : (spec.split(',').map((s) => s.trim()) as FaultKind[])
  for (const k of kinds) {
    if (!FAULT_KINDS.includes(k)) throw new Error(`Unknown fault kind "${k}". Known: ${FAULT_KINDS.join(', ')}`)
  }
  return { kinds, rate, ...(cap !== undefined ? { cap } : {}) }
}

export class Faults {
  private readonly rng: Rng
  private readonly on: Set<FaultKind>
  readonly counts: Record<string, number> = {}

  constructor(private options: FaultOptions = { kinds: [], rate: 0 }) {
    this.rng = new Rng(options.seed ?? 7)
    this.on = new Set(options.kinds)
  }

  get retryAfterSeconds(): number {
    return this.options.retryAfterSeconds ?? 1
  }

  get slowMs(): number {
    return this.options.slowMs ?? 5000
  }

  /** The rows a page may hold when `size` were asked: fewer while `cap` is on. */
  pageSize(size: number): number {
    const cap = this.options.cap ?? 100
    if (!this.on.has('cap') || size <= cap) return size
    this.counts.cap = (this.counts.cap ?? 0) + 1
    return cap
  }

  set(options: FaultOptions): void {
    this.options = options
    this.on.clear()
    for (const k of options.kinds) this.on.add(k)
  }

  enabled(kind: FaultKind): boolean {
    return this.on.has(kind)
  }

  /** Decides whether `kind` fires now. */
  fire(kind: FaultKind, rateScale = 1): boolean {
    if (!this.on.has(kind)) return false
    const hit = this.rng.next() < this.options.rate * rateScale
    if (hit) this.counts[kind] = (this.counts[kind] ?? 0) + 1
    return hit
  }

  /** Returns a broken copy of a record: a field removed or given a value of the wrong type. */
  corrupt<T extends object>(record: T): unknown {
    const copy: Record<string, unknown> = { ...(record as Record<string, unknown>) }
    const keys = Object.keys(copy)
    const key = keys[Math.floor(this.rng.next() * keys.length)]
    const how = Math.floor(this.rng.next() * 3)
    const value = copy[key]
    if (how === 0) delete copy[key]
    else if (how === 1) copy[key] = { unexpected: true }
    else copy[key] = typeof value === 'string' || value === null ? 12.5 : typeof value === 'number' ? `${value}x` : 'yes'
    return copy
  }

  /** Records the server can never deliver intact (a server bug, not a passing fault), by resource. */
  private readonly broken = new Map<string, 'null' | 'malformed'>()

  /** Makes one record always come damaged, in lists and by id, until repaired. */
  breakRecord(resource: string, id: number, how: 'null' | 'malformed'): void {
    this.broken.set(`${resource}:${id}`, how)
  }

  repairRecord(resource: string, id: number): void {
    this.broken.delete(`${resource}:${id}`)
  }

  get anyBroken(): boolean {
    return this.broken.size > 0
  }

  /** How a record is broken for good, if it is. */
  brokenAs(resource: string, id: unknown): 'null' | 'malformed' | undefined {
    return this.broken.size ? this.broken.get(`${resource}:${String(id)}`) : undefined
  }

  /** A record broken for good as it is sent: null, or its id kept and its updated_at unreadable. */
  brokenJson(how: 'null' | 'malformed', record: object): string {
    return how === 'null' ? 'null' : JSON.stringify({ ...record, updated_at: 'not a time' })
  }

  pick(n: number): number {
    return Math.floor(this.rng.next() * n)
  }
}
