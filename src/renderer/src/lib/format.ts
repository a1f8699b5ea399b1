/**
 * Pure formatting helpers for the renderer: money, numbers, dates, relative times and
 * durations. No Vue, no i18n instance, no globals beyond Intl — every function takes the
 * locale (and, where time matters, "now") as an argument, so it is trivially unit-testable.
 *
 * Money arrives from the backend as an exact decimal string ("-1234.5600") plus an ISO 4217
 * currency code. It is handed to Intl.NumberFormat AS A STRING: Intl formats decimal strings
 * exactly, so no binary float ever touches an amount.
 */

/** A plain decimal number as the backend sends money: optional sign, digits, optional fraction. */
const DECIMAL = /^[+-]?\d+(?:\.\d+)?$/
const CURRENCY = /^[A-Za-z]{3}$/

/** Maps the app language to the BCP 47 locale used for numbers and dates. */
export function intlLocale(language: string): string {
  return language === 'ru' ? 'ru-RU' : 'en-US'
}

export function isDecimalString(value: string): boolean {
  return DECIMAL.test(value.trim())
}

/** True when a decimal string is below zero ("-0.00" is not). */
export function isNegativeAmount(value: string): boolean {
  const s = value.trim()
  return isDecimalString(s) && s.startsWith('-') && /[1-9]/.test(s)
}

export interface MoneyOptions {
  /** Most digits after the decimal point (prices: 4). Defaults to the currency's own digits. */
  maxFractionDigits?: number
  /** Fewest digits after the decimal point, e.g. to align a column of prices. */
  minFractionDigits?: number
}

const numberFormats = new Map<string, Intl.NumberFormat>()

function cachedNumberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(options)}`
  let f = numberFormats.get(key)
  if (!f) {
    f = new Intl.NumberFormat(locale, options)
    numberFormats.set(key, f)
  }
  return f
}

/**
 * Formats an exact decimal string as money in `currency` for `locale`, e.g.
 * formatMoney('-1234.5', 'USD', 'en-US') === '-$1,234.50'. A value that is not a plain
 * decimal is returned unchanged; an unknown currency code falls back to "1,234.50 XYZ".
 */
export function formatMoney(amount: string, currency: string, locale: string, options: MoneyOptions = {}): string {
  const value = amount.trim()
  if (!isDecimalString(value)) return amount
  const digits: Intl.NumberFormatOptions = {}
  if (options.maxFractionDigits !== undefined) digits.maximumFractionDigits = options.maxFractionDigits
  if (options.minFractionDigits !== undefined) {
    digits.minimumFractionDigits = Math.min(options.minFractionDigits, options.maxFractionDigits ?? 20)
    if (digits.maximumFractionDigits === undefined) digits.maximumFractionDigits = Math.max(options.minFractionDigits, 2)
  }
  const code = currency.trim().toUpperCase()
  if (CURRENCY.test(code)) {
    try {
      const base = cachedNumberFormat(locale, { style: 'currency', currency: code })
      const min = base.resolvedOptions().minimumFractionDigits ?? 0
      if (digits.maximumFractionDigits !== undefined && digits.maximumFractionDigits < min) {
        digits.minimumFractionDigits = Math.min(digits.minimumFractionDigits ?? min, digits.maximumFractionDigits)
      }
      return cachedNumberFormat(locale, { style: 'currency', currency: code, ...digits }).format(
        value as Intl.StringNumericLiteral
      )
    } catch {
      // Unknown to this Intl build: fall through to the plain form.
    }
  }
  const plain = cachedNumberFormat(locale, {
    minimumFractionDigits: options.minFractionDigits ?? Math.min(2, options.maxFractionDigits ?? 2),
    maximumFractionDigits: options.maxFractionDigits ?? Math.max(2, options.minFractionDigits ?? 0)
  }).format(value as Intl.StringNumericLiteral)
  return code ? `${plain} ${code}` : plain
}

/** Formats a count: 2000 -> "2,000" (en) / "2 000" (ru). */
export function formatCount(value: number, locale: string): string {
  return cachedNumberFormat(locale, { maximumFractionDigits: 0 }).format(value)
}

/** Formats a rate such as rows per second: one decimal below 10, none above. */
export function formatRate(value: number, locale: string): string {
  if (!Number.isFinite(value) || value < 0) return formatCount(0, locale)
  return cachedNumberFormat(locale, { maximumFractionDigits: value < 10 ? 1 : 0 }).format(value)
}

function toDate(value: string | number | Date): Date | null {
  const d = value instanceof Date ? value : new Date(value)
  return Number.isNaN(d.getTime()) ? null : d
}

/** A full date and time, e.g. "Nov 22, 2025, 7:41 AM" / "22 нояб. 2025 г., 07:41". */
export function formatDateTime(value: string | number | Date, locale: string, timeZone?: string): string {
  const d = toDate(value)
  if (!d) return String(value)
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(d)
}

/** A date and time with seconds, for tooltips. */
export function formatDateTimeLong(value: string | number | Date, locale: string, timeZone?: string): string {
  const d = toDate(value)
  if (!d) return String(value)
  return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'medium', timeZone }).format(d)
}

/** A date only, e.g. "Nov 22, 2025". */
export function formatDate(value: string | number | Date, locale: string, timeZone?: string): string {
  const d = toDate(value)
  if (!d) return String(value)
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone }).format(d)
}

export type RelativeUnit = 'second' | 'minute' | 'hour' | 'day' | 'month' | 'year'

/**
 * The signed distance from `now` to `value` in the largest sensible unit (negative = past).
 * Under a minute the unit is 'second'.
 */
export function relativeParts(value: string | number | Date, now: number): { value: number; unit: RelativeUnit } | null {
  const d = toDate(value)
  if (!d) return null
  const seconds = (d.getTime() - now) / 1000
  const abs = Math.abs(seconds)
  const sign = seconds < 0 ? -1 : 1
  const steps: [RelativeUnit, number][] = [
    ['year', 365 * 86400],
    ['month', 30 * 86400],
    ['day', 86400],
    ['hour', 3600],
    ['minute', 60]
  ]
  for (const [unit, size] of steps) {
    if (abs >= size) return { value: sign * Math.floor(abs / size), unit }
  }
  return { value: sign * Math.floor(abs), unit: 'second' }
}

/**
 * "5 minutes ago" / "5 минут назад"; under a minute "now" / "сейчас" (Intl's own words).
 * Returns '' for an unparseable value.
 */
export function formatRelative(value: string | number | Date, now: number, locale: string): string {
  const parts = relativeParts(value, now)
  if (!parts) return ''
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'long' })
  if (parts.unit === 'second') return rtf.format(0, 'second')
  return rtf.format(parts.value, parts.unit)
}

/** A duration as a clock: 75 -> "1:15", 3725 -> "1:02:05". Negative or invalid -> "0:00". */
export function formatDuration(totalSeconds: number): string {
  const s = Number.isFinite(totalSeconds) && totalSeconds > 0 ? Math.round(totalSeconds) : 0
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const sec = s % 60
  const two = (n: number): string => String(n).padStart(2, '0')
  return h > 0 ? `${h}:${two(m)}:${two(sec)}` : `${m}:${two(sec)}`
}

/** The 1-based index range a page shows: page 2 of size 10 with 15 rows -> {from: 11, to: 15}. */
export function pageRange(page: number, pageSize: number, total: number): { from: number; to: number } {
  if (total <= 0) return { from: 0, to: 0 }
  const from = Math.min((page - 1) * pageSize + 1, total)
  const to = Math.min(page * pageSize, total)
  return { from, to }
}

/** The same rules the backend's contract applies to connection URLs and tokens. */
export { isConnectionUrl as isValidConnectionUrl, isToken as isValidToken } from '@shared/validation'

/**
 * A compact moment: the time alone when it is on the same local day as `now`
 * ("07:53" / "7:53 AM"), otherwise a short date and time.
 */
export function formatMoment(value: string | number | Date, now: number, locale: string, timeZone?: string): string {
  const d = toDate(value)
  if (!d) return String(value)
  const day = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone })
  if (day.format(d) === day.format(new Date(now))) {
    return new Intl.DateTimeFormat(locale, { timeStyle: 'short', timeZone }).format(d)
  }
  return new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'short', timeZone }).format(d)
}
