/**
 * A growable UTF-8 byte buffer for building large JSON answers without intermediate strings:
 * constant pieces are pre-encoded, numbers and timestamps are written as digits, and only
 * free text goes through the UTF-8 encoder. The bytes are copied out once per response.
 */
import { DAY_MS } from './isotime'

type Utf8Write = (this: Buffer, s: string, offset: number, length?: number) => number

// Buffer#utf8Write is Node's fast path behind Buffer#write (present since Node 0.x); fall back
// to the public method if a runtime lacks it.
const proto = Buffer.prototype as unknown as { utf8Write?: Utf8Write }
const utf8Write: Utf8Write =
  typeof proto.utf8Write === 'function' ? proto.utf8Write : function (this: Buffer, s: string, offset: number) {
    return this.write(s, offset, 'utf8')
  }

let scratch = Buffer.allocUnsafe(1 << 20)
const dayPrefix = new Map<number, Uint8Array>()

/** Pre-encodes a constant piece of JSON. */
export function bytes(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'utf8'))
}

export class JsonSink {
  private buf = scratch
  private off = 0

  /** Makes room for `n` more bytes (the write methods below assume the room is there). */
  reserve(n: number): this {
    if (this.off + n <= this.buf.length) return this
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.off + n))
    this.buf.copy(next, 0, 0, this.off)
    this.buf = next
    scratch = next
    return this
  }

  /** Appends a string as UTF-8 (already JSON: the caller escapes). */
  raw(s: string): this {
    this.reserve(s.length * 3)
    this.off += utf8Write.call(this.buf, s, this.off)
    return this
  }

  /** Appends a JSON string literal. */
  str(s: string): this {
    return this.raw(jsonString(s))
  }

  /** Appends a string known to be ASCII (digits, codes). Needs reserve(). */
  ascii(s: string): this {
    const b = this.buf
    let o = this.off
    for (let i = 0; i < s.length; i++) b[o++] = s.charCodeAt(i)
    this.off = o
    return this
  }

  /** Appends pre-encoded bytes. Needs reserve(). */
  bytes(u: Uint8Array): this {
    const b = this.buf
    let o = this.off
    if (u.length > 64) {
      b.set(u, o)
      o += u.length
    } else for (let i = 0; i < u.length; i++) b[o++] = u[i]
    this.off = o
    return this
  }

  byte(c: number): this {
    this.reserve(1)
    this.buf[this.off++] = c
    return this
  }

  /** Appends a non-negative safe integer in decimal. Needs reserve(). */
  int(n: number): this {
    if (n < 10) {
      this.buf[this.off++] = 48 + n
      return this
    }
    return this.ascii(String(n))
  }

  /** Appends `new Date(ms).toISOString()` (without quotes). Needs reserve(). */
  iso(ms: number): this {
    const day = Math.floor(ms / DAY_MS)
    let prefix = dayPrefix.get(day)
    if (prefix === undefined) {
      prefix = bytes(new Date(day * DAY_MS).toISOString().slice(0, 11))
      if (dayPrefix.size > 20_000) dayPrefix.clear()
      dayPrefix.set(day, prefix)
    }
    const b = this.buf
    let o = this.off
    for (let i = 0; i < 11; i++) b[o++] = prefix[i]
    let r = ms - day * DAY_MS
    const h = Math.floor(r / 3_600_000)
    r -= h * 3_600_000
    const m = Math.floor(r / 60_000)
    r -= m * 60_000
    const s = Math.floor(r / 1000)
    r -= s * 1000
    b[o++] = 48 + ((h / 10) | 0)
    b[o++] = 48 + (h % 10)
    b[o++] = 58
    b[o++] = 48 + ((m / 10) | 0)
    b[o++] = 48 + (m % 10)
    b[o++] = 58
    b[o++] = 48 + ((s / 10) | 0)
    b[o++] = 48 + (s % 10)
    b[o++] = 46
    b[o++] = 48 + ((r / 100) | 0)
    b[o++] = 48 + (((r / 10) | 0) % 10)
    b[o++] = 48 + (r % 10)
    b[o++] = 90
    this.off = o
    return this
  }

  get length(): number {
    return this.off
  }

  /** A copy of the bytes written (the scratch buffer is reused by the next response). */
  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.off))
  }

  toString(): string {
    return this.buf.toString('utf8', 0, this.off)
  }
}

/** Characters JSON.stringify would escape (quotes, backslash, controls, lone surrogates). */
// eslint-disable-next-line no-control-regex
export const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/

/** A JSON string literal, without JSON.stringify when nothing needs escaping. */
export function jsonString(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : '"' + s + '"'
}
