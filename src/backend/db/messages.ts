/** The messages table: written by the platform sync (new rows and later status updates). */
import { statusBucket } from '../../shared/status'
import type { Db } from './connection'
import { statsBatchTracker } from '../stats/batch'
import { makeUpserter, type Row, type Upserter } from './upsert'

/** A message as the platform describes it, checked against its wire schema: its cost in price units. */
export interface MessageRecord {
  id: number
  client_id: number
  user: string
  source: string
  channel: string
  sender: string
  recipient: string
  country: string
  operator: string
  status: string
  parts: number
  cost: number
  text: string
  created_at: string
  sent_at: string | null
  finished_at: string | null
  campaign_id: number | null
  idx: string | null
  updated_at: string
}

export const MESSAGE_COLUMNS = [
  'id', 'client_id', 'user', 'source', 'channel', 'sender', 'recipient', 'country', 'operator',
  'status', 'bucket', 'parts', 'cost', 'text', 'created_at', 'sent_at', 'finished_at',
  'campaign_id', 'idx', 'updated_at'
]

export function messageRowFromWire(m: MessageRecord): Row {
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
