/** Every sync stream, in the order a sync runs them (src/shared/streams.ts). */
import { SIM_DEEP_DAYS_DEFAULT, SIM_DEEP_EVERY_DEFAULT, SIM_TRAILING_DEFAULT } from '../../shared/sim'
import { KNOWN_STREAMS, type StreamName } from '../../shared/streams'
import { dispatchStream } from './sources/dispatch'
import {
  platformClientsStream,
  platformMessagesStream,
  platformSenderNamesStream,
  platformTransactionsStream
} from './sources/platform'
import { simStream } from './sources/simProvider'
import type { SimOptions, SyncStream } from './types'

export const DEFAULT_SIM_OPTIONS: Required<SimOptions> = {
  select: ['all'],
  trailingDays: SIM_TRAILING_DEFAULT,
  from: null,
  deepEveryDays: SIM_DEEP_EVERY_DEFAULT,
  deepDays: SIM_DEEP_DAYS_DEFAULT
}

/** The implementation of every stream the shared list names (the compiler asks for each one). */
export function createStreams(sim: () => SimOptions = () => DEFAULT_SIM_OPTIONS): SyncStream[] {
  const streams: Record<StreamName, SyncStream> = {
    'platform.clients': platformClientsStream,
    'platform.sender_names': platformSenderNamesStream,
    'platform.transactions': platformTransactionsStream,
    'platform.messages': platformMessagesStream,
    'sim.call_sms': simStream(sim),
    'dispatch.reports': dispatchStream()
  }
  return KNOWN_STREAMS.map((s) => streams[s.stream])
}

/** The streams with default options, for row counts and for callers without SIM settings. */
export const ALL_STREAMS: SyncStream[] = createStreams()
