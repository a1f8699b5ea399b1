/** The clients table: written by the platform sync, read by the Clients screens. */
import { AppError } from '../../shared/errors'
import type { ClientsQuery } from '../../shared/contract'
import { MONEY_SCALE, PRICE_SCALE, formatUnits } from '../../shared/money'
import type { Channel, ClientDetail, ClientRow, Page, PropertyType } from '../../shared/types'
import type { Db } from './connection'
import { makeUpserter, type Row, type Upserter } from './upsert'

export const CLIENT_COLUMNS = [
  'id', 'login', 'company', 'name', 'sms_price', 'balance', 'credit', 'currency', 'channel',
  'site', 'email', 'region', 'activity_type', 'property_type', 'postal_address',
  'accounting_email', 'registered_at', 'last_login_at', 'login_attempts',
  'activation_required', 'referer', 'sms_subscription', 'updated_at', 'search_text'
]

/** Lower-cased text searched by the Clients screen: ID, login, company and name. */
export function searchText(c: { id: number; login: string; company: string; name: string }): string {
  return `${c.id}\u0001${c.login}\u0001${c.company}\u0001${c.name}`.toLowerCase()
}

/**
 * A client as the platform describes it, once the sync (or the outbox) has checked it against
 * the platform's wire schema: money in units, times as ISO-8601 UTC.
 */
export interface ClientRecord {
  id: number
  login: string
  company: string
  name: string
  sms_price: number
  balance: number
  credit: number
  currency: string
  channel: string
  site: string
  email: string
  region: string
  activity_type: string
  property_type: string
  postal_address: string
  accounting_email: string
  registered_at: string
  last_login_at: string | null
  login_attempts: number
  activation_required: boolean
  referer: string
  sms_subscription: boolean
  updated_at: string
}

export function clientRowFromWire(c: ClientRecord): Row {
  return {
    id: c.id,
    login: c.login,
    company: c.company,
    name: c.name,
    sms_price: c.sms_price,
    balance: c.balance,
    credit: c.credit,
    currency: c.currency,
    channel: c.channel,
    site: c.site,
    email: c.email,
    region: c.region,
    activity_type: c.activity_type,
    property_type: c.property_type,
    postal_address: c.postal_address,
    accounting_email: c.accounting_email,
    registered_at: c.registered_at,
    last_login_at: c.last_login_at,
    login_attempts: c.login_attempts,
    activation_required: c.activation_required ? 1 : 0,
    referer: c.referer,
    sms_subscription: c.sms_subscription ? 1 : 0,
    updated_at: c.updated_at,
    search_text: searchText(c)
  }
}

export function clientsUpserter(db: Db): Upserter {
  return makeUpserter(db, { table: 'clients', columns: CLIENT_COLUMNS, version: 'updated_at' })
}

const SORT_SQL: Record<ClientsQuery['sort'], string> = {
  id: 'id',
  login: 'login COLLATE NOCASE',
  company: 'company COLLATE NOCASE',
  name: 'name COLLATE NOCASE',
  smsPrice: 'sms_price',
  balance: 'balance',
  credit: 'credit',
  channel: 'channel'
}

interface ClientDbRow {
  id: number
  login: string
  company: string
  name: string
  sms_price: number
  balance: number
  credit: number
  currency: string
  channel: string
}

function toRow(r: ClientDbRow): ClientRow {
  return {
    id: r.id,
    login: r.login,
    company: r.company,
    name: r.name,
    smsPrice: formatUnits(r.sms_price, PRICE_SCALE),
    balance: formatUnits(r.balance, MONEY_SCALE),
    credit: formatUnits(r.credit, MONEY_SCALE),
    currency: r.currency,
    channel: r.channel as Channel
  }
}

const LIST_COLUMNS = 'id, login, company, name, sms_price, balance, credit, currency, channel'

/** The Clients table's order: the chosen column, then id, in the chosen direction. */
export function clientsOrderBy(q: Pick<ClientsQuery, 'sort' | 'order'>): string {
  const dir = q.order === 'desc' ? 'DESC' : 'ASC'
  return q.sort === 'id' ? `id ${dir}` : `${SORT_SQL[q.sort]} ${dir}, id ${dir}`
}

/** The search term as a literal FTS5 phrase (quoted, so no query syntax applies). */
function ftsPhrase(term: string): string {
  return `"${term.replaceAll('"', '""')}"`
}

