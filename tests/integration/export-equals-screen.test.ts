/**
 * Every exported file equals its screen. For every table the export knows (EXPORT_TABLE_DEFS),
 * what the screen shows is computed from the same channel output through the same shaping
 * the screen uses (the renderer's i18n words, src/shared/labels.ts, statsTable of
 * src/shared/statsLines.ts with the screen's sort), the table is exported through
 * backend.dispatch('export.start') in CSV and in xlsx, in English and in Russian, and the file
 * read back (CSV split by RFC 4180, xlsx by exceljs) is compared with it cell by cell: headers,
 * rows, their order, the labels and the totals row.
 */
import ExcelJS from 'exceljs'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { searchText } from '../../src/backend/db/clients'
import type { Db } from '../../src/backend/db/connection'
import { EXPORT_TABLE_DEFS } from '../../src/backend/export/tables'
import { keyFileBox } from '../../src/backend/secrets'
import { createBackend, type Backend } from '../../src/backend/service'
import { EXPORT_DEFAULT_COLUMNS, LABELS } from '../../src/shared/labels'
import { MONEY_SCALE, PRICE_SCALE, formatUnits, parseDecimal } from '../../src/shared/money'
import { defaultStatsSort, statsTable, type StatsSort } from '../../src/shared/statsLines'
import type { ClientRow, ExportFormat, ExportJob, ExportTable, Language, Page, SenderNameRow, SettingsView, StatsGroup, StatsResult, TransactionRow } from '../../src/shared/types'
import { STATS_GROUPS } from '../../src/shared/types'
import en from '../../src/renderer/src/i18n/en'
import ru from '../../src/renderer/src/i18n/ru'
import { intlLocale } from '../../src/renderer/src/lib/format'
import { tempDir } from '../helpers'

/** The screens' words: the renderer's own i18n messages. */
const MESSAGES = { en, ru } as const

/** The zone chosen in Settings: the days of the statistics, the wall clock of the times. */
const ZONE = 'Asia/Almaty'

/* ---------------- cells ---------------- */

type Cell =
  | { kind: 'text'; v: string }
  | { kind: 'int'; v: number }
  | { kind: 'money'; units: number; scale: number }
  | { kind: 'percent'; v: number | null }
  | { kind: 'date'; day: string }
  | { kind: 'datetime'; iso: string | null }
  | { kind: 'bool'; v: boolean }
  | { kind: 'empty' }

interface Screen {
  headers: string[]
  rows: Cell[][]
  /** The totals row, if the screen has one. */
  total?: Cell[]
}

const text = (v: string): Cell => ({ kind: 'text', v })
const int = (v: number): Cell => ({ kind: 'int', v })
const money = (amount: string, scale: number): Cell => ({ kind: 'money', units: parseDecimal(amount, scale)!, scale })

