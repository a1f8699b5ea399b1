/**
 * Money is exact: amounts travel as decimal strings ("1234.56") and are stored as
 * integers of minor units at a fixed scale. Never parse money with parseFloat.
 */

/** Scales used across the product (digits after the decimal point). */
export const MONEY_SCALE = 2 // balances, credits, transactions
export const PRICE_SCALE = 4 // per-message prices and costs
export const SIM_COST_SCALE = 6 // SIM provider session costs (EUR, given as floats)

const DECIMAL = /^([+-])?(\d+)(?:\.(\d+))?$/

/**
 * Parses a decimal string (or a safe integer) into integer units at `scale`.
 * Returns null when the text is not a plain decimal or has more digits than the scale allows.
 */
export function parseDecimal(text: string | number, scale: number): number | null {
  const s = typeof text === 'number' ? String(text) : text.trim()
  const m = DECIMAL.exec(s)
  if (!m) return null
  const [, sign, whole, frac = ''] = m
  if (frac.length > scale && /[^0]/.test(frac.slice(scale))) return null
  const digits = whole + frac.slice(0, scale).padEnd(scale, '0')
  const value = Number(digits)
  if (!Number.isSafeInteger(value)) return null
  return sign === '-' ? -value : value
}

/**
 * Converts a binary float given by a remote API (e.g. the SIM provider's session_cost) into
 * integer units, rounding half away from zero through its shortest decimal representation.
 */
export function floatToUnits(value: number, scale: number): number | null {
  if (!Number.isFinite(value)) return null
  const text = value.toFixed(Math.min(scale + 2, 20))
  const exact = parseDecimal(text.slice(0, text.length - 2), scale)
  if (exact === null) return null
  const rest = Number(text.slice(-2))
  return exact + (rest >= 50 ? (value < 0 ? -1 : 1) : 0)
}

/** Formats integer units at `scale` as a plain decimal string ("-12.30"). */
export function formatUnits(units: number, scale: number): string {
  const negative = units < 0
  const digits = String(Math.abs(units)).padStart(scale + 1, '0')
  const whole = scale === 0 ? digits : digits.slice(0, digits.length - scale)
  const frac = scale === 0 ? '' : '.' + digits.slice(digits.length - scale)
  return (negative ? '-' : '') + whole + frac
}

/** The largest amount staff may type (a top-up, a credit), as a plain decimal. */
export const MAX_AMOUNT = '1000000.00'

/** Why an amount typed by staff is refused (the contract's message, the form's error). */
export type AmountIssue = 'amount_format' | 'amount_max' | 'amount_decimals' | 'amount_positive'

const PLAIN = /^(\d+)(?:\.(\d+))?$/

/** Compares two plain non-negative decimals ("0012.50", "12.5") exactly, whatever their length. */
export function compareDecimals(a: string, b: string): -1 | 0 | 1 {
  const ma = PLAIN.exec(a)
  const mb = PLAIN.exec(b)
  if (!ma || !mb) throw new Error('compareDecimals takes plain non-negative decimals')
  const wa = ma[1].replace(/^0+/, '')
  const wb = mb[1].replace(/^0+/, '')
  if (wa.length !== wb.length) return wa.length < wb.length ? -1 : 1
  const width = Math.max(ma[2]?.length ?? 0, mb[2]?.length ?? 0)
  const da = wa + (ma[2] ?? '').padEnd(width, '0')
  const db = wb + (mb[2] ?? '').padEnd(width, '0')
  return da === db ? 0 : da < db ? -1 : 1
}

/**
 * Why a plain decimal amount ("1500.50") cannot be applied, or null: it is not a plain decimal,
 * it is above MAX_AMOUNT (however many digits it has), it has more than MONEY_SCALE decimals, or
 * it is zero where zero is not allowed. Nothing is rounded or cut: an amount is taken as it is
 * or refused.
 */
export function amountIssue(text: string, allowZero: boolean): AmountIssue | null {
  const m = PLAIN.exec(text)
  if (!m) return 'amount_format'
  if (compareDecimals(text, MAX_AMOUNT) > 0) return 'amount_max'
  if ((m[2]?.length ?? 0) > MONEY_SCALE) return 'amount_decimals'
  if (!allowZero && !/[1-9]/.test(text)) return 'amount_positive'
  return null
}

/** Rescales units from one scale to another (only to a larger scale, which is exact). */
export function rescale(units: number, from: number, to: number): number {
  if (to < from) throw new Error('rescale would lose precision')
  return units * 10 ** (to - from)
}
