/**
 * The screens' loader (src/renderer/src/composables/useQuery.ts) run in Node: Vue's reactivity
 * and effect scopes need no DOM. The backend is replaced by promises the test settles itself,
 * the data changes are told through the real sync store, and time is vitest's fake clock.
 * (Tests of renderer code live in tests/unit/renderer: they type-check with tsconfig.web.json.)
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope, nextTick, reactive, ref, type EffectScope } from 'vue'
import { createPinia, setActivePinia } from 'pinia'
import { LOADING_DELAY_MS, RELOAD_DEBOUNCE_MS, useQuery, usePagedQuery } from '@renderer/composables/useQuery'
import { useSyncStore } from '@renderer/stores/sync'

// The sync store's module imports the API door, which needs a browser: it is not called here.
vi.mock('@renderer/api', () => ({ call: vi.fn(), onEvent: vi.fn(() => () => undefined) }))

interface Deferred<T> {
  promise: Promise<T>
  resolve: (value: T) => void
  reject: (error: unknown) => void
}
function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

/** Lets watchers, the fetch's promise and the loader's continuation run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await nextTick()
}

let scope: EffectScope
beforeEach(() => {
  setActivePinia(createPinia())
  scope = effectScope()
})
afterEach(() => {
  scope.stop()
  vi.useRealTimers()
})

describe('useQuery', () => {
  it('drops an answer to older parameters that arrives after the newer one', async () => {
    const answers = new Map<number, Deferred<string>>()
    const id = ref(1)
    const q = scope.run(() =>
      useQuery({
        params: () => ({ id: id.value }),
        fetch: (p: { id: number }) => {
          const d = deferred<string>()
          answers.set(p.id, d)
          return d.promise
        },
        tables: ['clients']
      })
    )!
    await settle()
    id.value = 2
    await settle()
    expect([...answers.keys()]).toEqual([1, 2])

    answers.get(2)!.resolve('second')
    await settle()
    answers.get(1)!.resolve('first')
    await settle()
    expect(q.data.value).toBe('second')
    expect(q.stale.value).toBe(false)

    // An error of the dropped request does not show either.
    id.value = 3
    await settle()
    id.value = 4
    await settle()
    answers.get(4)!.resolve('fourth')
    answers.get(3)!.reject(new Error('late failure'))
    await settle()
    expect(q.data.value).toBe('fourth')
    expect(q.error.value).toBeNull()
  })

  it('shows the loading state only when the answer takes longer than the delay', async () => {
    vi.useFakeTimers()
    let pending = deferred<string>()
    const key = ref('a')
    const q = scope.run(() =>
      useQuery({ params: () => key.value, fetch: () => pending.promise, tables: ['clients'] })
    )!
    await settle()
    vi.advanceTimersByTime(LOADING_DELAY_MS - 1)
    expect(q.loading.value).toBe(false)
    vi.advanceTimersByTime(1)
    expect(q.loading.value).toBe(true)
    pending.resolve('slow')
    await settle()
    expect(q.loading.value).toBe(false)
    expect(q.data.value).toBe('slow')

    // A quick answer: the flag never rises, before or after it.
    pending = deferred<string>()
    key.value = 'b'
    await settle()
    vi.advanceTimersByTime(LOADING_DELAY_MS / 2)
    pending.resolve('quick')
    await settle()
    vi.advanceTimersByTime(LOADING_DELAY_MS * 4)
    expect(q.loading.value).toBe(false)
    expect(q.data.value).toBe('quick')
  })

  it('reloads when a data change names a table it reads, and not for other tables', async () => {
    vi.useFakeTimers()
    const fetch = vi.fn(async () => 'rows')
    scope.run(() => useQuery({ params: () => ({ clientId: 7 }), fetch, tables: ['sender_names'] }))
    await settle()
    expect(fetch).toHaveBeenCalledTimes(1)
    const sync = useSyncStore()

    sync.dataChanged(['clients', 'transactions'])
    vi.advanceTimersByTime(RELOAD_DEBOUNCE_MS * 2)
    await settle()
    expect(fetch).toHaveBeenCalledTimes(1)

    // A burst of changes naming it: one reload, after the last of them.
    sync.dataChanged(['messages', 'sender_names'])
    vi.advanceTimersByTime(RELOAD_DEBOUNCE_MS / 2)
    sync.dataChanged(['sender_names'])
    vi.advanceTimersByTime(RELOAD_DEBOUNCE_MS - 1)
    await settle()
    expect(fetch).toHaveBeenCalledTimes(1)
    vi.advanceTimersByTime(1)
    await settle()
    expect(fetch).toHaveBeenCalledTimes(2)

    // "Anything may have changed" (a sync run's answer) reloads every query.
    sync.dataChanged(null)
    vi.advanceTimersByTime(RELOAD_DEBOUNCE_MS)
    await settle()
    expect(fetch).toHaveBeenCalledTimes(3)

    // Once its screen is gone, nothing reloads.
    scope.stop()
    sync.dataChanged(['sender_names'])
    vi.advanceTimersByTime(RELOAD_DEBOUNCE_MS)
    await settle()
    expect(fetch).toHaveBeenCalledTimes(3)
  })

  it('loads nothing while disabled, and marks what it shows stale', async () => {
    const fetch = vi.fn(async (p: { from: string; to: string }) => `${p.from}..${p.to}`)
    const period = reactive({ from: '2026-01-01', to: '2026-01-31' })
    const q = scope.run(() =>
      useQuery({ params: () => ({ ...period }), fetch, tables: ['transactions'], enabled: () => period.from <= period.to })
    )!
    await settle()
    expect(q.data.value).toBe('2026-01-01..2026-01-31')
    period.from = '2026-02-15'
    await settle()
    expect(fetch).toHaveBeenCalledTimes(1)
    expect(q.stale.value).toBe(true)
    period.to = '2026-02-20'
    await settle()
    expect(q.data.value).toBe('2026-02-15..2026-02-20')
    expect(q.stale.value).toBe(false)
  })
})

describe('usePagedQuery', () => {
  type Filters = { search: string }
  const page = (n: number, total: number) => ({ rows: n > 0 ? [`row of page ${n}`] : [], total, page: n, pageSize: 10 })

  it('goes back to page 1 when a filter changes, with one request', async () => {
    const fetch = vi.fn(async (_f: Filters, p: { page: number; pageSize: number }) => page(p.page, 100))
    const filters = reactive<Filters>({ search: '' })
    const q = scope.run(() => usePagedQuery({ filters: () => ({ ...filters }), fetch, tables: ['clients'], pageSize: 10 }))!
    await settle()
    q.page.value = 3
    await settle()
    expect(fetch).toHaveBeenLastCalledWith({ search: '' }, { page: 3, pageSize: 10 })
    expect(q.rows.value).toEqual(['row of page 3'])

    fetch.mockClear()
    filters.search = 'acme'
    await settle()
    expect(fetch.mock.calls).toEqual([[{ search: 'acme' }, { page: 1, pageSize: 10 }]])
    expect(q.page.value).toBe(1)

    // A new page size starts from page 1 as well.
    q.page.value = 4
    await settle()
    fetch.mockClear()
    q.pageSize.value = 50
    await settle()
    expect(fetch.mock.calls).toEqual([[{ search: 'acme' }, { page: 1, pageSize: 50 }]])
  })

  it('steps back to the last page when the list shrank under the one shown', async () => {
    let total = 100
    const fetch = vi.fn(async (_f: Filters, p: { page: number; pageSize: number }) =>
      p.page > Math.ceil(total / p.pageSize) ? page(0, total) : page(p.page, total)
    )
    const q = scope.run(() => usePagedQuery({ filters: () => ({ search: '' }), fetch, tables: ['clients'], pageSize: 10 }))!
    await settle()
    q.page.value = 10
    await settle()
    total = 25
    await q.reload()
    await settle()
    expect(q.page.value).toBe(3)
    expect(q.rows.value).toEqual(['row of page 3'])
    expect(q.total.value).toBe(25)
  })
})
