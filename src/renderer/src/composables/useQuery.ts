/**
 * Loading what a screen shows, with the rules every screen follows:
 * - an answer to an older request is dropped (the user has moved on since);
 * - the loading flag rises only when an answer takes longer than LOADING_DELAY_MS, so a quick
 *   answer does not flash a spinner;
 * - a data change reloads (debounced) only when it names a table the query reads, the names of
 *   the backend's 'data.changed' event (see stores/sync.ts);
 * - usePagedQuery goes back to page 1 when a filter or the page size changes, and to the last
 *   page when the list shrank under the one shown.
 * Call inside setup (or an effect scope): its watchers, timers and subscription end with it.
 */
import { computed, onScopeDispose, ref, shallowRef, watch, type ComputedRef, type Ref, type ShallowRef } from 'vue'
import type { Page } from '@shared/types'
import { useSyncStore } from '@renderer/stores/sync'

/** An answer quicker than this shows no loading state. */
export const LOADING_DELAY_MS = 150
/** Data changes come in bursts (a sync's event and its answer): one reload after the last. */
export const RELOAD_DEBOUNCE_MS = 200

interface LoaderOptions<P, T> {
  fetch: (params: P) => Promise<T>
  /** The tables the answer is read from, as 'data.changed' names them ('clients', 'messages'...). */
  tables: readonly string[]
  /** While false nothing is loaded and a request under way is dropped (e.g. an invalid period). */
  enabled?: () => boolean
  /** Keep the answer on screen when a later request fails (by default it is cleared). */
  keepOnError?: boolean
  loadingDelayMs?: number
}

export interface QueryOptions<P, T> extends LoaderOptions<P, T> {
  /** The request's parameters, read reactively: when their value changes the query loads again. */
  params: () => P
}

export interface QueryState {
  error: Ref<unknown>
  /** A request has been under way for longer than the loading delay. */
  loading: Ref<boolean>
  /** A request has settled (with an answer or an error) at least once. */
  loaded: Ref<boolean>
  /** What is shown belongs to other parameters than the current ones (loading, or not loadable). */
  stale: ComputedRef<boolean>
  /** Loads again with the current parameters. */
  reload: () => Promise<void>
}

export interface Query<T> extends QueryState {
  data: ShallowRef<T | null>
}

export interface PagedQueryOptions<F, R> extends Omit<LoaderOptions<F, Page<R>>, 'fetch'> {
  /** The filters (search, period, sort...), read reactively: a change goes back to page 1. */
  filters: () => F
  fetch: (filters: F, page: { page: number; pageSize: number }) => Promise<Page<R>>
  pageSize?: number
}

export interface PagedQuery<R> extends QueryState {
  rows: ComputedRef<R[]>
  total: ComputedRef<number>
  page: Ref<number>
  pageSize: Ref<number>
}

const keyOf = (value: unknown): string => JSON.stringify(value) ?? ''

function createLoader<P, T>(params: () => P, opts: LoaderOptions<P, T> & { onAnswer?: (value: T) => void }): Query<T> {
  const sync = useSyncStore()
  const data = shallowRef<T | null>(null)
  const error = ref<unknown>(null)
  const loading = ref(false)
  const loaded = ref(false)
  /** The parameters what is shown was loaded with. */
  const shownKey = ref<string | null>(null)
  const enabled = (): boolean => opts.enabled?.() ?? true

  let seq = 0
  let delayTimer: ReturnType<typeof setTimeout> | null = null
  let reloadTimer: ReturnType<typeof setTimeout> | null = null

  function stopLoading(): void {
    if (delayTimer) clearTimeout(delayTimer)
    delayTimer = null
    loading.value = false
  }

  async function load(): Promise<void> {
    const mine = ++seq
    if (!enabled()) {
      stopLoading()
      return
    }
    const p = params()
    const key = keyOf(p)
    if (delayTimer) clearTimeout(delayTimer)
    delayTimer = setTimeout(() => {
      if (mine === seq) loading.value = true
    }, opts.loadingDelayMs ?? LOADING_DELAY_MS)
    try {
      const value = await opts.fetch(p)
      if (mine !== seq) return
      data.value = value
      error.value = null
      shownKey.value = key
      opts.onAnswer?.(value)
    } catch (e) {
      if (mine !== seq) return
      error.value = e
      if (!opts.keepOnError) {
        data.value = null
        shownKey.value = key
      }
    } finally {
      if (mine === seq) {
        stopLoading()
        loaded.value = true
      }
    }
  }

  const off = sync.onDataChanged((tables) => {
    if (tables !== null && !tables.some((t) => opts.tables.includes(t))) return
    if (reloadTimer) clearTimeout(reloadTimer)
    reloadTimer = setTimeout(() => {
      reloadTimer = null
      void load()
    }, RELOAD_DEBOUNCE_MS)
  })
  onScopeDispose(() => {
    off()
    seq++
    if (reloadTimer) clearTimeout(reloadTimer)
    stopLoading()
  })

  const stale = computed(() => !enabled() || shownKey.value !== keyOf(params()))
  return { data, error, loading, loaded, stale, reload: load }
}

/** One answer for reactive parameters (a client's names, a statistics report). */
export function useQuery<P, T>(opts: QueryOptions<P, T>): Query<T> {
  const q = createLoader(opts.params, opts)
  watch([() => keyOf(opts.params()), () => opts.enabled?.() ?? true], () => void q.reload())
  void q.reload()
  return q
}

/** A paged list for reactive filters (the clients, a client's transactions). */
export function usePagedQuery<F, R>(opts: PagedQueryOptions<F, R>): PagedQuery<R> {
  const page = ref(1)
  const pageSize = ref(opts.pageSize ?? 20)
  const q = createLoader(() => ({ filters: opts.filters(), page: page.value, pageSize: pageSize.value }), {
    ...opts,
    fetch: (p) => opts.fetch(p.filters, { page: p.page, pageSize: p.pageSize }),
    onAnswer: (answer) => {
      // The list shrank under us (e.g. after a sync): step back to the last page that exists.
      const last = Math.max(1, Math.ceil(answer.total / pageSize.value))
      if (answer.rows.length === 0 && answer.total > 0 && page.value > last) page.value = last
    }
  })
  watch(
    [() => keyOf(opts.filters()), pageSize, page, () => opts.enabled?.() ?? true],
    ([filters, size], [oldFilters, oldSize]) => {
      // New filters or page size: from page 1 (setting it runs this again, which loads).
      if ((filters !== oldFilters || size !== oldSize) && page.value !== 1) {
        page.value = 1
        return
      }
      void q.reload()
    }
  )
  void q.reload()
  return {
    ...q,
    rows: computed(() => q.data.value?.rows ?? []),
    total: computed(() => q.data.value?.total ?? 0),
    page,
    pageSize
  }
}
