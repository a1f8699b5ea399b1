/**
 * One-click export, read back with an independent reader: the xlsx is unzipped and its XML
 * parsed here (zlib + regular expressions, no exceljs), the CSV split by RFC 4180. Same rows
 * as the table shows (filters, sort, columns), same sums to the cent, translated headers,
 * frozen header and auto filter, formula-like text kept as text, sheet rollover, cancel and
 * failure leaving no file, the bridge's download and the command line. The backend's files
 * go where its save dialog (simulated here) points; what the dialog may not point to is in
 * export-paths.test.ts.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { inflateRawSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ClientsRepo, searchText } from '../../src/backend/db/clients'
import type { Db } from '../../src/backend/db/connection'
import { ExportService, exportedFile, type ExportServiceOptions } from '../../src/backend/export/jobs'
import { keyFileBox } from '../../src/backend/secrets'
import { createBackend, type Backend } from '../../src/backend/service'
import { beginSyncRun } from '../../src/backend/db/syncLock'
import { randomUUID } from 'node:crypto'
import { statsHandlers } from '../../src/backend/stats/handlers'
import { exportRequestSchema, type ExportRequest } from '../../src/shared/contract'
import { MONEY_SCALE, PRICE_SCALE, formatUnits, parseDecimal } from '../../src/shared/money'
import { defaultStatsSort, statsTable } from '../../src/shared/statsLines'
import { INTL_LOCALES, LABELS } from '../../src/shared/labels'
import type { ExportJob, StatsResult } from '../../src/shared/types'
import { sourceWorker, startBridge } from '../../tools/bridge/server'
import { addDays, startOfDay, systemTimeZone } from '../../src/shared/zone'
import { tempDir } from '../helpers'

/* ---------------- an independent xlsx reader ---------------- */

function unzip(buf: Buffer): Map<string, Buffer> {
  let eocd = -1
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i
      break
    }
  }
  if (eocd < 0) throw new Error('not a zip file')
  const count = buf.readUInt16LE(eocd + 10)
  let p = buf.readUInt32LE(eocd + 16)
  if (count === 0xffff || p === 0xffffffff) throw new Error('zip64 is not expected for test files')
  const files = new Map<string, Buffer>()
  for (let k = 0; k < count; k++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('bad central directory')
    const method = buf.readUInt16LE(p + 10)
    const size = buf.readUInt32LE(p + 20)
    const nameLen = buf.readUInt16LE(p + 28)
    const extraLen = buf.readUInt16LE(p + 30)
    const commentLen = buf.readUInt16LE(p + 32)
    const local = buf.readUInt32LE(p + 42)
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen).replace(/^\//, '')
    if (buf.readUInt32LE(local) !== 0x04034b50) throw new Error('bad local header')
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28)
    const data = buf.subarray(start, start + size)
    files.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data))
    p += 46 + nameLen + extraLen + commentLen
  }
  return files
}

function attrs(s: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const m of s.matchAll(/([\w:.-]+)="([^"]*)"/g)) out[m[1]] = decode(m[2])
  return out
}

function decode(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) => {
    const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }
    if (named[e]) return named[e]
    return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10))
  })
}

interface XCell {
  type: 'n' | 's' | 'b' | 'e'
  value: number | string | boolean
  numFmt: string
  formula: boolean
}

interface XSheet {
  name: string
  xml: string
  rows: (XCell | null)[][]
}

const BUILTIN_FORMATS: Record<number, string> = {
  0: 'General', 1: '0', 2: '0.00', 3: '#,##0', 4: '#,##0.00', 9: '0%', 10: '0.00%', 14: 'mm-dd-yy', 22: 'm/d/yy h:mm', 49: '@'
}

function colIndex(ref: string): number {
  const letters = /^[A-Z]+/.exec(ref)![0]
  let n = 0
  for (const ch of letters) n = n * 26 + ch.charCodeAt(0) - 64
  return n - 1
}

function readXlsx(file: string): { sheets: XSheet[]; files: Map<string, Buffer> } {
  const files = unzip(fs.readFileSync(file))
  const text = (name: string): string => {
    const b = files.get(name)
    if (!b) throw new Error(`missing ${name}`)
    return b.toString('utf8')
  }
  const shared = files.has('xl/sharedStrings.xml')
    ? [...text('xl/sharedStrings.xml').matchAll(/<si>([\s\S]*?)<\/si>/g)].map((m) =>
        [...m[1].matchAll(/<t[^>]*>([\s\S]*?)<\/t>/g)].map((t) => decode(t[1])).join('')
      )
    : []
  const styles = text('xl/styles.xml')
  const custom = new Map([...styles.matchAll(/<numFmt\b([^>]*)\/>/g)].map((m) => {
    const a = attrs(m[1])
    return [Number(a.numFmtId), a.formatCode] as [number, string]
  }))
  const xfs = [.../<cellXfs[^>]*>([\s\S]*?)<\/cellXfs>/.exec(styles)![1].matchAll(/<xf\b([^>]*?)\/?>/g)].map((m) => {
    const id = Number(attrs(m[1]).numFmtId ?? 0)
    return custom.get(id) ?? BUILTIN_FORMATS[id] ?? `#${id}`
  })
  const rels = new Map(
    [...text('xl/_rels/workbook.xml.rels').matchAll(/<Relationship\b([^>]*)\/>/g)].map((m) => {
      const a = attrs(m[1])
      return [a.Id, a.Target.replace(/^\/?(xl\/)?/, 'xl/')] as [string, string]
    })
  )
  const sheets = [...text('xl/workbook.xml').matchAll(/<sheet\b([^>]*)\/>/g)].map((m) => {
    const a = attrs(m[1])
    const xml = text(rels.get(a['r:id'])!)
    const rows: (XCell | null)[][] = []
    for (const r of xml.matchAll(/<row\b([^>]*?)(?:\/>|>([\s\S]*?)<\/row>)/g)) {
      const rowNumber = Number(attrs(r[1]).r)
      const cells: (XCell | null)[] = []
      for (const c of (r[2] ?? '').matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
        const ca = attrs(c[1])
        const inner = c[2] ?? ''
        const v = /<v>([\s\S]*?)<\/v>/.exec(inner)?.[1]
        const numFmt = xfs[Number(ca.s ?? 0)]
        const formula = /<f[\s>]/.test(inner)
        let cell: XCell | null = null
        if (ca.t === 's') cell = { type: 's', value: shared[Number(v)], numFmt, formula }
        else if (ca.t === 'str') cell = { type: 's', value: decode(v ?? ''), numFmt, formula }
        else if (ca.t === 'inlineStr') {
          const t = [...inner.matchAll(/<t[^>]*>([\s\S]*?)<\/t>/g)].map((x) => decode(x[1])).join('')
          cell = { type: 's', value: t, numFmt, formula }
        } else if (ca.t === 'b') cell = { type: 'b', value: v === '1', numFmt, formula }
        else if (ca.t === 'e') cell = { type: 'e', value: v ?? '', numFmt, formula }
        else if (v !== undefined) cell = { type: 'n', value: Number(v), numFmt, formula }
        cells[colIndex(ca.r)] = cell
      }
      rows[rowNumber - 1] = Array.from(cells, (x) => x ?? null)
    }
    return { name: a.name, xml, rows: Array.from(rows, (x) => x ?? []) }
  })
  return { sheets, files }
}

