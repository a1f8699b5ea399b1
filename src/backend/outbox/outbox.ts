/**
 * The outbox: writes to the platform (top-up, set credit, SMS subscription) that lose nothing.
 *
 * - A write is stored in the local database first (one transaction) and shows at once as
 *   pending; the Finance tab adds pending writes to what the platform last said.
 * - A single sender delivers pending writes in order (per client), each with its id as the
 *   Idempotency-Key, so a retry after a lost answer gets the stored answer and is never applied
 *   twice on the platform.
 * - 2xx: applied. The answer is stored and the client (and the top-up's transaction) written to
 *   the local tables in the same transaction, so the new balance shows without a sync.
 * - 4xx (400 / 404 / 409 / 422 ...): rejected with the platform's reason; nothing applied
 *   locally, so the pending effect simply disappears.
 * - No answer (offline, timeout, 5xx, 429, a body cut short) or 401/403: stays pending with the
 *   last error, and is sent again later with the same key: after a pause that doubles up to
 *   five minutes, on `outbox.flush`, after each sync (flushOutbox) and on the next write.
 * - A process killed mid-request leaves the item 'sending'; the next start puts it back to
 *   pending and sends it again with the same key.
 */
import { randomUUID } from 'node:crypto'
import { AppError } from '../../shared/errors'
import { MONEY_SCALE, amountIssue, formatUnits, parseDecimal } from '../../shared/money'
import type { ClientFinance, OutboxItem, OutboxKind, OutboxState } from '../../shared/types'
import { clientRowFromWire, clientsUpserter } from '../db/clients'
import type { Db } from '../db/connection'
import { transactionRowFromWire, transactionsUpserter } from '../db/finance'
import { wireError } from '../db/integrity'
import type { Upserter } from '../db/upsert'
import type { BackendDeps } from '../deps'
import type { RetryPolicy } from '../sync/http'
import { clientWireSchema, transactionWireSchema } from '../sync/sources/platformSchemas'
import { joinUrl } from '../url'
import { sendWrite, WRITE_RETRY, WRITE_TIMEOUT_MS, type WriteOutcome } from './transport'

/** How long a rejected write stays listed with the pending ones (and an applied one in the list). */
export const RECENT_MS = 24 * 60 * 60 * 1000
const LIST_LIMIT = 500

export interface OutboxOptions {
  /** Per request (default 15 s). */
  timeoutMs?: number
  /** Retries inside one delivery of an item (default 4, backoff 250 ms doubling up to 5 s). */
  retry?: Partial<RetryPolicy>
  /** Pause before the next automatic pass after one that left writes pending: doubles from base to max. */
  retryPassMs?: { base: number; max: number }
  /** Delay of the first pass after start when writes are pending (default 2 s). */
  startDelayMs?: number
  /** Start a pass right after each write is stored (default true). */
  sendOnEnqueue?: boolean
  /** Called before each retry of a request (tests use it to stop injected faults). */
  onRetry?: (item: OutboxItem, reason: AppError) => void
}

export interface FlushResult {
  /** Writes that got their final answer (applied or rejected) during this flush. */
  sent: number
  /** Writes still waiting to be sent (all clients). */
  pending: number
}

export interface TopUpInput {
  clientId: number
  amount: string
  comment: string
}
export interface SetCreditInput {
  clientId: number
  amount: string
  notifyClient: boolean
}
export interface SetSubscriptionInput {
  clientId: number
  enabled: boolean
}

interface OutboxRow {
  seq: number
  id: string
  kind: OutboxKind
  client_id: number
  payload: string
  state: OutboxState
  attempts: number
  last_error_code: string | null
  last_error_msg: string | null
  created_at: string
  updated_at: string
  applied_at: string | null
  server_answer: string | null
}

type Payload = Record<string, string | number | boolean>

