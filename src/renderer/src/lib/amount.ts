/**
 * Amounts typed by staff (top-up, credit), read in the language of the screen and checked by
 * the very schemas the backend applies (src/shared/contract), so both say the same. What was
 * typed is never changed: it is read into a plain decimal string digit for digit ("1 000,50" ->
 * "1000.50") or refused with the reason; it is never rounded, cut or turned into a binary float.
 *
 * - English: a point is the decimal separator; commas (or spaces) group thousands. A comma
 *   followed by one or two digits at the end ("1,5", "12,50") may be a decimal comma: refused
 *   as ambiguous rather than guessed.
 * - Russian: a comma (or a point, as many keyboards give it) is the decimal separator; spaces
 *   (also the no-break and narrow no-break ones Intl writes) group thousands. A number with both a
 *   point and a comma ("1.000,50") is refused: which one is the decimal is not for us to guess.
 * - Groups are 1-3 digits, then exactly three ("1,00,0" is refused).
 */
import { amountSchema, creditAmountSchema } from '@shared/contract'
import type { AmountIssue } from '@shared/money'
import type { Language } from '@shared/types'

export type AmountError = 'required' | AmountIssue | 'amount_negative' | 'amount_ambiguous' | 'amount_grouping'
export type AmountCheck = { ok: true; value: string } | { ok: false; error: AmountError }

const ISSUES: readonly AmountIssue[] = ['amount_format', 'amount_max', 'amount_decimals', 'amount_positive']
const GROUPED = /^\d{1,3}(?:[ ,]\d{3})*$/

interface Separators {
  /** Characters that may stand for the decimal point. */
  decimal: string[]
  /** Characters that may group thousands (every whitespace is read as ' '). */
  group: string[]
}
const SEPARATORS: Record<Language, Separators> = {
  en: { decimal: ['.'], group: [',', ' '] },
  ru: { decimal: [',', '.'], group: [' '] }
}

/**
 * Reads an amount as typed in `language` into a plain non-negative decimal ("1000.50"; "12." is
 * "12", ".5" is "0.5"), with whether a minus was typed; or says why it cannot be read.
 */
export function readAmount(text: string, language: Language): { ok: true; value: string; negative: boolean } | { ok: false; error: AmountError } {
  let s = text.trim()
  if (s === '') return { ok: false, error: 'required' }
  const negative = s.startsWith('-')
  if (negative || s.startsWith('+')) s = s.slice(1).trimStart()
  s = s.replace(/\s/g, ' ') // also U+00A0 and U+202F, as Intl writes them
  if (!/^[\d., ]+$/.test(s) || !/\d/.test(s)) return { ok: false, error: 'amount_format' }
  if (/ {2}/.test(s)) return { ok: false, error: 'amount_grouping' }

  const { decimal, group } = SEPARATORS[language]
  const decimals = [...s].filter((c) => decimal.includes(c))
  if (decimals.length > 1) return { ok: false, error: 'amount_grouping' }
  // "1,5", "1,000,50": well formed but for the last comma, which may be a decimal comma.
  const head = language === 'en' && decimals.length === 0 ? /^(.*),\d{1,2}$/.exec(s)?.[1] : undefined
  if (head !== undefined && (/^\d*$/.test(head) || GROUPED.test(head))) return { ok: false, error: 'amount_ambiguous' }

  const at = decimals.length ? s.indexOf(decimals[0]) : -1
  const whole = at < 0 ? s : s.slice(0, at)
  const frac = at < 0 ? '' : s.slice(at + 1)
  if (!/^\d*$/.test(frac)) return { ok: false, error: 'amount_grouping' }
  if (whole === '' && frac === '') return { ok: false, error: 'amount_format' }
  if (/[^\d]/.test(whole)) {
    const used = new Set(whole.replace(/\d/g, ''))
    if (used.size > 1 || !group.includes([...used][0]) || !GROUPED.test(whole)) return { ok: false, error: 'amount_grouping' }
  }
  const digits = whole.replace(/\D/g, '').replace(/^0+(?=\d)/, '') || '0'
  return { ok: true, value: frac ? `${digits}.${frac}` : digits, negative }
}

/**
 * The amount to send, exactly as typed, or why it cannot be sent. `allowZero`: a credit may be
 * set to zero.
 */
export function checkAmount(text: string, language: Language, allowZero = false): AmountCheck {
  const read = readAmount(text, language)
  if (!read.ok) return read
  // A minus says so (the schema would only call it malformed).
  if (read.negative) return { ok: false, error: allowZero ? 'amount_negative' : 'amount_positive' }
  const r = (allowZero ? creditAmountSchema : amountSchema).safeParse(read.value)
  return r.success ? { ok: true, value: r.data } : { ok: false, error: issueOf(r.error.issues[0]?.message) }
}

function issueOf(message: unknown): AmountIssue {
  return ISSUES.find((k) => k === message) ?? 'amount_format'
}

/** The backend refused the amount (invalid_input on the field "amount", "amount: <reason>"): the same reasons. */
export function amountErrorOf(e: unknown): AmountError | null {
  const err = (e ?? {}) as { code?: unknown; message?: unknown; params?: { field?: unknown } }
  if (err.code !== 'invalid_input' || err.params?.field !== 'amount') return null
  const message = typeof err.message === 'string' ? err.message : ''
  return issueOf(/^amount: (\w+)$/.exec(message)?.[1])
}