/** A cell's plain value: numbers, text, booleans; dates as Excel serials. */
const val = (c: XCell | null | undefined): unknown => (c ? c.value : null)

/** The Excel serial of an ISO instant at the wall clock of `tz` ('local': this process's zone, or an IANA zone read with Intl). */
function serialOf(iso: string, tz: string): number {
  const ms = Date.parse(iso)
  let wall = ms
  if (tz === 'local') wall = ms - new Date(ms).getTimezoneOffset() * 60_000
  else if (tz !== 'utc') {
    const p = Object.fromEntries(
      new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' })
        .formatToParts(ms)
        .map((x) => [x.type, Number(x.value)])
    )
    wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) + (ms % 1000)
  }
  return 25569 + wall / 86_400_000
}

/* ---------------- an independent CSV reader (RFC 4180) ---------------- */

function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (ch === '"') quoted = false
      else field += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') {
      row.push(field)
      field = ''
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field)
      rows.push(row)
      row = []
      field = ''
      i++
    } else field += ch
  }
  if (field || row.length) rows.push([...row, field])
  return rows
}

/* ---------------- data ---------------- */

const TRICKY = [
  '=1+2',
  '+7 (999) 123-45-67',
  '-5 refund',
  '@SUM(A1:A2)',
  '\tTabbed',
  '=HYPERLINK("http://evil.example","click")',
  'Comma, "quoted" text',
  'Line\nbreak',
  'Ромашка: оплата',
  ' leading and trailing ',
  '<xml> & ampersand',
  'emoji 📨 ok'
]

function insertClient(db: Db, id: number, over: Partial<Record<string, string | number | null>> = {}): void {
  const c = {
    id,
    login: `user${id}`,
    company: `Company ${String.fromCharCode(65 + (id % 26))}${id}`,
    name: `Name ${id}`,
    sms_price: 450 + id,
    balance: id * 123_457 - 5_000_000,
    credit: id % 3 ? 0 : 100_000,
    currency: id % 4 ? 'EUR' : 'RUB',
    channel: ['sms', 'viber', 'voice', 'viber_pr', 'viber_tx'][id % 5],
    site: `https://c${id}.example`,
    email: `c${id}@example.com`,
    region: 'EU',
    activity_type: 'Retail',
    property_type: ['legal', 'individual', 'entrepreneur'][id % 3],
    postal_address: `Street ${id}`,
    accounting_email: `acc${id}@example.com`,
    registered_at: `2025-0${1 + (id % 9)}-1${id % 10}T08:30:00Z`,
    last_login_at: id % 7 ? `2026-01-1${id % 10}T10:00:00Z` : null,
    login_attempts: id % 4,
    activation_required: id % 2,
    referer: '',
    sms_subscription: id % 3 ? 1 : 0,
    updated_at: '2026-01-01T00:00:00Z',
    ...over
  }
  const row = { ...c, search_text: searchText({ id, login: String(c.login), company: String(c.company), name: String(c.name) }) }
  const cols = Object.keys(row)
  db.prepare(`INSERT INTO clients (${cols.join(', ')}) VALUES (${cols.map((k) => '@' + k).join(', ')})`).run(row)
}

const T0 = Date.parse('2026-01-01T00:00:00Z')

