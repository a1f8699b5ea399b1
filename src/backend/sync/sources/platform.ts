/**
 * The platform API client: keyset pages over `updated_after` + `after_id` (DRF page shape),
 * so rows updated mid-sync are picked up later instead of shifting the pages under us.
 */
import { AppError } from '../../../shared/errors'
import type { Db } from '../../db/connection'
import { valuesOf, type Row, type Upserter, type Values } from '../../db/upsert'
import { CLIENT_COLUMNS, clientRowFromWire, clientsUpserter } from '../../db/clients'
import type { SyncStream, StreamContext } from '../engine'
import { readUntilIntact, type PageRead } from '../reread'
import { check } from '../validate'
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

export interface KeysetCursor {
  updatedAfter: string
  afterId: number
}

export function parseCursor(text: string | null): KeysetCursor | null {
  if (!text) return null
  try {
    const c = JSON.parse(text) as KeysetCursor
    return typeof c.updatedAfter === 'string' && Number.isSafeInteger(c.afterId) ? c : null
  } catch {
    return null
  }
}

export function pageUrl(base: string, path: string, cursor: KeysetCursor | null, pageSize: number): string {
  const u = new URL(path, base.endsWith('/') ? base : base + '/')
  u.searchParams.set('page_size', String(pageSize))
  if (cursor) {
    u.searchParams.set('updated_after', cursor.updatedAfter)
    u.searchParams.set('after_id', String(cursor.afterId))
  }
  return u.toString()
}

/** The cursor a `next` link carries, for pages where no record could give us one. */
function cursorFromNext(next: string | null): KeysetCursor | null {
  if (!next) return null
  try {
    const u = new URL(next)
    const updatedAfter = u.searchParams.get('updated_after')
    const afterId = Number(u.searchParams.get('after_id'))
    return updatedAfter && Number.isSafeInteger(afterId) ? { updatedAfter, afterId } : null
  } catch {
    return null
  }
}

function later(a: KeysetCursor | null, b: KeysetCursor): boolean {
  if (!a) return true
  const ta = Date.parse(a.updatedAfter)
  const tb = Date.parse(b.updatedAfter)
  return tb > ta || (tb === ta && (b.updatedAfter > a.updatedAfter || (b.updatedAfter === a.updatedAfter && b.afterId > a.afterId)))
}

interface KeysetStreamDef<S extends z.ZodType> {
  name: string
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
  /** The local table the stream fills. */
  table: string
  /** Rows per request as a multiple of the engine's page size (big, small rows: larger pages). */
  pageScale?: number
}

/** The platform's largest page (openapi/platform.yaml). */
export const MAX_PAGE_SIZE = 5000

/** One page of a keyset stream, validated, with the cursor that follows it. */
export interface KeysetPage {
  /** Valid rows as values in the stream's column order (arrays clone between threads at half the cost of objects). */
  rows: Values[]
  rejects: { reason: string; payload: unknown }[]
  /** Records the page held. */
  fetched: number
  /** Rows the server had from this page's position on. */
  count: number
  cursor: KeysetCursor | null
  more: boolean
}

type KeysetReadDef = Pick<KeysetStreamDef<z.ZodType>, 'name' | 'path' | 'schema' | 'toRow' | 'columns' | 'fast'>

/**
 * Reads a keyset stream page by page from `start`. Each next page is requested as soon as
 * its cursor is known, so it travels while the caller writes the current one. Runs in the
 * sync thread or in a reader thread (sync/reader.ts) alike.
 */
export async function* keysetPages(
  def: KeysetReadDef,
  base: string,
  start: KeysetCursor | null,
  pageSize: number,
  fetchBody: (url: string) => Promise<unknown>
): AsyncGenerator<KeysetPage> {
  const idAt = def.columns.indexOf('id')
  const updatedAt = def.columns.indexOf('updated_at')
  const read = (c: KeysetCursor | null) => {
    const p = readUntilIntact(() => readPage(def, fetchBody, pageUrl(base, def.path, c, pageSize)), 'id', (r) => r[idAt])
    p.catch(() => undefined) // awaited below; this only keeps an abandoned prefetch quiet
    return p
  }
  let cursor = start
  let pending = read(cursor)
  for (;;) {
    const { rows, rejects, page } = await pending
    const { results, next, count } = page
    let nextCursor = cursor
    for (const row of rows) {
      const c = { updatedAfter: String(row[updatedAt]), afterId: Number(row[idAt]) }
      if (later(nextCursor, c)) nextCursor = c
    }
    if (nextCursor === cursor && results.length) {
      const hinted = cursorFromNext(next)
      if (hinted && later(cursor, hinted)) nextCursor = hinted
    }
    const more = Boolean(next) && results.length > 0
    if (more && nextCursor === cursor) throw new AppError('bad_response', `${def.name}: a page gave no position to continue from`)
    if (more) pending = read(nextCursor)
    yield { rows, rejects, fetched: results.length, count, cursor: nextCursor, more }
    cursor = nextCursor
    if (!more) return
  }
}

