/** One-click export of any table to xlsx or csv, in a worker, with progress and cancel. */
import type { Handlers } from '../../shared/contract'
import { AppError } from '../../shared/errors'
import type { BackendDeps } from '../deps'

type Group = Pick<Handlers, 'export.start' | 'export.cancel' | 'export.status' | 'export.chooseFile'>

// SCAFFOLD: replaced by the real implementation in this session.
export function exportHandlers(_deps: BackendDeps): Group {
  const missing = (): never => {
    throw new AppError('internal', 'Not available yet')
  }
  return new Proxy({} as Group, { get: () => missing })
}
