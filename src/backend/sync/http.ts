/**
 * JSON over HTTP for the sync clients: a per-request timeout, retries with exponential
 * backoff and full jitter, Retry-After honoured, and every failure classified into an
 * AppError code the UI can translate. Tokens are sent as a bearer header and never logged.
 */
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
  timeoutMs?: number
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

/** Parses Retry-After (seconds or an HTTP date) into milliseconds. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (!header) return null
  const seconds = Number(header)
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000
  const date = Date.parse(header)
  return Number.isNaN(date) ? null : Math.max(0, date - now)
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

/** True for failures worth another attempt. */
function retryable(e: AppError, status: number | null): boolean {
  if (e.code === 'server_unreachable' || e.code === 'server_timeout') return true
  if (e.code === 'bad_response') return true // truncated or garbled JSON: ask again
  if (status === 408 || status === 425 || status === 429 || (status !== null && status >= 500)) return true
  return false
}

async function attempt(url: string, options: RequestOptions): Promise<JsonResponse & { retryAfter: number | null }> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const timeout = AbortSignal.timeout(timeoutMs)
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout
  const where = describeUrl(url)
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers }
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  if (options.token) headers.authorization = `Bearer ${options.token}`
  let res: Response
  let text: string
  try {
    res = await fetch(url, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal,
      redirect: 'error'
    })
    text = await res.text()
  } catch (err) {
    if (options.signal?.aborted) throw cancelled()
    if (timeout.aborted) {
      throw new AppError('server_timeout', `No answer from ${where} within ${timeoutMs / 1000} s`, {
        url: where,
        seconds: timeoutMs / 1000
      })
    }
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message
    throw new AppError('server_unreachable', `Cannot reach ${where} (${cause})`, { url: where, cause: String(cause) })
  }
  const retryAfter = retryAfterMs(res.headers.get('retry-after'))
  if (res.status === 401 || res.status === 403) {
    throw new AppError('unauthorized', `${where} refused the credentials (HTTP ${res.status})`, {
      url: where,
      status: res.status
    })
  }
  const transient = res.status === 408 || res.status === 425 || res.status === 429 || res.status >= 500
  if (res.status === 404) {
    throw Object.assign(new AppError('not_found', `${where} answered 404 Not Found`, { url: where, status: 404 }), {
      status: 404,
      refusal: refusal(text, 404)
    })
  }
  if (res.status >= 400 && !transient) {
    throw Object.assign(new AppError('server_error', `${where} answered HTTP ${res.status}`, { url: where, status: res.status }), {
      status: res.status,
      refusal: refusal(text, res.status)
    })
  }
  if (res.status >= 400) {
    throw Object.assign(
      new AppError('server_error', `${where} answered HTTP ${res.status}`, { url: where, status: res.status }),
      { status: res.status, retryAfter }
    )
  }
  try {
    return { status: res.status, body: JSON.parse(text), retryAfter }
  } catch {
    throw new AppError('bad_response', `${where} sent a response that is not valid JSON (${text.length} bytes)`, {
      url: where
    })
  }
}

export async function requestJson(url: string, options: RequestOptions = {}): Promise<JsonResponse> {
  const policy = { ...DEFAULT_RETRY, ...options.retry }
  for (let n = 0; ; n++) {
    try {
      const { status, body } = await attempt(url, options)
      return { status, body }
    } catch (err) {
      if (!(err instanceof AppError)) throw err
      const status = (err as AppError & { status?: number }).status ?? null
      if (err.code === 'sync_cancelled' || n >= policy.retries || !retryable(err, status)) throw err
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** n)
      const hinted = (err as AppError & { retryAfter?: number | null }).retryAfter
      const delay = hinted != null ? Math.min(Math.max(hinted, 0), options.maxRetryAfterMs ?? 120_000) : Math.random() * backoff
      options.onRetry?.(err, n + 1, delay)
      await sleep(delay, options.signal)
    }
  }
}
