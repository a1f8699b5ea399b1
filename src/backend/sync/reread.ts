/**
 * Damaged records (malformed, null) are usually a passing fault of the source. A page with
 * damage is read again, and every record that came intact in any of the reads is kept.
 *
 * Keeping rows is not enough to move a cursor on, though: a `null` in place of a record hides
 * even its key, so the reads are compared slot by slot. A read is taken as the page, and each
 * of its damaged slots is *accounted for* when
 * - its key is readable (a malformed record) and that record came intact in another read, or
 * - it lies in a run of damaged slots between two known records p and q (or between the page's
 *   start and q), and another read holds p and q the same number of slots apart with every slot
 *   between them intact: those are the records the run hides. (A keyset range only loses records
 *   between reads, when they are updated and move to the end, so an equal count is the same set.)
 * A run at the end of the page is never accounted for (what comes after is unknown): the caller
 * reads again from the last known record before it. The caller's cursor must never pass the
 * first slot that is not accounted for.
 */
export interface Reject {
  reason: string
  payload: unknown
}

/** One position of a page: a valid row, or a damaged record (with its key when readable). */
export type Slot<R> = { row: R; key: unknown } | { row: null; key: unknown; reject: Reject }

export interface SlotRead<P, R> {
  /** The page as the source sent it (paging data). */
  page: P
  slots: Slot<R>[]
}

export interface Resolved<P, R> {
  /** The read taken as the page. */
  page: P
  slots: Slot<R>[]
  /** Every row that came intact in any read, once per key, the latest read's copy winning. */
  rows: R[]
  /** Slot index (in `slots`) of the first damaged slot not accounted for, or -1. */
  firstUnresolved: number
  /** Per slot of `slots`: a row, or a damaged slot accounted for. */
  known: boolean[]
  /** Reads made. */
  reads: number
}

export const DAMAGED_PAGE_REREADS = 3
/** Pages in a row that leave a stream's position where it was before it gives up on that position. */
export const STALL_LIMIT = 3
/** Records a stream may quarantine in one sync before it stops: a source sending mostly damage is broken. */
export const MAX_QUARANTINE_PER_RUN = 500

function keyOfSlot<R>(s: Slot<R>): unknown {
  return s.key
}

/** Slot index -> true when that slot is a row or accounted for, judged against the other reads. */
function accountedFor<R>(target: Slot<R>[], others: Slot<R>[][], intact: Map<unknown, R>): boolean[] {
  const known = target.map((s) => s.row !== null || (s.key !== undefined && s.key !== null && intact.has(s.key)))
  // Where each key sits in each other read, and which of its slots are rows.
  const positions = others.map((o) => {
    const at = new Map<unknown, number>()
    o.forEach((s, i) => {
      if (s.row !== null) at.set(keyOfSlot(s), i)
    })
    return { at, slots: o }
  })
  for (let a = 0; a < target.length; ) {
    if (known[a]) {
      a++
      continue
    }
    let b = a
    while (b + 1 < target.length && !known[b + 1]) b++
    // The run [a, b] of damaged slots. A run at the page's end stays open.
    if (b + 1 < target.length) {
      const q = target[b + 1].key
      const p = a > 0 ? target[a - 1].key : undefined
      const span = b - a + 2 // q's index minus p's (p at -1: the page's start)
      const matched = positions.some(({ at, slots }) => {
        const jq = at.get(q)
        if (jq === undefined) return false
        const jp = a > 0 ? at.get(p) : -1
        if (jp === undefined || jq - jp !== span) return false
        for (let j = jp + 1; j < jq; j++) if (slots[j].row === null) return false
        return true
      })
      if (matched) for (let i = a; i <= b; i++) known[i] = true
    }
    a = b + 1
  }
  return known
}

/**
 * Reads a page until every damaged slot is accounted for, or DAMAGED_PAGE_REREADS more times.
 * The read with the longest accounted-for prefix is taken as the page.
 */
export async function readResolved<P, R>(read: () => Promise<SlotRead<P, R>>): Promise<Resolved<P, R>> {
  const reads: SlotRead<P, R>[] = [await read()]
  const intact = new Map<unknown, R>()
  const addRows = (r: SlotRead<P, R>): void => {
    for (const s of r.slots) if (s.row !== null) intact.set(s.key, s.row)
  }
  addRows(reads[0])
  const judge = (): { index: number; first: number; known: boolean[] } => {
    let best = { index: reads.length - 1, first: 0, known: [] as boolean[] }
    let bestLen = -1
    reads.forEach((r, i) => {
      const known = accountedFor(
        r.slots,
        reads.filter((_, j) => j !== i).map((o) => o.slots),
        intact
      )
      const first = known.indexOf(false)
      const len = first === -1 ? Infinity : first
      if (len > bestLen || (len === bestLen && i > best.index)) {
        bestLen = len
        best = { index: i, first, known }
      }
    })
    return best
  }
  let verdict = reads[0].slots.some((s) => s.row === null)
    ? judge()
    : { index: 0, first: -1, known: reads[0].slots.map(() => true) }
  while (verdict.first !== -1 && reads.length <= DAMAGED_PAGE_REREADS) {
    let next: SlotRead<P, R>
    try {
      next = await read()
    } catch (e) {
      // A re-read that fails (after its own retries) throws nothing away: what the earlier
      // reads brought intact is kept, and the caller reads on from before the damage.
      if ((e as { code?: string }).code === 'sync_cancelled') throw e
      break
    }
    reads.push(next)
    addRows(next)
    verdict = judge()
  }
  const taken = reads[verdict.index]
  return {
    page: taken.page,
    slots: taken.slots,
    rows: [...intact.values()],
    firstUnresolved: verdict.first,
    known: verdict.known,
    reads: reads.length
  }
}
