/**
 * Sync state: the backend's SyncStatus, kept fresh by the 'sync.status' and 'sync.progress'
 * events and by polling; every 'data.changed' is handed to the `onDataChanged` listeners with
 * the tables it names, so each screen reloads only when a table it reads changed.
 */
import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import { call, onEvent } from '@renderer/api'
import type { StreamState, SyncProgress, SyncRunSummary, SyncStatus } from '@shared/types'

const POLL_MS = 30_000
/** While a run is under way, in case an event is missed. */
const POLL_RUNNING_MS = 2_000

/** The tables that changed, or null when any of them may have. */
export type ChangedTables = readonly string[] | null
export type DataChangedListener = (tables: ChangedTables) => void

export const useSyncStore = defineStore('sync', () => {
  const status = ref<SyncStatus | null>(null)
  const progress = ref<SyncProgress | null>(null)
  /** True from the click until the backend reports the run as finished. */
  const starting = ref(false)
  const cancelling = ref(false)
  const dataListeners = new Set<DataChangedListener>()
  const browserOnline = ref(typeof navigator === 'undefined' ? true : navigator.onLine)
  const statusError = ref<unknown>(null)
  /** The sync panel (drawer) in the top bar: open from anywhere, e.g. after a failed sync. */
  const panelOpen = ref(false)

  const running = computed(() => starting.value || !!status.value?.running)
  const lastSuccessAt = computed(() => status.value?.lastSuccessAt ?? null)
  const offline = computed(() => !browserOnline.value || status.value?.online === false)
  /**
   * The streams in play: those the last finished run covered (a source without an address is
   * not synced), or before any run those ever attempted.
   */
  const syncedStreams = computed<StreamState[]>(() => {
    const s = status.value
    if (!s) return []
    const run = s.lastRun
    return run ? s.streams.filter((st) => st.stream in run.streams) : s.streams.filter((st) => st.lastAttemptAt)
  })
  /** Those of them whose last attempt failed. */
  const failedStreams = computed(() => syncedStreams.value.filter((s) => s.lastError))
  /**
   * When the data were last synced, honestly: the overall last success when nothing failed;
   * with failed streams, the oldest last success among the streams in play (all data are at
   * least that fresh), not the newest success of the streams that did get through.
   */
  const lastSyncedAt = computed(() => {
    if (failedStreams.value.length === 0) return lastSuccessAt.value
    const times = syncedStreams.value.map((s) => s.lastSuccessAt).filter((t): t is string => !!t)
    return times.length ? times.reduce((a, b) => (Date.parse(b) < Date.parse(a) ? b : a)) : null
  })

  /** Listens to the backend's data changes; returns the unsubscriber. */
  function onDataChanged(listener: DataChangedListener): () => void {
    dataListeners.add(listener)
    return () => dataListeners.delete(listener)
  }

  /** Tells the listeners that these tables changed (null: any table may have). */
  function dataChanged(tables: ChangedTables): void {
    for (const l of [...dataListeners]) l(tables)
  }

  function setStatus(s: SyncStatus): void {
    status.value = s
    if (s.running) {
      if (s.progress) progress.value = s.progress
    } else {
      progress.value = null
      cancelling.value = false
    }
  }

  async function refresh(): Promise<void> {
    try {
      setStatus(await call('sync.status', {}))
      statusError.value = null
    } catch (e) {
      statusError.value = e
    }
  }

  /** Runs a sync to the end; resolves with its summary (or throws the backend's error). */
  async function start(): Promise<SyncRunSummary> {
    starting.value = true
    progress.value = null
    try {
      const summary = await call('sync.start', {})
      // The 'data.changed' event says the same, with the tables; views debounce, so telling
      // them twice costs nothing, and once is enough should the event be missed.
      dataChanged(null)
      return summary
    } finally {
      starting.value = false
      await refresh()
    }
  }

  async function cancel(): Promise<void> {
    cancelling.value = true
    try {
      await call('sync.cancel', {})
    } catch (e) {
      cancelling.value = false
      throw e
    }
  }

  let started = false
  let timer: ReturnType<typeof setInterval> | null = null
  const unsubscribers: (() => void)[] = []

  /** Subscribes to the backend's events and starts polling; idempotent. */
  function init(): void {
    if (started) return
    started = true
    unsubscribers.push(
      onEvent('sync.status', (s) => setStatus(s)),
      onEvent('sync.progress', (p) => {
        progress.value = p
      }),
      onEvent('data.changed', (p) => dataChanged(Array.isArray(p?.tables) ? p.tables : null))
    )
    const onOnline = (): void => {
      browserOnline.value = navigator.onLine
      void refresh()
    }
    window.addEventListener('online', onOnline)
    window.addEventListener('offline', onOnline)
    window.addEventListener('focus', () => void refresh())
    unsubscribers.push(() => {
      window.removeEventListener('online', onOnline)
      window.removeEventListener('offline', onOnline)
    })
    timer = setInterval(() => void refresh(), POLL_MS)
    let fast: ReturnType<typeof setInterval> | null = null
    const stopWatch = watch(running, (r) => {
      if (r && !fast) fast = setInterval(() => void refresh(), POLL_RUNNING_MS)
      if (!r && fast) {
        clearInterval(fast)
        fast = null
      }
    })
    unsubscribers.push(stopWatch, () => {
      if (fast) clearInterval(fast)
      fast = null
    })
    void refresh()
  }

  function dispose(): void {
    unsubscribers.splice(0).forEach((u) => u())
    if (timer) clearInterval(timer)
    timer = null
    started = false
  }

  return {
    status,
    progress,
    starting,
    cancelling,
    running,
    onDataChanged,
    dataChanged,
    lastSuccessAt,
    lastSyncedAt,
    offline,
    browserOnline,
    syncedStreams,
    failedStreams,
    statusError,
    panelOpen,
    refresh,
    start,
    cancel,
    init,
    dispose
  }
})
