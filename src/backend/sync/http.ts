/**
 * JSON over HTTP for the sync clients: a per-request timeout, retries with exponential
 * backoff and full jitter, Retry-After honoured, and every failure classified into an
 * AppError code the UI can translate. Tokens are sent as a bearer header and never logged.
 *
 * Nothing a server does can hang a call or make it take in unbounded data:
 * - each attempt has its own deadline covering connect, headers and the whole body, kept by a
 *   timer of ours that rejects the attempt and destroys the body stream itself — it does not
 *   depend on an AbortSignal reaching the HTTP client (composite signals can be collected
 *   while a body is read, and then a server that drips a byte a second held the sync forever).
 *   undici's own connect, headers and body timeouts back it up;
 * - the caller's signal (Cancel) ends an attempt, or the sleep between two, at once;
 * - `deadlineMs` bounds the whole call, retries included;
 * - a body larger than `maxBytes` is refused from its Content-Length, or as soon as the bytes
 *   read pass the limit, and the stream is destroyed;
 * - a body nested deeper than `maxDepth` is refused before it is parsed (the schemas and
 *   JSON.stringify recurse, and 100,000 levels overflow the stack).
 */
import type { Readable } from 'node:stream'
import { Agent, request } from 'undici'
import { AppError } from '../../shared/errors'

export interface RetryPolicy {
  retries: number
  baseDelayMs: number
  maxDelayMs: number
}

export interface RequestOptions {
  method?: 'GET' | 'POST'
  body?: unknown
  token?: string
  /** Extra request headers (e.g. an Idempotency-Key). */
  headers?: Record<string, string>
  /** The longest Retry-After honoured within one call (default 120 s). */
  maxRetryAfterMs?: number
  /** The longest one attempt may take, from connecting to the last byte of the body (default 20 s). */
  timeoutMs?: number
  /** The longest the whole call may take, retries and their sleeps included (default: no bound). */
  deadlineMs?: number
  /** The largest body taken in (default 16 MiB); a larger one is refused, not retried. */
  maxBytes?: number
  /** The deepest nesting of arrays and objects accepted in a body (default 64). */
  maxDepth?: number
  signal?: AbortSignal
  retry?: Partial<RetryPolicy>
  /** Called before each retry, with the reason, so the engine can count retries. */
  onRetry?: (reason: AppError, attempt: number, delayMs: number) => void
}

export interface JsonResponse {
  status: number
  body: unknown
}

/** A refusal (4xx other than auth and throttling), with the server's {detail, code} when it sent one. */
export interface Refusal {
  status: number
  detail: string
  code: string | null
}

export function refusalOf(e: unknown): Refusal | null {
  return (e as { refusal?: Refusal } | null)?.refusal ?? null
}

function refusal(text: string, status: number): Refusal {
  try {
    const body = JSON.parse(text) as { detail?: unknown; code?: unknown }
    if (body && typeof body === 'object') {
      const detail = typeof body.detail === 'string' && body.detail.trim() ? body.detail.slice(0, 1000) : `HTTP ${status}`
      const code = typeof body.code === 'string' && body.code ? body.code.slice(0, 100) : null
      return { status, detail, code }
    }
  } catch {
    // not JSON: an HTML error page, say
  }
  return { status, detail: `HTTP ${status}`, code: null }
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 5, baseDelayMs: 250, maxDelayMs: 15_000 }
export const DEFAULT_TIMEOUT_MS = 20_000
/** A sync page is a few MiB at most; this leaves room and still bounds the memory one answer takes. */
export const DEFAULT_MAX_BYTES = 16 * 1024 * 1024
/** The contracts nest a few levels; 64 is far beyond them and far below what overflows a stack. */
export const DEFAULT_MAX_DEPTH = 64
/** Of an error answer (4xx, 5xx) only this much is read: enough for a {detail, code}. */
const ERROR_BODY_BYTES = 64 * 1024

/** Parses Retry-After (seconds or an HTTP date) into milliseconds. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (!header) return null
  const seconds = Number(header)
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000
  const date = Date.parse(header)
  return Number.isNaN(date) ? null : Math.max(0, date - now)
}

/**
 * How deep the arrays and objects of a JSON text nest, counting `[` and `{` outside strings
 * (a backslash escapes the next byte inside a string), fed the raw UTF-8 bytes chunk by
 * chunk as they arrive — every byte of a multi-byte character is >= 0x80, so none is taken
 * for a bracket or a quote, and a chunk may end anywhere. It stops as soon as the depth passes
 * `maxDepth`; `open` tells a text that ended inside a string or with brackets left open: a
 * body cut short.
 *
 * One pass, two comparisons per byte of a string, run while the body is read (so it overlaps
 * with the network): tests/unit/http.test.ts measures it against JSON.parse on a 10 MB page.
 */
