/** vue-i18n in composition mode, plus the helpers every screen uses to show errors and names. */
import { createI18n } from 'vue-i18n'
import { ERROR_CODES, type ErrorCode, type ErrorParams } from '@shared/errors'
import type { Language } from '@shared/types'
import en, { type Messages } from './en'
import ru from './ru'

export const LANGUAGES: readonly Language[] = ['en', 'ru']

/**
 * Russian plural forms 'one | few | many': 1, 21, 101 строка; 2-4, 22-24 строки; 0, 5-20, 11-14
 * строк. (English uses vue-i18n's own rule: 'one | other'.)
 */
export function russianPlural(choice: number, choicesLength: number): number {
  const n = Math.abs(choice)
  if (choicesLength < 3) return n === 1 ? 0 : Math.min(1, choicesLength - 1)
  if (n % 10 === 1 && n % 100 !== 11) return 0
  if (n % 10 >= 2 && n % 10 <= 4 && (n % 100 < 12 || n % 100 > 14)) return 1
  return 2
}

export const i18n = createI18n<[Messages], Language, false>({
  legacy: false,
  locale: 'en',
  fallbackLocale: 'en',
  messages: { en, ru },
  pluralRules: { ru: russianPlural },
  missingWarn: false,
  fallbackWarn: false
})

const g = i18n.global

export function currentLanguage(): Language {
  return g.locale.value
}

export function setLanguage(lang: Language): void {
  g.locale.value = lang
  document.documentElement.lang = lang
}

/** Parameters a full `errors.<code>` message needs; without them the short message is used. */
const REQUIRED_PARAMS: Partial<Record<ErrorCode, string[]>> = {
  invalid_input: ['field'],
  not_found: ['url'],
  server_unreachable: ['url'],
  server_error: ['url', 'status'],
  server_timeout: ['url', 'seconds'],
  bad_response: ['url'],
  unauthorized: ['url', 'status'],
  db_too_new: ['found', 'known'],
  db_out_of_order: ['version'],
  sync_running: ['pid'],
  db_damaged: ['problem'],
  db_unavailable: ['reason'],
  backup_not_found: ['name'],
  backup_damaged: ['name']
}

function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code)
}

function hasParams(params: ErrorParams, names: string[]): boolean {
  return names.every((n) => params[n] !== undefined && params[n] !== null && String(params[n]) !== '')
}

/**
 * The translated text of any error: an ApiError from `call`, a stream's `{code, message}`,
 * or anything else that was thrown. Falls back to the backend's own message only when the
 * code has no translation.
 */
export function errorText(e: unknown): string {
  const err = (e ?? {}) as { code?: unknown; message?: unknown; params?: unknown }
  const message = typeof err.message === 'string' ? err.message : ''
  const params: ErrorParams =
    err.params && typeof err.params === 'object' ? (err.params as ErrorParams) : {}
  if (isErrorCode(err.code)) {
    const code = err.code
    const full = `errors.${code}`
    const short = `errorsShort.${code}`
    if (hasParams(params, REQUIRED_PARAMS[code] ?? []) && g.te(full)) return g.t(full, params)
    if (g.te(short)) return g.t(short)
    if (g.te(full)) return g.t(full, params)
  }
  if (typeof err.code === 'string' && message) return message
  return g.t('errorsShort.internal')
}

/** The translated name of a sync stream ("platform.clients" -> "Clients"), or the raw name. */
export function streamLabel(stream: string): string {
  const key = `streams.${stream.replace(/[^A-Za-z0-9_]/g, '_')}`
  return g.te(key) ? g.t(key) : stream
}
