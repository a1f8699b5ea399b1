/**
 * The SIM provider's data (seed sim-provider-call-sms-api.ru.md): SIM cards in groups, and their
 * calls, SMS and USSD requests ("actions") in compact columns, generated day by day from
 * (seed, day) so the clock can move forward without end.
 *
 * The provider syncs with the operators once a day: an action dated day D is visible only
 * once the server's clock is on day D+1 or later (UTC). Items are served ordered by (date, sid).
 */
import { COUNTRIES, HOURLY_WEIGHTS, SIM_LABELS, USSD_CODES } from './world'
import { DAY_MS, dayStart } from './isotime'
import { Rng, hash32, type RandomSource } from './random'

export type SimActionType = 'call' | 'in_sms' | 'out_sms' | 'ussd'
const TYPES: SimActionType[] = ['call', 'in_sms', 'out_sms', 'ussd']
const TYPE_JSON = TYPES.map((t) => JSON.stringify(t))

export interface SimCard {
  id: number
  iccid: string
  original_number: string
  name: string | null
  /** Group id (select `g_<id>`), or null. */
  group: number | null
}

export interface SimGroup {
  id: number
  name: string
  simIds: number[]
}

/** One item of the call_sms report, exactly as served. */
export interface SimActionItem {
  sid: number
  date: number
  type: SimActionType
  to_number: string
  session_cost: number
  id: number
  original_number: string
  iccid: string
  name: string | null
}

export interface SimQuery {
  /** Inclusive start (unix seconds) or null. */
  fromSec: number | null
  /** Exclusive end (unix seconds) or null. */
  toSec: number | null
  /** Selected SIM indices, or null for all. */
  mask: Uint8Array | null
}

function luhn(digits: string): number {
  let sum = 0
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i])
    if (i % 2 === 0) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return (10 - (sum % 10)) % 10
}

export class SimProvider {
  readonly sims: SimCard[] = []
  readonly groups: SimGroup[] = []
  private readonly simIndex = new Map<number, number>()
  private readonly simJson: string[] = []
  private readonly simWeight: Float64Array
  private readonly simRate: Uint16Array
  private readonly perDay: number
  private readonly seed: number
  /** UTC midnight of the last day generated so far. */
  private generatedThrough: number
  // Columns (index = sid - 1).
  private len = 0
  private date = new Uint32Array(1024)
  private sim = new Uint16Array(1024)
  private type = new Uint8Array(1024)
  /** Counterpart number as digits; 0: the SIM's own number; negative: a USSD code. */
  private to = new Float64Array(1024)
  /** Cost in units of 0.0001 EUR. */
  private cost = new Uint32Array(1024)
  /** Action indices in (date, sid) order. */
  private order = new Int32Array(1024)

  constructor(options: { seed: number; now: number; days: number; sims: number; groups: number; actions: number }) {
    this.seed = options.seed
    const rng = new Rng(options.seed + 6000)
    for (let g = 1; g <= options.groups; g++) this.groups.push({ id: g, name: `Group ${g}`, simIds: [] })
    const kz = COUNTRIES[0]
    this.simWeight = new Float64Array(options.sims)
    this.simRate = new Uint16Array(options.sims)
    for (let k = 0; k < options.sims; k++) {
      const id = 1001 + k
      const country = rng.chance(0.85) ? kz : rng.pick(COUNTRIES)
      const op = rng.pick(country.operators)
      const prefix = `89${country.dial}${rng.digits(2)}`
      const body = prefix + rng.digits((rng.chance(0.8) ? 18 : 19) - prefix.length)
      const group = this.groups.length ? this.groups[k % this.groups.length].id : null
      const card: SimCard = {
        id,
        iccid: body + luhn(body),
        original_number: country.dial + rng.pick(op.codes) + rng.digits(country.subscriberDigits),
        name: rng.chance(0.8) ? `${rng.pick(SIM_LABELS)}${rng.chance(0.3) ? ` ${k + 1}` : ''}` : null,
        group
      }
      if (group !== null) this.groups[group - 1].simIds.push(id)
      this.simIndex.set(id, k)
      this.sims.push(card)
      this.simJson.push(
        `,"id":${id},"original_number":${JSON.stringify(card.original_number)},"iccid":${JSON.stringify(card.iccid)},"name":${JSON.stringify(card.name)}}`
      )
      this.simWeight[k] = 0.2 + rng.next() * 2
      this.simRate[k] = rng.int(120, 450) // out_sms price, 0.0001 EUR
    }
    this.perDay = options.sims > 0 ? Math.max(0, options.actions / (options.days + 1)) : 0
    this.generatedThrough = dayStart(options.now) - (options.days + 1) * DAY_MS
    this.ensureDays(options.now)
  }

