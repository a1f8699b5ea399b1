/** Damaged pages compared slot by slot (src/backend/sync/reread.ts). */
import { describe, expect, it } from 'vitest'
import { readResolved, type Slot, type SlotRead } from '../../src/backend/sync/reread'
import { AppError } from '../../src/shared/errors'

const row = (k: number): Slot<number> => ({ row: k, key: k })
const hole = (k?: number): Slot<number> => ({ row: null, key: k, reject: { reason: 'damaged', payload: null } })
const reads = (pages: (Slot<number>[] | Error)[]) => {
  let n = 0
  return async (): Promise<SlotRead<null, number>> => {
    const p = pages[Math.min(n++, pages.length - 1)]
    if (p instanceof Error) throw p
    return { page: null, slots: p }
  }
}

describe('readResolved', () => {
  it('accounts for a null between two records that another read holds the same distance apart', async () => {
    const r = await readResolved(reads([[row(1), hole(), row(3), row(4)], [row(1), row(2), row(3), hole()]]))
    expect(r.firstUnresolved).toBe(-1)
    expect(r.rows.sort()).toEqual([1, 2, 3, 4])
  })

  it('never accounts for a run at the end of the page, nor one whose span differs between reads', async () => {
    const tail = await readResolved(reads([[row(1), row(2), hole()]]))
    expect(tail.firstUnresolved).toBe(2)
    // The other read has one record more between 1 and 4, so it cannot vouch for the null; the
    // read with the longer accounted-for prefix is taken, and its tail stays open.
    const moved = await readResolved(reads([[row(1), hole(), row(4)], [row(1), row(2), row(3), row(4), hole()]]))
    expect(moved.firstUnresolved).toBe(4)
    expect(moved.slots.map((x) => x.row)).toEqual([1, 2, 3, 4, null])
    // Two reads that each hide what the other shows, a slot apart: neither vouches for the other.
    const crossed = await readResolved(reads([[row(1), hole(), row(3), row(4)], [row(1), row(2), hole(), row(4)]]))
    expect(crossed.firstUnresolved).toBe(2)
  })

  it('a malformed record with a readable key is accounted for when it came intact in another read', async () => {
    const r = await readResolved(reads([[row(1), hole(2), row(3)], [hole(), hole(), row(3)], [row(1), row(2), hole()]]))
    expect(r.firstUnresolved).toBe(-1)
  })

  it('a re-read that fails keeps what the earlier reads brought intact', async () => {
    const r = await readResolved(reads([[row(1), hole(), row(3)], new AppError('server_unreachable', 'down')]))
    expect(r.rows.sort()).toEqual([1, 3])
    expect(r.firstUnresolved).toBe(1)
  })

  it('a cancel during a re-read is not swallowed', async () => {
    await expect(readResolved(reads([[row(1), hole(), row(3)], new AppError('sync_cancelled', 'Cancelled')]))).rejects.toThrow(
      'Cancelled'
    )
  })
})
