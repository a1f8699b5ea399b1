/** Test assertions over tests/compare.ts: the local store equals the server's data. */
import { expect } from 'vitest'
import type { Db } from '../src/backend/db/connection'
import type { ReferenceServer } from '../src/refserver/server'
import { differences, storeDifferences } from './compare'

export { differences, storeDifferences }

export function expectConverged(db: Db, server: ReferenceServer): void {
  const problems = differences(db, server)
  expect(problems.slice(0, 20), `${problems.length} differences`).toEqual([])
}