/** The wall clock of an instant in the zone, "YYYY-MM-DD HH:MM:SS" (read with Intl). */
function wall(iso: string, zone: string): string {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(Date.parse(iso))
      .map((x) => [x.type, x.value])
  )
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`
}

/** A cell as the CSV writes it (machine-readable numbers, dates as text). */
function csvCell(c: Cell): string {
  switch (c.kind) {
    case 'text':
      return c.v
    case 'int':
      return String(c.v)
    case 'money':
      return formatUnits(c.units, c.scale)
    case 'percent':
      return c.v === null ? '' : (c.v * 100).toFixed(2)
    case 'date':
      return c.day
    case 'datetime':
      return c.iso === null ? '' : wall(c.iso, ZONE)
    case 'bool':
      return String(c.v)
    case 'empty':
      return ''
  }
}

/** Compares an xlsx cell read by exceljs with what the screen shows. */
function expectXlsxCell(cell: ExcelJS.Cell, c: Cell, where: string): void {
  expect(cell.formula, where).toBeUndefined()
  const v = cell.value
  switch (c.kind) {
    case 'text':
      return void expect(v, where).toBe(c.v)
    case 'int':
      return void expect(v, where).toBe(c.v)
    case 'money':
      // The double of the exact decimal, to the last unit.
      return void expect(v, where).toBe(c.units / 10 ** c.scale)
    case 'percent':
      if (c.v === null) return void expect(v ?? null, where).toBeNull()
      return void expect(v as number, where).toBeCloseTo(c.v, 12)
    case 'date':
      return void expect((v as Date).toISOString().slice(0, 10), where).toBe(c.day)
    case 'datetime':
      if (c.iso === null) return void expect(v ?? null, where).toBeNull()
      return void expect((v as Date).toISOString().slice(0, 19).replace('T', ' '), where).toBe(wall(c.iso, ZONE))
    case 'bool':
      return void expect(v, where).toBe(c.v)
    case 'empty':
      return void expect(v ?? null, where).toBeNull()
  }
}

/* ---------------- reading the files ---------------- */

function parseCsv(data: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < data.length; i++) {
    const ch = data[i]
    if (quoted) {
      if (ch === '"' && data[i + 1] === '"') {
        field += '"'
        i++
      } else if (ch === '"') quoted = false
      else field += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') {
      row.push(field)
      field = ''
    } else if (ch === '\r' && data[i + 1] === '\n') {
      rows.push([...row, field])
      row = []
      field = ''
      i++
    } else field += ch
  }
  if (field || row.length) rows.push([...row, field])
  return rows
}

function expectCsv(file: string, screen: Screen): void {
  const bytes = fs.readFileSync(file)
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
  const rows = parseCsv(bytes.toString('utf8').slice(1))
  expect(rows[0]).toEqual(screen.headers)
  const body = [...screen.rows, ...(screen.total ? [screen.total] : [])]
  expect(rows.slice(1).map((r) => r.join('\u241F'))).toEqual(body.map((r) => r.map(csvCell).join('\u241F')))
}

async function expectXlsx(file: string, screen: Screen, sheet: string): Promise<void> {
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.readFile(file)
  expect(wb.worksheets.map((w) => w.name)).toEqual([sheet])
  const ws = wb.worksheets[0]
  const body = [...screen.rows, ...(screen.total ? [screen.total] : [])]
  expect(ws.rowCount).toBe(1 + body.length)
  expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual(screen.headers)
  body.forEach((cells, r) => {
    const row = ws.getRow(r + 2)
    expect(row.cellCount, `row ${r + 2}`).toBeLessThanOrEqual(cells.length)
    cells.forEach((c, i) => expectXlsxCell(row.getCell(i + 1), c, `${sheet} ${row.getCell(i + 1).address}`))
  })
  // The totals row: bold, and outside the auto filter (sorting leaves it at the bottom).
  const last = String.fromCharCode(64 + screen.headers.length)
  expect(ws.autoFilter).toBe(`A1:${last}${1 + screen.rows.length}`)
  if (screen.total) expect(ws.getRow(body.length + 1).getCell(1).font?.bold).toBe(true)
}

/* ---------------- data ---------------- */

const CURRENCIES = ['EUR', 'RUB', 'BGN']

function insertClient(db: Db, id: number): void {
  const c = {
    id,
    login: `user${id}`,
    company: `Company ${String.fromCharCode(64 + id)}, Ltd`,
    name: `Name ${id}`,
    sms_price: 450 + id * 13,
    balance: id * 123_457 - 500_000,
    credit: id % 2 ? 0 : 100_000,
    currency: CURRENCIES[id % 3],
    channel: ['sms', 'viber', 'voice', 'viber_pr', 'viber_tx'][id % 5],
    site: `https://c${id}.example`,
    email: `c${id}@example.com`,
    region: 'EU',
    activity_type: 'Retail',
    property_type: ['legal', 'individual', 'entrepreneur'][id % 3],
    postal_address: `Street ${id}`,
    accounting_email: `acc${id}@example.com`,
    registered_at: `2025-0${1 + (id % 9)}-1${id % 10}T08:30:00Z`,
    last_login_at: null,
    login_attempts: id % 4,
    activation_required: id % 2,
    referer: '',
    sms_subscription: id % 3 ? 1 : 0,
    updated_at: '2026-01-01T00:00:00Z'
  }
  const row = { ...c, search_text: searchText({ id, login: c.login, company: c.company, name: c.name }) }
  const cols = Object.keys(row)
  db.prepare(`INSERT INTO clients (${cols.join(', ')}) VALUES (${cols.map((k) => '@' + k).join(', ')})`).run(row)
}

