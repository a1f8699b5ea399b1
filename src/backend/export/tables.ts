/**
 * The export table registry: for each table that can be exported, its columns (key, header in
 * English and Russian, type) and its rows, read with exactly the filters and the sort the
 * table shows. SQL tables stream their rows with better-sqlite3's iterate(), never loading
 * them all; the statistics come from the statistics engine (the host fetches them and hands
 * them over, see `hostRows`).
 *
 * Column keys are the renderer's field names (ClientRow, TransactionRow, StatsLine,
 * SenderNameRow), so a table's visible columns can be sent as they are. Headers and labels are
 * the screens' words (src/shared/labels.ts); the statistics are shaped as the Statistics table
 * shapes them (src/shared/statsLines.ts): one line per key, labelled, in the screen's sort,
 * with its totals row.
 */
import type { ExportRequest } from '../../shared/contract'
import { EXPORT_DEFAULT_COLUMNS, INTL_LOCALES, LABELS, type Labels } from '../../shared/labels'
import { MONEY_SCALE, PRICE_SCALE, parseDecimal } from '../../shared/money'
import { AppError } from '../../shared/errors'
import { defaultStatsSort, statsTable, type StatsLine } from '../../shared/statsLines'
import type { ExportTable, Language, StatsRow } from '../../shared/types'
import { clientsSelection } from '../db/clients'
import type { Db } from '../db/connection'
import { dayBounds } from '../../shared/zone'

export type Text = Record<Language, string>

/**
 * How a column's values are written. Canonical values handed to the writers:
 * text/enum: string; int: number; money: integer minor units at `scale` (the currency code:
 * the column's `currency`, else the row's `currency` field); percent: a fraction (0.975) or null; date: 'YYYY-MM-DD';
 * datetime: ISO-8601 UTC or null; bool: boolean.
 */
export type ColumnType =
  | { kind: 'text' }
  | { kind: 'enum'; labels: Record<Language, Record<string, string>> }
  | { kind: 'int' }
  | { kind: 'money'; scale: number; currency?: string }
  | { kind: 'percent' }
  | { kind: 'date' }
  | { kind: 'datetime' }
  | { kind: 'bool' }

export interface ExportColumn {
  key: string
  header: Text
  type: ColumnType
  /** SQL expression read as this key (SQL tables). */
  sql?: string
  /** Column width in characters. */
  width?: number
  /** Reads the canonical value from a source row (default: row[key]). */
  get?: (row: SourceRow) => unknown
  /** Its rows are sums over days (statistics): the header says whose days (dates and times say their zone anyway). */
  zoneDays?: boolean
}

export type SourceRow = Record<string, unknown>

/** Where the totals row says what it is: `text` in the column `key`. */
export interface FooterLabel {
  key: string
  text: string
}

export interface RowSource {
  /** Rows that will be read, counted in the same read transaction as the rows. */
  total: number
  rows: Iterable<SourceRow>
  /** The columns written, when the rows decide them (the statistics' costs, one column per currency); default: the chosen ones. */
  columns?: ExportColumn[]
  /** The totals row, after the rows. */
  footer?: { row: SourceRow; label: FooterLabel }
}

export interface ExportTableDef {
  name: ExportTable
  title: Text
  /** Every column this table can export, for this request (statistics depend on the group). */
  columns(req: ExportRequest): ExportColumn[]
  /** Column keys also accepted for a column (e.g. the statistics key by its group name). */
  aliases?(req: ExportRequest): Record<string, string>
  /** Rows come from a backend service, fetched by the host (not from SQL in the writer). */
  hostRows?: boolean
  /**
   * Opens the rows: SQL tables read `db`; host-row tables get the rows the host fetched. `zone`
   * is the time zone whose days a period of days means (the same as the screen's).
   */
  source(db: Db | null, req: ExportRequest, columns: ExportColumn[], hostRows: unknown[] | undefined, zone: string): RowSource
}

/* ---- headers and labels: the screens' own words (src/shared/labels.ts) ---- */

/** One entry of the shared dictionary, in both languages. */
function words(pick: (l: Labels) => string): Text {
  return { en: pick(LABELS.en), ru: pick(LABELS.ru) }
}

function enumOf(pick: (l: Labels) => Record<string, string>): ColumnType {
  return { kind: 'enum', labels: { en: pick(LABELS.en), ru: pick(LABELS.ru) } }
}

