/**
 * Ordered migrations. Append new ones at the end; never edit or reorder a released one:
 * a database whose recorded migrations do not match this list is refused.
 */
import * as m0001 from './0001_init'
import * as m0002 from './0002_sources'
import * as m0003 from './0003_outbox'
import * as m0004 from './0004_stats'
import * as m0005 from './0005_stats_batches'
import * as m0006 from './0006_time_zones'
import * as m0007 from './0007_store'
import * as m0008 from './0008_reject_keys'

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
  { version: 5, ...m0005 },
  { version: 6, ...m0006 },
  { version: 7, ...m0007 },
  { version: 8, ...m0008 }
]
