/** The BCP 47 locale of the current language, for Intl formatting ("ru-RU", "en-US"). */
import { computed, type ComputedRef } from 'vue'
import { useI18n } from 'vue-i18n'
import { intlLocale } from '@renderer/lib/format'

/** Follows the language: formatting with it re-renders when the language changes. */
export function useLocale(): ComputedRef<string> {
  const { locale } = useI18n()
  return computed(() => intlLocale(locale.value))
}
