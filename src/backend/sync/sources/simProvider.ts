/**
 * The SIM provider's call_sms report (seed sim-provider-call-sms-api.ru.md): POST
 * {base}/api/report/call_sms with {filter:{start,end} DD-MM-YYYY, select, page (from 0), size}.
 * The provider learns of an action only the day after it happened, so every sync re-reads a
 * trailing window of days; rows are idempotent on sid.
 */
import { z } from 'zod'
import { AppError } from '../../../shared/errors'
import { floatToUnits, SIM_COST_SCALE } from '../../../shared/money'
import { streamInfo } from '../../../shared/streams'
import { providerDate, SIM_DEEP_DAYS_DEFAULT, SIM_DEEP_EVERY_DEFAULT } from '../../../shared/sim'
import { simActionsUpserter } from '../../db/tables/simActions'
import type { Row } from '../../db/upsert'
import type { SimOptions, StreamContext, SyncStream } from '../types'
import { MAX_QUARANTINE_PER_RUN, readResolved, STALL_LIMIT, type Slot, type SlotRead } from '../reread'
import { check } from '../validate'
import { joinUrl } from '../../url'

const DAY = 86_400_000

export const simItemSchema = z
  .object({
    sid: z.number().int().positive(),
    date: z.number().int().positive(),
    type: z.enum(['call', 'in_sms', 'out_sms', 'ussd']),
    to_number: z.string().max(64),
    session_cost: z.number().finite().min(0),
    id: z.number().int().positive(),
    original_number: z.string().max(64),
    iccid: z.string().regex(/^\d{18,22}F?$/, 'expected an ICCID'),
    name: z.string().max(200).nullable()
  })
  .passthrough()

const responseSchema = z.object({
  code: z.number().int(),
  message: z.string().nullable().optional(),
  result: z.object({ items: z.array(z.unknown()) }).nullable().optional()
})

interface SimWindow {
  start: number
  end: number
  nextPage: number
  select: string
  /** Rows asked per page (kept for the whole window, so page numbers stay aligned). */
  size?: number
  /** A deep re-read. */
  deep?: boolean
  /** The earliest day (UTC ms) holding a record that stayed damaged: the next window starts there. */
  redoFrom?: number | null
}

export interface SimCursor {
  /** The last day fully synced (UTC midnight ms). */
  lastDay: number | null
  /** When the last deep re-read ended (ms of the sync's clock). */
  lastDeepAt?: number | null
  /** The earliest day a finished window could not read intact: the next window starts there. */
  redoFrom?: number | null
  /** A window in progress: resumed at nextPage after a killed process. */
  window: SimWindow | null
}

/** Pages a window may read before the provider counts as paging without end. */
const MAX_PAGES = 100_000

function simRow(item: z.output<typeof simItemSchema>): Row | null {
  const cost = floatToUnits(item.session_cost, SIM_COST_SCALE)
  if (cost === null) return null
  return {
    sid: item.sid,
    date: item.date,
    type: item.type,
    to_number: item.to_number,
    session_cost: cost,
    sim_id: item.id,
    original_number: item.original_number,
    iccid: item.iccid,
    name: item.name
  }
}

const sidKey = (sid: number): string => `sid:${sid}`
const dayKey = (day: number): string => `simday:${day}`

function readableSid(payload: unknown): number | undefined {
  const sid = (payload as { sid?: unknown } | null)?.sid
  return typeof sid === 'number' && Number.isSafeInteger(sid) && sid > 0 ? sid : undefined
}

/** Parses a stored SIM cursor; anything unreadable starts afresh. */
export function parseSimCursor(text: string | null): SimCursor {
  try {
    const c = JSON.parse(text ?? 'null') as SimCursor | null
    if (c && typeof c === 'object' && (c.lastDay === null || Number.isFinite(c.lastDay))) return c
  } catch {
    // a damaged cursor: start afresh (rows are idempotent on sid)
  }
  return { lastDay: null, window: null }
}