const CHANNEL_LABELS = enumOf((l) => l.channels)
const PROPERTY_LABELS = enumOf((l) => l.propertyTypes)
const NAME_CHANNEL_LABELS = enumOf((l) => l.nameChannels)
const NAME_STATUS_LABELS = enumOf((l) => l.nameStatuses)
const QUESTIONNAIRE_LABELS = enumOf((l) => l.questionnaire)

const TEXT: ColumnType = { kind: 'text' }
const INT: ColumnType = { kind: 'int' }
const DATE: ColumnType = { kind: 'date' }
const DATETIME: ColumnType = { kind: 'datetime' }
const BOOL: ColumnType = { kind: 'bool' }
const money = (scale: number, currency?: string): ColumnType => ({ kind: 'money', scale, ...(currency === undefined ? {} : { currency }) })

const CURRENCY: ExportColumn = { key: 'currency', header: words((l) => l.currency), type: TEXT, width: 9 }

/* ---- clients ---- */

const CLIENT_COLUMNS: ExportColumn[] = [
  { key: 'id', header: words((l) => l.clientColumns.id), type: INT, width: 10 },
  { key: 'login', header: words((l) => l.clientColumns.login), type: TEXT, width: 18 },
  { key: 'company', header: words((l) => l.clientColumns.company), type: TEXT, width: 32 },
  { key: 'name', header: words((l) => l.clientColumns.name), type: TEXT, width: 28 },
  { key: 'smsPrice', sql: 'sms_price', header: words((l) => l.clientColumns.smsPrice), type: money(PRICE_SCALE), width: 14 },
  { key: 'balance', header: words((l) => l.clientColumns.balance), type: money(MONEY_SCALE), width: 16 },
  { key: 'credit', header: words((l) => l.clientColumns.credit), type: money(MONEY_SCALE), width: 16 },
  CURRENCY,
  { key: 'channel', header: words((l) => l.clientColumns.channel), type: CHANNEL_LABELS, width: 12 },
  { key: 'site', header: words((l) => l.clientFields.site), type: TEXT, width: 24 },
  { key: 'email', header: words((l) => l.clientFields.email), type: TEXT, width: 26 },
  { key: 'region', header: words((l) => l.clientFields.region), type: TEXT, width: 18 },
  { key: 'activityType', sql: 'activity_type', header: words((l) => l.clientFields.activityType), type: TEXT, width: 22 },
  { key: 'propertyType', sql: 'property_type', header: words((l) => l.clientFields.propertyType), type: PROPERTY_LABELS, width: 18 },
  { key: 'postalAddress', sql: 'postal_address', header: words((l) => l.clientFields.postalAddress), type: TEXT, width: 32 },
  { key: 'accountingEmail', sql: 'accounting_email', header: words((l) => l.clientFields.accountingEmail), type: TEXT, width: 26 },
  { key: 'registeredAt', sql: 'registered_at', header: words((l) => l.clientFields.registeredAt), type: DATETIME, width: 20 },
  { key: 'lastLoginAt', sql: 'last_login_at', header: words((l) => l.clientFields.lastLoginAt), type: DATETIME, width: 20 },
  { key: 'loginAttempts', sql: 'login_attempts', header: words((l) => l.clientFields.loginAttempts), type: INT, width: 10 },
  {
    key: 'activationRequired',
    sql: 'activation_required',
    header: words((l) => l.fileOnly.activationRequired),
    type: BOOL,
    width: 10,
    get: (r) => r.activationRequired === 1
  },
  { key: 'referer', header: words((l) => l.clientFields.referer), type: TEXT, width: 20 },
  {
    key: 'smsSubscription',
    sql: 'sms_subscription',
    header: words((l) => l.smsSubscription),
    type: BOOL,
    width: 10,
    get: (r) => r.smsSubscription === 1
  }
]

/** SELECT list for the chosen columns, plus the currency (money formats need it). */
function selectList(columns: ExportColumn[]): string {
  const fields = new Map<string, string>()
  for (const c of columns) fields.set(c.key, c.sql ?? c.key)
  if (columns.some((c) => c.type.kind === 'money')) fields.set('currency', 'currency')
  return [...fields].map(([key, sql]) => `${sql} AS "${key}"`).join(', ')
}

