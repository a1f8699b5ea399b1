/**
 * The platform API client: keyset pages over `updated_after` + `after_id` (DRF page shape),
 * so rows updated mid-sync are picked up later instead of shifting the pages under us.
 */
import { AppError } from '../../../shared/errors'
import { streamInfo, type StreamName } from '../../../shared/streams'
import type { Db } from '../../db/connection'
import { valuesOf, type Row, type Upserter, type Value, type Values } from '../../db/upsert'
import { CLIENT_COLUMNS, clientRowFromWire, clientsUpserter } from '../../db/clients'
import type { KeysetCursor, KeysetPage, KeysetPosition, Quarantined, StreamContext, SyncStream } from '../types'
import { MAX_QUARANTINE_PER_RUN, readResolved, STALL_LIMIT, type Reject, type Resolved, type Slot, type SlotRead } from '../reread'
import { check } from '../validate'
import { joinUrl } from '../../url'
import { MESSAGE_COLUMNS, messageRowFromWire, messagesUpserter } from '../../db/messages'
import { TRANSACTION_COLUMNS, transactionRowFromWire, transactionsUpserter } from '../../db/finance'
import { SENDER_NAME_COLUMNS, senderNameRowFromWire, senderNamesUpserter } from '../../db/senderNames'
import { fastMessageValues } from './fastMessage'
import {
  clientWireSchema,
  drfPageSchema,
  messageWireSchema,
  senderNameWireSchema,
  transactionWireSchema
} from './platformSchemas'
import type { z } from 'zod'

export function parseCursor(text: string | null): KeysetCursor | null {
  if (!text) return null
  try {
    const c = JSON.parse(text) as KeysetCursor
    if (typeof c.updatedAfter !== 'string' || !Number.isSafeInteger(c.afterId)) return null
    return { updatedAfter: c.updatedAfter, afterId: c.afterId, ...(Array.isArray(c.gaps) && c.gaps.length ? { gaps: c.gaps } : {}) }
  } catch {
    return null
  }
}

export function pageUrl(base: string, path: string, cursor: KeysetPosition | null, pageSize: number): string {
  const u = new URL(joinUrl(base, path))
  u.searchParams.set('page_size', String(pageSize))
  if (cursor) {
    u.searchParams.set('updated_after', cursor.updatedAfter)
    u.searchParams.set('after_id', String(cursor.afterId))
  }
  return u.toString()
}

/** True when b comes after a in the keyset order (a null a is the stream's start). */
function later(a: KeysetPosition | null, b: KeysetPosition): boolean {
  if (!a) return true
  const ta = Date.parse(a.updatedAfter)
  const tb = Date.parse(b.updatedAfter)
  return tb > ta || (tb === ta && (b.updatedAfter > a.updatedAfter || (b.updatedAfter === a.updatedAfter && b.afterId > a.afterId)))
}

interface KeysetStreamDef<S extends z.ZodType> {
  /** The stream (src/shared/streams.ts): its source is the platform, its table the one it fills. */
  name: StreamName
  path: string
  schema: S
  toRow: (value: z.output<S>) => Row
  /** The stored columns, in the upserter's order: rows travel as their values. */
  columns: string[]
  /**
   * A fast, conservative check that turns a plainly valid record straight into its values,
   * or gives null, and the schema decides (fastMessage.ts).
   */
  fast?: (raw: unknown) => Values | null
  upserter: (db: Db) => Upserter
  /** Rows per request as a multiple of the engine's page size (big, small rows: larger pages). */
  pageScale?: number
  /**
   * Runs after the stream's pages, with the values of the `touched` column of every row written
   * and a function that reads the stream on from its cursor again (returning the same).
   */
  after?: { touched: string; run: (ctx: StreamContext, touched: Set<Value>, again: () => Promise<Set<Value>>) => Promise<void> }
}

/** The platform's largest page (openapi/platform.yaml). */
export const MAX_PAGE_SIZE = 5000
/** Gaps a stream keeps to read again; more means the source is broken. */
const MAX_GAPS = 100
/** Quarantined records asked for again by id at the start of each sync. */
const REPAIRS_PER_SYNC = 200

