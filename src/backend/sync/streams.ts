/** Every sync stream, in the order a sync runs them. */
import type { SyncStream } from './engine'
import { dispatchStream } from './sources/dispatch'
import {
  platformClientsStream,
  platformMessagesStream,
  platformSenderNamesStream,
  platformTransactionsStream
} from './sources/platform'
import { DEEP_DAYS, DEEP_EVERY_DAYS, simStream, type SimOptions } from './sources/simProvider'

export const DEFAULT_SIM_OPTIONS: Required<SimOptions> = { select: ['all'], trailingDays: 3, from: null, deepEveryDays: DEEP_EVERY_DAYS, deepDays: DEEP_DAYS }

export function createStreams(sim: () => SimOptions = () => DEFAULT_SIM_OPTIONS): SyncStream[] {
  return [
    platformClientsStream,
    platformSenderNamesStream,
    platformTransactionsStream,
    platformMessagesStream,
    simStream(sim),
    dispatchStream()
  ]
}

/** The streams with default options, for row counts and for callers without SIM settings. */
export const ALL_STREAMS: SyncStream[] = createStreams()
