/** Start-up: is the local store usable? If not, the damaged-database screen opens first. */
import type { Pinia } from 'pinia'
import type { Language } from '@shared/types'
import { setLanguage } from '@renderer/i18n'
import { useLocalStore } from '@renderer/stores/localStore'
import { useSettingsStore } from '@renderer/stores/settings'

/** The last language chosen, kept in this browser for when the settings cannot be read. */
export const LANGUAGE_KEY = 'smsdesk.language'

export function rememberedLanguage(): Language {
  const kept = localStorage.getItem(LANGUAGE_KEY)
  if (kept === 'en' || kept === 'ru') return kept
  return navigator.language.toLowerCase().startsWith('ru') ? 'ru' : 'en'
}

/** Loads the store's status; false when the store cannot be used (the language is then set here). */
export async function loadStore(pinia: Pinia): Promise<boolean> {
  const store = useLocalStore(pinia)
  await Promise.race([store.load(), new Promise((r) => setTimeout(r, 3000))])
  if (store.usable) return true
  const settings = useSettingsStore(pinia)
  const lang = rememberedLanguage()
  settings.language = lang
  setLanguage(lang)
  return false
}
