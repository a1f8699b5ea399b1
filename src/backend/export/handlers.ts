/** One-click export of any table to xlsx or csv, in a worker, with progress and cancel. */
import type { Handlers, StatsQuery } from '../../shared/contract'
import type { BackendDeps } from '../deps'
import { ExportService, type ExportServiceOptions } from './jobs'

type Group = Pick<Handlers, 'export.start' | 'export.cancel' | 'export.status' | 'export.chooseFile'>

/**
 * The export service of a backend. The statistics table reads the statistics engine, as the
 * Statistics screen does: the backend passes its own. Nothing is exported into the data folder.
 */
export function exportService(
  deps: BackendDeps,
  statsQuery: Handlers['stats.query'],
  extra: Partial<ExportServiceOptions> = {}
): ExportService {
  return new ExportService({
    dbFile: deps.dbFile,
    dataDir: deps.dataDir,
    exportDir: () => deps.exportDir(),
    onProgress: (job) => deps.emit('export.progress', job),
    worker: deps.workers?.export,
    chooseSaveFile: deps.chooseSaveFile,
    statsQuery: (q: StatsQuery) => statsQuery(q),
    ...extra
  })
}

export function exportHandlers(service: ExportService): Group {
  return {
    'export.start': (req) => service.start(req),
    'export.cancel': ({ id }) => ({ cancelled: service.cancel(id) }),
    'export.status': ({ id }) => service.status(id),
    'export.chooseFile': ({ suggestedName, format }) => service.chooseFile(suggestedName, format)
  }
}

export { exportedFile } from './jobs'
