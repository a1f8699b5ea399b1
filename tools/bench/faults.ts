/**
 * The fault matrix (npm run bench -- faults): every fault kind at 10, 30 and 50 percent, with
 * and without rows shifting mid-sync, over several seeds (tests/faultcase.ts). Prints, per case,
 * the faulty syncs it took, whether one ended without error, the records missing for good after
 * one more sync with the faults off, and the differences from a clean sync (statistics included).
 */
import { performance } from 'node:perf_hooks'
import { ALL_BUT_SLOW, runFaultCase, type FaultResult } from '../../tests/faultcase'
import type { FaultKind } from '../../src/refserver/faults'
import { FAULT_KINDS } from '../../src/refserver/faults'

interface Args {
  seeds: number
  messages: number
}

export async function benchFaults(args: Args): Promise<Record<string, unknown>> {
  const cases: Omit<FaultResult, 'differences' | 'storeDifferences'>[] = []
  const variants: [string, FaultKind[]][] = [
    ['all', [...FAULT_KINDS]],
    ['all but slow', ALL_BUT_SLOW],
    ['all but slow and shift', ALL_BUT_SLOW.filter((k) => k !== 'shift')]
  ]
  const started = performance.now()
  let lost = 0
  let differing = 0
  for (const rate of [0.1, 0.3, 0.5]) {
    for (const [label, kinds] of variants) {
      for (let seed = 1; seed <= args.seeds; seed++) {
        const r = await runFaultCase({ seed, rate, kinds, sizes: { messages: args.messages } })
        const { differences, storeDifferences, ...figures } = r
        lost += r.lost
        if (differences.length || storeDifferences.length) differing++
        cases.push({ ...figures, kinds: label })
        console.log(
          `rate ${rate} ${label.padEnd(22)} seed ${seed}: ${r.attempts} faulty sync(s), ${r.faultyOk ? 'one ended clean' : 'all failed'}; ` +
            `after the clean sync: ${r.lost} lost, ${differences.length} differences, ${storeDifferences.length} from a clean store; ` +
            `${r.retries} retries; ${r.seconds} s`
        )
      }
    }
  }
  const ms = cases.map((c) => c.seconds * 1000).sort((a, b) => a - b)
  return {
    cases: cases.length,
    /** Time per case (faulty syncs, the clean one, and the clean store to compare with). */
    case_time: { median_ms: ms[Math.floor(ms.length / 2)], max_ms: ms[ms.length - 1] },
    records_lost: lost,
    cases_differing: differing,
    seconds: Math.round(performance.now() - started) / 1000,
    results: cases
  }
}
