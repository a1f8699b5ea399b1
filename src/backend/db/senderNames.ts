/** Sender names (Sender IDs) of the clients (the Names tab). */
import type { z } from 'zod'
import type { SenderNameRow } from '../../shared/types'
import type { senderNameWireSchema } from '../sync/sources/platformSchemas'
import type { Db } from './connection'
import { makeUpserter, type Row, type Upserter } from './upsert'

type SenderNameWire = z.output<typeof senderNameWireSchema>

export function senderNameRowFromWire(n: SenderNameWire): Row {
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
