/** Statistics: the five groupings, from aggregates the sync maintains. */
import type { Handlers } from '../../shared/contract'
import { AppError } from '../../shared/errors'
import type { BackendDeps } from '../deps'

type Group = Pick<Handlers, 'stats.query'>

// SCAFFOLD: replaced by the real implementation in this session.
export function statsHandlers(_deps: BackendDeps): Group {
  const missing = (): never => {
    throw new AppError('internal', 'Not available yet')
  }
  return new Proxy({} as Group, { get: () => missing })
}
