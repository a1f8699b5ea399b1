/**
 * Starting and cancelling a sync from any component, with the same toasts everywhere (the top
 * bar's Sync button and the sync panel's Sync now). Call inside setup, under the message provider.
 */
import { useI18n } from 'vue-i18n'
import { useLocale } from '@renderer/composables/useLocale'
import { useMessage } from 'naive-ui'
import type { SyncRunSummary } from '@shared/types'
import { useSyncStore } from '@renderer/stores/sync'
import { errorText } from '@renderer/i18n'
import { formatCount } from '@renderer/lib/format'

export function useSyncActions(): { start: () => Promise<void>; cancel: () => Promise<void> } {
  const { t } = useI18n()
  const message = useMessage()
  const sync = useSyncStore()
  const loc = useLocale()

  function report(summary: SyncRunSummary): void {
    if (summary.cancelled) {
      message.info(t('sync.cancelled'))
      return
    }
    const streams = Object.values(summary.streams)
    if (streams.some((s) => s.error)) {
      message.warning(t(sync.panelOpen ? 'sync.finishedWithErrorsPanel' : 'sync.finishedWithErrors'), {
        duration: 6000
      })
      return
    }
    const inserted = streams.reduce((n, s) => n + s.inserted, 0)
    const updated = streams.reduce((n, s) => n + s.updated, 0)
    message.success(
      t('sync.finished', { inserted: formatCount(inserted, loc.value), updated: formatCount(updated, loc.value) })
    )
  }

  async function start(): Promise<void> {
    try {
      report(await sync.start())
    } catch (e) {
      if ((e as { code?: string }).code === 'sync_cancelled') message.info(t('sync.cancelled'))
      else message.error(errorText(e), { duration: 6000 })
    }
  }

  async function cancel(): Promise<void> {
    try {
      await sync.cancel()
    } catch (e) {
      message.error(errorText(e))
    }
  }

  return { start, cancel }
}