type KeysetReadDef = Pick<KeysetStreamDef<z.ZodType>, 'name' | 'path' | 'schema' | 'toRow' | 'columns' | 'fast'>

type PageBody = { results: unknown[]; next: string | null; count: number }

/** The quarantine key of a record with a readable id. */
export const idKey = (id: number): string => `id:${id}`

function readableId(payload: unknown): number | null {
  const id = (payload as { id?: unknown } | null)?.id
  return typeof id === 'number' && Number.isSafeInteger(id) && id > 0 ? id : null
}

/**
 * Reads a keyset stream page by page from `start`. Each next page is requested as soon as
 * its cursor is known, so it travels while the caller writes the current one. Runs in the
 * sync thread or in a reader thread (sync/reader.ts) alike.
 *
 * The cursor comes from the records only (never from a `next` link, which may point anywhere),
 * and never passes a record that was not stored: a damaged slot that no read accounts for
 * (reread.ts) holds the cursor before it, and the next page is read from there. A position
 * that stays damaged for STALL_LIMIT pages is asked for by id where the id is readable, and
 * otherwise stepped over as a gap: quarantined, reported, and read again at the next sync. A
 * page with no intact record after the damage gives nothing to step to: the stream ends with
 * `sync_stalled`, everything before it stored, and the next sync starts there.
 * `quarantined` are the ids quarantined by earlier syncs: asked for again first.
 */
