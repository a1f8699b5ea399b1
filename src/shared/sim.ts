/**
 * The rules of the SIM provider's sync options (seed sim-provider-call-sms-api.ru.md), in one
 * place for the settings.save contract, the settings form and the provider's sync source: what
 * `select` accepts, the trailing window and the deep re-read in days, and the provider's
 * DD-MM-YYYY dates (UTC days).
 */

/** all = every SIM, s_<id> = one SIM, g_<id> = a SIM group. */
export const SIM_SELECTOR = /^(all|s_\d{1,12}|g_\d{1,12})$/
export const SIM_SELECT_MAX = 100
/** Days re-read before the last synced day, for actions the provider learns of late. */
export const SIM_TRAILING_MIN = 0
export const SIM_TRAILING_MAX = 60
export const SIM_TRAILING_DEFAULT = 3
/** The deep re-read: every this many days (0: never), this many days back. */
export const SIM_DEEP_EVERY_MIN = 0
export const SIM_DEEP_EVERY_DEFAULT = 7
export const SIM_DEEP_EVERY_MAX = 90
export const SIM_DEEP_DAYS_MIN = 1
export const SIM_DEEP_DAYS_DEFAULT = 35
export const SIM_DEEP_DAYS_MAX = 400
/** A date as the provider writes it: DD-MM-YYYY (a real calendar day: see parseProviderDate). */
export const PROVIDER_DATE = /^(\d{2})-(\d{2})-(\d{4})$/

export function isSimSelector(value: string): boolean {
  return SIM_SELECTOR.test(value)
}

/** What the user typed, tidied: " S_15 " -> "s_15", "ALL" -> "all", "g 3" -> "g_3". */
export function normalizeSimSelector(value: string): string {
  const s = value.trim().toLowerCase().replace(/\s+/g, '')
  const m = /^([sg])[-_:]?(\d+)$/.exec(s)
  return m ? `${m[1]}_${m[2]}` : s
}

export type SimSelectProblem = 'empty' | 'invalid' | 'tooMany' | null

export function simSelectProblem(values: readonly string[]): SimSelectProblem {
  if (values.length === 0) return 'empty'
  if (values.some((v) => !isSimSelector(v))) return 'invalid'
  if (values.length > SIM_SELECT_MAX) return 'tooMany'
  return null
}

export function isTrailingDays(value: number | null): value is number {
  return value !== null && Number.isInteger(value) && value >= SIM_TRAILING_MIN && value <= SIM_TRAILING_MAX
}

/** DD-MM-YYYY of the UTC day of `ms`, as the provider wants its dates. */
export function providerDate(ms: number): string {
  const d = new Date(ms)
  const dd = String(d.getUTCDate()).padStart(2, '0')
  const mm = String(d.getUTCMonth() + 1).padStart(2, '0')
  return `${dd}-${mm}-${d.getUTCFullYear()}`
}

/** DD-MM-YYYY (a real calendar date) as its UTC midnight in ms, or null. */
export function parseProviderDate(text: string): number | null {
  const m = PROVIDER_DATE.exec(text)
  if (!m) return null
  const ms = Date.UTC(Number(m[3]), Number(m[2]) - 1, Number(m[1]))
  return providerDate(ms) === text ? ms : null
}

/** A real calendar date written DD-MM-YYYY, or '' (no date: the settings' "from" left empty). */
export function isProviderDate(text: string): boolean {
  return text === '' || parseProviderDate(text) !== null
}
