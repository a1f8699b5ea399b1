/**
 * The export table registry: for each table that can be exported, its columns (key, header in
 * English and Russian, type) and its rows, read with exactly the filters and the sort the
 * table shows. SQL tables stream their rows with better-sqlite3's iterate(), never loading
 * them all; the statistics come from the statistics engine (the host fetches them and hands
 * them over, see `hostRows`).
 *
 * Column keys are the renderer's field names (ClientRow, TransactionRow, StatsRow,
 * SenderNameRow), so a table's visible columns can be sent as they are.
 */
import type { ExportRequest } from '../../shared/contract'
import { MONEY_SCALE, PRICE_SCALE, parseDecimal } from '../../shared/money'
import { AppError } from '../../shared/errors'
import type { ExportTable, Language, StatsGroup, StatsRow } from '../../shared/types'
import { clientsSelection } from '../db/clients'
import type { Db } from '../db/connection'
import { dayBounds } from '../../shared/zone'

export type Text = Record<Language, string>

/**
 * How a column's values are written. Canonical values handed to the writers:
 * text/enum: string; int: number; money: integer minor units at `scale` (the currency code in
 * the row's `currency` field); percent: a fraction (0.975) or null; date: 'YYYY-MM-DD';
 * datetime: ISO-8601 UTC or null; bool: boolean.
 */
export type ColumnType =
  | { kind: 'text' }
  | { kind: 'enum'; labels: Record<Language, Record<string, string>> }
  | { kind: 'int' }
  | { kind: 'money'; scale: number }
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