export async function* keysetPages(
  def: KeysetReadDef,
  base: string,
  start: KeysetCursor | null,
  pageSize: number,
  fetchBody: (url: string) => Promise<unknown>,
  quarantined: number[] = []
): AsyncGenerator<KeysetPage> {
  const idAt = def.columns.indexOf('id')
  const updatedAt = def.columns.indexOf('updated_at')
  const positionOf = (row: Values): KeysetPosition => ({ updatedAfter: String(row[updatedAt]), afterId: Number(row[idAt]) })
  const read = (c: KeysetPosition | null, size = pageSize): Promise<Resolved<PageBody, Values>> => {
    const p = readResolved(() => readPage(def, fetchBody, pageUrl(base, def.path, c, size), size))
    p.catch(() => undefined) // awaited below; this only keeps an abandoned prefetch quiet
    return p
  }
  /** One record by id, validated; null when it is still damaged or gone. */
  const byId = async (id: number): Promise<Values | null> => {
    try {
      const body = await fetchBody(joinUrl(base, `${def.path}${id}/`))
      const values = def.fast?.(body)
      if (values) return values
      const r = check(def.schema, body)
      if (!r.ok) return null
      const row = valuesOf(def.toRow(r.value), def.columns)
      return row[idAt] === id ? row : null
    } catch (e) {
      if (e instanceof AppError && e.code === 'sync_cancelled') throw e
      return null
    }
  }
  let quarantinedNow = 0
  const quarantine = (q: Quarantined[]): Quarantined[] => {
    quarantinedNow += q.length
    if (quarantinedNow > MAX_QUARANTINE_PER_RUN) {
      throw new AppError('too_many_rejects', `${def.name}: more than ${MAX_QUARANTINE_PER_RUN} records stayed damaged in every read; the sync of this stream stopped`, {
        stream: def.name,
        limit: MAX_QUARANTINE_PER_RUN
      })
    }
    return q
  }

  // 1. Records quarantined by earlier syncs, asked for again by id.
  let gaps = [...(start?.gaps ?? [])]
  const position: KeysetPosition | null = start ? { updatedAfter: start.updatedAfter, afterId: start.afterId } : null
  const withGaps = (p: KeysetPosition | null): KeysetCursor | null => (p ? { ...p, ...(gaps.length ? { gaps: [...gaps] } : {}) } : null)
  if (quarantined.length) {
    const rows: Values[] = []
    const repaired: string[] = []
    for (const id of quarantined.slice(0, REPAIRS_PER_SYNC)) {
      const row = await byId(id)
      if (row) {
        rows.push(row)
        repaired.push(idKey(id))
      }
    }
    yield { rows, rejects: [], repaired, fetched: rows.length, count: null, cursor: withGaps(position), more: true }
  }
  // 2. Gaps stepped over by earlier syncs, read again: closed when read intact up to their end.
  for (const gap of [...gaps]) {
    const r = await read(gap.from, Math.min(pageSize, 200))
    const knownTo = r.firstUnresolved === -1 ? r.slots.length : r.firstUnresolved
    // Closed when the records read intact reach the gap's end, or the stream's end.
    const closed =
      r.slots.slice(0, knownTo).some((s) => s.row !== null && !later(positionOf(s.row), gap.to)) ||
      (r.firstUnresolved === -1 && !r.page.next)
    if (closed) gaps = gaps.filter((g) => g !== gap)
    yield { rows: r.rows, rejects: [], repaired: closed ? [gap.key] : [], fetched: r.slots.length, count: null, cursor: withGaps(position), more: true }
  }

  // 3. The stream from the cursor on.
  let cursor = position
  let stalls = 0
  let pending = read(cursor)
  for (;;) {
    const r = await pending
    const { slots, known, rows } = r
    const { next, count } = r.page
    let first = r.firstUnresolved
    const rejects: Quarantined[] = []
    const upTo = (end: number): KeysetPosition | null => {
      let p = cursor
      for (let i = 0; i < end; i++) {
        const row = slots[i].row
        if (row) {
          const c = positionOf(row)
          if (later(p, c)) p = c
        }
      }
      return p
    }
    let nextCursor = upTo(first === -1 ? slots.length : first)
    let moved = nextCursor !== cursor
    if (!moved && slots.length && ++stalls >= STALL_LIMIT) {
      if (first === -1) {
        throw new AppError('sync_stalled', `${def.name}: ${STALL_LIMIT} pages in a row did not move past the last record read; the server is not paging`, {
          stream: def.name
        })
      }
      // Give up the damaged run at the cursor: ask for readable ids, step over the rest.
      let q = first
      while (q < slots.length && slots[q].row === null) q++
      if (q === slots.length && next) {
        throw new AppError('sync_stalled', `${def.name}: the records after the last one read stayed damaged in ${stalls} pages of reads`, {
          stream: def.name
        })
      }
      const hidden: Reject[] = []
      for (let i = first; i < q; i++) {
        const s = slots[i]
        if (s.row !== null) continue
        const id = readableId(s.reject.payload)
        const row = id !== null ? await byId(id) : null
        if (row) rows.push(row)
        else if (id !== null) rejects.push({ key: idKey(id), reason: s.reject.reason, payload: s.reject.payload })
        else hidden.push(s.reject)
      }
      if (q === slots.length) {
        // The stream's last records stay damaged: kept aside, and the cursor stays before them,
        // so the next sync reads them again with whatever comes after them.
        if (hidden.length) {
          const key = `tail:${cursor ? `${cursor.updatedAfter}/${cursor.afterId}` : 'start'}`
          rejects.push({ key, reason: `${hidden.length} record(s) at the stream's end stayed damaged in every read (${hidden[0].reason})`, payload: hidden.slice(0, 5).map((h) => h.payload) })
        }
        yield { rows, rejects: quarantine(rejects), repaired: [], fetched: slots.length, count, cursor: withGaps(cursor), more: false }
        return
      }
      if (hidden.length) {
        if (gaps.length >= MAX_GAPS) {
          throw new AppError('too_many_rejects', `${def.name}: more than ${MAX_GAPS} places where records stayed damaged; the sync of this stream stopped`, {
            stream: def.name,
            limit: MAX_GAPS
          })
        }
        const to = positionOf(slots[q].row!)
        const key = `gap:${cursor ? `${cursor.updatedAfter}/${cursor.afterId}` : 'start'}`
        gaps.push({ from: cursor, to, key })
        rejects.push({
          key,
          reason: `${hidden.length} record(s) stayed damaged in every read (${hidden[0].reason}); read again at the next sync`,
          payload: hidden.slice(0, 5).map((h) => h.payload)
        })
      }
      first = known.indexOf(false, q)
      nextCursor = upTo(first === -1 ? slots.length : first)
      moved = true
    }
    if (moved) stalls = 0
    const more = (Boolean(next) && slots.length > 0) || first !== -1
    if (more) pending = read(nextCursor)
    yield { rows, rejects: quarantine(rejects), repaired: [], fetched: slots.length, count, cursor: withGaps(nextCursor), more }
    cursor = nextCursor
    if (!more) return
  }
}