function seed(db: Db): void {
  db.transaction(() => {
    for (let id = 1; id <= 40; id++) insertClient(db, id)
    insertClient(db, 41, { company: TRICKY[5], name: TRICKY[6], login: '@admin' })
    insertClient(db, 42, { company: '-minus company', name: 'Line\nbreak name' })
    const tx = db.prepare(
      `INSERT INTO transactions (id, client_id, date, credit, debit, purpose, balance_after, currency, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
    )
    let balance = 1_000_000_00
    for (let i = 1; i <= 3000; i++) {
      const date = new Date(T0 + i * 17 * 60_000 + (i % 1000)).toISOString()
      const topUp = i % 7 === 0
      const amount = i === 1500 ? 123_456_789_012 : topUp ? 50_000 + i : 1 + ((i * 7919) % 99_999)
      balance += topUp ? amount : -amount
      const purpose = i % 100 === 0 ? TRICKY[(i / 100) % TRICKY.length] : topUp ? `Top-up ${i}` : `Mailing ${i}`
      tx.run(i, 1, date, topUp ? 0 : amount, topUp ? amount : 0, purpose, balance, 'EUR', date)
    }
    // Another client's rows, which no export of client 1 may show.
    for (let i = 1; i <= 50; i++) tx.run(10_000 + i, 3, new Date(T0 + i * 3_600_000).toISOString(), 100, 0, 'other', 0, 'RUB', '2026-01-01T00:00:00Z')
    const names = db.prepare(
      `INSERT INTO sender_names (id, client_id, name, channel, status, questionnaire, created_at, updated_at) VALUES (?, 1, ?, ?, ?, ?, ?, ?)`
    )
    const statuses = ['pending', 'approved', 'rejected', 'blocked']
    const q = ['completed', 'missing', 'not_required']
    ;['Zeta', 'alpha', 'Beta', '=CMD', 'Gamma', 'Delta'].forEach((n, i) =>
      names.run(i + 1, n, i % 2 ? 'viber' : 'sms', statuses[i % 4], q[i % 3], `2025-12-0${i + 1}T00:00:00Z`, '2026-01-01T00:00:00Z')
    )
    const msg = db.prepare(
      `INSERT INTO messages (id, client_id, user, source, channel, sender, recipient, country, operator, status, bucket,
         parts, cost, text, created_at, sent_at, finished_at, campaign_id, idx, updated_at)
       VALUES (?, ?, 'u', 'api', ?, ?, '79990000000', ?, ?, ?, ?, ?, ?, 'hi', ?, NULL, NULL, NULL, NULL, ?)`
    )
    const buckets: [string, string][] = [['DELIVRD', 'delivered'], ['UNDELIV', 'errors'], ['ENROUTE', 'sent'], ['ACCEPTD', 'pending']]
    for (let i = 1; i <= 400; i++) {
      const [status, bucket] = buckets[i % 4]
      const created = new Date(T0 + (i % 20) * 86_400_000 + i * 1000).toISOString()
      msg.run(
        i, i % 3 === 0 ? 4 : 1, i % 5 === 0 ? 'viber' : 'sms', i % 5 === 0 ? 'ViberShop' : ['SHOP', '=SENDER', 'Bank'][i % 3],
        ['RU', 'BG', 'DE'][i % 3], ['MTS', 'A1', 'Telekom'][(i >> 1) % 3], status, bucket, 1 + (i % 3), 1234 + i * 17, created, created
      )
    }
  })()
}

/* ---------------- fixtures ---------------- */

/** The test's folder: the backend's data folder is `data` in it, the exported files go beside. */
let tmp: ReturnType<typeof tempDir>
let backend: Backend
let dbFile: string
const events: ExportJob[] = []
/** What the simulated save dialog answers next. */
let saveAs: string | null = null

beforeAll(() => {
  tmp = tempDir('smsdesk-export-')
  const dataDir = path.join(tmp.dir, 'data')
  backend = createBackend({
    dataDir,
    box: keyFileBox(dataDir),
    mode: 'browser',
    version: 'test',
    workers: { export: sourceWorker('src/backend/export/worker.ts') },
    chooseSaveFile: async () => saveAs,
    defaultExportDir: path.join(tmp.dir, 'exports')
  })
  dbFile = path.join(dataDir, 'sms-desk.sqlite')
  seed(backend.db)
  backend.subscribe((event, payload) => {
    if (event === 'export.progress') events.push(payload as ExportJob)
  })
})

afterAll(async () => {
  await backend.close()
  tmp.cleanup()
})

async function call<T>(channel: string, input: unknown): Promise<T> {
  const r = await backend.dispatch(channel, input)
  if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code })
  return r.value as T
}

async function finished(id: string, timeoutMs = 60_000): Promise<ExportJob> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const job = await call<ExportJob>('export.status', { id })
    if (job.state !== 'running') return job
    if (Date.now() > until) throw new Error(`export ${id} still running`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

function service(extra: Partial<ExportServiceOptions> = {}): ExportService {
  return new ExportService({
    dbFile,
    exportDir: () => path.join(tmp.dir, 'svc'),
    timeZone: 'utc',
    statsQuery: (q) => statsHandlers({ db: backend.db })['stats.query'](q) as StatsResult,
    ...extra
  })
}

function request(input: Record<string, unknown>): ExportRequest {
  return exportRequestSchema.parse(input)
}

/** Starts an export to `file`, as the command line's --out does. */
function startTo(svc: ExportService, file: string, input: Record<string, unknown>): Promise<ExportJob> {
  return svc.startToFile(request(input), file)
}

/** `file` chosen in the (simulated) save dialog: the handle export.start takes. */
async function chosen(file: string): Promise<string> {
  saveAs = file
  const answer = await call<{ target: string; name: string }>('export.chooseFile', { suggestedName: 'x', format: 'xlsx' })
  expect(answer.name).toBe(path.basename(file))
  return answer.target
}

function partials(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.includes('.partial-')) : []
}

interface TxRow {
  id: number
  date: string
  credit: number
  debit: number
  purpose: string
  balance_after: number
  currency: string
}

/** Client 1's transactions from 00:00 of `from` to 00:00 after `to` in `zone` (default: the backend's, this computer's). */
function expectedTransactions(from: string, to: string, dir: 'ASC' | 'DESC', zone = systemTimeZone()): TxRow[] {
  const start = startOfDay(zone, from)
  const until = startOfDay(zone, addDays(to, 1))
  return backend.db
    .prepare(
      `SELECT id, date, credit, debit, purpose, balance_after, currency FROM transactions
       WHERE client_id = 1 ORDER BY date ${dir}, id ${dir}`
    )
    .all()
    .filter((t) => Date.parse((t as TxRow).date) >= start && Date.parse((t as TxRow).date) < until) as TxRow[]
}

const TX_COLUMNS = ['id', 'date', 'credit', 'debit', 'purpose', 'balanceAfter', 'currency']

/* ---------------- tests ---------------- */

describe('export to xlsx', () => {
  it('exports what the Finance table shows, in the worker: same rows and sums, Russian headers, frozen header, filter, formats', async () => {
    const file = path.join(tmp.dir, 'transactions ru.xlsx')
    const job = await call<ExportJob>('export.start', {
      table: 'transactions',
      format: 'xlsx',
      language: 'ru',
      columns: TX_COLUMNS,
      target: await chosen(file),
      transactions: { clientId: 1, from: '2026-01-05', to: '2026-01-25', order: 'asc' }
    })
    expect(job).toMatchObject({ state: 'running', table: 'transactions', format: 'xlsx', file })
    const end = await finished(job.id)
    expect(end.error).toBeNull()
    const expected = expectedTransactions('2026-01-05', '2026-01-25', 'ASC')
    expect(expected.length).toBeGreaterThan(1500)
    expect(end).toMatchObject({ state: 'done', rows: expected.length, total: expected.length })
    expect(partials(tmp.dir)).toEqual([])

    const { sheets } = readXlsx(file)
    expect(sheets.map((s) => s.name)).toEqual(['Операции по счёту'])
    const [sheet] = sheets
    expect(sheet.rows[0].map(val)).toEqual([
      'ID', `Дата (${systemTimeZone()})`, 'Кредит (расходы на рассылки)', 'Дебет (пополнение)', 'Назначение', 'Баланс (после)', 'Валюта'
    ])
    const data = sheet.rows.slice(1)
    expect(data.length).toBe(expected.length)
    let credit = 0
    let debit = 0
    data.forEach((cells, i) => {
      const e = expected[i]
      expect(val(cells[0])).toBe(e.id)
      expect(cells[1]!.numFmt).toBe('yyyy-mm-dd hh:mm:ss')
      expect(cells[1]!.value as number).toBeCloseTo(serialOf(e.date, 'local'), 9)
      // Money: the double of the exact decimal, to the cent.
      expect(val(cells[2])).toBe(e.credit / 100)
      expect(val(cells[3])).toBe(e.debit / 100)
      expect(val(cells[5])).toBe(e.balance_after / 100)
      expect(cells[2]!.numFmt).toBe('#,##0.00 "EUR"')
      expect(val(cells[4])).toBe(e.purpose)
      expect(val(cells[6])).toBe('EUR')
      credit += cells[2]!.value as number
      debit += cells[3]!.value as number
    })
    const sum = (k: 'credit' | 'debit'): number => expected.reduce((s, r) => s + r[k], 0)
    expect(Math.round(credit * 100)).toBe(sum('credit'))
    expect(Math.round(debit * 100)).toBe(sum('debit'))
    expect(data.some((c) => val(c[2]) === 1234567890.12)).toBe(true)

    // Formula-like text stays text: no formula anywhere, the Text format on those cells.
    expect(sheet.xml).not.toMatch(/<f[\s>]/)
    for (const t of TRICKY.filter((x) => /^[=+\-@\t]/.test(x))) {
      const cell = data.map((c) => c[4]).find((c) => c?.value === t)
      expect(cell, t).toBeTruthy()
      expect(cell!.type).toBe('s')
      expect(cell!.numFmt).toBe('@')
    }
    expect(data.map((c) => c[4]?.value)).toEqual(expect.arrayContaining([' leading and trailing ', 'Line\nbreak', '<xml> & ampersand', 'emoji 📨 ok']))

    // A frozen header row and an auto filter over the rows.
    expect(sheet.xml).toMatch(/<pane\b[^>]*ySplit="1"[^>]*state="frozen"/)
    expect(sheet.xml).toContain(`<autoFilter ref="A1:G${expected.length + 1}"/>`)

    // Progress events: the count first, then the end.
    const mine = events.filter((e) => e.id === job.id)
    expect(mine.some((e) => e.total === expected.length)).toBe(true)
    expect(mine[mine.length - 1]).toMatchObject({ state: 'done', rows: expected.length })
  })

  it('continues on the next sheet past the sheet limit, each with its header, pane and filter', async () => {
    const svc = service({ sheetRowLimit: 1000 })
    const file = path.join(tmp.dir, 'rollover.xlsx')
    const job = await startTo(svc, file, { table: 'transactions', columns: ['id', 'credit'], transactions: { clientId: 1, from: '2026-01-01', to: '2026-02-28', order: 'desc' } })
    const end = await svc.wait(job.id)
    expect(end).toMatchObject({ state: 'done', rows: 3000 })
    expect(svc.sheets(job.id)).toBe(3)
    const { sheets } = readXlsx(file)
    expect(sheets.map((s) => s.name)).toEqual(['Transactions', 'Transactions (2)', 'Transactions (3)'])
    const expected = expectedTransactions('2026-01-01', '2026-02-28', 'DESC', 'UTC')
    const all = sheets.flatMap((s) => {
      expect(s.rows[0].map(val)).toEqual(['ID', 'Credit (mailing costs)'])
      expect(s.xml).toMatch(/<pane\b[^>]*ySplit="1"[^>]*state="frozen"/)
      expect(s.xml).toContain(`<autoFilter ref="A1:B${s.rows.length}"/>`)
      return s.rows.slice(1)
    })
    expect(sheets.map((s) => s.rows.length - 1)).toEqual([1000, 1000, 1000])
    expect(all.map((c) => val(c[0]))).toEqual(expected.map((r) => r.id))
    expect(Math.round(all.reduce((s, c) => s + (c[1]!.value as number), 0) * 100)).toBe(expected.reduce((s, r) => s + r.credit, 0))
  })

  it('writes the same cells through exceljs row model (the fallback path)', async () => {
    const cols = ['id', 'date', 'credit', 'purpose', 'currency']
    const q = { table: 'transactions', columns: cols, transactions: { clientId: 1, from: '2026-01-10', to: '2026-01-12' } }
    const a = service()
    const b = service({ fastRows: false })
    const fa = path.join(tmp.dir, 'fast.xlsx')
    const fb = path.join(tmp.dir, 'model.xlsx')
    await a.wait((await startTo(a, fa, q)).id)
    await b.wait((await startTo(b, fb, q)).id)
    const [sa] = readXlsx(fa).sheets
    const [sb] = readXlsx(fb).sheets
    expect(sa.rows.length).toBeGreaterThan(100)
    expect(sa.rows.map((r) => r.map((c) => (c ? [c.value, c.numFmt] : null)))).toEqual(
      sb.rows.map((r) => r.map((c) => (c ? [c.value, c.numFmt] : null)))
    )
    expect(sb.xml).not.toMatch(/<f[\s>]/)
  })

  it('drops the control characters XML cannot carry and keeps the rest', async () => {
    backend.db
      .prepare(`INSERT INTO transactions (id, client_id, date, credit, debit, purpose, balance_after, currency, updated_at) VALUES (900001, 5, ?, 1, 0, ?, 0, 'EUR', ?)`)
      .run('2026-01-03T00:00:00Z', 'a\u0001b\u0008c\u000Bd\u001Fe 😀\tf', '2026-01-03T00:00:00Z')
    const svc = service()
    const file = path.join(tmp.dir, 'control.xlsx')
    const job = await startTo(svc, file, { table: 'transactions', columns: ['purpose'], transactions: { clientId: 5, from: '2026-01-01', to: '2026-01-31' } })
    expect((await svc.wait(job.id)).state).toBe('done')
    const [sheet] = readXlsx(file).sheets
    expect(sheet.rows[1].map(val)).toEqual(['abcde 😀\tf'])
    // eslint-disable-next-line no-control-regex
    expect(sheet.xml).not.toMatch(/[\x00-\x08\x1F]/)
  })

  it('exports the Clients table with its search and sort, every column type', async () => {
    const svc = service()
    const columns = ['id', 'login', 'company', 'smsPrice', 'balance', 'channel', 'propertyType', 'registeredAt', 'lastLoginAt', 'activationRequired']
    for (const query of [
      { search: '', sort: 'balance', order: 'desc' },
      { search: 'company', sort: 'name', order: 'asc' },
      { search: '1', sort: 'company', order: 'desc' }
    ] as const) {
      const file = path.join(tmp.dir, `clients-${query.search || 'all'}.xlsx`)
      const job = await startTo(svc, file, { table: 'clients', columns, clients: query })
      expect((await svc.wait(job.id)).state).toBe('done')
      const shown = new ClientsRepo(backend.db).list({ ...query, page: 1, pageSize: 500 })
      const [sheet] = readXlsx(file).sheets
      const data = sheet.rows.slice(1)
      expect(data.map((c) => val(c[0]))).toEqual(shown.rows.map((r) => r.id))
      data.forEach((c, i) => {
        const r = shown.rows[i]
        expect(val(c[1])).toBe(r.login)
        expect(val(c[3])).toBe(parseDecimal(r.smsPrice, PRICE_SCALE)! / 10_000)
        expect(c[3]!.numFmt).toBe(`#,##0.0000 "${r.currency}"`)
        expect(formatUnits(Math.round((c[4]!.value as number) * 100), MONEY_SCALE)).toBe(r.balance)
      })
    }
    const [sheet] = readXlsx(path.join(tmp.dir, 'clients-all.xlsx')).sheets
    const row41 = sheet.rows.find((c) => val(c[0]) === 41)!
    expect(val(row41[1])).toBe('@admin')
    expect(row41[1]!.numFmt).toBe('@')
    expect(val(row41[2])).toBe(TRICKY[5])
    const row7 = sheet.rows.find((c) => val(c[0]) === 7)!
    expect(val(row7[5])).toBe('Voice')
    expect(val(row7[6])).toBe('Individual')
    expect(row7[7]!.value as number).toBeCloseTo(serialOf('2025-08-17T08:30:00Z', 'utc'), 9)
    expect(row7[8]).toBeNull() // never logged in: an empty cell
    expect(val(row7[9])).toBe(true)
  })

  it('exports the statistics as the Statistics table shows them, sums to the cent', async () => {
    const svc = service()
    const stats = statsHandlers({ db: backend.db })['stats.query']
    for (const group of ['operator', 'day', 'sender'] as const) {
      const q = { group, clientId: group === 'sender' ? 1 : null, from: '2026-01-01', to: '2026-01-31' }
      const shown = (await stats(q)) as StatsResult
      expect(shown.rows.length).toBeGreaterThan(1)
      // What the panel shows: one line per key (costs per currency), its sort, a totals line.
      const table = statsTable(shown.rows, group, defaultStatsSort(group), INTL_LOCALES.ru, LABELS.ru.statsUnknown)
      const file = path.join(tmp.dir, `stats-${group}.xlsx`)
      const job = await startTo(svc, file, { table: 'statistics', language: 'ru', columns: [group, 'sentParts', 'deliveredParts', 'efficiency', 'price'], statistics: q })
      expect((await svc.wait(job.id)).state).toBe('done')
      const [sheet] = readXlsx(file).sheets
      expect(sheet.rows[0].map(val).slice(1)).toEqual([
        'Отправлено SMS (частей)',
        'Доставлено SMS (частей)',
        'Эффективность (%)',
        ...table.currencies.map((c) => `Стоимость SMS (${c})`)
      ])
      const data = sheet.rows.slice(1, -1)
      expect(data.length).toBe(table.lines.length)
      const sums = new Map<string, number>()
      data.forEach((c, i) => {
        const line = table.lines[i]
        if (group === 'day') {
          expect(c[0]!.numFmt).toBe('yyyy-mm-dd')
          expect(val(c[0])).toBe(25569 + Date.parse(`${line.key}T00:00:00Z`) / 86_400_000)
        } else expect(val(c[0])).toBe(table.labels.get(line.key))
        expect(val(c[1])).toBe(line.sentParts)
        expect(val(c[2])).toBe(line.deliveredParts)
        if (line.efficiency === null) expect(c[3]).toBeNull()
        else expect(val(c[3])).toBeCloseTo(line.efficiency, 12)
        expect(c[3]?.numFmt ?? '0.00%').toBe('0.00%')
        table.currencies.forEach((cur, k) => {
          const p = line.prices.find((x) => x.currency === cur)
          if (!p) return expect(c[4 + k] ?? null).toBeNull()
          expect(val(c[4 + k])).toBe(parseDecimal(p.amount, PRICE_SCALE)! / 10_000)
          sums.set(cur, (sums.get(cur) ?? 0) + Math.round((c[4 + k]!.value as number) * 10_000))
        })
      })
      // The totals row: the backend's exact totals, and the lines add up to them to the cent.
      const totalRow = sheet.rows.at(-1)!
      expect(val(totalRow[0])).toBe('Итого')
      expect(val(totalRow[1])).toBe(table.total!.sentParts)
      for (const t of shown.totals) {
        const k = table.currencies.indexOf(t.currency)
        expect(Math.round((totalRow[4 + k]!.value as number) * 10_000)).toBe(parseDecimal(t.price, PRICE_SCALE))
        expect(sums.get(t.currency)).toBe(parseDecimal(t.price, PRICE_SCALE))
      }
      expect(sheet.xml).not.toMatch(/<f[\s>]/)
    }
  })

  it('exports the sender names with translated labels', async () => {
    const svc = service()
    const file = path.join(tmp.dir, 'names.xlsx')
    const job = await startTo(svc, file, { table: 'names', language: 'ru', columns: ['name', 'channel', 'status', 'questionnaire'], names: { clientId: 1 } })
    expect((await svc.wait(job.id)).state).toBe('done')
    const [sheet] = readXlsx(file).sheets
    expect(sheet.name).toBe('Имена отправителей')
    expect(sheet.rows.map((r) => r.map(val))).toEqual([
      ['Имя (Sender ID)', 'Канал', 'Статус', 'Анкета'],
      ['=CMD', 'Viber', 'Заблокировано', 'Заполнена'],
      ['Beta', 'SMS', 'Отклонено', 'Не требуется'],
      ['Delta', 'Viber', 'Одобрено', 'Не требуется'],
      ['Gamma', 'SMS', 'На рассмотрении', 'Не заполнена'],
      ['Zeta', 'SMS', 'На рассмотрении', 'Заполнена'],
      ['alpha', 'Viber', 'Одобрено', 'Не заполнена']
    ])
    expect(sheet.rows[1][0]!.numFmt).toBe('@')
  })
})

