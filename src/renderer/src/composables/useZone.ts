/**
 * The time zone of the screens (Settings, else the computer's) and the caption every screen
 * with a period or dates shows: "Days in Europe/Moscow (UTC+03:00)".
 */
import { computed } from 'vue'
import { useI18n } from 'vue-i18n'
import { zoneLabel } from '@shared/zone'
import { useSettingsStore } from '@renderer/stores/settings'

export function useZone(clock: () => number = Date.now) {
  const settings = useSettingsStore()
  const { t } = useI18n()
  const zone = computed(() => settings.timeZone)
  /** The caption for a zone (its offset now). */
  const captionOf = (z: string): string => t('zone.caption', { zone: zoneLabel(z, clock()) })
  const caption = computed(() => captionOf(zone.value))
  return { zone, caption, captionOf }
}
