/**
 * Rules of the SIM provider's sync options (seed sim-provider-call-sms-api.ru.md): what
 * `select` accepts and the DD-MM-YYYY dates. The same rules as the settings.save contract.
 */

/** all = every SIM, s_<id> = one SIM, g_<id> = a SIM group. */
export const SIM_SELECTOR = /^(all|s_\d{1,12}|g_\d{1,12})$/
export const SIM_SELECT_MAX = 100
export const SIM_TRAILING_MIN = 0
export const SIM_TRAILING_MAX = 60
export const SIM_TRAILING_DEFAULT = 3
/** The deep re-read (SimOptions in the backend): every this many days (0: never), this many days back. */
export const SIM_DEEP_EVERY_DEFAULT = 7
export const SIM_DEEP_EVERY_MAX = 90
export const SIM_DEEP_DAYS_DEFAULT = 35
export const SIM_DEEP_DAYS_MAX = 400

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

/** A real calendar date written DD-MM-YYYY, or ''. */
export function isProviderDate(text: string): boolean {
  if (text === '') return true
  const m = /^(\d{2})-(\d{2})-(\d{4})$/.exec(text)
  if (!m) return false
  const d = new Date(Date.UTC(Number(m[3]), Number(m[2]) - 1, Number(m[1])))
  return d.getUTCDate() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCFullYear() === Number(m[3])
}