describe('export in the chosen time zone', () => {
  it('filters the days of the zone and writes its wall clock, saying the zone in the header (xlsx)', async () => {
    const svc = service({ timeZone: 'Europe/Moscow' })
    const file = path.join(tmp.dir, 'tx-moscow.xlsx')
    const job = await startTo(svc, file, { table: 'transactions', columns: ['id', 'date', 'purpose'], transactions: { clientId: 1, from: '2026-01-05', to: '2026-01-05', order: 'asc' } })
    expect((await svc.wait(job.id)).state).toBe('done')
    const [sheet] = readXlsx(file).sheets
    expect(sheet.rows[0].map(val)).toEqual(['ID', 'Date (Europe/Moscow)', 'Purpose'])
    // 5 January in Moscow: 4 January 21:00 UTC to 5 January 21:00 UTC.
    const expected = expectedTransactions('2026-01-05', '2026-01-05', 'ASC', 'Europe/Moscow')
    expect(expected[0].date >= '2026-01-04T21:00:00' && expected[0].date < '2026-01-04T21:18').toBe(true)
    expect(expected.at(-1)!.date < '2026-01-05T21:00:00').toBe(true)
    expect(expected).not.toEqual(expectedTransactions('2026-01-05', '2026-01-05', 'ASC', 'UTC'))
    expect(sheet.rows.slice(1).map((c) => val(c[0]))).toEqual(expected.map((e) => e.id))
    sheet.rows.slice(1).forEach((c, i) => expect(c[1]!.value as number).toBeCloseTo(serialOf(expected[i].date, 'Europe/Moscow'), 9))
    // Every time shown falls on the 5th, 00:00 to 23:59 (the first after 21:00 UTC reads 00:xx).
    const first = new Date(Math.round(((sheet.rows[1][1]!.value as number) - 25569) * 86_400_000)).toISOString()
    expect(first.slice(0, 13)).toBe('2026-01-05T00')
  })

  it('writes CSV times in the zone, with a DST zone and a :45 zone', async () => {
    for (const zone of ['America/New_York', 'Asia/Kathmandu']) {
      const svc = service({ timeZone: zone })
      const file = path.join(tmp.dir, `tx-${zone.replace('/', '-')}.csv`)
      const job = await startTo(svc, file, { table: 'transactions', format: 'csv', columns: ['date', 'purpose'], transactions: { clientId: 1, from: '2026-01-10', to: '2026-01-11', order: 'asc' } })
      expect((await svc.wait(job.id)).state).toBe('done')
      const rows = parseCsv(fs.readFileSync(file, 'utf8').slice(1))
      expect(rows[0]).toEqual([`Date (${zone})`, 'Purpose'])
      const expected = expectedTransactions('2026-01-10', '2026-01-11', 'ASC', zone)
      expect(rows.slice(1).map((r) => r[0])).toEqual(
        expected.map((e) => new Date(Math.round((serialOf(e.date, zone) - 25569) * 86_400_000)).toISOString().slice(0, 19).replace('T', ' '))
      )
      expect(rows.slice(1).every((r) => r[0] >= '2026-01-10 00:00:00' && r[0] < '2026-01-12 00:00:00')).toBe(true)
    }
  })

  it('says whose days a statistics file counts', async () => {
    const svc = service({ timeZone: 'Europe/Moscow' })
    const q = { group: 'country' as const, clientId: null, from: '2026-01-01', to: '2026-01-31' }
    const shown = (await statsHandlers({ db: backend.db })['stats.query'](q)) as StatsResult
    const file = path.join(tmp.dir, 'stats-zone.xlsx')
    const job = await startTo(svc, file, { table: 'statistics', language: 'ru', columns: ['country', 'sentParts'], statistics: q })
    expect((await svc.wait(job.id)).state).toBe('done')
    // The statistics' own zone: the one their days are grouped by.
    expect(readXlsx(file).sheets[0].rows[0].map(val)).toEqual([`Страна (дни по времени ${shown.timeZone})`, 'Отправлено SMS (частей)'])
  })
})

