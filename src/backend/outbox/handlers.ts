/** The client page: finance, transactions, names, and the outbox of writes to the platform. */
import type { Handlers } from '../../shared/contract'
import { AppError } from '../../shared/errors'
import type { BackendDeps } from '../deps'

type Group = Pick<Handlers, 'clients.finance' | 'clients.transactions' | 'clients.names' | 'clients.topUp' | 'clients.setCredit' | 'clients.setSubscription' | 'outbox.list' | 'outbox.flush'>

// SCAFFOLD: replaced by the real implementation in this session.
export function clientPageHandlers(_deps: BackendDeps): Group {
  const missing = (): never => {
    throw new AppError('internal', 'Not available yet')
  }
  return new Proxy({} as Group, { get: () => missing })
}