export class NestingScan {
  tooDeep = false
  private depth = 0
  private inString = false
  /** Bytes to skip at the start of the next chunk: 1 when a chunk ended on a string's backslash. */
  private skip = 0

  constructor(readonly maxDepth: number) {}

  /** Scans the next bytes; false once the nesting is deeper than maxDepth (read no further). */
  feed(bytes: Uint8Array): boolean {
    if (this.tooDeep) return false
    const n = bytes.length
    const max = this.maxDepth
    let depth = this.depth
    let inString = this.inString
    let i = this.skip
    while (i < n) {
      if (inString) {
        // skip to the closing quote (or the end of the chunk)
        while (i < n) {
          const d = bytes[i++]
          if (d === 0x22) {
            inString = false
            break
          }
          if (d === 0x5c) i++
        }
        continue
      }
      const c = bytes[i++]
      if (c === 0x22) inString = true
      else if (c === 0x5b || c === 0x7b) {
        if (++depth > max) {
          this.tooDeep = true
          return false
        }
      } else if (c === 0x5d || c === 0x7d) depth--
    }
    this.skip = i - n
    this.depth = depth
    this.inString = inString
    return true
  }

  get open(): boolean {
    return this.inString || this.depth > 0
  }
}

/** The nesting of a whole JSON text (see NestingScan). */
export function jsonNesting(bytes: Uint8Array, maxDepth: number): { tooDeep: boolean; open: boolean } {
  const scan = new NestingScan(maxDepth)
  scan.feed(bytes)
  return { tooDeep: scan.tooDeep, open: !scan.tooDeep && scan.open }
}