/**
 * The Clients table's search and sort as SQL clauses over `clients`, for readers of every
 * matching row (the export): the same match as list() (trigram index for 3+ characters, a
 * substring of search_text otherwise) and the same order.
 */
export function clientsSelection(q: Pick<ClientsQuery, 'search' | 'sort' | 'order'>): {
  where: string
  params: Record<string, string>
  orderBy: string
} {
  const term = q.search.trim().toLowerCase()
  const orderBy = clientsOrderBy(q)
  if (!term) return { where: '1', params: {}, orderBy }
  if ([...term].length >= 3) {
    return { where: 'id IN (SELECT rowid FROM clients_fts WHERE clients_fts MATCH @match)', params: { match: ftsPhrase(term) }, orderBy }
  }
  return { where: 'instr(search_text, @term) > 0', params: { term }, orderBy }
}

export class ClientsRepo {
  constructor(private readonly db: Db) {}

  /**
   * One page of the Clients table. The search term is matched as a plain substring
   * (instr, no LIKE wildcards), case-insensitively, against ID, login, company and name.
   */
  list(q: ClientsQuery): Page<ClientRow> {
    const term = q.search.trim().toLowerCase()
    const order = clientsOrderBy(q)
    const page = { limit: q.pageSize, offset: (q.page - 1) * q.pageSize }
    let rows: ClientDbRow[]
    let total: number
    if (!term) {
      rows = this.db
        .prepare(`SELECT ${LIST_COLUMNS} FROM clients ORDER BY ${order} LIMIT @limit OFFSET @offset`)
        .all(page) as ClientDbRow[]
      total = this.count()
    } else if ([...term].length >= 3) {
      // The trigram index finds the matching ids; the phrase is quoted, so the term is literal.
      const match = { match: ftsPhrase(term) }
      const ids = `SELECT rowid FROM clients_fts WHERE clients_fts MATCH @match`
      rows = this.db
        .prepare(`SELECT ${LIST_COLUMNS} FROM clients WHERE id IN (${ids}) ORDER BY ${order} LIMIT @limit OFFSET @offset`)
        .all({ ...match, ...page }) as ClientDbRow[]
      total = this.db.prepare(`SELECT count(*) FROM (${ids})`).pluck().get(match) as number
    } else {
      // One or two characters, too short for trigrams: count with a scan of the small
      // search index, then either walk the sort order (many matches: the page fills at once)
      // or sort just the matches (few of them), whichever touches fewer rows.
      total = this.db
        .prepare('SELECT count(*) FROM clients INDEXED BY clients_search WHERE instr(search_text, ?) > 0')
        .pluck()
        .get(term) as number
      const walk = total * 20 > this.count()
      const sorted = walk ? order : order.replace(/^(\w+)/, '+$1')
      rows = total
        ? (this.db
            .prepare(
              `SELECT ${LIST_COLUMNS} FROM clients WHERE instr(search_text, @term) > 0
               ORDER BY ${sorted} LIMIT @limit OFFSET @offset`
            )
            .all({ term, ...page }) as ClientDbRow[])
        : []
    }
    return { rows: rows.map(toRow), total, page: q.page, pageSize: q.pageSize }
  }

  get(id: number): ClientDetail {
    const r = this.db.prepare('SELECT * FROM clients WHERE id = ?').get(id) as
      | (ClientDbRow & Record<string, string | number | null>)
      | undefined
    if (!r) throw new AppError('not_found', `Client ${id} is not in the local database`, { id })
    return {
      ...toRow(r),
      site: r.site as string,
      email: r.email as string,
      region: r.region as string,
      activityType: r.activity_type as string,
      propertyType: r.property_type as PropertyType,
      postalAddress: r.postal_address as string,
      accountingEmail: r.accounting_email as string,
      registeredAt: r.registered_at as string,
      lastLoginAt: r.last_login_at as string | null,
      loginAttempts: r.login_attempts as number,
      activationRequired: r.activation_required === 1,
      referer: r.referer as string,
      smsSubscription: r.sms_subscription === 1,
      updatedAt: r.updated_at as string
    }
  }

  count(): number {
    return this.db.prepare('SELECT count(*) FROM clients').pluck().get() as number
  }
}
