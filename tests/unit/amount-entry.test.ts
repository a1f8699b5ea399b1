/**
 * Amounts typed by staff: read in the screen's language digit for digit, or refused with the
 * reason; the backend's schema gives the same verdicts on what the form sends.
 */
import { describe, expect, it } from 'vitest'
import { amountErrorOf, checkAmount, type AmountError } from '../../src/renderer/src/lib/amount'
import { amountSchema, creditAmountSchema } from '../../src/shared/contract'
import { amountIssue, compareDecimals, formatUnits, MONEY_SCALE } from '../../src/shared/money'
import type { Language } from '../../src/shared/types'

const NBSP = '\u00a0'
const NNBSP = '\u202f'
const FORTY_DIGITS = '1234567890'.repeat(4)

function refused(text: string, language: Language, allowZero = false): AmountError | null {
  const r = checkAmount(text, language, allowZero)
  return r.ok ? null : r.error
}

describe('amount entry: what is typed is what is sent', () => {
  it.each([
    // English: point decimal, comma (or space) thousands.
    ['en', '12.3', '12.3'],
    ['en', '1,000.50', '1000.50'],
    ['en', '1,000', '1000'],
    ['en', '12,345', '12345'],
    ['en', '123,456.78', '123456.78'],
    ['en', '1,000,000.00', '1000000.00'],
    ['en', '999,999.99', '999999.99'],
    ['en', `1${NBSP}000.50`, '1000.50'],
    ['en', '0.01', '0.01'],
    ['en', '.5', '0.5'],
    ['en', '12.', '12'],
    ['en', '+5', '5'],
    ['en', '007.10', '7.10'],
    ['en', '  42  ', '42'],
    // Russian: comma (or point) decimal, spaces of any kind for thousands.
    ['ru', '1 000,50', '1000.50'],
    ['ru', `1${NBSP}000,50`, '1000.50'],
    ['ru', `1${NNBSP}000,50`, '1000.50'],
    ['ru', `1${NBSP}000${NBSP}000,00`, '1000000.00'],
    ['ru', '1500,5', '1500.5'],
    ['ru', '12.5', '12.5'],
    ['ru', '0,99', '0.99'],
    ['ru', ',5', '0.5']
  ] as const)('%s %j -> %s', (language, text, value) => {
    expect(checkAmount(text, language)).toEqual({ ok: true, value })
    // The backend takes it as it is.
    expect(amountSchema.safeParse(value)).toEqual({ success: true, data: value })
  })

  it('reads back every amount Intl writes in either language, exactly', () => {
    // A fixed sequence (no clock, no Math.random): amounts from 0.01 to 1,000,000.00.
    let seed = 12345
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31)
    const samples = [1, 10, 99, 100, 101_00, 123_456_78, 100_000_000, ...Array.from({ length: 500 }, () => 1 + (next() % 100_000_000))]
    for (const units of samples) {
      const plain = formatUnits(units, MONEY_SCALE)
      for (const [language, locale] of [['en', 'en-US'], ['ru', 'ru-RU']] as const) {
        for (const grouping of [true, false]) {
          const text = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: grouping }).format(
            plain as Intl.StringNumericLiteral
          )
          expect(checkAmount(text, language), `${language} ${JSON.stringify(text)}`).toEqual({ ok: true, value: plain })
        }
      }
    }
  })

  it('takes zero as a credit, never as a top-up', () => {
    expect(checkAmount('0', 'en', true)).toEqual({ ok: true, value: '0' })
    expect(checkAmount('0,00', 'ru', true)).toEqual({ ok: true, value: '0.00' })
    expect(refused('0', 'en')).toBe('amount_positive')
    expect(refused('0.00', 'en')).toBe('amount_positive')
  })
})

