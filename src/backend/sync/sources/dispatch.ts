/**
 * The dispatch service (seed dispatch-reports-api.ru.md): GET {base}/api/v1/dispatch-reports/
 * (a bare array) and /{dispatch_id}/. Counts are a snapshot that moves over time, so each
 * distinct snapshot is kept. Real servers are sloppy: a record with nulls is read again by id,
 * and a 200 for an id that does not exist (a record of nulls) is never stored.
 */
import { z } from 'zod'
import { AppError } from '../../../shared/errors'
import { streamInfo } from '../../../shared/streams'
import { dispatchesWriter, storedDispatchIds, type DispatchRow } from '../../db/tables/dispatches'
import { joinUrl } from '../../url'
import type { StreamContext, SyncStream } from '../types'
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

function dispatchRow(d: DispatchWire): DispatchRow {
  return {
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
}

export function dispatchStream(): SyncStream {
  const stream = streamInfo('dispatch.reports')
  const { name } = stream
  return {
    ...stream,
    async run(ctx: StreamContext): Promise<void> {
      const listUrl = joinUrl(ctx.connection.url, 'api/v1/dispatch-reports/')
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
        const detail = await readDetail(ctx, reject.key.slice(3))
        if (detail.ok) {
          valid.set(detail.value.id, detail.value)
          rejects.splice(rejects.indexOf(reject), 1)
        }
      }
      // Dispatches we hold that the list no longer shows are asked for by id: a 404 means the
      // server dropped it (so do we); a 200 of nulls for it (a phantom) is rejected, never stored.
      const known = storedDispatchIds(ctx.db, 1000)
      const gone: string[] = []
      for (const id of known.filter((k) => !valid.has(k)).slice(0, MISSING_CHECKS_PER_SYNC)) {
        const detail = await readDetail(ctx, id)
        if (detail.ok) valid.set(id, detail.value)
        else if (detail.notFound) gone.push(id)
        else rejects.push({ key: `id:${id}`, reason: detail.reason, payload: { id, detail: 'answer for a dispatch missing from the list' } })
      }
      const now = ctx.now()
      const dispatches = dispatchesWriter(ctx.db)
      ctx.commit(valid.size, () => {
        const counts = { inserted: 0, updated: 0, unchanged: 0 }
        for (const d of valid.values()) counts[dispatches.write(dispatchRow(d), now)]++
        for (const id of gone) dispatches.drop(id)
        // Rejects of an earlier sync that this one read intact, or that are gone, are cleared.
        const keys = new Set(rejects.map((r) => r.key))
        ctx.state.clearQuarantine(
          name,
          ctx.state.quarantineKeys(name).filter((k) => !keys.has(k) && (k.startsWith('list:') || valid.has(k.slice(3)) || gone.includes(k.slice(3))))
        )
        for (const r of rejects) ctx.state.quarantine('dispatch', name, r.key, r.reason, r.payload, now)
        ctx.state.setCursor(name, 'dispatch', now)
        return { inserted: counts.inserted, updated: counts.updated + gone.length, unchanged: counts.unchanged, rejected: rejects.length, fetched: body.length }
      })
      ctx.progress(1, body.length)
    }
  }
}

const MISSING_CHECKS_PER_SYNC = 100

async function readDetail(
  ctx: StreamContext,
  id: string
): Promise<{ ok: true; value: DispatchWire } | { ok: false; reason: string; notFound?: true }> {
  try {
    const { body } = await ctx.request(joinUrl(ctx.connection.url, `api/v1/dispatch-reports/${id}/`))
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
