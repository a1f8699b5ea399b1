/**
 * Ordered migrations. Append new ones at the end; never edit or reorder a released one:
 * a database whose recorded migrations do not match this list is refused.
 */
import * as m0001 from './0001_init'

export interface Migration {
  version: number
  name: string
  sql: string
}

export const MIGRATIONS: Migration[] = [{ version: 1, ...m0001 }]