const T0 = Date.parse('2026-03-01T00:00:00Z')
const FROM = '2026-03-01'
const TO = '2026-03-31'

function seed(db: Db): void {
  db.transaction(() => {
    for (let id = 1; id <= 12; id++) insertClient(db, id)
    const tx = db.prepare(
      `INSERT INTO transactions (id, client_id, date, credit, debit, purpose, balance_after, currency, updated_at) VALUES (?, 1, ?, ?, ?, ?, ?, 'RUB', ?)`
    )
    let balance = 5_000_00
    for (let i = 1; i <= 40; i++) {
      const date = new Date(T0 + i * 7 * 3_600_000 + i * 1000).toISOString()
      const topUp = i % 6 === 0
      const amount = topUp ? 20_000 + i : 100 + ((i * 7919) % 9_999)
      balance += topUp ? amount : -amount
      tx.run(i, date, topUp ? 0 : amount, topUp ? amount : 0, topUp ? `Top-up ${i}, by card` : `Mailing ${i}\nsecond line`, balance, date)
    }
    const names = db.prepare(`INSERT INTO sender_names (id, client_id, name, channel, status, questionnaire, created_at, updated_at) VALUES (?, 1, ?, ?, ?, ?, ?, ?)`)
    ;['Zeta', 'alpha', 'Beta', 'Gamma', 'Delta'].forEach((n, i) =>
      names.run(i + 1, n, i % 2 ? 'viber' : 'sms', ['pending', 'approved', 'rejected', 'blocked'][i % 4], ['completed', 'missing', 'not_required'][i % 3], `2026-02-0${i + 1}T00:00:00Z`, '2026-02-10T00:00:00Z')
    )
    const msg = db.prepare(
      `INSERT INTO messages (id, client_id, user, source, channel, sender, recipient, country, operator, status, bucket,
         parts, cost, text, created_at, sent_at, finished_at, campaign_id, idx, updated_at)
       VALUES (?, ?, 'u', 'api', ?, ?, '79990000000', ?, ?, ?, ?, ?, ?, 'hi', ?, NULL, NULL, NULL, NULL, ?)`
    )
    const buckets: [string, string][] = [['DELIVRD', 'delivered'], ['UNDELIV', 'errors'], ['ENROUTE', 'sent'], ['DELIVRD', 'delivered'], ['ACCEPTD', 'pending']]
    // Six countries (and one unknown), operators per country, three currencies, sms and viber.
    const geo: [string, string][] = [['BG', 'A1 Bulgaria'], ['BG', 'Vivacom'], ['RU', 'MTS'], ['RU', 'Beeline'], ['DE', 'Telekom'], ['KZ', 'Kcell'], ['RS', 'Yettel'], ['TR', 'Turkcell'], ['', '']]
    for (let i = 1; i <= 700; i++) {
      const [status, bucket] = buckets[i % 5]
      const [country, operator] = geo[(i * 7) % geo.length]
      const created = new Date(T0 + (i % 25) * 86_400_000 + (i % 17) * 3_600_000 + i * 1000).toISOString()
      const viber = i % 4 === 0
      msg.run(i, 1 + (i % 12), viber ? 'viber' : 'sms', viber ? ['ViberShop', 'ViberBank', ''][(i >> 2) % 3] : ['SHOP', 'Bank', 'Taxi', ''][i % 4], country, operator, status, bucket, 1 + (i % 3), 1234 + i * 17, created, created)
    }
  })()
}

