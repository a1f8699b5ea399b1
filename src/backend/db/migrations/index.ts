/**
 * Ordered migrations. Append new ones at the end; never edit or reorder a released one:
 * a database whose recorded migrations do not match this list is refused.
 */
import * as m0001 from './0001_init'
import * as m0002 from './0002_sources'
import * as m0003 from './0003_outbox'
import * as m0004 from './0004_stats'
import * as m0005 from './0005_stats_batches'

export interface Migration {
  version: number
  name: string
  sql: string
}

export const MIGRATIONS: Migration[] = [
  { version: 1, ...m0001 },
  { version: 2, ...m0002 },
  { version: 3, ...m0003 },
  { version: 4, ...m0004 },
  { version: 5, ...m0005 }
]