function describeUrl(url: string): string {
  try {
    const u = new URL(url)
    return `${u.origin}${u.pathname}`
  } catch {
    return 'invalid URL'
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelled())
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = (): void => {
      clearTimeout(t)
      reject(cancelled())
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

function cancelled(): AppError {
  return new AppError('sync_cancelled', 'Cancelled')
}

function timedOut(where: string, seconds: number, detail = ''): AppError {
  return new AppError('server_timeout', `No answer from ${where} within ${seconds} s${detail}`, { url: where, seconds })
}

function mib(bytes: number): number {
  return Number((bytes / 2 ** 20).toPrecision(3))
}

function tooLarge(where: string, limit: number, size: number | null): AppError {
  const what = size === null ? `more than ${limit} bytes` : `${size} bytes`
  return new AppError(
    'response_too_large',
    `${where} sent an answer of ${what}, more than the ${limit} bytes SMS Desk takes in one answer`,
    { url: where, limit: mib(limit) }
  )
}

function truncated(where: string, received: number, expected: number | null, why = ''): AppError {
  const of = expected === null ? '' : ` of ${expected}`
  return new AppError('response_truncated', `The answer from ${where} was cut short after ${received}${of} bytes${why}`, {
    url: where,
    received
  })
}

/** True for failures worth another attempt. */
function retryable(e: AppError, status: number | null): boolean {
  if (e.code === 'server_unreachable' || e.code === 'server_timeout') return true
  if (e.code === 'response_truncated') return true // the next answer may come whole
  if (e.code === 'bad_response') return true // garbled JSON: ask again
  if (status === 408 || status === 425 || status === 429 || (status !== null && status >= 500)) return true
  return false
}

/** undici's codes for its own timeouts (connect, headers, gap between two body chunks). */
const UNDICI_TIMEOUTS = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'])

function errorCode(err: unknown): string {
  const e = err as { code?: unknown; cause?: { code?: unknown }; message?: unknown } | null
  return String(e?.code ?? e?.cause?.code ?? e?.message ?? err)
}

/**
 * One agent per attempt timeout, with undici's own timeouts set to it: connecting, waiting
 * for the headers and waiting between two chunks of the body. They back up the attempt's
 * deadline (which covers the whole body); the agents also keep connections alive between pages.
 */
const agents = new Map<number, Agent>()
const MAX_AGENTS = 8

function agentFor(timeoutMs: number): Agent {
  let agent = agents.get(timeoutMs)
  if (!agent) {
    if (agents.size >= MAX_AGENTS) {
      const [oldest, old] = agents.entries().next().value!
      agents.delete(oldest)
      void old.close() // lets its requests in flight finish
    }
    agent = new Agent({ connect: { timeout: timeoutMs }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs })
    agents.set(timeoutMs, agent)
  }
  return agent
}

/**
 * What ends an attempt early: its deadline, or the caller's signal. Everything it needs — the
 * timer, the listener on the caller's signal, the controller whose signal undici gets, the
 * body to destroy — is held here, strongly, until `end()`; `stopped` rejects with the reason
 * the moment either fires, so an attempt that races it never waits on undici to notice.
 */
class AttemptWatch {
  readonly controller = new AbortController()
  readonly stopped: Promise<never>
  reason: AppError | null = null
  private reject!: (e: AppError) => void
  private body: Readable | null = null
  private readonly timer: NodeJS.Timeout
  private readonly onCancel = (): void => this.stop(cancelled())

  constructor(
    ms: number,
    private readonly signal: AbortSignal | undefined,
    onTimeout: () => AppError
  ) {
    this.stopped = new Promise<never>((_, reject) => (this.reject = reject))
    this.stopped.catch(() => undefined) // raced, or not awaited at all
    this.timer = setTimeout(() => this.stop(onTimeout()), ms)
    signal?.addEventListener('abort', this.onCancel, { once: true })
    if (signal?.aborted) this.onCancel()
  }

  /** The body to destroy if the attempt is stopped while it is read. */
  hold(body: Readable): void {
    this.body = body
    if (this.reason) body.destroy()
  }

  /** Waits for `p` unless the attempt is stopped first. */
  race<T>(p: Promise<T>): Promise<T> {
    return Promise.race([p, this.stopped])
  }

  stop(reason: AppError): void {
    if (this.reason) return
    this.reason = reason
    this.reject(reason)
    this.controller.abort(reason)
    this.body?.destroy()
  }

  end(): void {
    clearTimeout(this.timer)
    this.signal?.removeEventListener('abort', this.onCancel)
    this.body?.destroy() // a no-op once it was read whole
  }
}

/** How a 2xx body is read: what to say when it is too large or fails, and a check per chunk. */
interface BodyRules {
  /** The error past the limit. */
  tooLarge(): AppError
  /** The error for a stream that failed, or was destroyed, before its end. */
  failed(err: unknown, received: number): AppError
  /** Checks each chunk as it comes; an error stops the read there. */
  check(chunk: Buffer): AppError | null
}

/**
 * Reads a body whole, counting bytes. With `rules`, a body past `limit`, one that fails a
 * check, or one that fails midway (the socket closed before the Content-Length was reached, a
 * chunked body never finished) rejects with the rules' AppError, and the stream is destroyed
 * at once. Without rules (an error answer), what came up to the limit is kept whatever happens.
 */
function readBody(body: Readable, limit: number, rules?: BodyRules): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let received = 0
    const whole = (): Buffer => Buffer.concat(chunks, received)
    const stop = (e: AppError | null): void => {
      body.destroy()
      if (e) reject(e)
      else resolve(whole())
    }
    body.on('data', (chunk: Buffer) => {
      if (received + chunk.length > limit) return stop(rules?.tooLarge() ?? null)
      const refused = rules?.check(chunk)
      if (refused) return stop(refused)
      chunks.push(chunk)
      received += chunk.length
    })
    body.on('end', () => resolve(whole()))
    body.on('error', (err) => (rules ? reject(rules.failed(err, received)) : resolve(whole())))
    // Destroyed with no error (by the attempt's watch, whose reason the attempt throws).
    body.on('close', () => (rules ? reject(rules.failed(null, received)) : resolve(whole())))
  })
}

interface Attempt {
  url: string
  where: string
  /** How long this attempt may take: the timeout, or less when the call's deadline is near. */
  ms: number
  /** The error when `ms` runs out. */
  onTimeout: () => AppError
}

