/** Balance transactions of the clients (the Finance tab). */
import { MONEY_SCALE, formatUnits } from '../../shared/money'
import type { Page, TransactionRow } from '../../shared/types'
import type { Db } from './connection'
import { dayBounds } from '../../shared/zone'
import { makeUpserter, type Row, type Upserter } from './upsert'

/** A balance transaction as the platform describes it, checked against its wire schema: money in units. */
export interface TransactionRecord {
  id: number
  client_id: number
  date: string
  credit: number
  debit: number
  purpose: string
  balance_after: number
  currency: string
  updated_at: string
}

export function transactionRowFromWire(t: TransactionRecord): Row {
  return {
    id: t.id,
    client_id: t.client_id,
    date: t.date,
    credit: t.credit,
    debit: t.debit,
    purpose: t.purpose,
    balance_after: t.balance_after,
    currency: t.currency,
    updated_at: t.updated_at
  }
}

export const TRANSACTION_COLUMNS = ['id', 'client_id', 'date', 'credit', 'debit', 'purpose', 'balance_after', 'currency', 'updated_at']

export function transactionsUpserter(db: Db): Upserter {
  return makeUpserter(db, { table: 'transactions', columns: TRANSACTION_COLUMNS, version: 'updated_at' })
}

interface TransactionDbRow {
  id: number
  date: string
  credit: number
  debit: number
  purpose: string
  balance_after: number
  currency: string
}

export interface TransactionsPageQuery {
  clientId: number
  /** First and last day of the period (YYYY-MM-DD) in the time zone, both included. */
  from: string
  to: string
  page: number
  pageSize: number
  order: 'asc' | 'desc'
}

/**
 * One page of a client's transactions in a period of days of `zone` (from 00:00 of the first
 * day to 00:00 after the last, there), by date (then id), newest first unless asked otherwise.
 * Dates are ISO-8601 UTC, so the period is a range of strings on the (client_id, date, id) index.
 */
export function transactionsPage(db: Db, q: TransactionsPageQuery, zone: string): Page<TransactionRow> {
  const bounds = dayBounds(zone, q.from, q.to)
  const range = { client: q.clientId, from: bounds.start, until: bounds.end }
  const where = 'client_id = @client AND date >= @from AND date < @until'
  const dir = q.order === 'asc' ? 'ASC' : 'DESC'
  const total = db
    .prepare(`SELECT count(*) FROM transactions INDEXED BY transactions_client_date WHERE ${where}`)
    .pluck()
    .get(range) as number
  const rows = total
    ? (db
        .prepare(
          `SELECT id, date, credit, debit, purpose, balance_after, currency
           FROM transactions INDEXED BY transactions_client_date WHERE ${where}
           ORDER BY date ${dir}, id ${dir} LIMIT @limit OFFSET @offset`
        )
        .all({ ...range, limit: q.pageSize, offset: (q.page - 1) * q.pageSize }) as TransactionDbRow[])
    : []
  return {
    rows: rows.map((r) => ({
      id: r.id,
      date: r.date,
      credit: formatUnits(r.credit, MONEY_SCALE),
      debit: formatUnits(r.debit, MONEY_SCALE),
      purpose: r.purpose,
      balanceAfter: formatUnits(r.balance_after, MONEY_SCALE),
      currency: r.currency
    })),
    total,
    page: q.page,
    pageSize: q.pageSize
  }
}