/** A query's rows and their count, both read by the caller inside one read transaction. */
function sqlSource(db: Db | null, from: string, where: string, orderBy: string, params: object, columns: ExportColumn[]): RowSource {
  if (!db) throw new AppError('internal', 'The export has no database connection')
  const total = db.prepare(`SELECT count(*) FROM ${from} WHERE ${where}`).pluck().get(params) as number
  const select = db.prepare(`SELECT ${selectList(columns)} FROM ${from} WHERE ${where} ORDER BY ${orderBy}`)
  // Lazy: the statement runs only once iterated (a cancelled export never leaves it open).
  return { total, rows: { [Symbol.iterator]: () => select.iterate(params) as Iterator<SourceRow> } }
}

const clients: ExportTableDef = {
  name: 'clients',
  title: words((l) => l.tables.clients),
  columns: () => CLIENT_COLUMNS,
  source(db, req, columns) {
    const q = req.clients ?? { search: '', sort: 'id', order: 'asc' }
    const s = clientsSelection(q)
    return sqlSource(db, 'clients', s.where, s.orderBy, s.params, columns)
  }
}

/* ---- transactions (the Finance tab) ---- */

const TRANSACTION_COLUMNS: ExportColumn[] = [
  { key: 'id', header: words((l) => l.fileOnly.id), type: INT, width: 12 },
  { key: 'date', header: words((l) => l.transactionColumns.date), type: DATETIME, width: 20 },
  { key: 'credit', header: words((l) => l.transactionColumns.credit), type: money(MONEY_SCALE), width: 18 },
  { key: 'debit', header: words((l) => l.transactionColumns.debit), type: money(MONEY_SCALE), width: 18 },
  { key: 'purpose', header: words((l) => l.transactionColumns.purpose), type: TEXT, width: 40 },
  { key: 'balanceAfter', sql: 'balance_after', header: words((l) => l.transactionColumns.balanceAfter), type: money(MONEY_SCALE), width: 18 },
  CURRENCY
]

const transactions: ExportTableDef = {
  name: 'transactions',
  title: words((l) => l.tables.transactions),
  columns: () => TRANSACTION_COLUMNS,
  source(db, req, columns, _hostRows, zone) {
    const q = req.transactions
    if (!q) throw new AppError('invalid_input', 'transactions: the client and the period are required', { field: 'transactions' })
    if (q.from > q.to) throw new AppError('invalid_input', 'transactions.to: period', { field: 'transactions.to' })
    // As the Finance tab (transactionsPage): the days from..to of the zone, by date then id.
    const dir = q.order === 'asc' ? 'ASC' : 'DESC'
    const bounds = dayBounds(zone, q.from, q.to)
    return sqlSource(
      db,
      'transactions',
      'client_id = @client AND date >= @from AND date < @until',
      `date ${dir}, id ${dir}`,
      { client: q.clientId, from: bounds.start, until: bounds.end },
      columns
    )
  }
}

/* ---- statistics ---- */

/** The statistics' columns for the request's grouping; `price` becomes one column per currency (see `source`). */
function statsColumns(req: ExportRequest): ExportColumn[] {
  const group = req.statistics?.group ?? 'day'
  return [
    {
      key: 'key',
      header: words((l) => l.statsColumns[group]),
      type: group === 'day' ? DATE : TEXT,
      width: group === 'day' ? 12 : 28,
      zoneDays: group !== 'day',
      // Days are dates; the other keys as the table labels them ("Bulgaria - A1 Bulgaria").
      get: (r) => (group === 'day' ? r.key : r.label)
    },
    { key: 'sentParts', header: words((l) => l.statsColumns.sentParts), type: INT, width: 14 },
    { key: 'deliveredParts', header: words((l) => l.statsColumns.deliveredParts), type: INT, width: 14 },
    { key: 'efficiency', header: words((l) => l.statsColumns.efficiency), type: { kind: 'percent' }, width: 12 },
    { key: 'price', header: words((l) => l.statsColumns.price), type: money(PRICE_SCALE), width: 16 }
  ]
}

/** A line's cost in one currency, in units (null: the line has none in it). */
function costIn(line: StatsLine, currency: string): number | null {
  const cost = line.prices.find((p) => p.currency === currency)
  if (!cost) return null
  const units = parseDecimal(cost.amount, PRICE_SCALE)
  if (units === null) throw new AppError('internal', `The statistics gave a cost that is not a decimal: ${cost.amount}`)
  return units
}