async function attempt(a: Attempt, options: RequestOptions): Promise<JsonResponse & { retryAfter: number | null }> {
  const { url, where } = a
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers }
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  if (options.token) headers.authorization = `Bearer ${options.token}`
  const watch = new AttemptWatch(a.ms, options.signal, a.onTimeout)
  // (async: a URL undici refuses throws at once; it becomes a rejection, handled as any other)
  const pending = (async () =>
    request(url, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: watch.controller.signal,
      dispatcher: agentFor(timeoutMs)
    }))()
  // An answer that comes after the watch stopped the attempt is not read: its body is destroyed.
  pending.then(
    (res) => watch.hold(res.body),
    () => undefined
  )
  try {
    let res: Awaited<typeof pending>
    try {
      res = await watch.race(pending)
    } catch (err) {
      if (watch.reason) throw watch.reason
      const code = errorCode(err)
      if (UNDICI_TIMEOUTS.has(code)) throw timedOut(where, timeoutMs / 1000)
      throw new AppError('server_unreachable', `Cannot reach ${where} (${code})`, { url: where, cause: code })
    }
    watch.hold(res.body)
    const status = res.statusCode
    const header = (name: string): string | null => {
      const v = res.headers[name]
      return Array.isArray(v) ? (v[0] ?? null) : (v ?? null)
    }
    const retryAfter = retryAfterMs(header('retry-after'))
    const length = Number(header('content-length') ?? NaN)
    const expected = Number.isSafeInteger(length) && length >= 0 ? length : null

    if (status >= 300) {
      // An error or a redirect: a little of the body is enough (a refusal's {detail, code}).
      const text = new TextDecoder().decode(await watch.race(readBody(res.body, ERROR_BODY_BYTES)))
      throw answerError(where, status, text, retryAfter)
    }

    if (expected !== null && expected > maxBytes) throw tooLarge(where, maxBytes, expected)
    const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH
    const nesting = new NestingScan(maxDepth)
    const bytes = await watch.race(
      readBody(res.body, maxBytes, {
        tooLarge: () => tooLarge(where, maxBytes, expected),
        failed: (err, received) => {
          if (watch.reason) return watch.reason
          if (UNDICI_TIMEOUTS.has(errorCode(err))) return timedOut(where, timeoutMs / 1000)
          return truncated(where, received, expected)
        },
        check: (chunk) =>
          nesting.feed(chunk)
            ? null
            : new AppError('bad_response', `${where} sent a response nested deeper than ${maxDepth} levels`, { url: where })
      })
    )
    const text = new TextDecoder().decode(bytes) // as res.text() would: UTF-8, a BOM dropped
    try {
      return { status, body: JSON.parse(text), retryAfter }
    } catch {
      if (nesting.open) throw truncated(where, bytes.length, null, ' (the JSON ends unfinished)')
      throw new AppError('bad_response', `${where} sent a response that is not valid JSON (${bytes.length} bytes)`, { url: where })
    }
  } catch (err) {
    throw watch.reason ?? err
  } finally {
    watch.end()
  }
}

/** The AppError for an answer of status 300 and above, with what a caller needs attached. */
function answerError(where: string, status: number, text: string, retryAfter: number | null): AppError {
  if (status === 401 || status === 403) {
    return new AppError('unauthorized', `${where} refused the credentials (HTTP ${status})`, { url: where, status })
  }
  if (status === 404) {
    return Object.assign(new AppError('not_found', `${where} answered 404 Not Found`, { url: where, status: 404 }), {
      status: 404,
      refusal: refusal(text, 404)
    })
  }
  if (status < 400) {
    // Redirects are not followed (a token must not travel to another address): not retried.
    return Object.assign(
      new AppError('server_error', `${where} answered HTTP ${status}, a redirect, which SMS Desk does not follow`, {
        url: where,
        status
      }),
      { status }
    )
  }
  const transient = status === 408 || status === 425 || status === 429 || status >= 500
  if (!transient) {
    return Object.assign(new AppError('server_error', `${where} answered HTTP ${status}`, { url: where, status }), {
      status,
      refusal: refusal(text, status)
    })
  }
  return Object.assign(new AppError('server_error', `${where} answered HTTP ${status}`, { url: where, status }), {
    status,
    retryAfter
  })
}

export async function requestJson(url: string, options: RequestOptions = {}): Promise<JsonResponse> {
  const policy = { ...DEFAULT_RETRY, ...options.retry }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const where = describeUrl(url)
  const started = Date.now()
  const deadline = options.deadlineMs === undefined ? Infinity : started + options.deadlineMs
  let last: AppError | null = null
  for (let n = 0; ; n++) {
    if (options.signal?.aborted) throw cancelled()
    const left = deadline - Date.now()
    if (left <= 0 && last) throw last
    // The attempt's own timeout, or what is left of the call's deadline when that is shorter.
    const cut = left < timeoutMs
    const a: Attempt = {
      url,
      where,
      ms: Math.max(1, Math.min(timeoutMs, left)),
      onTimeout: () =>
        cut ? timedOut(where, options.deadlineMs! / 1000, n ? ` (${n + 1} attempts)` : '') : timedOut(where, timeoutMs / 1000)
    }
    try {
      const { status, body } = await attempt(a, options)
      return { status, body }
    } catch (err) {
      if (!(err instanceof AppError)) throw err
      // Cut off by the call's deadline: the previous attempt's error says more, if there was one.
      if (cut && err.code === 'server_timeout' && Date.now() >= deadline) throw last ?? err
      const status = (err as AppError & { status?: number }).status ?? null
      if (err.code === 'sync_cancelled' || n >= policy.retries || !retryable(err, status)) throw err
      last = err
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** n)
      const hinted = (err as AppError & { retryAfter?: number | null }).retryAfter
      const delay = hinted != null ? Math.min(Math.max(hinted, 0), options.maxRetryAfterMs ?? 120_000) : Math.random() * backoff
      // No sleeping past the deadline: the answer would come too late anyway.
      if (Date.now() + delay >= deadline) throw err
      options.onRetry?.(err, n + 1, delay)
      await sleep(delay, options.signal)
    }
  }
}
