/**
 * Amounts typed by staff (top-up, credit): checked in the form by the very schemas the backend
 * applies (src/shared/contract), so both say the same. The text stays a decimal string all the
 * way: it is never turned into a binary float.
 */
import { amountSchema, creditAmountSchema } from '@shared/contract'

export type AmountError = 'required' | 'amount_format' | 'amount_positive' | 'amount_negative' | 'amount_max'
const KNOWN: readonly AmountError[] = ['amount_format', 'amount_positive', 'amount_max']

/** "1 500,50" -> "1500.50": spaces (also the narrow ones of ru-RU) and a leading "+" go, a decimal comma becomes a point. */
export function normalizeAmount(text: string): string {
  const s = text.replace(/[\s\u00a0\u202f]/g, '').replace(/^\+/, '')
  const d = /^-?\d*,\d*$/.test(s) ? s.replace(',', '.') : s
  // "12." is 12 and ".5" is 0.5, as people type them.
  return d.replace(/^(-?\d+)\.$/, '$1').replace(/^(-?)\.(\d+)$/, (_m, sign: string, frac: string) => `${sign}0.${frac}`)
}

/** The amount to send, or why it cannot be sent. `allowZero`: a credit may be set to zero. */
export function checkAmount(text: string, allowZero = false): { ok: true; value: string } | { ok: false; error: AmountError } {
  const value = normalizeAmount(text)
  if (value === '') return { ok: false, error: 'required' }
  // A negative number says so (the schema alone would only call it malformed).
  if (/^-\d+(\.\d*)?$/.test(value)) return { ok: false, error: allowZero ? 'amount_negative' : 'amount_positive' }
  const r = (allowZero ? creditAmountSchema : amountSchema).safeParse(value)
  if (r.success) return { ok: true, value: r.data }
  const code = r.error.issues[0]?.message as AmountError
  return { ok: false, error: KNOWN.includes(code) ? code : 'amount_format' }
}

/** The backend refused the amount (invalid_input on the field "amount"): the same reasons. */
export function amountErrorOf(e: unknown): AmountError | null {
  const err = (e ?? {}) as { code?: unknown; message?: unknown; params?: { field?: unknown } }
  if (err.code !== 'invalid_input' || err.params?.field !== 'amount') return null
  const message = typeof err.message === 'string' ? err.message : ''
  return KNOWN.find((k) => message.includes(k)) ?? 'amount_format'
}
