/**
 * One case of the fault matrix: a reference server with faults on, syncs into a fresh store
 * until one ends without errors (or `attempts` run out), then the faults go off and one more
 * sync runs. The store is then compared with the server's true data and, table by table and
 * row by row (statistics included), with a store synced once cleanly from the same server.
 * Used by tests/integration/faults.test.ts and `npm run bench -- faults`.
 */
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { openDatabase } from '../src/backend/db/connection'
import { FAULT_KINDS, type FaultKind } from '../src/refserver/faults'
import { startReferenceServer } from '../src/refserver/server'
import type { SyncRunSummary } from '../src/shared/types'
import { differences, storeDifferences } from './compare'
import { tempDir, testEngine } from './helpers'

/** The data's clock in every fault case: fixed, so no case depends on the day it runs. */
export const FAULT_CLOCK = Date.UTC(2026, 10, 15, 10, 30)

export const FAULT_SIZES = {
  clients: 120,
  messages: 2500,
  namesPerClient: 2,
  sims: 4,
  simGroups: 2,
  simActions: 6,
  dispatches: 12,
  days: 10
}

export interface FaultCase {
  seed: number
  rate: number
  /** Fault kinds (default: every kind but `slow`, which only costs time). */
  kinds?: FaultKind[]
  /** Faulty syncs at most before the faults go off. */
  attempts?: number
  sizes?: Partial<typeof FAULT_SIZES>
  /** Rows a page holds at most while the `cap` fault is on. */
  cap?: number
}

export interface FaultResult {
  seed: number
  rate: number
  kinds: string
  /** Faulty syncs run until one ended without an error (or the limit). */
  attempts: number
  /** Whether a faulty sync ended without an error. */
  faultyOk: boolean
  /** Errors of the last faulty sync, by stream. */
  faultyErrors: string[]
  /** Errors of the sync after the faults went off. */
  cleanErrors: string[]
  /** Records on the server missing locally after it, and every other difference. */
  lost: number
  differences: string[]
  /** Differences from a store synced once without faults (statistics included). */
  storeDifferences: string[]
  retries: number
  faultsFired: Record<string, number>
  seconds: number
}

function errors(summary: SyncRunSummary): string[] {
  return Object.entries(summary.streams)
    .filter(([, s]) => s.error)
    .map(([n, s]) => `${n}: ${s.error!.code}: ${s.error!.message}`)
}

export const ALL_BUT_SLOW: FaultKind[] = FAULT_KINDS.filter((k) => k !== 'slow')

export async function runFaultCase(c: FaultCase): Promise<FaultResult> {
  const tmp = tempDir('smsdesk-faults-')
  const kinds = c.kinds ?? ALL_BUT_SLOW
  const server = await startReferenceServer({
    ...FAULT_SIZES,
    ...c.sizes,
    seed: c.seed,
    now: FAULT_CLOCK,
    faults: { kinds, rate: c.rate, seed: c.seed, retryAfterSeconds: 0, slowMs: 400, cap: c.cap ?? 40 }
  })
  const db = openDatabase(path.join(tmp.dir, 'faulty.sqlite'))
  const clean = openDatabase(path.join(tmp.dir, 'clean.sqlite'))
  const url = server.url
  const connections = { platform: { url }, sim: { url }, dispatch: { url } }
  const clock = (): number => server.now
  const started = performance.now()
  try {
    const engine = testEngine(db, connections, { pageSize: 50, timeoutMs: 250, retries: 10, clock })
    let attempts = 0
    let last: SyncRunSummary | null = null
    let retries = 0
    while (attempts < (c.attempts ?? 3)) {
      attempts++
      last = await engine.run()
      retries += Object.values(last.streams).reduce((n, s) => n + s.retries, 0)
      if (!errors(last).length) break
    }
    const faultsFired = { ...server.faults.counts }
    server.faults.set({ kinds: [], rate: 0 })
    const after = await engine.run()
    await testEngine(clean, connections, { pageSize: 50, timeoutMs: 2000, clock }).run()
    const diffs = differences(db, server)
    return {
      seed: c.seed,
      rate: c.rate,
      kinds: kinds.length === FAULT_KINDS.length ? 'all' : kinds.join(','),
      attempts,
      faultyOk: last !== null && !errors(last).length,
      faultyErrors: last ? errors(last) : [],
      cleanErrors: errors(after),
      lost: diffs.filter((d) => d.endsWith(': missing')).length,
      differences: diffs,
      storeDifferences: storeDifferences(db, clean),
      retries,
      faultsFired,
      seconds: Math.round(performance.now() - started) / 1000
    }
  } finally {
    await server.close()
    db.close()
    clean.close()
    tmp.cleanup()
  }
}