describe('export to CSV', () => {
  it('writes UTF-8 with a BOM, RFC 4180 quoting, exact money and formula-like text prefixed', async () => {
    const svc = service()
    const file = path.join(tmp.dir, 'clients.csv')
    const job = await startTo(svc, file, { table: 'clients', format: 'csv', columns: ['id', 'login', 'company', 'name', 'balance', 'currency', 'smsSubscription'], clients: { search: '', sort: 'id', order: 'asc' } })
    expect((await svc.wait(job.id)).state).toBe('done')
    const bytes = fs.readFileSync(file)
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const text = bytes.toString('utf8').slice(1)
    expect(text.endsWith('\r\n')).toBe(true)
    const rows = parseCsv(text)
    expect(rows[0]).toEqual(['ID', 'Login', 'Company', 'Name', 'Balance', 'Currency', 'SMS subscription'])
    const shown = new ClientsRepo(backend.db).list({ search: '', sort: 'id', order: 'asc', page: 1, pageSize: 500 }).rows
    expect(rows.length - 1).toBe(shown.length)
    rows.slice(1).forEach((r, i) => {
      expect(r[0]).toBe(String(shown[i].id))
      expect(r[4]).toBe(shown[i].balance) // exact decimal, negative ones unprefixed
    })
    const r41 = rows.find((r) => r[0] === '41')!
    expect(r41[1]).toBe("'@admin")
    expect(r41[2]).toBe(`'${TRICKY[5]}`)
    expect(r41[3]).toBe(TRICKY[6])
    const r42 = rows.find((r) => r[0] === '42')!
    expect(r42[2]).toBe("'-minus company")
    expect(r42[3]).toBe('Line\nbreak name')
    expect(text).toContain('"Comma, ""quoted"" text"')
    expect(rows.find((r) => r[0] === '3')![6]).toBe('false')
    expect(rows.find((r) => r[0] === '1')![6]).toBe('true')
  })

  it('writes dates as wall-clock text and Russian headers', async () => {
    const svc = service()
    const file = path.join(tmp.dir, 'tx.csv')
    const job = await startTo(svc, file, { table: 'transactions', format: 'csv', language: 'ru', columns: ['date', 'credit', 'purpose'], transactions: { clientId: 1, from: '2026-01-01', to: '2026-01-02', order: 'asc' } })
    expect((await svc.wait(job.id)).state).toBe('done')
    const rows = parseCsv(fs.readFileSync(file, 'utf8').slice(1))
    expect(rows[0]).toEqual(['Дата (UTC)', 'Кредит (расходы на рассылки)', 'Назначение'])
    const expected = expectedTransactions('2026-01-01', '2026-01-02', 'ASC', 'UTC')
    expect(rows.slice(1)).toEqual(
      expected.map((e) => [e.date.slice(0, 19).replace('T', ' '), formatUnits(e.credit, 2), /^[=+\-@\t]/.test(e.purpose) ? `'${e.purpose}` : e.purpose])
    )
  })
})

