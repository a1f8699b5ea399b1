/**
 * The SIM provider's call_sms report (seed sim-provider-call-sms-api.ru.md): POST
 * {base}/api/report/call_sms with {filter:{start,end} DD-MM-YYYY, select, page (from 0), size}.
 * The provider learns of an action only the day after it happened, so every sync re-reads a
 * trailing window of days; rows are idempotent on sid.
 */
import { z } from 'zod'
import { AppError } from '../../../shared/errors'
import { floatToUnits, SIM_COST_SCALE } from '../../../shared/money'
import { makeUpserter, type Row } from '../../db/upsert'
import type { StreamContext, SyncStream } from '../engine'
import { readUntilIntact, type PageRead } from '../reread'
import { check } from '../validate'

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

/** DD-MM-YYYY in UTC, as the provider wants its dates. */
export function providerDate(ms: number): string {
  const d = new Date(ms)
  const dd = String(d.getUTCDate()).padStart(2, '0')
  const mm = String(d.getUTCMonth() + 1).padStart(2, '0')
  return `${dd}-${mm}-${d.getUTCFullYear()}`
}

/** Parses DD-MM-YYYY (a real calendar date) to the UTC midnight in ms, or null. */
export function parseProviderDate(text: string): number | null {
  const m = /^(\d{2})-(\d{2})-(\d{4})$/.exec(text)
  if (!m) return null
  const ms = Date.UTC(Number(m[3]), Number(m[2]) - 1, Number(m[1]))
  return providerDate(ms) === text ? ms : null
}

export const SIM_SELECT = /^(all|s_\d+|g_\d+)$/

export interface SimOptions {
  select: string[]
  /** Days re-read before the last synced day, for actions the provider learns late. */
  trailingDays: number
  /** Where the first sync starts (UTC midnight ms); default 30 days back. */
  from: number | null
}

interface SimCursor {
  /** The last day fully synced (UTC midnight ms). */
  lastDay: number | null
  /** A window in progress: resumed at nextPage after a killed process. */
  window: { start: number; end: number; nextPage: number; select: string } | null
}

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

export function simStream(options: () => SimOptions): SyncStream {
  const name = 'sim.call_sms'
  return {
    name,
    source: 'sim',
    table: 'sim_actions',
    async run(ctx: StreamContext): Promise<void> {
      const opts = options()
      const upsert = makeUpserter(ctx.db, {
        table: 'sim_actions',
        columns: ['sid', 'date', 'type', 'to_number', 'session_cost', 'sim_id', 'original_number', 'iccid', 'name'],
        key: 'sid'
      })
      const select = opts.select.length ? opts.select : ['all']
      const selectKey = select.join(',')
      const saved = (JSON.parse(ctx.state.cursor(name) ?? 'null') ?? { lastDay: null, window: null }) as SimCursor
      const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate())
      let window = saved.window && saved.window.select === selectKey ? saved.window : null
      if (!window) {
        const start =
          saved.lastDay !== null
            ? Math.max(saved.lastDay - opts.trailingDays * DAY, opts.from ?? -Infinity)
            : (opts.from ?? today - 30 * DAY)
        window = { start, end: today, nextPage: 0, select: selectKey }
      }
      const size = Math.min(ctx.pageSize * 4, 5000)
      const url = new URL('api/report/call_sms', ctx.connection.url.endsWith('/') ? ctx.connection.url : ctx.connection.url + '/')
      const readPageNo = (page: number) => {
        const body = { filter: { start: providerDate(window!.start), end: providerDate(window!.end) }, select, page, size }
        const p = readUntilIntact(() => readItems(ctx, url.toString(), body), 'sid', (r) => r.sid)
        p.catch(() => undefined) // awaited below; this only keeps an abandoned prefetch quiet
        return p
      }
      // Pages are numbered, so the next one is asked for while this one is written.
      let pending = readPageNo(window.nextPage)
      for (let page = window.nextPage; ; page++) {
        const read = await pending
        if (read.size >= size) pending = readPageNo(page + 1)
        const done = read.size < size
        const current: SimCursor = done
          ? { lastDay: window.end, window: null }
          : { lastDay: saved.lastDay, window: { ...window, nextPage: page + 1 } }
        ctx.commit(read.rows.length, () => {
          const counts = upsert.write(read.rows)
          for (const r of read.rejects) ctx.state.reject('sim', name, r.reason, r.payload, ctx.now())
          ctx.state.setCursor(name, 'sim', JSON.stringify(current))
          return { ...counts, rejected: read.rejects.length, fetched: read.size }
        })
        ctx.progress(page + 1, null)
        if (done) return
        if (page > 100_000) throw new AppError('bad_response', `${name}: the provider never stopped paging`)
      }
    }
  }

  async function readItems(ctx: StreamContext, url: string, body: unknown): Promise<PageRead<null>> {
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
    const rows: Row[] = []
    const rejects: { reason: string; payload: unknown }[] = []
    for (const raw of items) {
      const r = check(simItemSchema, raw)
      const row = r.ok ? simRow(r.value) : null
      if (row) rows.push(row)
      else rejects.push({ reason: r.ok ? 'session_cost: not a representable amount' : r.reason, payload: raw })
    }
    return { page: null, size: items.length, rows, rejects }
  }
}