/** The platform endpoint and body of each kind of write (openapi/platform.yaml). */
const REQUESTS: Record<OutboxKind, { path: (clientId: number) => string; body: (p: Payload) => unknown }> = {
  top_up: {
    path: (id) => `api/v1/clients/${id}/top-up/`,
    body: (p) => ({ amount: p.amount, comment: p.comment })
  },
  set_credit: {
    path: (id) => `api/v1/clients/${id}/credit/`,
    body: (p) => ({ amount: p.amount, notify_client: p.notifyClient })
  },
  sms_subscription: {
    path: (id) => `api/v1/clients/${id}/sms-subscription/`,
    body: (p) => ({ enabled: p.enabled })
  }
}

/** Errors that say the platform cannot be talked to at all now: the pass stops at once. */
const STOP_PASS = new Set(['server_unreachable', 'server_timeout', 'not_configured', 'unauthorized', 'sync_cancelled'])

function toItem(r: OutboxRow): OutboxItem {
  return {
    id: r.id,
    kind: r.kind,
    clientId: r.client_id,
    payload: JSON.parse(r.payload) as Payload,
    state: r.state,
    attempts: r.attempts,
    error: r.last_error_code ? { code: r.last_error_code, message: r.last_error_msg ?? '' } : null,
    createdAt: r.created_at,
    updatedAt: r.updated_at
  }
}

/**
 * An amount as staff typed it (already checked by the contract), in minor units; refused
 * again here so no caller can store an amount the platform would refuse.
 */
export function amountUnits(amount: string, allowZero: boolean): number {
  // The one check of an amount (src/shared/money.ts): taken as it is or refused, never rounded.
  const issue = amountIssue(amount, allowZero)
  if (issue) throw new AppError('invalid_input', `amount: ${issue}`, { field: 'amount', reason: issue })
  return parseDecimal(amount, MONEY_SCALE)!
}

/** A write's error as the outbox keeps it (code and message), from the one mapper (db/integrity.ts). */
function describe(e: unknown): { code: string; message: string } {
  const { code, message } = wireError(e)
  return { code, message }
}

export class Outbox {
  private readonly db: Db
  private readonly options: OutboxOptions
  private running: Promise<FlushResult> | null = null
  private again = false
  private timer: NodeJS.Timeout | null = null
  private failedPasses = 0
  private stopped = false
  private readonly abort = new AbortController()
  private upserters: { clients: Upserter; transactions: Upserter } | null = null

  constructor(
    private readonly deps: Pick<BackendDeps, 'db' | 'connection' | 'emit'>,
    options: OutboxOptions = {}
  ) {
    this.db = deps.db
    this.options = options
    // A process killed mid-request: the same key goes out again, so the platform replays
    // its answer if it had applied the write.
    this.db
      .prepare("UPDATE outbox SET state = 'pending', updated_at = ? WHERE state = 'sending'")
      .run(new Date().toISOString())
    if (this.pendingCount() > 0) this.schedule(options.startDelayMs ?? 2_000)
  }

  /* ------------------------------------------------------------------ writes */

  topUp(input: TopUpInput): OutboxItem {
    const units = amountUnits(input.amount, false)
    return this.enqueue('top_up', input.clientId, {
      amount: formatUnits(units, MONEY_SCALE),
      comment: input.comment.trim()
    })
  }

  setCredit(input: SetCreditInput): OutboxItem {
    const units = amountUnits(input.amount, true)
    return this.enqueue('set_credit', input.clientId, {
      amount: formatUnits(units, MONEY_SCALE),
      notifyClient: input.notifyClient
    })
  }

  setSubscription(input: SetSubscriptionInput): OutboxItem {
    return this.enqueue('sms_subscription', input.clientId, { enabled: input.enabled })
  }

  /** Stores a write (pending) in one transaction and returns it at once; sending follows. */
  enqueue(kind: OutboxKind, clientId: number, payload: Payload): OutboxItem {
    const now = new Date().toISOString()
    const row = this.db.transaction(() => {
      if (!this.db.prepare('SELECT 1 FROM clients WHERE id = ?').get(clientId)) {
        throw new AppError('not_found', `Client ${clientId} is not in the local database`, { id: clientId })
      }
      return this.db
        .prepare(
          `INSERT INTO outbox (id, kind, client_id, payload, state, attempts, created_at, updated_at)
           VALUES (?, ?, ?, ?, 'pending', 0, ?, ?) RETURNING *`
        )
        .get(randomUUID(), kind, clientId, JSON.stringify(payload), now, now) as OutboxRow
    })()
    this.deps.emit('outbox.changed', { clientId })
    if (this.options.sendOnEnqueue ?? true) setImmediate(() => void this.flush())
    return toItem(row)
  }

