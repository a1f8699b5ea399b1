/**
 * The dispatch (campaign) service's data (seed dispatch-reports-api.ru.md): dispatches with
 * snapshot counts of their messages by status. The counts are a deterministic function of time:
 * the service is simulated in 10-minute steps on a fixed grid, each step drawn from (seed,
 * dispatch, step), so any sequence of advance() calls reaching the same clock gives the same
 * counts. While a dispatch runs, messages are created, sent (completed, error or timeout), and
 * errors and timeouts are retried into completed; after its end the unsent ones time out.
 */
import { isoSeconds } from './isotime'
import { HashRng, Rng, hash32, type RandomSource } from './random'
import { COUNTRIES, DISPATCH_TAGS, DISPATCH_TEXTS } from './world'

export interface DispatchRecord {
  id: string
  start_datetime: string
  end_datetime: string
  message_text: string
  filter_mobile_operator_code__code: string
  filter_tag__code: string
  created: number
  completed: number
  error: number
  timeout: number
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const STEP = 10 * 60_000
const HOUR = 3_600_000

interface Dispatch {
  key: number
  id: string
  start: number
  end: number
  text: string
  operator: string
  tag: string
  target: number
  created: number
  completed: number
  error: number
  timeout: number
  /** The last step simulated (step k happens at k × STEP). */
  step: number
}

export function uuid4(rng: RandomSource): string {
  let hex = ''
  for (let i = 0; i < 32; i++) hex += Math.floor(rng.next() * 16).toString(16)
  const variant = (8 + Math.floor(rng.next() * 4)).toString(16)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

const OPERATOR_CODES = COUNTRIES.flatMap((c) => c.operators.flatMap((o) => o.codes))

export class DispatchStore {
  private readonly list: Dispatch[] = []
  private readonly byId = new Map<string, Dispatch>()
  private readonly seed: number
  private readonly newRng: Rng
  private readonly stepRng = new HashRng()
  private clock: number

  constructor(options: { seed: number; now: number; days: number; count: number }) {
    this.seed = options.seed
    this.clock = options.now
    const rng = new Rng(options.seed + 7000)
    this.newRng = new Rng(options.seed + 7001)
    const made: Dispatch[] = []
    for (let k = 0; k < options.count; k++) {
      const upcoming = rng.chance(0.15)
      const start = upcoming
        ? options.now + rng.int(1, 72) * HOUR
        : options.now - rng.int(0, Math.max(1, options.days) * 24) * HOUR - rng.int(0, 59) * 60_000
      made.push(this.make(k, rng, Math.floor(start / 60_000) * 60_000))
    }
    made.sort((a, b) => a.start - b.start || (a.id < b.id ? -1 : 1))
    for (const d of made) this.add(d)
    this.advanceTo(options.now)
  }

  private make(key: number, rng: RandomSource, start: number): Dispatch {
    const template = rng.pick(DISPATCH_TEXTS)
    return {
      key,
      id: uuid4(rng),
      start,
      end: start + rng.int(1, 7 * 24) * HOUR,
      text: template.replace('{n}', String(rng.int(1, 99))).replace('{p}', String(rng.int(2, 14) * 5)),
      operator: rng.pick(OPERATOR_CODES),
      tag: rng.pick(DISPATCH_TAGS),
      target: rng.chance(0.1) ? 0 : Math.round(10 * Math.pow(2000, rng.next())),
      created: 0,
      completed: 0,
      error: 0,
      timeout: 0,
      step: Math.floor(start / STEP)
    }
  }

  private add(d: Dispatch): void {
    this.list.push(d)
    this.byId.set(d.id, d)
  }

  get size(): number {
    return this.list.length
  }

  /** Runs every dispatch forward to `clock`; returns how many dispatches' counts changed. */
  advanceTo(clock: number): number {
    this.clock = Math.max(this.clock, clock)
    let changed = 0
    for (const d of this.list) {
      const before = [d.created, d.completed, d.error, d.timeout].join()
      const last = Math.min(Math.floor(this.clock / STEP), Math.floor(d.end / STEP) + 1)
      while (d.step < last) this.step(d, ++d.step)
      if (before !== [d.created, d.completed, d.error, d.timeout].join()) changed++
    }
    return changed
  }

  private step(d: Dispatch, k: number): void {
    const t = k * STEP
    if (t < d.start || d.target === 0) return
    const r = this.stepRng.reset(hash32(this.seed + 7002, d.key), k)
    if (t > d.end) {
      // The dispatch is over: what was never sent times out.
      d.timeout += d.created
      d.created = 0
      return
    }
    const total = d.created + d.completed + d.error + d.timeout
    d.created += Math.min(d.target - total, Math.max(1, Math.round(d.target * 0.08)))
    const sent = Math.round(d.created * (0.5 + r.next() * 0.4))
    const errors = Math.round(sent * (0.02 + r.next() * 0.08))
    const timeouts = Math.round((sent - errors) * (0.01 + r.next() * 0.04))
    d.created -= sent
    d.completed += sent - errors - timeouts
    // Retries: part of the earlier errors and timeouts go through this time.
    const retriedErrors = Math.round(d.error * (0.3 + r.next() * 0.3))
    const retriedTimeouts = Math.round(d.timeout * (0.2 + r.next() * 0.3))
    d.error += errors - retriedErrors
    d.timeout += timeouts - retriedTimeouts
    d.completed += retriedErrors + retriedTimeouts
  }

  private record(d: Dispatch): DispatchRecord {
    return {
      id: d.id,
      start_datetime: isoSeconds(d.start),
      end_datetime: isoSeconds(d.end),
      message_text: d.text,
      filter_mobile_operator_code__code: d.operator,
      filter_tag__code: d.tag,
      created: d.created,
      completed: d.completed,
      error: d.error,
      timeout: d.timeout
    }
  }

  /** Every dispatch as the list endpoint serves it (the true data). */
  all(): DispatchRecord[] {
    return this.list.map((d) => this.record(d))
  }

  get(id: string): DispatchRecord | undefined {
    const d = this.byId.get(id.toLowerCase())
    return d ? this.record(d) : undefined
  }

  /** A new dispatch appears (the 'shift' fault): scheduled to start within the next two hours. */
  addNew(): DispatchRecord {
    const start = Math.floor((this.clock + this.newRng.int(1, 120) * 60_000) / 60_000) * 60_000
    const d = this.make(this.list.length + 1_000_000, this.newRng, start)
    d.step = Math.floor(this.clock / STEP)
    this.add(d)
    return this.record(d)
  }
}
