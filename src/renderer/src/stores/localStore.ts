/**
 * The local store as the backend reports it (store.status): open, damaged or unavailable, its
 * backups and the last integrity check; the actions of the Settings card and of the
 * damaged-database screen. Kept fresh by the 'store.changed' event.
 */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { call, onEvent } from '@renderer/api'
import type { BackupInfo, StoreCheck, StoreStatus } from '@shared/types'

export const useLocalStore = defineStore('localStore', () => {
  const status = ref<StoreStatus | null>(null)
  const loadError = ref<unknown>(null)
  const busy = ref<'check' | 'backup' | 'restore' | 'startOver' | 'reopen' | 'configure' | null>(null)
  let listening = false

  /** The app's screens can open: the store is open (or the backend did not say otherwise). */
  const usable = computed(() => !status.value || status.value.state === 'ok')

  function listen(): void {
    if (listening) return
    listening = true
    onEvent('store.changed', (s) => {
      status.value = s
    })
  }

  async function load(): Promise<StoreStatus | null> {
    listen()
    try {
      status.value = await call('store.status', {})
      loadError.value = null
    } catch (e) {
      loadError.value = e
    }
    return status.value
  }

  async function run<T>(what: NonNullable<typeof busy.value>, fn: () => Promise<T>): Promise<T> {
    busy.value = what
    try {
      return await fn()
    } finally {
      busy.value = null
    }
  }

  async function check(): Promise<StoreCheck> {
    return run('check', async () => {
      const result = await call('store.check', {})
      await load()
      return result
    })
  }

  async function backup(): Promise<BackupInfo> {
    return run('backup', async () => {
      const made = await call('store.backup', {})
      await load()
      return made
    })
  }

  /** Restores a backup (the newest when no name is given); the screens then start afresh. */
  async function restore(name?: string): Promise<StoreStatus> {
    return run('restore', async () => (status.value = await call('store.restore', name ? { name } : {})))
  }

  async function startOver(): Promise<StoreStatus> {
    return run('startOver', async () => (status.value = await call('store.startOver', {})))
  }

  async function reopen(): Promise<StoreStatus> {
    return run('reopen', async () => (status.value = await call('store.reopen', {})))
  }

  async function configure(keep: number, intervalHours: number): Promise<StoreStatus> {
    return run('configure', async () => (status.value = await call('store.configure', { keep, intervalHours })))
  }

  return { status, loadError, busy, usable, load, check, backup, restore, startOver, reopen, configure }
})