  /* ------------------------------------------------------------------ reads */

  get(id: string): OutboxItem | null {
    const r = this.db.prepare('SELECT * FROM outbox WHERE id = ?').get(id) as OutboxRow | undefined
    return r ? toItem(r) : null
  }

  /**
   * Every write still to be sent, and those applied or rejected in the last 24 hours, oldest
   * first (at most the latest 500).
   */
  list(clientId?: number): OutboxItem[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM outbox
         WHERE (state IN ('pending', 'sending') OR updated_at >= @since) AND (@client IS NULL OR client_id = @client)
         ORDER BY seq DESC LIMIT ${LIST_LIMIT}`
      )
      .all({ since: new Date(Date.now() - RECENT_MS).toISOString(), client: clientId ?? null }) as OutboxRow[]
    return rows.reverse().map(toItem)
  }

  pendingCount(): number {
    return this.db.prepare("SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending')").pluck().get() as number
  }

  /**
   * Balance, credit and subscription as the platform last said (the clients table), and as
   * they will be once the pending writes apply: top-ups added exactly in minor units, the
   * latest pending credit and subscription. Lists the pending writes and those rejected in
   * the last 24 hours, oldest first.
   */
  finance(clientId: number): ClientFinance {
    const c = this.db
      .prepare('SELECT balance, credit, currency, sms_subscription FROM clients WHERE id = ?')
      .get(clientId) as { balance: number; credit: number; currency: string; sms_subscription: number } | undefined
    if (!c) throw new AppError('not_found', `Client ${clientId} is not in the local database`, { id: clientId })
    const rows = this.db
      .prepare(
        `SELECT * FROM outbox INDEXED BY outbox_client
         WHERE client_id = @client AND (state IN ('pending', 'sending') OR (state = 'rejected' AND updated_at >= @since))
         ORDER BY seq`
      )
      .all({ client: clientId, since: new Date(Date.now() - RECENT_MS).toISOString() }) as OutboxRow[]
    let balance = c.balance
    let credit = c.credit
    let subscription = c.sms_subscription === 1
    for (const r of rows) {
      if (r.state === 'rejected') continue
      const p = JSON.parse(r.payload) as Payload
      if (r.kind === 'top_up') balance += parseDecimal(String(p.amount), MONEY_SCALE) ?? 0
      else if (r.kind === 'set_credit') credit = parseDecimal(String(p.amount), MONEY_SCALE) ?? credit
      else if (r.kind === 'sms_subscription') subscription = p.enabled === true
    }
    return {
      clientId,
      currency: c.currency,
      balance: formatUnits(c.balance, MONEY_SCALE),
      credit: formatUnits(c.credit, MONEY_SCALE),
      expectedBalance: formatUnits(balance, MONEY_SCALE),
      expectedCredit: formatUnits(credit, MONEY_SCALE),
      smsSubscription: c.sms_subscription === 1,
      expectedSmsSubscription: subscription,
      pending: rows.map(toItem)
    }
  }

  /* ------------------------------------------------------------------ sending */

  /**
   * Sends what is pending. Only one sender ever runs: a call while one runs joins it (and
   * makes it look again for writes stored meanwhile). Never rejects.
   */
  flush(): Promise<FlushResult> {
    if (this.running) {
      this.again = true
      return this.running
    }
    this.running = (async () => {
      let sent = 0
      let blocked = false
      try {
        do {
          this.again = false
          const pass = await this.pass()
          sent += pass.sent
          blocked = pass.blocked
        } while (this.again && !this.stopped)
      } catch {
        blocked = true // the database went away (closed) or failed: try again later
      } finally {
        this.running = null
      }
      if (this.stopped || !this.db.open) return { sent, pending: 0 }
      const pending = this.pendingCount()
      const { base, max } = this.options.retryPassMs ?? { base: 5_000, max: 300_000 }
      this.failedPasses = blocked ? this.failedPasses + 1 : 0
      if (pending > 0) this.schedule(Math.min(max, base * 2 ** Math.max(0, this.failedPasses - 1)))
      return { sent, pending }
    })()
    return this.running
  }

  /** Resolves when no sender runs. */
  async idle(): Promise<void> {
    while (this.running) await this.running
  }

  /** Stops the timer and any request in flight (the item stays pending). */
  stop(): void {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.abort.abort()
  }

  private schedule(ms: number): void {
    if (this.stopped) return
    if (this.timer) clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.timer = null
      if (this.db.open && !this.stopped) void this.flush()
    }, ms)
    this.timer.unref()
  }

  /** One pass over the pending writes, in order; a client whose write failed waits for the next pass. */
  private async pass(): Promise<{ sent: number; blocked: boolean }> {
    const waiting = new Set<number>()
    let sent = 0
    let blocked = false
    let after = 0
    const next = this.db.prepare(
      "SELECT * FROM outbox INDEXED BY outbox_state WHERE state = 'pending' AND seq > ? ORDER BY seq LIMIT 1"
    )
    while (!this.stopped && this.db.open) {
      const row = next.get(after) as OutboxRow | undefined
      if (!row) break
      after = row.seq
      if (waiting.has(row.client_id)) continue
      const result = await this.deliver(row)
      if (result === 'done') {
        sent++
        continue
      }
      blocked = true
      waiting.add(row.client_id)
      if (STOP_PASS.has(result.code)) break
    }
    return { sent, blocked }
  }

  /** Sends one write and records the outcome: 'done' (applied or rejected) or why it waits. */
  private async deliver(row: OutboxRow): Promise<'done' | { code: string }> {
    const connection = this.deps.connection('platform')
    if (!connection.url) {
      this.keepPending(row, { code: 'not_configured', message: 'The platform address is not set' })
      return { code: 'not_configured' }
    }
    const claimed = this.db
      .prepare("UPDATE outbox SET state = 'sending', attempts = attempts + 1, updated_at = ? WHERE seq = ? AND state = 'pending'")
      .run(new Date().toISOString(), row.seq)
    if (claimed.changes === 0) return 'done'
    this.deps.emit('outbox.changed', { clientId: row.client_id })
    const payload = JSON.parse(row.payload) as Payload
    const request = REQUESTS[row.kind]
    let outcome: WriteOutcome
    try {
      outcome = await sendWrite({
        url: joinUrl(connection.url, request.path(row.client_id)),
        body: request.body(payload),
        key: row.id,
        token: connection.token,
        timeoutMs: this.options.timeoutMs ?? WRITE_TIMEOUT_MS,
        retry: { ...WRITE_RETRY, ...this.options.retry },
        signal: this.abort.signal,
        onRetry: (reason) => {
          if (!this.db.open) return
          this.db.prepare('UPDATE outbox SET attempts = attempts + 1 WHERE seq = ?').run(row.seq)
          const current = this.get(row.id)
          if (current) this.options.onRetry?.(current, reason)
        }
      })
    } catch (e) {
      const error = describe(e)
      if (this.db.open) this.keepPending(row, error)
      return { code: error.code }
    }
    try {
      const appliedLocally = this.record(row, outcome)
      this.deps.emit('outbox.changed', { clientId: row.client_id })
      if (appliedLocally) this.deps.emit('data.changed', { tables: ['clients', 'transactions'] })
      return 'done'
    } catch (e) {
      // The answer could not be stored (a full disk, say): send again later, the key replays it.
      const error = describe(e)
      if (this.db.open) this.keepPending(row, error)
      return { code: error.code }
    }
  }

  private keepPending(row: OutboxRow, error: { code: string; message: string }): void {
    this.db
      .prepare(
        `UPDATE outbox SET state = 'pending', last_error_code = ?, last_error_msg = ?, updated_at = ?
         WHERE seq = ? AND state IN ('pending', 'sending')`
      )
      .run(error.code, error.message.slice(0, 1000), new Date().toISOString(), row.seq)
    this.deps.emit('outbox.changed', { clientId: row.client_id })
  }

  /** Stores the platform's answer; on success also writes its records locally. Returns whether it did. */
  private record(row: OutboxRow, outcome: WriteOutcome): boolean {
    const now = new Date().toISOString()
    return this.db.transaction(() => {
      if (outcome.kind === 'refused') {
        this.db
          .prepare(
            `UPDATE outbox SET state = 'rejected', last_error_code = 'write_rejected', last_error_msg = ?,
               server_answer = ?, updated_at = ? WHERE seq = ?`
          )
          .run(
            outcome.detail,
            JSON.stringify({ status: outcome.status, detail: outcome.detail, code: outcome.code }),
            now,
            row.seq
          )
        return false
      }
      const applied = this.applyLocally(row, outcome.body)
      this.db
        .prepare(
          `UPDATE outbox SET state = 'applied', last_error_code = NULL, last_error_msg = NULL, applied_at = ?,
             server_answer = ?, updated_at = ? WHERE seq = ?`
        )
        .run(now, JSON.stringify(outcome.body), now, row.seq)
      return applied
    })()
  }

  /**
   * Writes the client (and a top-up's transaction) from the platform's answer, as the sync
   * would; a record older than the stored one (a replayed answer, after a later change
   * already synced) is left alone. An answer that does not validate is not stored: the next
   * sync brings the records.
   */
  private applyLocally(row: OutboxRow, body: unknown): boolean {
    const answer = (body && typeof body === 'object' ? body : {}) as { client?: unknown; transaction?: unknown }
    this.upserters ??= { clients: clientsUpserter(this.db), transactions: transactionsUpserter(this.db) }
    let wrote = false
    const client = clientWireSchema.safeParse(answer.client)
    if (client.success && client.data.id === row.client_id && this.newer('clients', client.data.id, client.data.updated_at)) {
      this.upserters.clients.write([clientRowFromWire(client.data)])
      wrote = true
    }
    if (row.kind === 'top_up') {
      const t = transactionWireSchema.safeParse(answer.transaction)
      if (t.success && t.data.client_id === row.client_id && this.newer('transactions', t.data.id, t.data.updated_at)) {
        this.upserters.transactions.write([transactionRowFromWire(t.data)])
        wrote = true
      }
    }
    return wrote
  }

  private newer(table: 'clients' | 'transactions', id: number, updatedAt: string): boolean {
    const stored = this.db.prepare(`SELECT updated_at FROM ${table} WHERE id = ?`).pluck().get(id) as string | undefined
    return stored === undefined || Date.parse(updatedAt) > Date.parse(stored)
  }
}

const outboxes = new WeakMap<Db, Outbox>()

/**
 * The one outbox of a database (so one sender at most). The options count only on the first
 * call for a database.
 */
export function outboxFor(deps: Pick<BackendDeps, 'db' | 'connection' | 'emit'>, options?: OutboxOptions): Outbox {
  let outbox = outboxes.get(deps.db)
  if (!outbox) {
    outbox = new Outbox(deps, options)
    outboxes.set(deps.db, outbox)
  }
  return outbox
}

/**
 * Sends the pending writes now. The service calls it after each sync (fire and forget:
 * `void flushOutbox(deps)`); it never rejects and never runs a second sender beside a running one.
 */
export function flushOutbox(deps: Pick<BackendDeps, 'db' | 'connection' | 'emit'>): Promise<FlushResult> {
  return outboxFor(deps).flush()
}

/** Stops the outbox of a database (its retry timer and any request in flight), before closing it. */
export function stopOutbox(deps: Pick<BackendDeps, 'db'>): void {
  outboxes.get(deps.db)?.stop()
  outboxes.delete(deps.db)
}
