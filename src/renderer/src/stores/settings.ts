/** Settings: loaded once from the backend, saved patch by patch; language and theme apply at once. */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { call, onEvent } from '@renderer/api'
import type { SettingsPatch } from '@shared/contract'
import type { AppInfo, Language, SettingsView, StatsZoneStatus, Theme } from '@shared/types'
import { effectiveTimeZone, systemTimeZone } from '@shared/zone'
import { setLanguage as applyLanguage } from '@renderer/i18n'

export const useSettingsStore = defineStore('settings', () => {
  const view = ref<SettingsView | null>(null)
  const info = ref<AppInfo | null>(null)
  const loaded = ref(false)
  const loadError = ref<unknown>(null)
  /** Shown immediately, even before the backend confirms the save. */
  const language = ref<Language>('en')
  const theme = ref<Theme>('system')

  const demoAvailable = computed(() => info.value?.demoAvailable ?? true)

  /**
   * The time zone whose days every screen uses: the one chosen in Settings, else the backend's
   * computer's (this browser's until the settings are loaded).
   */
  const timeZone = computed(() => effectiveTimeZone(view.value?.timeZone, view.value?.systemTimeZone ?? systemTimeZone()))
  /** The statistics' zone and a regrouping under way (kept current by 'stats.zone' events). */
  const statsZone = ref<StatsZoneStatus | null>(null)
  let listening = false
  function listen(): void {
    if (listening) return
    listening = true
    onEvent('stats.zone', (z) => {
      statsZone.value = z
    })
  }

  function apply(v: SettingsView): void {
    view.value = v
    statsZone.value = v.statsZone ?? null
    listen()
    language.value = v.language
    theme.value = v.theme
    applyLanguage(v.language)
  }

  async function load(): Promise<void> {
    try {
      const [v, i] = await Promise.all([call('settings.get', {}), call('app.info', {}).catch(() => null)])
      apply(v)
      info.value = i
      loadError.value = null
    } catch (e) {
      loadError.value = e
      throw e
    } finally {
      loaded.value = true
    }
  }

  async function save(patch: SettingsPatch): Promise<SettingsView> {
    const v = await call('settings.save', patch)
    apply(v)
    return v
  }

  /** Switches the language now and persists it; on failure the previous one comes back. */
  async function setLanguage(lang: Language): Promise<void> {
    const previous = language.value
    language.value = lang
    applyLanguage(lang)
    try {
      await save({ language: lang })
    } catch (e) {
      language.value = previous
      applyLanguage(previous)
      throw e
    }
  }

  async function setTheme(t: Theme): Promise<void> {
    const previous = theme.value
    theme.value = t
    try {
      await save({ theme: t })
    } catch (e) {
      theme.value = previous
      throw e
    }
  }

  /** Chooses the time zone ('' = this computer's); the statistics regroup in the background. */
  async function setTimeZone(zone: string): Promise<void> {
    await save({ timeZone: zone })
  }

  return { view, info, loaded, loadError, language, theme, demoAvailable, timeZone, statsZone, load, save, setLanguage, setTheme, setTimeZone }
})
