/** The messages table: written by the platform sync (new rows and later status updates). */
import { statusBucket } from '../../shared/status'
import type { z } from 'zod'
import type { messageWireSchema } from '../sync/sources/platformSchemas'
import type { Db } from './connection'
import { statsBatchTracker } from '../stats/batch'
import { makeUpserter, type Row, type Upserter } from './upsert'

type MessageWire = z.output<typeof messageWireSchema>

export const MESSAGE_COLUMNS = [
  'id', 'client_id', 'user', 'source', 'channel', 'sender', 'recipient', 'country', 'operator',
  'status', 'bucket', 'parts', 'cost', 'text', 'created_at', 'sent_at', 'finished_at',
  'campaign_id', 'idx', 'updated_at'
]

export function messageRowFromWire(m: MessageWire): Row {
  return {
    id: m.id,
    client_id: m.client_id,
    user: m.user,
    source: m.source,
    channel: m.channel,
    sender: m.sender,
    recipient: m.recipient,
    country: m.country,
    operator: m.operator,
    status: m.status,
    bucket: statusBucket(m.status),
    parts: m.parts,
    cost: m.cost,
    text: m.text,
    created_at: m.created_at,
    sent_at: m.sent_at,
    finished_at: m.finished_at,
    campaign_id: m.campaign_id,
    idx: m.idx,
    updated_at: m.updated_at
  }
}

/** Writes messages and folds their statistics per batch (src/backend/stats/batch.ts). */
export function messagesUpserter(db: Db): Upserter {
  return makeUpserter(db, { table: 'messages', columns: MESSAGE_COLUMNS, version: 'updated_at', tracker: statsBatchTracker(db) })
}