describe('export jobs', () => {
  it('cancel stops the worker and leaves no file', async () => {
    const db = backend.db
    const tx = db.prepare(`INSERT INTO transactions (id, client_id, date, credit, debit, purpose, balance_after, currency, updated_at) VALUES (?, 2, ?, 1, 0, 'x', 0, 'EUR', ?)`)
    db.transaction(() => {
      for (let i = 1; i <= 250_000; i++) {
        const d = new Date(T0 + i * 1000).toISOString()
        tx.run(100_000 + i, d, d)
      }
    })()
    const file = path.join(tmp.dir, 'cancelled.xlsx')
    const job = await call<ExportJob>('export.start', {
      table: 'transactions', columns: TX_COLUMNS, target: await chosen(file), transactions: { clientId: 2, from: '2026-01-01', to: '2026-01-31' }
    })
    const until = Date.now() + 30_000
    while ((await call<ExportJob>('export.status', { id: job.id })).rows === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10))
    expect(await call('export.cancel', { id: job.id })).toEqual({ cancelled: true })
    const end = await finished(job.id)
    expect(end.state).toBe('cancelled')
    expect(end.rows).toBeLessThan(250_000)
    expect(fs.existsSync(file)).toBe(false)
    expect(partials(tmp.dir)).toEqual([])
    expect(await call('export.cancel', { id: job.id })).toEqual({ cancelled: false })
    expect(exportedFile(job.id)).toBeNull()
  })

  it('cancel in this thread (no worker) leaves no file either', async () => {
    const svc = service()
    const file = path.join(tmp.dir, 'cancelled2.csv')
    const job = await startTo(svc, file, { table: 'transactions', format: 'csv', columns: ['id'], transactions: { clientId: 2, from: '2026-01-01', to: '2026-01-31' } })
    expect(svc.cancel(job.id)).toBe(true)
    expect(await svc.wait(job.id)).toMatchObject({ state: 'cancelled', error: null })
    expect(fs.existsSync(file)).toBe(false)
    expect(partials(tmp.dir)).toEqual([])
  })

  it('a failure while writing or at the rename leaves no partial file', async () => {
    const failing = service({ failAfterRows: 1500 })
    const file = path.join(tmp.dir, 'failed.xlsx')
    const job = await startTo(failing, file, { table: 'transactions', columns: TX_COLUMNS, transactions: { clientId: 1, from: '2026-01-01', to: '2026-02-28' } })
    const end = await failing.wait(job.id)
    expect(end.state).toBe('failed')
    expect(end.error?.message).toMatch(/Injected failure/)
    expect(fs.existsSync(file)).toBe(false)
    expect(partials(tmp.dir)).toEqual([])

    // The target turns into a non-empty folder while the export runs: the rename fails.
    const svc = service()
    const target = path.join(tmp.dir, 'taken.xlsx')
    const job2 = await startTo(svc, target, { table: 'transactions', columns: TX_COLUMNS, transactions: { clientId: 1, from: '2026-01-01', to: '2026-02-28' } })
    fs.mkdirSync(target)
    fs.writeFileSync(path.join(target, 'keep'), 'x')
    const end2 = await svc.wait(job2.id)
    expect(end2.state).toBe('failed')
    expect(partials(tmp.dir)).toEqual([])
    expect(fs.readdirSync(target)).toEqual(['keep'])
  })

  it('refuses what it cannot do, before starting', async () => {
    const base = { table: 'transactions', columns: ['id'], transactions: { clientId: 1, from: '2026-01-01', to: '2026-01-02' } }
    const refused = async (input: Record<string, unknown>): Promise<string> => {
      const r = await backend.dispatch('export.start', input)
      expect(r.ok).toBe(false)
      return r.ok ? '' : `${r.error.code}: ${r.error.message}`
    }
    const refusedChoice = async (file: string): Promise<string> => {
      saveAs = file
      const r = await backend.dispatch('export.chooseFile', { suggestedName: 'x', format: 'xlsx' })
      expect(r.ok).toBe(false)
      return r.ok ? '' : `${r.error.code}: ${r.error.message}`
    }
    // A path is never taken from the caller; the dialog's answer is checked before it gets a handle.
    expect(await refused({ ...base, file: path.join(tmp.dir, 'x.xlsx') })).toMatch(/^invalid_input: input: Unrecognized key/)
    expect(await refusedChoice('relative.xlsx')).toMatch(/^invalid_input: target: not an absolute path/)
    expect(await refusedChoice(path.join(tmp.dir, 'no-such-dir', 'x.xlsx'))).toMatch(/^invalid_input: target: the folder does not exist/)
    expect(await refusedChoice(dbFile)).toMatch(/^export_path_protected: target: /)
    expect(await refusedChoice(tmp.dir)).toMatch(/^invalid_input: target: a folder/)
    expect(await refused({ ...base, columns: ['id', 'nope'] })).toMatch(/^invalid_input: columns: "nope" is not a column of transactions/)
    expect(await refused({ table: 'transactions', columns: ['id'] })).toMatch(/^invalid_input/)
    expect(await refused({ ...base, transactions: { clientId: 1, from: '2026-02-01', to: '2026-01-01' } })).toMatch(/^invalid_input/)
    expect(await refused({ table: 'names', columns: ['name'] })).toMatch(/^invalid_input/)
    const status = await backend.dispatch('export.status', { id: '00000000-0000-4000-8000-000000000000' })
    expect(status.ok).toBe(false)
  })

  it('without a target: a generated name in the export folder that never collides', async () => {
    const dir = path.join(tmp.dir, 'exports')
    const input = { table: 'names', format: 'csv', columns: ['name'], names: { clientId: 1 } }
    const jobs = await Promise.all([call<ExportJob>('export.start', input), call<ExportJob>('export.start', input)])
    expect(jobs[0].file).not.toBe(jobs[1].file)
    for (const j of jobs) {
      expect(path.dirname(j.file)).toBe(dir)
      expect(path.basename(j.file)).toMatch(/^names-\d{8}-\d{6}(-2)?\.csv$/)
      expect((await finished(j.id)).state).toBe('done')
      expect(fs.existsSync(j.file)).toBe(true)
    }
    const again = await call<ExportJob>('export.start', input)
    expect((await finished(again.id)).state).toBe('done')
    expect(new Set([again.file, ...jobs.map((j) => j.file)]).size).toBe(3)
  })

  it('says when a sync was writing while the file was written: its figures may still change', async () => {
    const input = { table: 'names', format: 'csv', columns: ['name'], names: { clientId: 1 } }
    const quiet = await finished((await call<ExportJob>('export.start', input)).id)
    expect(quiet.duringSync).toBe(false)
    // A sync holds the database's lock row (as one in another process would).
    const run = beginSyncRun(backend.db, randomUUID(), new Date())
    try {
      const busy = await finished((await call<ExportJob>('export.start', input)).id)
      expect(busy.state).toBe('done')
      expect(busy.duringSync).toBe(true)
    } finally {
      run.release()
    }
  })

  it('the browser bridge serves a finished export of this run, with its token only', async () => {
    const file = path.join(tmp.dir, 'Операции.xlsx')
    const job = await call<ExportJob>('export.start', { table: 'names', columns: ['name'], target: await chosen(file), names: { clientId: 1 } })
    expect((await finished(job.id)).state).toBe('done')
    const bridge = await startBridge({ backend, staticDir: tmp.dir })
    try {
      const get = (p: string, headers: http.OutgoingHttpHeaders = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> =>
        new Promise((resolve, reject) => {
          http.get(`${bridge.url}${p}`, { headers }, (res) => {
            const chunks: Buffer[] = []
            res.on('data', (c: Buffer) => chunks.push(c))
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
          }).on('error', reject)
        })
      const auth = { authorization: `Bearer ${bridge.token}` }
      const ok = await get(`/api/download/${job.id}`, auth)
      expect(ok.status).toBe(200)
      expect(ok.headers['content-disposition']).toMatch(/^attachment; filename="[^"]+\.xlsx"; filename\*=UTF-8''%D0%9E/)
      expect(ok.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      expect(ok.body.equals(fs.readFileSync(file))).toBe(true)
      expect((await get(`/api/download/${job.id}`)).status).toBe(401)
      expect((await get(`/api/download/${job.id}?token=${bridge.token}`)).status).toBe(401)
      expect((await get('/api/download/00000000-0000-4000-8000-000000000000', auth)).status).toBe(404)
    } finally {
      await bridge.close()
    }
  })
})

describe('export from the command line', () => {
  const cli = (args: string[]): { status: number | null; json: Record<string, unknown> } => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'tools/cli.ts', 'export', ...args], { encoding: 'utf8', timeout: 60_000 })
    const last = r.stdout.trim().split('\n').pop() ?? ''
    return { status: r.status, json: last.startsWith('{') ? (JSON.parse(last) as Record<string, unknown>) : { stdout: r.stdout, stderr: r.stderr } }
  }

  it('exports with the same filters as the app', async () => {
    const out = path.join(tmp.dir, 'cli', 'tx.xlsx')
    fs.mkdirSync(path.dirname(out), { recursive: true })
    const r = cli(['transactions', '--db', dbFile, '--out', out, '--client', '1', '--from', '2026-01-05', '--to', '2026-01-25', '--order', 'asc', '--utc'])
    const expected = expectedTransactions('2026-01-05', '2026-01-25', 'ASC', 'UTC')
    expect(r.json).toMatchObject({ ok: true, table: 'transactions', format: 'xlsx', rows: expected.length, sheets: 1, file: out })
    expect(typeof r.json.seconds).toBe('number')
    expect(r.status).toBe(0)
    const [sheet] = readXlsx(out).sheets
    expect(sheet.rows[0].map(val)).toEqual(['Date (UTC)', 'Credit (mailing costs)', 'Debit (top-up)', 'Purpose', 'Balance (after)', 'Currency'])
    expect(sheet.rows.slice(1).map((c) => val(c[3]))).toEqual(expected.map((e) => e.purpose))
    expect(sheet.rows.slice(1).map((c) => c[0]!.value as number)).toEqual(expected.map((e) => serialOf(e.date, 'utc')))

    const csv = path.join(tmp.dir, 'cli', 'clients.csv')
    const c = cli(['clients', '--db', dbFile, '--out', csv, '--search', 'company', '--sort', 'balance', '--order', 'desc', '--columns', 'id,balance'])
    const shown = new ClientsRepo(backend.db).list({ search: 'company', sort: 'balance', order: 'desc', page: 1, pageSize: 500 }).rows
    expect(c.json).toMatchObject({ ok: true, format: 'csv', rows: shown.length })
    expect(parseCsv(fs.readFileSync(csv, 'utf8').slice(1)).slice(1)).toEqual(shown.map((s) => [String(s.id), s.balance]))

    const st = path.join(tmp.dir, 'cli', 'stats.xlsx')
    const s = cli(['statistics', '--db', dbFile, '--out', st, '--group', 'country', '--client', '1', '--from', '2026-01-01', '--to', '2026-01-31'])
    // As the panel shows it: country names, the most sent parts first, then the totals row.
    expect(s.json).toMatchObject({ ok: true, table: 'statistics' })
    const shownByCountry = statsTable(
      (await statsHandlers({ db: backend.db })['stats.query']({ group: 'country', clientId: 1, from: '2026-01-01', to: '2026-01-31' }) as StatsResult).rows,
      'country',
      defaultStatsSort('country'),
      INTL_LOCALES.en,
      LABELS.en.statsUnknown
    )
    expect(shownByCountry.lines.map((l) => shownByCountry.labels.get(l.key))).toEqual(['Germany', 'Bulgaria'])
    expect(readXlsx(st).sheets[0].rows.slice(1).map((r) => val(r[0]))).toEqual(['Germany', 'Bulgaria', 'Total'])
  })

  it('takes the days and times of --tz, and refuses statistics grouped by another zone', () => {
    const out = path.join(tmp.dir, 'cli', 'tx-moscow.csv')
    fs.mkdirSync(path.dirname(out), { recursive: true })
    const r = cli(['transactions', '--db', dbFile, '--out', out, '--client', '1', '--from', '2026-01-05', '--to', '2026-01-05', '--order', 'asc', '--tz', 'Europe/Moscow', '--columns', 'id,date'])
    const expected = expectedTransactions('2026-01-05', '2026-01-05', 'ASC', 'Europe/Moscow')
    expect(r.json).toMatchObject({ ok: true, rows: expected.length })
    const rows = parseCsv(fs.readFileSync(out, 'utf8').slice(1))
    expect(rows[0]).toEqual(['ID', 'Date (Europe/Moscow)'])
    expect(rows.slice(1).map((x) => Number(x[0]))).toEqual(expected.map((e) => e.id))
    expect(rows[1][1].slice(0, 13)).toBe('2026-01-05 00')
    const grouped = (statsHandlers({ db: backend.db })['stats.query']({ group: 'day', clientId: null, from: '2026-01-01', to: '2026-01-02' }) as StatsResult).timeZone
    const other = grouped === 'Asia/Almaty' ? 'Europe/Sofia' : 'Asia/Almaty'
    const refused = cli(['statistics', '--db', dbFile, '--out', path.join(tmp.dir, 'cli', 'st.xlsx'), '--tz', other])
    expect(refused.json).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    expect(String((refused.json.error as { message: string }).message)).toContain(grouped)
    expect(cli(['transactions', '--db', dbFile, '--client', '1', '--tz', 'Mars/Olympus']).json).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
  })

  it('says what is wrong with its arguments', () => {
    expect(cli(['transactions', '--db', dbFile]).json).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    expect(cli(['nope', '--db', dbFile]).json).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    expect(cli(['clients', '--db', path.join(tmp.dir, 'missing.sqlite')]).json).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    const bad = cli(['statistics', '--db', dbFile, '--group', 'weekly'])
    expect(bad.json).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    expect(bad.status).not.toBe(0)
  })
})
