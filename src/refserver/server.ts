/**
 * The reference server: the platform, SIM provider and dispatch contracts on loopback, with
 * seeded data and switchable faults. The demo, the tests and the benchmarks talk to it.
 *
 *   Platform (openapi/platform.yaml): GET /api/v1/{clients,sender-names,transactions,messages}/
 *     (keyset pages) and /{id}/; POST /api/v1/clients/{id}/{top-up,credit,sms-subscription}/
 *     (Idempotency-Key required).
 *   SIM provider: POST /api/report/call_sms.
 *   Dispatch service: GET /api/v1/dispatch-reports/ and /api/v1/dispatch-reports/{id}/.
 *
 * The data's clock only moves with advance(ms) (or with the wall clock when `realtime`). See
 * README.md beside this file for the behaviours a client has to cope with.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { MONEY_SCALE, parseDecimal } from '../shared/money'
import { ReferenceDataset, type AdvanceResult, type DatasetOptions, type SimActionsView } from './dataset'
import { UUID, type DispatchStore } from './dispatch'
import { Faults, type FaultOptions } from './faults'
import { JsonSink } from './jsonsink'
import { MAX_TOP_UP_UNITS, type TransactionRecord } from './finance'
import type { ClientRecord, SenderNameRecord } from './generate'
import type { KeysetCollection, KeysetSource } from './keyset'
import type { MessageStore } from './messages'
import { SimProvider, type SimQuery } from './sim'

export interface ReferenceServerOptions extends DatasetOptions {
  faults?: FaultOptions
  /** When set, every request must carry `Authorization: Bearer <token>`. */
  token?: string
  host?: string
  port?: number
  /** Move the data's clock with the wall clock (before each request). Default: only advance(). */
  realtime?: boolean
}

export interface ReferenceData {
  clients: KeysetCollection<ClientRecord>
  senderNames: KeysetCollection<SenderNameRecord>
  transactions: KeysetCollection<TransactionRecord>
  messages: MessageStore
  /** SIM actions visible at the server's clock (the one-day lag applied). */
  simActions: SimActionsView
  /** The SIM provider: cards, groups and every action generated. */
  sim: SimProvider
  dispatches: DispatchStore
}

export interface ReferenceServer {
  url: string
  port: number
  data: ReferenceData
  /** The whole dataset (clock, generation timings, low-level access). */
  dataset: ReferenceDataset
  faults: Faults
  /** Requests served, by route name. */
  hits: Record<string, number>
  /** The data's clock (ms). */
  readonly now: number
  /** Moves the data's clock forward by `ms` and applies what became due. */
  advance(ms: number): AdvanceResult
  close(): Promise<void>
}

interface Ctx {
  req: http.IncomingMessage
  res: http.ServerResponse
  url: URL
  params: string[]
  body: unknown
}

/** A response whose body is already encoded (lists built as bytes) or text (non-JSON errors). */
class Reply {
  constructor(
    readonly status: number,
    readonly body: string | Buffer,
    readonly contentType = 'application/json; charset=utf-8'
  ) {}
}

type Handler = (ctx: Ctx) => unknown | Promise<unknown>

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown
  ) {
    super(`HTTP ${status}`)
  }
}

/** SIM provider errors: HTTP 200 with the code in the body, as such APIs do. */
class SimError extends Error {}

const COMMA = 0x2c

export const MAX_PAGE = 5000
export const SIM_MAX_SIZE = 5000

function intParam(url: URL, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = url.searchParams.get(name)
  if (raw === null || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new HttpError(400, { detail: `${name}: expected an integer from ${min} to ${max}`, code: 'invalid_parameter' })
  }
  return n
}

/** Builds the `next` link of a keyset page: the same URL with the cursor moved on. */
function nextLink(url: URL, next: { updatedAfter: string; afterId: number } | null): string | null {
  if (!next) return null
  const u = new URL(url)
  u.searchParams.set('updated_after', next.updatedAfter)
  u.searchParams.set('after_id', String(next.afterId))
  return u.toString()
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** JSON with object keys sorted, so equal bodies give equal fingerprints. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`
  if (isObject(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`
  }
  return JSON.stringify(v) ?? 'null'
}

