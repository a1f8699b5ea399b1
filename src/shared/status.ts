/**
 * Message statuses: the raw provider status is kept on every message and mapped to the six
 * buckets of the status filter. Intermediate states (accepted, queued, delivered to the
 * operator) are never final: they fall in "pending" or "sent", never "delivered".
 */
export const STATUS_BUCKETS = ['pending', 'sent', 'delivered', 'errors', 'deleted', 'other'] as const
export type StatusBucket = (typeof STATUS_BUCKETS)[number]

const BUCKET_OF: Record<string, StatusBucket> = {
  ACCEPTED: 'pending',
  ACCEPTD: 'pending',
  QUEUED: 'pending',
  SCHEDULED: 'pending',
  ENROUTE: 'pending',
  PENDING: 'pending',
  SENT: 'sent',
  SUBMITTED: 'sent',
  DELIVERED_TO_OPERATOR: 'sent',
  DELIVRD: 'delivered',
  DELIVERED: 'delivered',
  READ: 'delivered',
  SEEN: 'delivered',
  UNDELIV: 'errors',
  UNDELIVERABLE: 'errors',
  EXPIRED: 'errors',
  REJECTD: 'errors',
  REJECTED: 'errors',
  FAILED: 'errors',
  ERROR: 'errors',
  DELETED: 'deleted',
  CANCELLED: 'deleted',
  CANCELED: 'deleted'
}

export function statusBucket(raw: string): StatusBucket {
  return BUCKET_OF[raw.trim().toUpperCase()] ?? 'other'
}

/** Statuses after which nothing changes any more. */
export function isFinal(raw: string): boolean {
  const b = statusBucket(raw)
  return b === 'delivered' || b === 'errors' || b === 'deleted'
}
