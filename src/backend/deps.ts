/** What the backend's handler groups are given: the database and the shared services. */
import type { EventMap, EventName, SourceKind } from '../shared/types'
import type { Db } from './db/connection'
import type { Connection, SettingsRepo } from './db/settings'
import type { WorkerScript } from './workers'

export interface BackendDeps {
  db: Db
  dbFile: string
  dataDir: string
  settings: SettingsRepo
  /** The configured connection of a source (URL and decrypted token). */
  connection(kind: SourceKind): Connection
  emit<E extends EventName>(event: E, payload: EventMap[E]): void
  /** The folder of exports without a chosen file: the one in Settings, else the default; never in the data folder. */
  exportDir(): string
  /** Worker scripts the host can run (the export writer, the statistics regrouping), when workers are available. */
  workers?: { export?: WorkerScript; stats?: WorkerScript }
  /** The time zone whose days filters and exports use (Settings, else this computer's); default this computer's. */
  timeZone?: () => string
  /** Electron's save dialog, opened in `folder` with a name suggested: the chosen path or null; absent in the browser mode. */
  chooseSaveFile?: (suggestedName: string, format: 'xlsx' | 'csv', folder: string) => Promise<string | null>
}
