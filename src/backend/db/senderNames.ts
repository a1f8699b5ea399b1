/** Sender names (Sender IDs) of the clients (the Names tab). */
import type { z } from 'zod'
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

export function senderNamesUpserter(db: Db): Upserter {
  return makeUpserter(db, {
    table: 'sender_names',
    columns: ['id', 'client_id', 'name', 'channel', 'status', 'questionnaire', 'created_at', 'updated_at'],
    version: 'updated_at'
  })
}
