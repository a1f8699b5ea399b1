/** Small seeded PRNGs so the reference data is the same for the same seed. */

/** Drawing helpers shared by the generators; subclasses supply `next()`. */
export abstract class RandomSource {
  /** Uniform in [0, 1). */
  abstract next(): number

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]
  }

  chance(p: number): boolean {
    return this.next() < p
  }

  digits(n: number): string {
    let s = ''
    for (let i = 0; i < n; i++) s += String(Math.floor(this.next() * 10))
    return s
  }

  /** Picks by weight: [[value, weight], ...]. */
  weighted<T>(pairs: readonly (readonly [T, number])[]): T {
    let total = 0
    for (const [, w] of pairs) total += w
    let x = this.next() * total
    for (const [v, w] of pairs) {
      x -= w
      if (x < 0) return v
    }
    return pairs[pairs.length - 1][0]
  }

  /**
   * A picker of indexes in proportion to `weights` (a binary search over the running sums),
   * for drawing many times from the same weights.
   */
  picker(weights: ArrayLike<number>): () => number {
    const cum = new Float64Array(weights.length)
    let total = 0
    for (let i = 0; i < weights.length; i++) cum[i] = total += weights[i]
    return () => {
      const x = this.next() * total
      let lo = 0
      let hi = cum.length - 1
      while (lo < hi) {
        const mid = (lo + hi) >>> 1
        if (cum[mid] <= x) lo = mid + 1
        else hi = mid
      }
      return lo
    }
  }
}

/** sfc32: the generator behind client data (its sequence for a seed never changes). */
export class Rng extends RandomSource {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor(seed: number) {
    super()
    this.a = 0x9e3779b9 ^ seed
    this.b = 0x243f6a88 ^ (seed * 31)
    this.c = 0xb7e15162 ^ (seed * 131)
    this.d = 1
    for (let i = 0; i < 15; i++) this.next()
  }

  next(): number {
    this.a |= 0
    this.b |= 0
    this.c |= 0
    this.d |= 0
    const t = (((this.a + this.b) | 0) + this.d) | 0
    this.d = (this.d + 1) | 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) | 0
    this.c = (this.c << 21) | (this.c >>> 11)
    this.c = (this.c + t) | 0
    return (t >>> 0) / 4294967296
  }
}

/** A 32-bit hash of two integers (murmur3 finaliser), for per-record random streams. */
export function hash32(a: number, b: number): number {
  let h = (Math.imul(a | 0, 0x9e3779b1) ^ Math.imul((b | 0) + 0x7f4a7c15, 0x85ebca6b)) | 0
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/**
 * mulberry32: a tiny generator that can be re-seeded without allocating, so a record can be
 * rebuilt on demand from (seed, id) alone: the same draws give the same record every time.
 */
export class HashRng extends RandomSource {
  private s = 0

  constructor(a = 0, b = 0) {
    super()
    this.reset(a, b)
  }

  reset(a: number, b: number): this {
    this.s = hash32(a, b)
    return this
  }

  next(): number {
    this.s = (this.s + 0x6d2b79f5) | 0
    let t = this.s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
