/** Sender names (Sender IDs) of the clients (the Names tab). */
import type { SenderNameRow } from '../../shared/types'
import type { Db } from './connection'
import { makeUpserter, type Row, type Upserter } from './upsert'

/** A sender name as the platform describes it, checked against its wire schema. */
export interface SenderNameRecord {
  id: number
  client_id: number
  name: string
  channel: string
  status: string
  questionnaire: string
  created_at: string
  updated_at: string
}

export function senderNameRowFromWire(n: SenderNameRecord): Row {
  return {
    id: n.id,
    client_id: n.client_id,
    name: n.name,
    channel: n.channel,
    status: n.status,
    questionnaire: n.questionnaire,
    created_at: n.created_at,
    updated_at: n.updated_at
  }
}

export const SENDER_NAME_COLUMNS = ['id', 'client_id', 'name', 'channel', 'status', 'questionnaire', 'created_at', 'updated_at']

export function senderNamesUpserter(db: Db): Upserter {
  return makeUpserter(db, { table: 'sender_names', columns: SENDER_NAME_COLUMNS, version: 'updated_at' })
}

/** A client's sender names, by name (then id), on the (client_id, name) index. */
export function senderNamesOf(db: Db, clientId: number): SenderNameRow[] {
  return db
    .prepare(
      `SELECT id, name, channel, status, questionnaire FROM sender_names INDEXED BY sender_names_client
       WHERE client_id = ? ORDER BY name, id`
    )
    .all(clientId) as SenderNameRow[]
}
