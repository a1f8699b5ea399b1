/** Every sync stream, in the order a sync runs them. */
import type { SyncStream } from './engine'
import { platformClientsStream } from './sources/platform'

export const ALL_STREAMS: SyncStream[] = [platformClientsStream]
