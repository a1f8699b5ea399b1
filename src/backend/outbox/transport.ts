/**
 * One write to the platform: a POST with an Idempotency-Key through the sync's requestJson
 * (timeout, retries with backoff and jitter, Retry-After). A refusal (4xx) is an answer to
 * keep, with the platform's {detail, code}, not a failure to retry.
 *
 * Every retry carries the same key and the same body, so a request that was applied but lost
 * its answer (reset, 5xx, timeout, truncated body) gets the stored answer back: never applied
 * twice.
 */
import type { AppError } from '../../shared/errors'
import { refusalOf, requestJson, type RetryPolicy } from '../sync/http'

export const WRITE_RETRY: RetryPolicy = { retries: 4, baseDelayMs: 250, maxDelayMs: 5_000 }
export const WRITE_TIMEOUT_MS = 15_000
/** The longest Retry-After a write waits for inside one delivery; longer waits go to the next pass. */
const MAX_HINTED_DELAY_MS = 30_000

export interface WriteRequest {
  url: string
  body: unknown
  /** The Idempotency-Key: the outbox item's id. */
  key: string
  token?: string
  timeoutMs?: number
  retry?: Partial<RetryPolicy>
  signal?: AbortSignal
  /** Called before each retry (the outbox counts attempts). */
  onRetry?: (reason: AppError, attempt: number, delayMs: number) => void
}

/** What the platform answered: applied (2xx, with its body) or refused (4xx, with its reason). */
export type WriteOutcome =
  | { kind: 'applied'; status: number; body: unknown }
  | { kind: 'refused'; status: number; detail: string; code: string | null }

/**
 * Sends one write, retrying transient failures with the same key. Resolves with the platform's
 * answer (applied or refused); throws an AppError when no answer came (server_unreachable,
 * server_timeout, server_error, bad_response after the retries; unauthorized; sync_cancelled).
 */
export async function sendWrite(req: WriteRequest): Promise<WriteOutcome> {
  try {
    const { status, body } = await requestJson(req.url, {
      method: 'POST',
      body: req.body,
      token: req.token,
      headers: { 'idempotency-key': req.key },
      timeoutMs: req.timeoutMs ?? WRITE_TIMEOUT_MS,
      retry: { ...WRITE_RETRY, ...req.retry },
      maxRetryAfterMs: MAX_HINTED_DELAY_MS,
      signal: req.signal,
      onRetry: req.onRetry
    })
    return { kind: 'applied', status, body }
  } catch (e) {
    const refused = refusalOf(e)
    if (refused) return { kind: 'refused', ...refused }
    throw e
  }
}