describe('amount entry: what is refused, and why', () => {
  it.each(['1e5', '12abc', '1o0', 'abc', '1,5e3', '0x10', 'Infinity', 'NaN', '١٢', '12 €', '5-', '--5', '.', ',', '1/2'])(
    'letters and other marks are not dropped: %j is refused in both languages',
    (text) => {
      expect(refused(text, 'en')).toBe('amount_format')
      expect(refused(text, 'ru')).toBe('amount_format')
    }
  )

  it('an empty field asks for an amount', () => {
    expect(refused('', 'en')).toBe('required')
    expect(refused('   ', 'ru')).toBe('required')
  })

  it('more than two decimals is refused, never rounded', () => {
    for (const [text, language] of [
      ['12.345', 'en'],
      ['12.300', 'en'],
      ['0.001', 'en'],
      ['1,000.555', 'en'],
      ['12,345', 'ru'],
      ['1 000,505', 'ru']
    ] as const) {
      expect(refused(text, language), text).toBe('amount_decimals')
    }
  })

  it('an English comma followed by one or two digits is ambiguous', () => {
    for (const text of ['1,5', '12,50', ',5', '1,000,50', `1${NBSP}000,50`]) expect(refused(text, 'en'), text).toBe('amount_ambiguous')
  })

  it('a Russian comma is a decimal comma: 1,000 is one with three decimals', () => {
    expect(refused('1,000', 'ru')).toBe('amount_decimals')
    expect(checkAmount('1,5', 'ru')).toEqual({ ok: true, value: '1.5' })
  })

  it.each([
    ['en', '1,00,0'],
    ['en', '1,0000'],
    ['en', '10,00,000'],
    ['en', '1,,000'],
    ['en', ',000'],
    ['en', '1,000 000'],
    ['en', '1 00'],
    ['en', '1.000.000'],
    ['en', '1.000,50'],
    ['en', '1,000.5,0'],
    ['ru', '1.000,50'],
    ['ru', '1,000.50'],
    ['ru', '1 00,5'],
    ['ru', '1  000'],
    ['ru', '10 00'],
    ['ru', '1 000 ,50'],
    ['ru', '1,5,0']
  ] as const)('misplaced separators are refused: %s %j', (language, text) => {
    expect(refused(text, language)).toBe('amount_grouping')
  })

  it('above 1,000,000.00 is too large, however many digits it has', () => {
    for (const [text, language] of [
      ['1000000.01', 'en'],
      ['1,000,000.01', 'en'],
      ['1 000 000,01', 'ru'],
      ['99999999', 'en'],
      [FORTY_DIGITS, 'en'],
      [FORTY_DIGITS, 'ru'],
      [`${FORTY_DIGITS}.5`, 'en'],
      [`${FORTY_DIGITS}.123`, 'en'],
      ['1' + ',000'.repeat(13), 'en'],
      ['1' + ' 000'.repeat(13) + ',00', 'ru']
    ] as const) {
      expect(refused(text, language), text).toBe('amount_max')
      expect(refused(text, language, true), text).toBe('amount_max')
    }
    expect(checkAmount('1,000,000.00', 'en')).toEqual({ ok: true, value: '1000000.00' })
    expect(checkAmount('0001000000', 'en')).toEqual({ ok: true, value: '1000000' })
  })

  it('a minus is refused as such', () => {
    expect(refused('-5', 'en')).toBe('amount_positive')
    expect(refused('-5', 'en', true)).toBe('amount_negative')
    expect(refused('- 1 000,50', 'ru', true)).toBe('amount_negative')
    expect(refused('-0', 'ru', true)).toBe('amount_negative')
  })
})

describe('the backend schema gives the same verdicts', () => {
  const verdict = (schema: typeof amountSchema, value: string): string => {
    const r = schema.safeParse(value)
    return r.success ? 'ok' : r.error.issues[0].message
  }

  it('on plain decimals', () => {
    for (const [value, top, credit] of [
      ['12.30', 'ok', 'ok'],
      ['1000000.00', 'ok', 'ok'],
      [' 7 ', 'ok', 'ok'],
      ['12.345', 'amount_decimals', 'amount_decimals'],
      ['1000000.01', 'amount_max', 'amount_max'],
      ['99999999', 'amount_max', 'amount_max'],
      [FORTY_DIGITS, 'amount_max', 'amount_max'],
      ['1e5', 'amount_format', 'amount_format'],
      ['12abc', 'amount_format', 'amount_format'],
      ['1,000.50', 'amount_format', 'amount_format'],
      ['-5', 'amount_format', 'amount_format'],
      ['', 'amount_format', 'amount_format'],
      ['0', 'amount_positive', 'ok'],
      ['0.00', 'amount_positive', 'ok']
    ] as const) {
      expect(verdict(amountSchema, value), value).toBe(top)
      expect(verdict(creditAmountSchema, value), value).toBe(credit)
      expect(amountIssue(value.trim(), false) ?? 'ok', value).toBe(top)
    }
  })

  it('and the form shows the backend refusal with the same reason', () => {
    for (const reason of ['amount_format', 'amount_decimals', 'amount_max', 'amount_positive'] as const) {
      expect(amountErrorOf({ code: 'invalid_input', message: `amount: ${reason}`, params: { field: 'amount' } })).toBe(reason)
    }
    expect(amountErrorOf({ code: 'invalid_input', message: 'clientId: too small', params: { field: 'clientId' } })).toBeNull()
    expect(amountErrorOf({ code: 'not_found', message: 'x' })).toBeNull()
  })
})

describe('compareDecimals', () => {
  it('compares exactly, whatever the length', () => {
    expect(compareDecimals('1000000.00', '1000000')).toBe(0)
    expect(compareDecimals('0001000000.001', '1000000.00')).toBe(1)
    expect(compareDecimals('999999.999', '1000000')).toBe(-1)
    expect(compareDecimals(FORTY_DIGITS, '1000000.00')).toBe(1)
    expect(compareDecimals('0', '0.00')).toBe(0)
    expect(() => compareDecimals('1e5', '1')).toThrow()
  })
})