/* ---------------- fixtures ---------------- */

let tmp: ReturnType<typeof tempDir>
let backend: Backend

async function call<T>(channel: string, input: unknown): Promise<T> {
  const r = await backend.dispatch(channel, input)
  if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code })
  return r.value as T
}

/** Starts an export as the export dialog does (no file chosen: a generated name), waits for it, and gives the file. */
async function exported(input: Record<string, unknown>): Promise<string> {
  const job = await call<ExportJob>('export.start', input)
  const until = Date.now() + 60_000
  for (;;) {
    const now = await call<ExportJob>('export.status', { id: job.id })
    if (now.state !== 'running') {
      expect(now, JSON.stringify(now.error)).toMatchObject({ state: 'done', error: null })
      return now.file
    }
    if (Date.now() > until) throw new Error(`export ${job.id} still running`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

beforeAll(async () => {
  tmp = tempDir('smsdesk-export-screen-')
  backend = createBackend({
    dataDir: path.join(tmp.dir, 'data'),
    box: keyFileBox(path.join(tmp.dir, 'data')),
    mode: 'browser',
    version: 'test',
    homeDir: tmp.dir,
    defaultExportDir: path.join(tmp.dir, 'exports')
  })
  await call('settings.save', { timeZone: ZONE })
  const until = Date.now() + 30_000
  while ((await call<SettingsView>('settings.get', {})).statsZone.zone !== ZONE) {
    if (Date.now() > until) throw new Error('the statistics were not regrouped')
    await new Promise((r) => setTimeout(r, 20))
  }
  seed(backend.db)
})

afterAll(async () => {
  await backend.close()
  tmp.cleanup()
})

/* ---------------- the screens ---------------- */

interface Case {
  name: string
  /** The export request's table part, as the screen's ExportSpec sends it. */
  request: Record<string, unknown>
  screen(lang: Language): Promise<Screen>
}

type ScreenOf = (lang: Language) => Case[]

async function allPages<T>(channel: string, input: Record<string, unknown>): Promise<T[]> {
  const out: T[] = []
  for (let page = 1; ; page++) {
    const p = await call<Page<T>>(channel, { ...input, page, pageSize: 7 })
    out.push(...p.rows)
    if (out.length >= p.total) return out
  }
}

const clientsCases: ScreenOf = () =>
  [
    { search: '', sort: 'id', order: 'asc' },
    { search: 'company', sort: 'balance', order: 'desc' },
    { search: '', sort: 'channel', order: 'asc' }
  ].map((q) => ({
    name: `clients ${q.sort} ${q.order}${q.search ? ` «${q.search}»` : ''}`,
    request: { clients: q },
    async screen(lang) {
      const m = MESSAGES[lang]
      const rows = await allPages<ClientRow>('clients.list', q)
      return {
        headers: EXPORT_DEFAULT_COLUMNS.clients.map((k) => (k === 'currency' ? m.clientPage.currency : m.clients.columns[k as keyof typeof m.clients.columns])),
        rows: rows.map((r) => [
          int(r.id),
          text(r.login),
          text(r.company),
          text(r.name),
          money(r.smsPrice, PRICE_SCALE),
          money(r.balance, MONEY_SCALE),
          money(r.credit, MONEY_SCALE),
          text(r.channel in m.channels ? m.channels[r.channel] : r.channel),
          text(r.currency)
        ])
      }
    }
  }))

const transactionsCases: ScreenOf = () =>
  (['desc', 'asc'] as const).map((order) => ({
    name: `transactions ${order}`,
    request: { transactions: { clientId: 1, from: FROM, to: TO, order } },
    async screen(lang) {
      const m = MESSAGES[lang]
      const rows = await allPages<TransactionRow>('clients.transactions', { clientId: 1, from: FROM, to: TO, order })
      expect(rows.length).toBeGreaterThan(10)
      const c = m.finance.transactions.columns
      return {
        headers: [`${c.date} (${ZONE})`, c.credit, c.debit, c.purpose, c.balanceAfter, m.clientPage.currency],
        rows: rows.map((r) => [
          { kind: 'datetime', iso: r.date },
          money(r.credit, MONEY_SCALE),
          money(r.debit, MONEY_SCALE),
          text(r.purpose),
          money(r.balanceAfter, MONEY_SCALE),
          text(r.currency)
        ])
      }
    }
  }))

/** The Statistics panel: statsTable over stats.query's rows, in the panel's sort, its words. */
function statsCase(group: StatsGroup, clientId: number | null, sort: StatsSort): Case {
  const q = { group, clientId, from: FROM, to: TO }
  return {
    name: `statistics by ${group}${clientId ? ` of client ${clientId}` : ''}, sorted by ${sort.key} ${sort.order}`,
    request: { statistics: { ...q, sort } },
    async screen(lang) {
      const m = MESSAGES[lang]
      const result = await call<StatsResult>('stats.query', q)
      expect(result.timeZone).toBe(ZONE)
      const table = statsTable(result.rows, group, sort, intlLocale(lang), m.stats.unknown)
      const cols = m.stats.columns
      const key = group === 'day' ? cols.day : `${cols[group]} (${LABELS[lang].fileOnly.daysIn} ${ZONE})`
      const prices = (line: { prices: { amount: string; currency: string }[] }): Cell[] =>
        table.currencies.map((cur) => {
          const p = line.prices.find((x) => x.currency === cur)
          return p ? money(p.amount, PRICE_SCALE) : { kind: 'empty' }
        })
      const figures = (l: (typeof table.lines)[number]): Cell[] => [int(l.sentParts), int(l.deliveredParts), { kind: 'percent', v: l.efficiency }, ...prices(l)]
      return {
        headers: [group === 'day' ? `${key} (${ZONE})` : key, cols.sentParts, cols.deliveredParts, cols.efficiency, ...table.currencies.map((c) => `${cols.price} (${c})`)],
        rows: table.lines.map((l) => [group === 'day' ? { kind: 'date', day: l.key } : text(table.labels.get(l.key)!), ...figures(l)]),
        total: table.total ? [text(m.stats.total), ...figures(table.total)] : undefined
      }
    }
  }
}

const statisticsCases: ScreenOf = () => [
  ...STATS_GROUPS.map((g) => statsCase(g, null, defaultStatsSort(g))),
  statsCase('country', null, { key: 'price', order: 'asc' }),
  statsCase('operator', null, { key: 'key', order: 'desc' }),
  statsCase('day', 1, { key: 'efficiency', order: 'desc' })
]

const namesCases: ScreenOf = () => [
  {
    name: 'sender names',
    request: { names: { clientId: 1 } },
    async screen(lang) {
      const m = MESSAGES[lang]
      const rows = await call<SenderNameRow[]>('clients.names', { clientId: 1 })
      expect(rows.length).toBe(5)
      return {
        headers: EXPORT_DEFAULT_COLUMNS.names.map((k) => m.names.columns[k as keyof typeof m.names.columns]),
        rows: rows.map((r) => [text(r.name), text(m.names.channels[r.channel]), text(m.names.statuses[r.status]), text(m.names.questionnaire[r.questionnaire])])
      }
    }
  }
]

/** Each exportable table's screen. A table the export learns must get its screen here. */
const SCREENS: Record<ExportTable, ScreenOf> = {
  clients: clientsCases,
  transactions: transactionsCases,
  statistics: statisticsCases,
  names: namesCases
}

const SHEETS: Record<Language, Record<ExportTable, string>> = {
  en: en.exports.tables,
  ru: ru.exports.tables
}

describe('every export equals its screen', () => {
  it('knows the screen of every exportable table', () => {
    expect(Object.keys(SCREENS).sort()).toEqual(Object.keys(EXPORT_TABLE_DEFS).sort())
  })

  for (const table of Object.keys(EXPORT_TABLE_DEFS) as ExportTable[]) {
    for (const lang of ['en', 'ru'] as const) {
      for (const c of (SCREENS[table] ?? (() => []))(lang)) {
        it(`${c.name} (${lang}): the CSV and the xlsx hold the screen's rows, order, words and totals`, async () => {
          const screen = await c.screen(lang)
          expect(screen.rows.length).toBeGreaterThan(1)
          for (const format of ['csv', 'xlsx'] as ExportFormat[]) {
            const file = await exported({ table, format, language: lang, columns: EXPORT_DEFAULT_COLUMNS[table], ...c.request })
            if (format === 'csv') expectCsv(file, screen)
            else await expectXlsx(file, screen, SHEETS[lang][table])
          }
        })
      }
    }
  }
})

describe('the statistics as the screen words them', () => {
  it('by country: one row per country (not per currency), the largest first, named, with totals', async () => {
    const result = await call<StatsResult>('stats.query', { group: 'country', clientId: null, from: FROM, to: TO })
    const countries = new Set(result.rows.map((r) => r.key))
    expect(result.rows.length).toBeGreaterThan(countries.size) // several currencies per country
    const file = await exported({ table: 'statistics', format: 'csv', language: 'en', columns: EXPORT_DEFAULT_COLUMNS.statistics, statistics: { group: 'country', clientId: null, from: FROM, to: TO } })
    const rows = parseCsv(fs.readFileSync(file, 'utf8').slice(1))
    expect(rows.length).toBe(1 + countries.size + 1)
    expect(rows.slice(1, -1).map((r) => r[0])).toEqual(expect.arrayContaining(['Bulgaria', 'Russia', 'Germany', 'Kazakhstan', 'Serbia', 'Unknown']))
    const sent = rows.slice(1, -1).map((r) => Number(r[1]))
    expect(sent).toEqual([...sent].sort((a, b) => b - a))
    expect(rows.at(-1)![0]).toBe('Total')
    expect(Number(rows.at(-1)![1])).toBe(result.rows.reduce((s, r) => s + r.sentParts, 0))
    expect(rows[0].slice(-3)).toEqual(['SMS price (BGN)', 'SMS price (EUR)', 'SMS price (RUB)'])
  })

  it('by operator: the country by its name, in the file’s language', async () => {
    for (const [lang, label] of [['en', 'Bulgaria - A1 Bulgaria'], ['ru', 'Болгария - A1 Bulgaria']] as const) {
      const file = await exported({ table: 'statistics', format: 'csv', language: lang, columns: ['key'], statistics: { group: 'operator', clientId: null, from: FROM, to: TO } })
      const keys = parseCsv(fs.readFileSync(file, 'utf8').slice(1)).map((r) => r[0])
      expect(keys).toContain(label)
      expect(keys.at(-1)).toBe(LABELS[lang].statsTotal)
    }
  })
})

describe('one dictionary', () => {
  it('the renderer’s words for the tables are the shared ones, in both languages', () => {
    for (const lang of ['en', 'ru'] as const) {
      const m = MESSAGES[lang]
      const l = LABELS[lang]
      expect(m.channels).toEqual(l.channels)
      expect(m.clients.columns).toEqual(l.clientColumns)
      expect(m.clientPage.currency).toBe(l.currency)
      expect(m.general.fields).toEqual(l.clientFields)
      expect(m.general.propertyTypes).toEqual(l.propertyTypes)
      expect(m.finance.transactions.columns).toEqual(l.transactionColumns)
      expect(m.stats.columns).toEqual(l.statsColumns)
      expect(m.stats.total).toBe(l.statsTotal)
      expect(m.stats.unknown).toBe(l.statsUnknown)
      expect(m.names.columns).toEqual(l.nameColumns)
      expect(m.names.channels).toEqual(l.nameChannels)
      expect(m.names.statuses).toEqual(l.nameStatuses)
      expect(m.names.questionnaire).toEqual(l.questionnaire)
      expect(m.exports.tables).toEqual(l.tables)
    }
  })
})