  get actionCount(): number {
    return this.len
  }

  simIndexOf(id: number): number | undefined {
    return this.simIndex.get(id)
  }

  /** Generates every day up to the one `clock` is in (actions exist before they are visible). */
  ensureDays(clock: number): number {
    const through = dayStart(clock)
    let added = 0
    while (this.generatedThrough < through) {
      this.generatedThrough += DAY_MS
      added += this.generateDay(this.generatedThrough)
    }
    return added
  }

  private grow(need: number): void {
    if (need <= this.date.length) return
    const cap = Math.max(need, this.date.length * 2)
    const g = <A extends Uint32Array | Uint16Array | Uint8Array | Float64Array | Int32Array>(a: A, make: (n: number) => A): A => {
      const b = make(cap)
      b.set(a)
      return b
    }
    this.date = g(this.date, (n) => new Uint32Array(n))
    this.sim = g(this.sim, (n) => new Uint16Array(n))
    this.type = g(this.type, (n) => new Uint8Array(n))
    this.to = g(this.to, (n) => new Float64Array(n))
    this.cost = g(this.cost, (n) => new Uint32Array(n))
    this.order = g(this.order, (n) => new Int32Array(n))
  }

  private generateDay(day: number): number {
    if (this.sims.length === 0 || this.perDay <= 0) return 0
    const rng = new Rng(hash32(this.seed + 6001, day / DAY_MS))
    const base = this.perDay
    const count = Math.max(0, Math.round(base * (0.8 + rng.next() * 0.4)))
    const hourCum = new Float64Array(25)
    for (let h = 0; h < 24; h++) hourCum[h + 1] = hourCum[h] + HOURLY_WEIGHTS[h]
    const simCum = new Float64Array(this.sims.length)
    let total = 0
    for (let k = 0; k < this.sims.length; k++) simCum[k] = total += this.simWeight[k]
    const times = new Float64Array(count)
    for (let i = 0; i < count; i++) {
      const x = rng.next() * hourCum[24]
      let h = 0
      while (h < 23 && hourCum[h + 1] <= x) h++
      times[i] = Math.floor(day / 1000 + h * 3600 + ((x - hourCum[h]) / HOURLY_WEIGHTS[h]) * 3600)
    }
    times.sort()
    this.grow(this.len + count)
    for (let i = 0; i < count; i++) {
      const x = rng.next() * total
      let k = 0
      while (k < simCum.length - 1 && simCum[k] <= x) k++
      this.push(times[i], k, rng)
    }
    return count
  }

  private push(dateSec: number, k: number, rng: RandomSource): number {
    const i = this.len++
    const t = rng.weighted<number>([[0, 2], [1, 3], [2, 4], [3, 1]])
    this.date[i] = dateSec
    this.sim[i] = k
    this.type[i] = t
    const card = this.sims[k]
    const country = COUNTRIES.find((c) => card.original_number.startsWith(c.dial)) ?? COUNTRIES[0]
    if (t === 3) {
      this.to[i] = -(Math.floor(rng.next() * USSD_CODES.length) + 1)
      this.cost[i] = rng.chance(0.7) ? 0 : 10
    } else if (t === 1) {
      this.to[i] = 0
      this.cost[i] = 0
    } else {
      const c = rng.chance(0.9) ? country : rng.pick(COUNTRIES)
      const op = rng.pick(c.operators)
      this.to[i] = Number(c.dial + rng.pick(op.codes) + rng.digits(c.subscriberDigits))
      this.cost[i] = t === 0 ? rng.int(1, 20) * rng.int(120, 450) : this.simRate[k] * (rng.chance(0.9) ? 1 : rng.int(2, 3))
    }
    this.order[i] = i // days are generated in time order; late inserts use insertSorted
    return i
  }

