/** Balance transactions of the clients (the Finance tab). */
import type { z } from 'zod'
import type { transactionWireSchema } from '../sync/sources/platformSchemas'
import type { Db } from './connection'
import { makeUpserter, type Row, type Upserter } from './upsert'

type TransactionWire = z.output<typeof transactionWireSchema>

export function transactionRowFromWire(t: TransactionWire): Row {
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

export function transactionsUpserter(db: Db): Upserter {
  return makeUpserter(db, {
    table: 'transactions',
    columns: ['id', 'client_id', 'date', 'credit', 'debit', 'purpose', 'balance_after', 'currency', 'updated_at'],
    version: 'updated_at'
  })
}