export function keysetStream<S extends z.ZodType>(def: KeysetStreamDef<S>): SyncStream {
  KEYSET_DEFS.set(def.name, def as unknown as KeysetReadDef)
  return {
    ...streamInfo(def.name),
    async run(ctx: StreamContext): Promise<void> {
      const upsert = def.upserter(ctx.db)
      if (upsert.columns.join() !== def.columns.join()) throw new AppError('internal', `${def.name}: the page's columns are not the table's`)
      const start = parseCursor(ctx.state.cursor(def.name))
      const pageSize = Math.min(MAX_PAGE_SIZE, ctx.pageSize * (def.pageScale ?? 1))
      // Records quarantined by earlier syncs: asked for again by id, cleared once stored.
      const held = new Set(ctx.state.quarantineKeys(def.name))
      const quarantined = [...held].filter((k) => k.startsWith('id:')).map((k) => Number(k.slice(3)))
      const pages =
        ctx.keysetReader?.(def.name, start, pageSize, quarantined) ??
        keysetPages(
          def as unknown as KeysetReadDef,
          ctx.connection.url,
          start,
          pageSize,
          async (url) => (await ctx.request(url)).body,
          quarantined
        )
      const idAt = def.columns.indexOf('id')
      const touchedAt = def.after ? def.columns.indexOf(def.after.touched) : -1
      let fetchedBefore = 0
      let page = 0
      const readOn = async (pages: AsyncIterable<KeysetPage>): Promise<Set<Value>> => {
        const touched = new Set<Value>()
        for await (const p of pages) {
          page++
          ctx.commit(p.rows.length, () => {
            const counts = upsert.writeValues(p.rows)
            const cleared = [...p.repaired]
            if (held.size) for (const row of p.rows) if (held.has(idKey(Number(row[idAt])))) cleared.push(idKey(Number(row[idAt])))
            ctx.state.clearQuarantine(def.name, cleared)
            for (const k of cleared) held.delete(k)
            for (const r of p.rejects) {
              ctx.state.quarantine('platform', def.name, r.key, r.reason, r.payload, ctx.now())
              held.add(r.key)
            }
            ctx.state.setCursor(def.name, 'platform', p.cursor ? JSON.stringify(p.cursor) : null)
            return { ...counts, rejected: p.rejects.length, fetched: p.fetched }
          })
          if (touchedAt >= 0) for (const row of p.rows) touched.add(row[touchedAt])
          // count is what remained from this page's position on, so the total is known each page.
          if (p.count !== null) ctx.progress(page, fetchedBefore + p.count)
          fetchedBefore += p.fetched
        }
        return touched
      }
      const touched = await readOn(pages)
      if (def.after) {
        await def.after.run(ctx, touched, () =>
          readOn(
            keysetPages(
              def as unknown as KeysetReadDef,
              ctx.connection.url,
              parseCursor(ctx.state.cursor(def.name)),
              pageSize,
              async (url) => (await ctx.request(url)).body
            )
          )
        )
      }
      // What stays quarantined is reported: the stream ends with an error that says so.
      if (held.size) ctx.unresolved(held.size)
    }
  }
}

/** Clients whose stored balance is not the balance after their newest stored transaction. */
function staleBalances(db: Db, clients: Iterable<Value>): number[] {
  const ids = JSON.stringify([...clients])
  return db
    .prepare(
      `SELECT c.id FROM clients c, json_each(?) j
       WHERE c.id = j.value
         AND c.balance IS NOT (SELECT t.balance_after FROM transactions t WHERE t.client_id = c.id ORDER BY t.date DESC, t.id DESC LIMIT 1)
         AND EXISTS (SELECT 1 FROM transactions t WHERE t.client_id = c.id)`
    )
    .pluck()
    .all(ids) as number[]
}