function invalid(code: string, detail: string): HttpError {
  return new HttpError(400, { detail, code })
}

/** A money amount from a write body: a decimal string with at most 2 decimals. */
function amountUnits(v: unknown, field: string): number {
  if (typeof v !== 'string') throw invalid('invalid_amount', `${field}: expected a decimal string such as "100.00"`)
  const units = parseDecimal(v, MONEY_SCALE)
  if (units === null) {
    throw invalid('invalid_amount', `${field}: expected a decimal string with at most 2 decimals, got "${v.slice(0, 40)}"`)
  }
  return units
}

export async function startReferenceServer(options: ReferenceServerOptions = {}): Promise<ReferenceServer> {
  const seed = options.seed ?? 1
  const faults = new Faults({ seed, ...(options.faults ?? { kinds: [], rate: 0 }) })
  const dataset = new ReferenceDataset(options)
  const data: ReferenceData = {
    clients: dataset.clients,
    senderNames: dataset.senderNames,
    transactions: dataset.transactions,
    messages: dataset.messages,
    simActions: dataset.simActions,
    sim: dataset.sim,
    dispatches: dataset.dispatches
  }
  const hits: Record<string, number> = {}
  /** Idempotency-Key -> the request it was first used with and the response stored for it. */
  const idempotency = new Map<string, { fingerprint: string; status: number; text: string }>()
  let wall = Date.now()

  /** Record-level faults for one row of a list: null, malformed, or the row as it is. */
  function rowText(json: () => string, object: () => object): string {
    if (faults.fire('null', 0.2)) return 'null'
    if (faults.fire('malformed', 0.2)) return JSON.stringify(faults.corrupt(object()))
    return json()
  }

  /** Faults that change a list page's rows: while any is on, pages are never prefetched. */
  const rowFaultsOn = (): boolean =>
    faults.enabled('null') || faults.enabled('malformed') || faults.enabled('duplicate') || faults.enabled('shift')

  /**
   * A keyset list endpoint with the record-level faults applied.
   *
   * While no row-level fault is on, the page after the one just served is rendered ahead
   * (after the answer has gone out) and kept until it is asked for by that exact URL — the
   * `next` link — or the data changes: a client following `next` never waits for rendering.
   */
  function keysetList<R>(source: KeysetSource<R>, shift: () => void, resource: string) {
    let ahead: { url: string; version: number; body: Buffer; next: string | null } | null = null

    const render = (url: URL, afterMs: number | null, afterId: number, size: number, withFaults: boolean): { body: Buffer; next: string | null } => {
      // A capped server serves fewer rows than asked; its `next` link follows what it served.
      const limit = withFaults ? faults.pageSize(size) : size
      const page = source.pageRows(afterMs, afterId, limit)
      let rows = page.rows
      const next = nextLink(url, page.next)
      if (withFaults && afterMs !== null && faults.enabled('duplicate')) {
        // Rows the client already has, sent again at the top of the page (which keeps its size,
        // so its last rows come on the next page instead; `next` still points past them, as a
        // sloppy server's would: the client must take its position from the records).
        const before = source.rowsBefore(afterMs, afterId, 3)
        if (before.length && faults.fire('duplicate')) {
          const all = [...before, ...rows]
          rows = all.slice(0, Math.max(rows.length, Math.min(all.length, limit)))
        }
      }
      const sink = new JsonSink().raw(`{"count":${page.count},"next":${JSON.stringify(next)},"previous":null,"results":[`)
      rows.forEach((r, i) => {
        if (i > 0) sink.byte(COMMA)
        const broken = faults.anyBroken ? faults.brokenAs(resource, (source.rowObject(r) as { id: number }).id) : undefined
        if (broken) sink.raw(faults.brokenJson(broken, source.rowObject(r)))
        else if (withFaults && faults.fire('null', 0.2)) sink.raw('null')
        else if (withFaults && faults.fire('malformed', 0.2)) sink.raw(JSON.stringify(faults.corrupt(source.rowObject(r))))
        else source.writeRowJson(r, sink)
      })
      return { body: sink.raw(']}').toBuffer(), next }
    }

    const renderAhead = (next: string, size: number): void => {
      const version = source.version
      setImmediate(() => {
        if (source.version !== version || rowFaultsOn() || faults.anyBroken) return
        const url = new URL(next)
        const afterMs = Date.parse(url.searchParams.get('updated_after') ?? '')
        const afterId = Number(url.searchParams.get('after_id'))
        ahead = { url: next, version, ...render(url, afterMs, afterId, size, false) }
      })
    }

    return (ctx: Ctx): Reply => {
      const size = intParam(ctx.url, 'page_size', 100, 1, MAX_PAGE)
      const afterId = intParam(ctx.url, 'after_id', 0)
      const updatedAfter = ctx.url.searchParams.get('updated_after')
      const afterMs = updatedAfter === null ? null : Date.parse(updatedAfter)
      if (afterMs !== null && Number.isNaN(afterMs)) {
        throw new HttpError(400, { detail: 'updated_after: expected an ISO-8601 timestamp', code: 'invalid_parameter' })
      }
      const clean = !rowFaultsOn() && !faults.anyBroken
      const href = ctx.url.toString()
      if (clean && ahead && ahead.url === href && ahead.version === source.version) {
        const { body, next } = ahead
        ahead = null
        if (next) renderAhead(next, size)
        return new Reply(200, body)
      }
      // A record changes while the client is paging: it moves to the end.
      if (source.size && faults.fire('shift')) shift()
      const { body, next } = render(ctx.url, afterMs, afterId, size, true)
      if (clean && next) renderAhead(next, size)
      return new Reply(200, body)
    }
  }

  function detail(resource: string, get: (id: number) => object | undefined) {
    return (ctx: Ctx) => {
      const record = get(Number(ctx.params[0]))
      if (!record) throw new HttpError(404, { detail: 'Not found.' })
      const broken = faults.brokenAs(resource, ctx.params[0])
      return broken ? new Reply(200, faults.brokenJson(broken, record)) : record
    }
  }

  /**
   * A write: Idempotency-Key required; the same key with the same request replays the stored
   * response without applying again; the same key with another request is a 409.
   */
  function write(status: number, apply: (client: ClientRecord, body: Record<string, unknown>) => unknown) {
    return (ctx: Ctx): Reply => {
      const key = ctx.req.headers['idempotency-key']
      if (typeof key !== 'string' || key.length < 1 || key.length > 100) {
        throw new HttpError(400, {
          detail: 'Idempotency-Key: a header of 1 to 100 characters is required for this request.',
          code: 'idempotency_key_required'
        })
      }
      const fingerprint = `${ctx.req.method} ${ctx.url.pathname} ${canonical(ctx.body)}`
      const seen = idempotency.get(key)
      if (seen) {
        if (seen.fingerprint !== fingerprint) {
          throw new HttpError(409, {
            detail: 'This Idempotency-Key was already used with a different request.',
            code: 'idempotency_conflict'
          })
        }
        return new Reply(seen.status, seen.text)
      }
      const client = data.clients.get(Number(ctx.params[0]))
      if (!client) throw new HttpError(404, { detail: 'Not found.', code: 'not_found' })
      if (!isObject(ctx.body)) throw invalid('invalid_body', 'Expected a JSON object.')
      const text = JSON.stringify(apply(client, ctx.body))
      idempotency.set(key, { fingerprint, status, text })
      return new Reply(status, text)
    }
  }

  const topUp = write(201, (client, body) => {
    const units = amountUnits(body.amount, 'amount')
    if (units <= 0) throw invalid('invalid_amount', 'amount: must be more than 0')
    if (units > MAX_TOP_UP_UNITS) throw invalid('invalid_amount', 'amount: must be at most 1000000.00')
    const comment = body.comment ?? ''
    if (typeof comment !== 'string' || comment.length > 500) {
      throw invalid('invalid_comment', 'comment: expected a string of at most 500 characters')
    }
    const note = comment.trim()
    const purpose = note ? `Top-up: ${note}`.slice(0, 500) : 'Top-up: manager'
    return dataset.topUp(client.id, units, purpose)
  })

  const setCredit = write(200, (client, body) => {
    const units = amountUnits(body.amount, 'amount')
    if (units < 0) throw invalid('invalid_amount', 'amount: must be 0 or more')
    if (units > MAX_TOP_UP_UNITS) throw invalid('invalid_amount', 'amount: must be at most 1000000.00')
    if (body.notify_client !== undefined && typeof body.notify_client !== 'boolean') {
      throw invalid('invalid_body', 'notify_client: expected true or false')
    }
    return { client: dataset.setCredit(client.id, units) }
  })

  const setSubscription = write(200, (client, body) => {
    if (typeof body.enabled !== 'boolean') throw invalid('invalid_body', 'enabled: expected true or false')
    return { client: dataset.setSmsSubscription(client.id, body.enabled) }
  })

  // ------------------------------------------------------------------------- SIM provider

  function callSms(ctx: Ctx): Reply {
    const body = ctx.body
    if (!isObject(body)) throw new SimError('Request body must be a JSON object')
    const filter = body.filter ?? {}
    if (!isObject(filter)) throw new SimError('filter: expected an object {start, end}')
    for (const f of ['start', 'end'] as const) {
      if (filter[f] !== undefined && filter[f] !== null && typeof filter[f] !== 'string') {
        throw new SimError(`filter.${f}: expected a date DD-MM-YYYY`)
      }
    }
    const select = body.select ?? ['all']
    if (!Array.isArray(select)) throw new SimError('select: expected an array')
    const page = body.page ?? 0
    const size = body.size ?? 100
    if (!Number.isSafeInteger(page) || (page as number) < 0) throw new SimError('page: expected an integer from 0')
    if (!Number.isSafeInteger(size) || (size as number) < 1 || (size as number) > SIM_MAX_SIZE) {
      throw new SimError(`size: expected an integer from 1 to ${SIM_MAX_SIZE}`)
    }
    let q: SimQuery
    try {
      q = dataset.simQuery({
        start: (filter.start as string | null) ?? undefined,
        end: (filter.end as string | null) ?? undefined,
        select: select as string[]
      })
    } catch (e) {
      throw new SimError((e as Error).message)
    }
    const clock = dataset.now
    // A capped provider serves at most `cap` rows, but still counts pages in the size asked:
    // a client that does not notice skips what lies between.
    let offset = (page as number) * (size as number)
    let take = faults.pageSize(size as number)
    if (offset > 0 && faults.enabled('shift')) {
      // The operator's late data: a new action appears before the offset, shifting later pages.
      const at = dataset.sim.dateAt(q, clock, offset)
      const first = q.fromSec ?? dataset.sim.dateAt(q, clock, 0)
      if (at !== null && first !== null && at > first && faults.fire('shift')) {
        dataset.insertLateSimAction(q, first, at)
      }
    }
    if (offset > 0 && faults.enabled('duplicate') && dataset.sim.dateAt(q, clock, offset) !== null && faults.fire('duplicate')) {
      // The page starts a few rows early: the end of the previous page comes again.
      const back = Math.min(offset, 1 + faults.pick(3))
      offset -= back
      take += back
    }
    const sink = new JsonSink().raw('{"code":200,"message":"OK","result":{"items":[')
    dataset.sim.query(q, clock, offset, take).forEach((i, k) => {
      if (k > 0) sink.byte(COMMA)
      const broken = faults.anyBroken ? faults.brokenAs('sim', dataset.sim.item(i).sid) : undefined
      sink.raw(broken ? faults.brokenJson(broken, dataset.sim.item(i)) : rowText(() => dataset.sim.json(i), () => dataset.sim.item(i)))
    })
    return new Reply(200, sink.raw(']}}').toBuffer())
  }

  // ------------------------------------------------------------------------- dispatch service

  function dispatchList(): Reply {
    if (faults.fire('shift')) data.dispatches.addNew()
    const all = data.dispatches.all()
    let rows: object[] = all
    if (all.length && faults.fire('duplicate')) {
      const k = faults.pick(all.length)
      rows = [...all.slice(0, k + 1), all[k], ...all.slice(k + 1)]
    }
    return new Reply(200, `[${rows.map((r) => rowText(() => JSON.stringify(r), () => r)).join(',')}]`)
  }

  function dispatchDetail(ctx: Ctx): unknown {
    const id = decodeURIComponent(ctx.params[0])
    if (!UUID.test(id)) {
      // A malformed id breaks the real service (it is looked up as a UUID column).
      return new Reply(500, '<h1>Server Error (500)</h1>', 'text/html; charset=utf-8')
    }
    const record = data.dispatches.get(id)
    if (!record) {
      if (faults.fire('phantom')) {
        return {
          id,
          start_datetime: null,
          end_datetime: null,
          message_text: null,
          filter_mobile_operator_code__code: null,
          filter_tag__code: null,
          created: null,
          completed: null,
          error: null,
          timeout: null
        }
      }
      throw new HttpError(404, { detail: 'Not found.' })
    }
    if (faults.fire('malformed', 0.2)) return faults.corrupt(record)
    return record
  }

  const routes: [string, RegExp, string, Handler][] = [
    ['GET', /^\/api\/v1\/clients\/$/, 'clients.list', keysetList(data.clients, () => dataset.touchClient(), 'clients')],
    ['GET', /^\/api\/v1\/clients\/(\d+)\/$/, 'clients.detail', detail('clients', (id) => data.clients.get(id))],
    ['POST', /^\/api\/v1\/clients\/(\d+)\/top-up\/$/, 'clients.topUp', topUp],
    ['POST', /^\/api\/v1\/clients\/(\d+)\/credit\/$/, 'clients.credit', setCredit],
    ['POST', /^\/api\/v1\/clients\/(\d+)\/sms-subscription\/$/, 'clients.smsSubscription', setSubscription],
    ['GET', /^\/api\/v1\/sender-names\/$/, 'senderNames.list', keysetList(data.senderNames, () => dataset.touchSenderName(), 'sender-names')],
    ['GET', /^\/api\/v1\/sender-names\/(\d+)\/$/, 'senderNames.detail', detail('sender-names', (id) => data.senderNames.get(id))],
    ['GET', /^\/api\/v1\/transactions\/$/, 'transactions.list', keysetList(data.transactions, () => dataset.touchTransactions(), 'transactions')],
    ['GET', /^\/api\/v1\/transactions\/(\d+)\/$/, 'transactions.detail', detail('transactions', (id) => data.transactions.get(id))],
    ['GET', /^\/api\/v1\/messages\/$/, 'messages.list', keysetList(data.messages, () => dataset.touchMessage(), 'messages')],
    ['GET', /^\/api\/v1\/messages\/(\d+)\/$/, 'messages.detail', (ctx) => {
      const m = Number(ctx.params[0])
      if (!(m >= 1 && m <= data.messages.size)) throw new HttpError(404, { detail: 'Not found.' })
      const broken = faults.brokenAs('messages', m)
      return new Reply(200, broken ? faults.brokenJson(broken, JSON.parse(data.messages.json(m - 1)) as object) : data.messages.json(m - 1))
    }],
    ['POST', /^\/api\/report\/call_sms\/?$/, 'sim.callSms', callSms],
    ['GET', /^\/api\/v1\/dispatch-reports\/$/, 'dispatch.list', dispatchList],
    ['GET', /^\/api\/v1\/dispatch-reports\/([^/]+)\/$/, 'dispatch.detail', dispatchDetail]
  ]

  const server = http.createServer((req, res) => {
    void handle(req, res)
  })

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`)
    const route = routes.find(([method, re]) => method === req.method && re.test(url.pathname))
    const isSim = route?.[2] === 'sim.callSms'
    try {
      if (options.realtime) {
        const t = Date.now()
        if (t > wall) dataset.advance(t - wall)
        wall = t
      }
      if (options.token && req.headers.authorization !== `Bearer ${options.token}`) {
        if (isSim) {
          send(res, 401, JSON.stringify({ code: 401, message: 'Unauthorized', result: null }))
          return
        }
        throw new HttpError(401, { detail: 'Authentication credentials were not provided.' })
      }
      if (!route) {
        if (routes.some(([, re]) => re.test(url.pathname))) {
          throw new HttpError(405, { detail: `Method "${req.method}" not allowed.` })
        }
        throw new HttpError(404, { detail: 'Not found.' })
      }
      const [, re, name, handler] = route
      hits[name] = (hits[name] ?? 0) + 1
      let body: unknown
      if (req.method === 'POST') {
        try {
          body = await readJson(req)
        } catch (e) {
          if (isSim && e instanceof HttpError && e.status === 400) throw new SimError('Malformed JSON in the request body')
          throw e
        }
      }
      const writes = req.method === 'POST' && !isSim
      // Transport faults: decided before the handler so the data is not touched — except that a
      // write may be applied and then lose its answer (reset or 5xx after the change).
      let lostAfterApply: 'reset' | '5xx' | null = null
      if (faults.fire('reset')) {
        if (writes && faults.pick(2) === 1) lostAfterApply = 'reset'
        else {
          req.socket.destroy()
          return
        }
      }
      if (!lostAfterApply && faults.fire('5xx')) {
        if (writes && faults.pick(2) === 1) lostAfterApply = '5xx'
        else throw new HttpError(500 + faults.pick(4), { detail: 'Internal server error.' })
      }
      if (!lostAfterApply && faults.fire('429')) {
        res.setHeader('Retry-After', String(faults.retryAfterSeconds))
        throw new HttpError(429, { detail: 'Request was throttled.' })
      }
      if (faults.fire('slow')) await new Promise((r) => setTimeout(r, faults.slowMs))
      const result = await handler({ req, res, url, params: re.exec(url.pathname)!.slice(1), body })
      const reply = result instanceof Reply ? result : new Reply(200, JSON.stringify(result))
      if (lostAfterApply === 'reset') {
        req.socket.destroy()
        return
      }
      if (lostAfterApply === '5xx') throw new HttpError(502, { detail: 'Bad gateway.' })
      let out = reply.body
      if (reply.status < 300 && faults.fire('truncated')) {
        const half = Math.max(1, Math.floor(out.length / 2))
        out = typeof out === 'string' ? out.slice(0, half) : out.subarray(0, half)
      }
      send(res, reply.status, out, reply.contentType)
    } catch (e) {
      if (e instanceof SimError) send(res, 200, JSON.stringify({ code: 400, message: e.message, result: null }))
      else if (e instanceof HttpError) send(res, e.status, JSON.stringify(e.body))
      else send(res, 500, JSON.stringify({ detail: String((e as Error).message) }))
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    data,
    dataset,
    faults,
    hits,
    get now() {
      return dataset.now
    },
    advance: (ms: number) => dataset.advance(ms),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

function send(res: http.ServerResponse, status: number, text: string | Buffer, contentType = 'application/json; charset=utf-8'): void {
  if (res.headersSent || res.destroyed) return
  res.writeHead(status, { 'content-type': contentType, 'content-length': typeof text === 'string' ? Buffer.byteLength(text) : text.length })
  res.end(text)
}

function readJson(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > 1_000_000) reject(new HttpError(413, { detail: 'Request body too large.' }))
      else chunks.push(c)
    })
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      if (!text) return resolve({})
      try {
        resolve(JSON.parse(text))
      } catch {
        reject(new HttpError(400, { detail: 'Malformed JSON.', code: 'invalid_json' }))
      }
    })
    req.on('error', reject)
  })
}
