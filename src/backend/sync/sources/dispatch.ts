/**
 * The dispatch service (seed dispatch-reports-api.ru.md): GET {base}/api/v1/dispatch-reports/
 * (a bare array) and /{dispatch_id}/. Counts are a snapshot that moves over time, so each
 * distinct snapshot is kept. Real servers are sloppy: a record with nulls is read again by id,
 * and a 200 for an id that does not exist (a record of nulls) is never stored.
 */
import { z } from 'zod'
import { AppError } from '../../../shared/errors'
import type { Row } from '../../db/upsert'
import { rowHash } from '../../db/upsert'
import type { StreamContext, SyncStream } from '../engine'
import { readResolved, type Slot, type SlotRead } from '../reread'
import { check, isIsoUtc } from '../validate'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const isoUtc = z.string().refine(isIsoUtc, 'expected an ISO-8601 UTC timestamp')
const count = z.number().int().min(0)

export const dispatchSchema = z
  .object({
    id: z.string().regex(UUID, 'expected a UUID'),
    start_datetime: isoUtc,
    end_datetime: isoUtc,
    message_text: z.string().max(10_000),
    filter_mobile_operator_code__code: z.string().max(50),
    filter_tag__code: z.string().max(200),
    created: count,
    completed: count,
    error: count,
    timeout: count
  })
  .passthrough()
type DispatchWire = z.output<typeof dispatchSchema>

