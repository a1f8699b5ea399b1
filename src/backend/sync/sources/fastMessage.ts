/**
 * Fast path of the message sync: a hand-written, conservative check of one platform message
 * record that yields the stored row straight away. It accepts only records that plainly pass
 * messageWireSchema and returns null for anything else (invalid or merely unusual), in which
 * case the caller runs the zod schema, which stays the authority on what is valid and on the
 * rejection reason. Every rule of messageWireSchema is mirrored here; the unit test
 * tests/unit/fastMessage.test.ts fuzzes the two against each other.
 *
 * Deliberately stricter than zod (null, caller falls back): a cost with a sign, surrounding
 * whitespace or more than 15 digits in all; a string within its max() only when counted in code
 * points (the zod in use measures min/max in code points, here they are UTF-16 units, which are
 * never fewer); a wrong MESSAGE_COLUMNS order.
 */
import { MESSAGE_COLUMNS } from '../../db/messages'
import { PRICE_SCALE } from '../../../shared/money'
import { statusBucket, type StatusBucket } from '../../../shared/status'
import { CHANNELS } from '../../../shared/types'
import { isIsoUtc as isIso } from '../validate'

/** The column order the array literal below is written in. */
const ORDER = [
  'id', 'client_id', 'user', 'source', 'channel', 'sender', 'recipient', 'country', 'operator',
  'status', 'bucket', 'parts', 'cost', 'text', 'created_at', 'sent_at', 'finished_at',
  'campaign_id', 'idx', 'updated_at'
]
/** If the table's columns ever change, the fast path turns itself off rather than misplace values. */
const ORDER_OK = MESSAGE_COLUMNS.length === ORDER.length && MESSAGE_COLUMNS.every((c, i) => c === ORDER[i])

const CHANNEL_SET: ReadonlySet<unknown> = new Set<string>(CHANNELS)

/** Statuses repeat a lot; remembering their buckets spares a trim + toUpperCase per record. */
const BUCKETS = new Map<string, StatusBucket>()
const BUCKETS_MAX = 512

/** A positive safe integer, as z.number().int().positive(). */
function isId(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0
}

/**
 * parseDecimal(s, PRICE_SCALE) for a plain unsigned decimal ("12", "0.0450", "1.50000"), or -1
 * when the text is anything else. At most 15 significant positions keep the sum exact.
 */
function costUnits(s: unknown): number {
  if (typeof s !== 'string') return -1
  const n = s.length
  let i = 0
  let units = 0
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - 48
    if (d < 0 || d > 9) break
    units = units * 10 + d
  }
  const whole = i
  if (whole === 0 || whole > 15 - PRICE_SCALE) return -1
  let frac = 0
  if (i < n) {
    if (s.charCodeAt(i) !== 46 /* . */) return -1
    for (i++; i < n; i++) {
      const d = s.charCodeAt(i) - 48
      if (d < 0 || d > 9) return -1
      if (frac < PRICE_SCALE) units = units * 10 + d
      else if (d !== 0) return -1
      frac++
    }
    if (frac === 0) return -1
  }
  for (; frac < PRICE_SCALE; frac++) units *= 10
  return units
}

/**
 * The stored message row as values in MESSAGE_COLUMNS order (src/backend/db/messages.ts), or
 * null when the record is not plainly valid.
 */
export function fastMessageValues(raw: unknown): (string | number | null)[] | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || !ORDER_OK) return null
  const r = raw as Record<string, unknown>

  const id = r.id
  if (!isId(id)) return null
  const clientId = r.client_id
  if (!isId(clientId)) return null
  const user = r.user
  if (typeof user !== 'string' || user.length > 100) return null
  const source = r.source
  if (source !== 'api' && source !== 'portal') return null
  const channel = r.channel
  if (typeof channel !== 'string' || !CHANNEL_SET.has(channel)) return null
  const sender = r.sender
  if (typeof sender !== 'string' || sender.length > 50) return null

  const recipient = r.recipient
  if (typeof recipient !== 'string') return null
  const rn = recipient.length
  if (rn < 5 || rn > 16) return null
  for (let i = 0; i < rn; i++) {
    const c = recipient.charCodeAt(i)
    if (c < 48 || c > 57) return null
  }

  const country = r.country
  if (typeof country !== 'string' || country.length !== 2) return null
  const c0 = country.charCodeAt(0)
  const c1 = country.charCodeAt(1)
  if (c0 < 65 || c0 > 90 || c1 < 65 || c1 > 90) return null

  const operator = r.operator
  if (typeof operator !== 'string' || operator.length > 100) return null
  const status = r.status
  if (typeof status !== 'string' || status.length < 1 || status.length > 40) return null
  const parts = r.parts
  if (typeof parts !== 'number' || !Number.isInteger(parts) || parts < 1 || parts > 255) return null
  const cost = costUnits(r.cost)
  if (cost < 0) return null
  const text = r.text
  if (typeof text !== 'string' || text.length > 10_000) return null

  const createdAt = r.created_at
  if (!isIso(createdAt)) return null
  const sentAt = r.sent_at
  if (sentAt !== null && !isIso(sentAt)) return null
  const finishedAt = r.finished_at
  if (finishedAt !== null && !isIso(finishedAt)) return null
  const campaignId = r.campaign_id
  if (campaignId !== null && !isId(campaignId)) return null
  const idx = r.idx
  if (idx !== null && (typeof idx !== 'string' || idx.length > 100)) return null
  const updatedAt = r.updated_at
  if (!isIso(updatedAt)) return null

  let bucket = BUCKETS.get(status)
  if (bucket === undefined) {
    bucket = statusBucket(status)
    if (BUCKETS.size < BUCKETS_MAX) BUCKETS.set(status, bucket)
  }

  return [
    id, clientId, user, source, channel, sender, recipient, country, operator,
    status, bucket, parts, cost, text, createdAt as string, sentAt as string | null, finishedAt as string | null,
    campaignId, idx, updatedAt as string
  ]
}
