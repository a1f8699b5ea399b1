/**
 * The client page: finance, transactions, names, and the outbox of writes to the platform.
 *
 * For the service: call `flushOutbox(deps)` (from ./outbox) after each sync, fire and forget;
 * it sends what is pending, never rejects and never runs beside another sender. Optionally
 * `stopOutbox(deps)` before closing the database.
 */
import type { Handlers } from '../../shared/contract'
import { AppError } from '../../shared/errors'
import { transactionsPage } from '../db/finance'
import { systemTimeZone } from '../../shared/zone'
import { senderNamesOf } from '../db/senderNames'
import type { BackendDeps } from '../deps'
import { outboxFor, type OutboxOptions } from './outbox'

export { flushOutbox, outboxFor, stopOutbox } from './outbox'

type Group = Pick<
  Handlers,
  | 'clients.finance'
  | 'clients.transactions'
  | 'clients.names'
  | 'clients.topUp'
  | 'clients.setCredit'
  | 'clients.setSubscription'
  | 'outbox.list'
  | 'outbox.flush'
>

export function clientPageHandlers(deps: BackendDeps, options?: OutboxOptions): Group {
  const outbox = outboxFor(deps, options)
  return {
    'clients.finance': ({ clientId }) => outbox.finance(clientId),
    'clients.transactions': (q) => {
      if (q.from > q.to) throw new AppError('invalid_input', 'to: period', { field: 'to' })
      // Days of the zone in force (Settings, else this computer's), as the screen shows them.
      return transactionsPage(deps.db, q, deps.timeZone?.() ?? systemTimeZone())
    },
    'clients.names': ({ clientId }) => senderNamesOf(deps.db, clientId),
    'clients.topUp': (input) => outbox.topUp(input),
    'clients.setCredit': (input) => outbox.setCredit(input),
    'clients.setSubscription': (input) => outbox.setSubscription(input),
    'outbox.list': ({ clientId }) => outbox.list(clientId),
    'outbox.flush': () => outbox.flush()
  }
}
