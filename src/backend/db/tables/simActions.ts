/** The sim_actions table: the SIM provider's actions (calls, SMS, USSD), written by the SIM sync, keyed on sid. */
import type { Db } from '../connection'
import { makeUpserter, type Upserter } from '../upsert'

/** The stored columns, in the upserter's order (session_cost in SIM cost units). */
export const SIM_ACTION_COLUMNS = ['sid', 'date', 'type', 'to_number', 'session_cost', 'sim_id', 'original_number', 'iccid', 'name']

/** The provider has no version of its own: a row is rewritten only when its hash changes. */
export function simActionsUpserter(db: Db): Upserter {
  return makeUpserter(db, { table: 'sim_actions', columns: SIM_ACTION_COLUMNS, key: 'sid' })
}