/** The price column as the table shows it: each currency's costs side by side, one column each, the header saying which. */
function priceColumns(price: ExportColumn, currencies: string[]): ExportColumn[] {
  if (currencies.length === 0) return [{ ...price, get: () => null }]
  return currencies.map((currency) => ({
    ...price,
    key: `price:${currency}`,
    header: currency ? { en: `${price.header.en} (${currency})`, ru: `${price.header.ru} (${currency})` } : price.header,
    type: money(PRICE_SCALE, currency),
    get: (r: SourceRow) => costIn(r as unknown as StatsLine, currency)
  }))
}

const statistics: ExportTableDef = {
  name: 'statistics',
  title: words((l) => l.tables.statistics),
  columns: statsColumns,
  // The renderer labels the key column by the group (day, operator, ...): accept those too; the
  // price columns say their currency, so `currency` asks for them.
  aliases: (req) => ({ [req.statistics?.group ?? 'day']: 'key', group: 'key', currency: 'price' }),
  hostRows: true,
  source(_db, req, columns, hostRows) {
    const q = req.statistics
    if (!q) throw new AppError('invalid_input', 'statistics: the grouping and the period are required', { field: 'statistics' })
    const dict = LABELS[req.language]
    const table = statsTable((hostRows ?? []) as StatsRow[], q.group, q.sort ?? defaultStatsSort(q.group), INTL_LOCALES[req.language], dict.statsUnknown)
    const rows: SourceRow[] = table.lines.map((l) => ({ ...l, label: table.labels.get(l.key) ?? l.key }))
    return {
      total: rows.length,
      rows,
      columns: columns.flatMap((c) => (c.key === 'price' ? priceColumns(c, table.currencies) : [c])),
      footer: table.total ? { row: { ...table.total }, label: { key: 'key', text: dict.statsTotal } } : undefined
    }
  }
}

/* ---- sender names ---- */

const NAME_COLUMNS: ExportColumn[] = [
  { key: 'id', header: words((l) => l.fileOnly.id), type: INT, width: 10 },
  { key: 'name', header: words((l) => l.nameColumns.name), type: TEXT, width: 22 },
  { key: 'channel', header: words((l) => l.nameColumns.channel), type: NAME_CHANNEL_LABELS, width: 10 },
  { key: 'status', header: words((l) => l.nameColumns.status), type: NAME_STATUS_LABELS, width: 16 },
  { key: 'questionnaire', header: words((l) => l.nameColumns.questionnaire), type: QUESTIONNAIRE_LABELS, width: 16 },
  { key: 'createdAt', sql: 'created_at', header: words((l) => l.fileOnly.createdAt), type: DATETIME, width: 20 }
]

const names: ExportTableDef = {
  name: 'names',
  title: words((l) => l.tables.names),
  columns: () => NAME_COLUMNS,
  source(db, req, columns) {
    const q = req.names
    if (!q) throw new AppError('invalid_input', 'names: the client is required', { field: 'names' })
    // As the Names tab (senderNamesOf): by name, then id.
    return sqlSource(db, 'sender_names', 'client_id = @client', 'name, id', { client: q.clientId }, columns)
  }
}

export const EXPORT_TABLE_DEFS: Record<ExportTable, ExportTableDef> = { clients, transactions, statistics, names }

/** The columns a request asks for, in its order, each once; an unknown key is refused. */
export function resolveColumns(req: ExportRequest): ExportColumn[] {
  const def = EXPORT_TABLE_DEFS[req.table]
  const all = def.columns(req)
  const byKey = new Map(all.map((c) => [c.key, c]))
  const aliases = def.aliases?.(req) ?? {}
  const out: ExportColumn[] = []
  for (const asked of req.columns) {
    const column = byKey.get(aliases[asked] ?? asked)
    if (!column) {
      throw new AppError('invalid_input', `columns: "${asked}" is not a column of ${req.table} (${all.map((c) => c.key).join(', ')})`, {
        field: 'columns'
      })
    }
    if (!out.includes(column)) out.push(column)
  }
  return out
}

/** Every column key of a table (for the CLI's default and its help). */
export function columnKeys(req: ExportRequest): string[] {
  return EXPORT_TABLE_DEFS[req.table].columns(req).map((c) => c.key)
}

/** The table's default columns: what its screen shows (and the currency where money needs it). */
export const DEFAULT_COLUMNS: Record<ExportTable, string[]> = EXPORT_DEFAULT_COLUMNS