export function simStream(options: () => SimOptions): SyncStream {
  const stream = streamInfo('sim.call_sms')
  const { name } = stream
  return {
    ...stream,
    async run(ctx: StreamContext): Promise<void> {
      const opts = options()
      const upsert = simActionsUpserter(ctx.db)
      const select = opts.select.length ? opts.select : ['all']
      const selectKey = select.join(',')
      const saved = parseSimCursor(ctx.state.cursor(name))
      const clock = ctx.clock()
      // The window ends on the sync clock's day (the provider's "today"), never the machine's.
      const today = Math.floor(clock / DAY) * DAY
      const deepEvery = opts.deepEveryDays ?? SIM_DEEP_EVERY_DEFAULT
      let window = saved.window && saved.window.select === selectKey ? saved.window : null
      if (!window) {
        const floor = opts.from ?? -Infinity
        const deepDue = deepEvery > 0 && saved.lastDay !== null && (saved.lastDeepAt == null || clock - saved.lastDeepAt >= deepEvery * DAY)
        let start =
          saved.lastDay !== null ? Math.max(saved.lastDay - opts.trailingDays * DAY, floor) : (opts.from ?? today - 30 * DAY)
        if (deepDue) start = Math.min(start, Math.max(today - (opts.deepDays ?? SIM_DEEP_DAYS_DEFAULT) * DAY, floor))
        if (saved.redoFrom != null) start = Math.min(start, Math.max(saved.redoFrom, floor))
        window = { start, end: today, nextPage: 0, select: selectKey, deep: deepDue || saved.lastDay === null, redoFrom: null }
      }
      const w: SimWindow = window
      let size = w.size ?? Math.min(ctx.pageSize * 4, 5000)
      const held = new Set(ctx.state.quarantineKeys(name))
      const url = joinUrl(ctx.connection.url, 'api/report/call_sms')
      const readPageNo = (page: number) => {
        const body = { filter: { start: providerDate(w.start), end: providerDate(w.end) }, select, page, size }
        const p = readResolved(() => readItems(ctx, url, body, size))
        p.catch(() => undefined) // awaited below; this only keeps an abandoned prefetch quiet
        return p
      }
      // Pages are numbered, so the next one is asked for while this one is written. Paging ends
      // on an empty page only (providers cap `size` silently, so a short page proves nothing),
      // or on a page of nothing but sids already read in this window (a provider ignoring `page`).
      const seen = new Set<number>()
      let stalls = 0
      let quarantined = 0
      let pending = readPageNo(w.nextPage)
      for (let page = w.nextPage; ; ) {
        const read = await pending
        const { slots, rows } = read
        let first = read.firstUnresolved
        const rejects: { key: string; reason: string; payload: unknown }[] = []
        if (first !== -1 && ++stalls < STALL_LIMIT) {
          // Damage no read accounts for: the same page again before moving on.
          pending = readPageNo(page)
          continue
        }
        if (first !== -1) {
          // Give up the damaged slots: quarantine them and read their days again next sync.
          for (let i = first; i < slots.length; i++) {
            const s = slots[i]
            if (s.row !== null || read.known[i]) continue
            const sid = readableSid(s.reject.payload)
            let before = w.start
            for (let j = i - 1; j >= 0; j--) {
              const r = slots[j].row
              if (r) {
                before = Math.floor((Number(r.date) * 1000) / DAY) * DAY
                break
              }
            }
            w.redoFrom = Math.min(w.redoFrom ?? Infinity, before)
            rejects.push({ key: sid !== undefined ? sidKey(sid) : dayKey(before), reason: s.reject.reason, payload: s.reject.payload })
          }
          quarantined += rejects.length
          if (quarantined > MAX_QUARANTINE_PER_RUN) {
            throw new AppError('too_many_rejects', `${name}: more than ${MAX_QUARANTINE_PER_RUN} records stayed damaged in every read; the sync of this stream stopped`, {
              stream: name,
              limit: MAX_QUARANTINE_PER_RUN
            })
          }
          first = -1
        }
        stalls = 0
        let fresh = 0
        for (const s of slots) {
          if (s.row && !seen.has(Number(s.row.sid))) {
            seen.add(Number(s.row.sid))
            fresh++
          }
        }
        if (page === w.nextPage && page === 0 && slots.length > 0 && slots.length < size && w.size === undefined) {
          // A provider that caps the page size: keep asking for what it gives, so pages align.
          size = slots.length
        }
        const done = slots.length === 0 || (fresh === 0 && slots.every((s) => s.row !== null))
        if (!done && page >= MAX_PAGES) throw new AppError('sync_stalled', `${name}: the provider never stopped paging`, { stream: name })
        if (!done) pending = readPageNo(page + 1)
        const current: SimCursor = done
          ? {
              lastDay: w.end,
              lastDeepAt: w.deep ? clock : (saved.lastDeepAt ?? null),
              redoFrom: w.redoFrom ?? null,
              window: null
            }
          : { ...saved, window: { ...w, nextPage: page + 1, size } }
        ctx.commit(rows.length, () => {
          const counts = upsert.write(rows)
          const cleared: string[] = []
          if (held.size) for (const r of rows) if (held.has(sidKey(Number(r.sid)))) cleared.push(sidKey(Number(r.sid)))
          if (done) {
            // Days this window read intact: their damage of earlier syncs is repaired.
            for (const k of held) {
              const day = k.startsWith('simday:') ? Number(k.slice(7)) : NaN
              if (day >= w.start && day < (w.redoFrom ?? Infinity)) cleared.push(k)
            }
          }
          ctx.state.clearQuarantine(name, cleared)
          for (const k of cleared) held.delete(k)
          for (const r of rejects) {
            ctx.state.quarantine('sim', name, r.key, r.reason, r.payload, ctx.now())
            held.add(r.key)
          }
          ctx.state.setCursor(name, 'sim', JSON.stringify(current))
          return { ...counts, rejected: rejects.length, fetched: slots.length }
        })
        ctx.progress(page + 1, null)
        if (done) break
        page++
      }
      if (held.size) ctx.unresolved(held.size)
    }
  }

  async function readItems(ctx: StreamContext, url: string, body: unknown, size: number): Promise<SlotRead<null, Row>> {
    const { body: answer } = await ctx.request(url, { method: 'POST', body })
    const parsed = responseSchema.safeParse(answer)
    if (!parsed.success) throw new AppError('bad_response', `${name}: the answer is not a call_sms report`)
    if (parsed.data.code !== 200 || !parsed.data.result) {
      // The provider answers refused requests (a bad selector, a bad date) with HTTP 200 and
      // a code in the body: that is a settings problem, not a passing server error.
      const message = (parsed.data.message ?? '').slice(0, 300)
      const code = parsed.data.code >= 400 && parsed.data.code < 500 ? 'request_refused' : 'server_error'
      throw new AppError(code, `${name}: the provider answered code ${parsed.data.code}: ${message}`.trim(), {
        status: parsed.data.code,
        reason: message,
        url: ctx.connection.url
      })
    }
    const items = parsed.data.result.items
    if (items.length > size) {
      throw new AppError('bad_response', `${name}: the provider sent ${items.length} items where at most ${size} were asked for`)
    }
    const slots: Slot<Row>[] = []
    for (const raw of items) {
      const r = check(simItemSchema, raw)
      const row = r.ok ? simRow(r.value) : null
      if (row) slots.push({ row, key: row.sid })
      else {
        const reason = r.ok ? 'session_cost: not a representable amount' : r.reason
        slots.push({ row: null, key: readableSid(raw), reject: { reason, payload: raw } })
      }
    }
    return { page: null, slots }
  }
}
