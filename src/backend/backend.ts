/**
 * What the backend is and how it is built: the options its hosts pass (Electron's main
 * process, the browser bridge, the CLI's tests) and the object they drive. A leaf for the
 * modules that build it (service.ts, storeService.ts).
 */
import type { Handlers } from '../shared/contract'
import type { Envelope } from '../shared/errors'
import type { EventMap, EventName, SecretStorage } from '../shared/types'
import type { Db } from './db/connection'
import type { BackendDeps } from './deps'
import type { SecretBox } from './secrets'
import type { SyncHost } from './sync/host'
import type { SyncTuning } from './sync/protocol'
import type { WorkerScript } from './workers'

export interface BackendOptions {
  dataDir: string
  box: SecretBox
  /** What `box` encrypts with, reported by app.info; default keyFile (the browser bridge, the CLI). */
  secretStorage?: SecretStorage
  mode: 'electron' | 'browser'
  version: string
  /** Sync tuning (tests shorten timeouts and retries). */
  sync?: SyncTuning
  /** Runs syncs in this worker script; without it they run in-process. */
  syncWorker?: WorkerScript
  /** The sync's keyset reader thread (with syncWorker). */
  readerWorker?: WorkerScript
  /** Other worker scripts (the export writer). */
  workers?: BackendDeps['workers']
  /** Electron's save dialog. */
  chooseSaveFile?: BackendDeps['chooseSaveFile']
  /** Electron's folder dialog (Settings: the export folder), opened at `current`; null when cancelled. */
  chooseFolder?: (current: string) => Promise<string | null>
  /** The export folder until one is chosen, outside the data folder; default `<home>/SMS Desk exports`. */
  defaultExportDir?: string
  /** The user's home folder: the browser mode's export folder must lie in it; default os.homedir(). */
  homeDir?: string
  /** Seed and size of the demo data the first run offers. */
  demo?: { seed: number; clients: number }
  /** The clock of the local store (backup names and schedule, check times) and of the exports' names and handles; tests pass theirs. */
  now?: () => number
  /** Backups: how many are kept, how often, when the schedule first looks (storeService.ts). */
  store?: StoreTuning
}

/** Told every event the backend emits (the IPC bridge, the browser bridge's event stream, tests). */
export type Listener = <E extends EventName>(event: E, payload: EventMap[E]) => void

export interface Backend {
  db: Db
  engine: SyncHost
  handlers: Handlers
  dispatch(channel: unknown, input: unknown): Promise<Envelope<unknown>>
  subscribe(listener: Listener): () => void
  startDemo(): Promise<string>
  close(): Promise<void>
}

export interface StoreTuning {
  /** Defaults for what Settings can change: backups kept, hours between two. */
  keep?: number
  intervalHours?: number
  /** When the first scheduled backup check runs after the store opens, and how often after. */
  firstCheckMs?: number
  checkEveryMs?: number
}