export interface RowSource {
  /** Rows that will be read, counted in the same read transaction as the rows. */
  total: number
  rows: Iterable<SourceRow>
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

/* ---- headers and labels (the backend's own small dictionary; the renderer has its own) ---- */

const CHANNEL_LABELS: ColumnType = {
  kind: 'enum',
  labels: {
    en: { sms: 'SMS', voice: 'Voice', viber: 'Viber', viber_pr: 'Viber (promo)', viber_tx: 'Viber (transactional)' },
    ru: { sms: 'SMS', voice: 'Голос', viber: 'Viber', viber_pr: 'Viber (реклама)', viber_tx: 'Viber (транзакционные)' }
  }
}

const PROPERTY_LABELS: ColumnType = {
  kind: 'enum',
  labels: {
    en: { legal: 'Legal entity', individual: 'Individual', entrepreneur: 'Entrepreneur' },
    ru: { legal: 'Юридическое лицо', individual: 'Физическое лицо', entrepreneur: 'Индивидуальный предприниматель' }
  }
}

const NAME_STATUS_LABELS: ColumnType = {
  kind: 'enum',
  labels: {
    en: { pending: 'Pending', approved: 'Approved', rejected: 'Rejected', blocked: 'Blocked' },
    ru: { pending: 'На рассмотрении', approved: 'Одобрено', rejected: 'Отклонено', blocked: 'Заблокировано' }
  }
}

const QUESTIONNAIRE_LABELS: ColumnType = {
  kind: 'enum',
  labels: {
    en: { completed: 'Completed', missing: 'Not completed', not_required: 'Not required' },
    ru: { completed: 'Заполнена', missing: 'Не заполнена', not_required: 'Не требуется' }
  }
}

const TEXT: ColumnType = { kind: 'text' }
const INT: ColumnType = { kind: 'int' }
const DATETIME: ColumnType = { kind: 'datetime' }
const BOOL: ColumnType = { kind: 'bool' }
const money = (scale: number): ColumnType => ({ kind: 'money', scale })

const CURRENCY: ExportColumn = { key: 'currency', header: { en: 'Currency', ru: 'Валюта' }, type: TEXT, width: 9 }

/* ---- clients ---- */

const CLIENT_COLUMNS: ExportColumn[] = [
  { key: 'id', header: { en: 'ID', ru: 'ID' }, type: INT, width: 10 },
  { key: 'login', header: { en: 'Login', ru: 'Логин' }, type: TEXT, width: 18 },
  { key: 'company', header: { en: 'Company', ru: 'Компания' }, type: TEXT, width: 32 },
  { key: 'name', header: { en: 'Name', ru: 'Имя' }, type: TEXT, width: 28 },
  { key: 'smsPrice', sql: 'sms_price', header: { en: 'SMS price', ru: 'Цена SMS' }, type: money(PRICE_SCALE), width: 14 },
  { key: 'balance', header: { en: 'Balance', ru: 'Баланс' }, type: money(MONEY_SCALE), width: 16 },
  { key: 'credit', header: { en: 'Credit', ru: 'Кредит' }, type: money(MONEY_SCALE), width: 16 },
  CURRENCY,
  { key: 'channel', header: { en: 'Channel', ru: 'Канал' }, type: CHANNEL_LABELS, width: 12 },
  { key: 'site', header: { en: 'Site', ru: 'Сайт' }, type: TEXT, width: 24 },
  { key: 'email', header: { en: 'Email', ru: 'Эл. почта' }, type: TEXT, width: 26 },
  { key: 'region', header: { en: 'Region', ru: 'Регион' }, type: TEXT, width: 18 },
  { key: 'activityType', sql: 'activity_type', header: { en: 'Type of activity', ru: 'Вид деятельности' }, type: TEXT, width: 22 },
  { key: 'propertyType', sql: 'property_type', header: { en: 'Property type', ru: 'Форма собственности' }, type: PROPERTY_LABELS, width: 18 },
  { key: 'postalAddress', sql: 'postal_address', header: { en: 'Address, postal', ru: 'Почтовый адрес' }, type: TEXT, width: 32 },
  { key: 'accountingEmail', sql: 'accounting_email', header: { en: 'Email accounting', ru: 'Эл. почта бухгалтерии' }, type: TEXT, width: 26 },
  { key: 'registeredAt', sql: 'registered_at', header: { en: 'Registration date', ru: 'Дата регистрации' }, type: DATETIME, width: 20 },
  { key: 'lastLoginAt', sql: 'last_login_at', header: { en: 'Last login date', ru: 'Дата последнего входа' }, type: DATETIME, width: 20 },
  { key: 'loginAttempts', sql: 'login_attempts', header: { en: 'Login attempts', ru: 'Попыток входа' }, type: INT, width: 10 },
  {
    key: 'activationRequired',
    sql: 'activation_required',
    header: { en: 'Activation required', ru: 'Требуется активация' },
    type: BOOL,
    width: 10,
    get: (r) => r.activationRequired === 1
  },
  { key: 'referer', header: { en: 'Referer', ru: 'Реферер' }, type: TEXT, width: 20 },
  {
    key: 'smsSubscription',
    sql: 'sms_subscription',
    header: { en: 'SMS subscription', ru: 'SMS-подписка' },
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
  title: { en: 'Clients', ru: 'Клиенты' },
  columns: () => CLIENT_COLUMNS,
  source(db, req, columns) {
    const q = req.clients ?? { search: '', sort: 'id', order: 'asc' }
    const s = clientsSelection(q)
    return sqlSource(db, 'clients', s.where, s.orderBy, s.params, columns)
  }
}

/* ---- transactions (the Finance tab) ---- */

const TRANSACTION_COLUMNS: ExportColumn[] = [
  { key: 'id', header: { en: 'ID', ru: 'ID' }, type: INT, width: 12 },
  { key: 'date', header: { en: 'Date', ru: 'Дата' }, type: DATETIME, width: 20 },
  { key: 'credit', header: { en: 'Credit (mailing costs)', ru: 'Кредит (расходы на рассылки)' }, type: money(MONEY_SCALE), width: 18 },
  { key: 'debit', header: { en: 'Debit (top-up)', ru: 'Дебет (пополнение)' }, type: money(MONEY_SCALE), width: 18 },
  { key: 'purpose', header: { en: 'Purpose', ru: 'Назначение' }, type: TEXT, width: 40 },
  { key: 'balanceAfter', sql: 'balance_after', header: { en: 'Balance (after)', ru: 'Баланс (после)' }, type: money(MONEY_SCALE), width: 18 },
  CURRENCY
]

const transactions: ExportTableDef = {
  name: 'transactions',
  title: { en: 'Transactions', ru: 'Операции по счёту' },
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

const STATS_KEY_HEADERS: Record<StatsGroup, Text> = {
  day: { en: 'Date', ru: 'Дата' },
  operator: { en: 'Country - Operator', ru: 'Страна - Оператор' },
  sender: { en: 'Sender ID', ru: 'Имя отправителя' },
  'viber-sender': { en: 'Viber sender ID', ru: 'Viber имя отправителя' },
  country: { en: 'Country', ru: 'Страна' }
}

/** The statistics key as the table shows it: "country|operator" reads "country - operator". */
export function statsKeyText(group: StatsGroup, key: string): string {
  if (group !== 'operator') return key
  const bar = key.indexOf('|')
  return bar < 0 ? key : `${key.slice(0, bar)} - ${key.slice(bar + 1)}`
}

function statsColumns(req: ExportRequest): ExportColumn[] {
  const group = req.statistics?.group ?? 'day'
  return [
    {
      key: 'key',
      header: STATS_KEY_HEADERS[group],
      type: group === 'day' ? { kind: 'date' } : TEXT,
      width: group === 'day' ? 12 : 28,
      zoneDays: group !== 'day',
      get: (r) => (group === 'day' ? r.key : statsKeyText(group, String(r.key)))
    },
    { key: 'sentParts', header: { en: 'Sent SMS (parts)', ru: 'Отправлено SMS (частей)' }, type: INT, width: 14 },
    { key: 'deliveredParts', header: { en: 'Delivered SMS (parts)', ru: 'Доставлено SMS (частей)' }, type: INT, width: 14 },
    { key: 'efficiency', header: { en: 'Efficiency (%)', ru: 'Эффективность (%)' }, type: { kind: 'percent' }, width: 12 },
    {
      key: 'price',
      header: { en: 'SMS price', ru: 'Стоимость SMS' },
      type: money(PRICE_SCALE),
      width: 16,
      get: (r) => {
        const units = parseDecimal(String(r.price), PRICE_SCALE)
        if (units === null) throw new AppError('internal', `The statistics gave a price that is not a decimal: ${String(r.price)}`)
        return units
      }
    },
    CURRENCY
  ]
}

const statistics: ExportTableDef = {
  name: 'statistics',
  title: { en: 'Statistics', ru: 'Статистика' },
  columns: statsColumns,
  // The renderer labels the key column by the group (day, operator, ...): accept those too.
  aliases: (req) => ({ [req.statistics?.group ?? 'day']: 'key', group: 'key' }),
  hostRows: true,
  source(_db, req, _columns, hostRows) {
    if (!req.statistics) throw new AppError('invalid_input', 'statistics: the grouping and the period are required', { field: 'statistics' })
    const rows = (hostRows ?? []) as StatsRow[]
    return { total: rows.length, rows: rows as unknown as SourceRow[] }
  }
}

/* ---- sender names ---- */

const NAME_COLUMNS: ExportColumn[] = [
  { key: 'id', header: { en: 'ID', ru: 'ID' }, type: INT, width: 10 },
  { key: 'name', header: { en: 'Name (Sender ID)', ru: 'Имя (Sender ID)' }, type: TEXT, width: 22 },
  {
    key: 'channel',
    header: { en: 'Channel', ru: 'Канал' },
    type: { kind: 'enum', labels: { en: { sms: 'SMS', viber: 'Viber' }, ru: { sms: 'SMS', viber: 'Viber' } } },
    width: 10
  },
  { key: 'status', header: { en: 'Status', ru: 'Статус' }, type: NAME_STATUS_LABELS, width: 16 },
  { key: 'questionnaire', header: { en: 'Questionnaire', ru: 'Анкета' }, type: QUESTIONNAIRE_LABELS, width: 16 },
  { key: 'createdAt', sql: 'created_at', header: { en: 'Created', ru: 'Создано' }, type: DATETIME, width: 20 }
]

const names: ExportTableDef = {
  name: 'names',
  title: { en: 'Sender names', ru: 'Имена отправителей' },
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

/** The table's default columns: what its screen shows. */
export const DEFAULT_COLUMNS: Record<ExportTable, string[]> = {
  clients: ['id', 'login', 'company', 'name', 'smsPrice', 'balance', 'credit', 'currency', 'channel'],
  transactions: ['date', 'credit', 'debit', 'purpose', 'balanceAfter', 'currency'],
  statistics: ['key', 'sentParts', 'deliveredParts', 'efficiency', 'price', 'currency'],
  names: ['name', 'channel', 'status', 'questionnaire']
}