export function dispatchStream(): SyncStream {
  const name = 'dispatch.reports'
  return {
    name,
    source: 'dispatch',
    table: 'dispatches',
    async run(ctx: StreamContext): Promise<void> {
      const base = ctx.connection.url.endsWith('/') ? ctx.connection.url : ctx.connection.url + '/'
      const listUrl = new URL('api/v1/dispatch-reports/', base).toString()
      // A list with damaged records is read again (a null in place of a record hides even its id).
      const list = await readResolved(async (): Promise<SlotRead<unknown[], DispatchWire>> => {
        const { body } = await ctx.request(listUrl)
        if (!Array.isArray(body)) throw new AppError('bad_response', `${name}: the list is not a JSON array`)
        const slots: Slot<DispatchWire>[] = body.map((raw) => {
          const r = check(dispatchSchema, raw)
          if (r.ok) return { row: r.value, key: r.value.id }
          const id = (raw as { id?: unknown } | null)?.id
          return { row: null, key: typeof id === 'string' && UUID.test(id) ? id : undefined, reject: { reason: r.reason, payload: raw } }
        })
        return { page: body, slots }
      })
      const body = list.page
      const valid = new Map<string, DispatchWire>(list.rows.map((d) => [d.id, d]))
      // What stays damaged is quarantined under its id, or as damage in the list (re-read whole
      // every sync, so the list's damage of an earlier sync is cleared first).
      const rejects: { key: string; reason: string; payload: unknown }[] = []
      list.slots.forEach((slot, i) => {
        if (slot.row !== null || list.known[i]) return
        const id = typeof slot.key === 'string' ? slot.key : null
        if (id && valid.has(id)) return
        rejects.push({ key: id ? `id:${id}` : `list:${i}`, reason: slot.reject.reason, payload: slot.reject.payload })
      })
      for (const reject of [...rejects]) {
        // A damaged record whose id we can read is asked for on its own.
        if (!reject.key.startsWith('id:')) continue
        const detail = await readDetail(ctx, base, reject.key.slice(3))
        if (detail.ok) {
          valid.set(detail.value.id, detail.value)
          rejects.splice(rejects.indexOf(reject), 1)
        }
      }
      // Dispatches we hold that the list no longer shows are asked for by id: a 404 means the
      // server dropped it (so do we); a 200 of nulls for it (a phantom) is rejected, never stored.
      const known = ctx.db.prepare('SELECT id FROM dispatches ORDER BY last_seen_at LIMIT 1000').pluck().all() as string[]
      const gone: string[] = []
      for (const id of known.filter((k) => !valid.has(k)).slice(0, MISSING_CHECKS_PER_SYNC)) {
        const detail = await readDetail(ctx, base, id)
        if (detail.ok) valid.set(id, detail.value)
        else if (detail.notFound) gone.push(id)
        else rejects.push({ key: `id:${id}`, reason: detail.reason, payload: { id, detail: 'answer for a dispatch missing from the list' } })
      }
      const now = ctx.now()
      const drop = ctx.db.prepare('DELETE FROM dispatches WHERE id = ?')
      const get = ctx.db.prepare('SELECT row_hash FROM dispatches WHERE id = ?').pluck()
      const upsert = ctx.db.prepare(
        `INSERT INTO dispatches (id, start_datetime, end_datetime, message_text, operator_code, tag_code,
           created, completed, error, timeout, first_seen_at, last_seen_at, row_hash)
         VALUES (@id, @start_datetime, @end_datetime, @message_text, @operator_code, @tag_code,
           @created, @completed, @error, @timeout, @now, @now, @row_hash)
         ON CONFLICT(id) DO UPDATE SET start_datetime = excluded.start_datetime, end_datetime = excluded.end_datetime,
           message_text = excluded.message_text, operator_code = excluded.operator_code, tag_code = excluded.tag_code,
           created = excluded.created, completed = excluded.completed, error = excluded.error,
           timeout = excluded.timeout, last_seen_at = excluded.last_seen_at, row_hash = excluded.row_hash`
      )
      const touch = ctx.db.prepare('UPDATE dispatches SET last_seen_at = ? WHERE id = ?')
      const latest = ctx.db.prepare(
        'SELECT created, completed, error, timeout FROM dispatch_snapshots WHERE dispatch_id = ? ORDER BY taken_at DESC LIMIT 1'
      )
      const snapshot = ctx.db.prepare(
        'INSERT OR IGNORE INTO dispatch_snapshots (dispatch_id, taken_at, created, completed, error, timeout) VALUES (?, ?, ?, ?, ?, ?)'
      )
      ctx.commit(valid.size, () => {
        let inserted = 0
        let updated = 0
        let unchanged = 0
        for (const d of valid.values()) {
          const row: Row = {
            id: d.id,
            start_datetime: d.start_datetime,
            end_datetime: d.end_datetime,
            message_text: d.message_text,
            operator_code: d.filter_mobile_operator_code__code,
            tag_code: d.filter_tag__code,
            created: d.created,
            completed: d.completed,
            error: d.error,
            timeout: d.timeout
          }
          const hash = rowHash(row)
          const prev = get.get(d.id) as string | undefined
          if (prev === hash) {
            unchanged++
            touch.run(now, d.id)
          } else {
            upsert.run({ ...row, now, row_hash: hash })
            if (prev === undefined) inserted++
            else updated++
          }
          const last = latest.get(d.id) as { created: number; completed: number; error: number; timeout: number } | undefined
          if (!last || last.created !== d.created || last.completed !== d.completed || last.error !== d.error || last.timeout !== d.timeout) {
            snapshot.run(d.id, now, d.created, d.completed, d.error, d.timeout)
          }
        }
        for (const id of gone) drop.run(id)
        // Rejects of an earlier sync that this one read intact, or that are gone, are cleared.
        const keys = new Set(rejects.map((r) => r.key))
        ctx.state.clearQuarantine(
          name,
          ctx.state.quarantineKeys(name).filter((k) => !keys.has(k) && (k.startsWith('list:') || valid.has(k.slice(3)) || gone.includes(k.slice(3))))
        )
        for (const r of rejects) ctx.state.quarantine('dispatch', name, r.key, r.reason, r.payload, now)
        ctx.state.setCursor(name, 'dispatch', now)
        return { inserted, updated: updated + gone.length, unchanged, rejected: rejects.length, fetched: body.length }
      })
      ctx.progress(1, body.length)
    }
  }
}

const MISSING_CHECKS_PER_SYNC = 100

async function readDetail(
  ctx: StreamContext,
  base: string,
  id: string
): Promise<{ ok: true; value: DispatchWire } | { ok: false; reason: string; notFound?: true }> {
  try {
    const { body } = await ctx.request(new URL(`api/v1/dispatch-reports/${id}/`, base).toString())
    const r = check(dispatchSchema, body)
    if (!r.ok) return r
    if (r.value.id !== id) return { ok: false, reason: `id: the server answered for ${r.value.id.slice(0, 36)}` }
    return r
  } catch (e) {
    if (e instanceof AppError && e.code === 'not_found') {
      return { ok: false, reason: 'id: the dispatch no longer exists', notFound: true }
    }
    throw e
  }
}
