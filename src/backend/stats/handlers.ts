/** Statistics: the five groupings, from aggregates the sync maintains (see ./engine). */
import type { Handlers } from '../../shared/contract'
import type { BackendDeps } from '../deps'
import { StatsEngine } from './engine'

type Group = Pick<Handlers, 'stats.query'>

export function statsHandlers(deps: Pick<BackendDeps, 'db'>): Group {
  let engine: StatsEngine | null = null
  return {
    'stats.query': (input) => (engine ??= new StatsEngine(deps.db)).query(input)
  }
}