export function keysetStream<S extends z.ZodType>(def: KeysetStreamDef<S>): SyncStream {
  KEYSET_DEFS.set(def.name, def as unknown as KeysetReadDef)
  return {
    name: def.name,
    source: 'platform',
    table: def.table,
    async run(ctx: StreamContext): Promise<void> {
      const upsert = def.upserter(ctx.db)
      if (upsert.columns.join() !== def.columns.join()) throw new AppError('internal', `${def.name}: the page's columns are not the table's`)
      const start = parseCursor(ctx.state.cursor(def.name))
      const pageSize = Math.min(MAX_PAGE_SIZE, ctx.pageSize * (def.pageScale ?? 1))
      const pages =
        ctx.keysetReader?.(def.name, start, pageSize) ??
        keysetPages(def as unknown as KeysetReadDef, ctx.connection.url, start, pageSize, async (url) => (await ctx.request(url)).body)
      let fetchedBefore = 0
      let page = 0
      for await (const p of pages) {
        page++
        ctx.commit(p.rows.length, () => {
          const counts = upsert.writeValues(p.rows)
          for (const r of p.rejects) ctx.state.reject('platform', def.name, r.reason, r.payload, ctx.now())
          ctx.state.setCursor(def.name, 'platform', p.cursor ? JSON.stringify(p.cursor) : null)
          return { ...counts, rejected: p.rejects.length, fetched: p.fetched }
        })
        // count is what remained from this page's position on, so the total is known each page.
        ctx.progress(page, fetchedBefore + p.count)
        fetchedBefore += p.fetched
      }
    }
  }
}

async function readPage(
  def: KeysetReadDef,
  fetchBody: (url: string) => Promise<unknown>,
  url: string
): Promise<PageRead<{ results: unknown[]; next: string | null; count: number }, Values>> {
  const body = await fetchBody(url)
  const parsed = drfPageSchema.safeParse(body)
  if (!parsed.success) {
    throw new AppError('bad_response', `${def.name}: the page is not a {count,next,previous,results} object`)
  }
  const { results, next, count } = parsed.data
  const rows: Values[] = []
  const rejects: { reason: string; payload: unknown }[] = []
  const { columns, fast } = def
  for (const raw of results) {
    const values = fast?.(raw)
    if (values) {
      rows.push(values)
      continue
    }
    const r = check(def.schema, raw)
    if (r.ok) rows.push(valuesOf(def.toRow(r.value), columns))
    else rejects.push({ reason: r.reason, payload: raw })
  }
  return { page: { results, next, count }, size: results.length, rows, rejects }
}

/** Every keyset stream by name, for the reader thread. */
export const KEYSET_DEFS = new Map<string, KeysetReadDef>()

export const platformClientsStream = keysetStream({
  name: 'platform.clients',
  path: 'api/v1/clients/',
  schema: clientWireSchema,
  toRow: clientRowFromWire,
  columns: CLIENT_COLUMNS,
  upserter: clientsUpserter,
  table: 'clients'
})

export const platformSenderNamesStream = keysetStream({
  name: 'platform.sender_names',
  path: 'api/v1/sender-names/',
  schema: senderNameWireSchema,
  toRow: senderNameRowFromWire,
  columns: SENDER_NAME_COLUMNS,
  upserter: senderNamesUpserter,
  table: 'sender_names'
})

export const platformTransactionsStream = keysetStream({
  name: 'platform.transactions',
  path: 'api/v1/transactions/',
  schema: transactionWireSchema,
  toRow: transactionRowFromWire,
  columns: TRANSACTION_COLUMNS,
  upserter: transactionsUpserter,
  table: 'transactions',
  pageScale: 4
})

export const platformMessagesStream = keysetStream({
  name: 'platform.messages',
  path: 'api/v1/messages/',
  schema: messageWireSchema,
  toRow: messageRowFromWire,
  columns: MESSAGE_COLUMNS,
  fast: fastMessageValues,
  upserter: messagesUpserter,
  table: 'messages',
  pageScale: 10
})