  /** Position in the order of the first action with date >= sec. */
  private lowerBound(sec: number): number {
    let lo = 0
    let hi = this.len
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.date[this.order[mid]] < sec) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** The unix second before which actions are visible at `clock`: the start of its UTC day. */
  static cutoff(clock: number): number {
    return dayStart(clock) / 1000
  }

  /** Indices of the visible actions matching the query, from `offset`, at most `size`. */
  query(q: SimQuery, clock: number, offset: number, size: number): number[] {
    const upper = Math.min(q.toSec ?? Infinity, SimProvider.cutoff(clock))
    const out: number[] = []
    let skipped = 0
    for (let p = q.fromSec === null ? 0 : this.lowerBound(q.fromSec); p < this.len; p++) {
      const i = this.order[p]
      if (this.date[i] >= upper) break
      if (q.mask && !q.mask[this.sim[i]]) continue
      if (skipped < offset) {
        skipped++
        continue
      }
      out.push(i)
      if (out.length >= size) break
    }
    return out
  }

  item(i: number): SimActionItem {
    const card = this.sims[this.sim[i]]
    return {
      sid: i + 1,
      date: this.date[i],
      type: TYPES[this.type[i]],
      to_number: this.toNumber(i),
      session_cost: this.cost[i] / 10000,
      id: card.id,
      original_number: card.original_number,
      iccid: card.iccid,
      name: card.name
    }
  }

  json(i: number): string {
    return (
      '{"sid":' + (i + 1) +
      ',"date":' + this.date[i] +
      ',"type":' + TYPE_JSON[this.type[i]] +
      ',"to_number":"' + this.toNumber(i) +
      '","session_cost":' + this.cost[i] / 10000 +
      this.simJson[this.sim[i]]
    )
  }

  private toNumber(i: number): string {
    const v = this.to[i]
    if (v === 0) return this.sims[this.sim[i]].original_number
    if (v < 0) return USSD_CODES[-v - 1]
    return String(v)
  }

  /** Every action visible at `clock` matching the query, in (date, sid) order: the true data. */
  visible(clock: number, q: SimQuery = { fromSec: null, toSec: null, mask: null }): SimActionItem[] {
    return this.query(q, clock, 0, Number.MAX_SAFE_INTEGER).map((i) => this.item(i))
  }

  /**
   * A late action (the 'shift' fault): the operator's data for an earlier day arrives now, so a
   * new visible action appears dated in [fromSec, beforeSec) on one of the selected SIMs.
   */
  insertLate(q: SimQuery, fromSec: number, beforeSec: number, rng: RandomSource): number | null {
    if (beforeSec <= fromSec || this.sims.length === 0) return null
    const candidates: number[] = []
    for (let k = 0; k < this.sims.length; k++) if (!q.mask || q.mask[k]) candidates.push(k)
    if (!candidates.length) return null
    this.grow(this.len + 1)
    const dateSec = fromSec + Math.floor(rng.next() * (beforeSec - fromSec))
    const i = this.push(dateSec, rng.pick(candidates), rng)
    // Move it from the end of the order to its place by (date, sid): sid is the largest.
    const p = this.upperBoundDate(dateSec, i)
    this.order.copyWithin(p + 1, p, i)
    this.order[p] = i
    return i
  }

  private upperBoundDate(sec: number, end: number): number {
    let lo = 0
    let hi = end
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.date[this.order[mid]] <= sec) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** Date (unix seconds) of the visible matching action at `offset`, or null. */
  dateAt(q: SimQuery, clock: number, offset: number): number | null {
    const [i] = this.query(q, clock, offset, 1)
    return i === undefined ? null : this.date[i]
  }
}