/** Clients asked for by id to bring their balance level with their transactions, per sync at most. */
const BALANCE_REFRESHES = 500

/**
 * Clients are read before transactions, so a top-up that lands between the two leaves a stored
 * balance behind the newest stored transaction. After the transactions, the clients they touched
 * whose balance does not match are read again by id, and the transactions again from their
 * cursor (a client read now may hold a newer one), until they match (three rounds at most: on a
 * live platform the next sync finishes the job).
 */
async function levelBalances(ctx: StreamContext, touched: Set<Value>, again: () => Promise<Set<Value>>): Promise<void> {
  const clients = clientsUpserter(ctx.db)
  let pending = touched
  for (let round = 0; round < 3 && pending.size; round++) {
    const stale = staleBalances(ctx.db, pending).slice(0, BALANCE_REFRESHES)
    if (!stale.length) return
    const rows: Values[] = []
    for (const id of stale) {
      const { body } = await ctx.request(joinUrl(ctx.connection.url, `api/v1/clients/${id}/`))
      const r = check(clientWireSchema, body)
      if (r.ok && r.value.id === id) rows.push(valuesOf(clientRowFromWire(r.value), CLIENT_COLUMNS))
    }
    ctx.commit(rows.length, () => ({ ...clients.writeValues(rows), rejected: 0, fetched: rows.length }))
    const newer = await again()
    pending = new Set<Value>([...stale, ...newer])
  }
}

async function readPage(
  def: KeysetReadDef,
  fetchBody: (url: string) => Promise<unknown>,
  url: string,
  pageSize: number
): Promise<SlotRead<PageBody, Values>> {
  const body = await fetchBody(url)
  const parsed = drfPageSchema.safeParse(body)
  if (!parsed.success) {
    throw new AppError('bad_response', `${def.name}: the page is not a {count,next,previous,results} object`)
  }
  const { results, next, count } = parsed.data
  if (results.length > pageSize) {
    throw new AppError('bad_response', `${def.name}: the server sent ${results.length} records where at most ${pageSize} were asked for`)
  }
  const slots: Slot<Values>[] = []
  const { columns, fast } = def
  const idAt = columns.indexOf('id')
  for (const raw of results) {
    const values = fast?.(raw)
    if (values) {
      slots.push({ row: values, key: values[idAt] })
      continue
    }
    const r = check(def.schema, raw)
    if (r.ok) {
      const row = valuesOf(def.toRow(r.value), columns)
      slots.push({ row, key: row[idAt] })
    } else slots.push({ row: null, key: readableId(raw) ?? undefined, reject: { reason: r.reason, payload: raw } })
  }
  return { page: { results, next, count }, slots }
}

/** Every keyset stream by name, for the reader thread. */
export const KEYSET_DEFS = new Map<string, KeysetReadDef>()

export const platformClientsStream = keysetStream({
  name: 'platform.clients',
  path: 'api/v1/clients/',
  schema: clientWireSchema,
  toRow: clientRowFromWire,
  columns: CLIENT_COLUMNS,
  upserter: clientsUpserter
})

export const platformSenderNamesStream = keysetStream({
  name: 'platform.sender_names',
  path: 'api/v1/sender-names/',
  schema: senderNameWireSchema,
  toRow: senderNameRowFromWire,
  columns: SENDER_NAME_COLUMNS,
  upserter: senderNamesUpserter
})

export const platformTransactionsStream = keysetStream({
  name: 'platform.transactions',
  path: 'api/v1/transactions/',
  schema: transactionWireSchema,
  toRow: transactionRowFromWire,
  columns: TRANSACTION_COLUMNS,
  upserter: transactionsUpserter,
  pageScale: 4,
  after: { touched: 'client_id', run: levelBalances }
})

export const platformMessagesStream = keysetStream({
  name: 'platform.messages',
  path: 'api/v1/messages/',
  schema: messageWireSchema,
  toRow: messageRowFromWire,
  columns: MESSAGE_COLUMNS,
  fast: fastMessageValues,
  upserter: messagesUpserter,
  pageScale: 10
})
