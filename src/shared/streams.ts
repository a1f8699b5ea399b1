/**
 * The sync's streams: one per remote resource, in the order a sync runs them, with the source
 * each reads and the local table each fills. The backend builds its streams from this list
 * (src/backend/sync/streams.ts); the renderer lists them in the sync panel before their first run.
 */
import type { SourceKind } from './types'

export interface KnownStream {
  stream: string
  source: SourceKind
  /** The local table the stream fills (its row count in the sync status). */
  table: string
}

export const KNOWN_STREAMS = [
  { stream: 'platform.clients', source: 'platform', table: 'clients' },
  { stream: 'platform.sender_names', source: 'platform', table: 'sender_names' },
  { stream: 'platform.transactions', source: 'platform', table: 'transactions' },
  { stream: 'platform.messages', source: 'platform', table: 'messages' },
  { stream: 'sim.call_sms', source: 'sim', table: 'sim_actions' },
  { stream: 'dispatch.reports', source: 'dispatch', table: 'dispatches' }
] as const satisfies readonly KnownStream[]

export type StreamName = (typeof KNOWN_STREAMS)[number]['stream']

/** A stream's name, source and table, as a sync stream carries them. */
export function streamInfo(name: StreamName): { name: StreamName; source: SourceKind; table: string } {
  const known = KNOWN_STREAMS.find((s) => s.stream === name)!
  return { name, source: known.source, table: known.table }
}
