import { describe, expect, it } from 'vitest'
import { floatToUnits, formatUnits, parseDecimal } from '../../src/shared/money'

describe('money', () => {
  it('parses decimal strings exactly into minor units', () => {
    expect(parseDecimal('1234.56', 2)).toBe(123456)
    expect(parseDecimal('-0.05', 2)).toBe(-5)
    expect(parseDecimal('7', 2)).toBe(700)
    expect(parseDecimal('0.0450', 4)).toBe(450)
    expect(parseDecimal('0.1', 2)).toBe(10)
    expect(parseDecimal('1.50', 1)).toBe(15) // trailing zeros beyond the scale are exact
  })

  it('refuses what is not an exact decimal at the scale', () => {
    for (const bad of ['', 'abc', '1e3', '1.234', '1,5', ' . ', 'NaN', '0x10', '99999999999999999999']) {
      expect(parseDecimal(bad, 2), bad).toBeNull()
    }
  })

  it('formats units back without binary rounding', () => {
    expect(formatUnits(123456, 2)).toBe('1234.56')
    expect(formatUnits(-5, 2)).toBe('-0.05')
    expect(formatUnits(450, 4)).toBe('0.0450')
    expect(formatUnits(0, 2)).toBe('0.00')
    // 0.1 + 0.2 done in units is exact
    expect(formatUnits(parseDecimal('0.1', 2)! + parseDecimal('0.2', 2)!, 2)).toBe('0.30')
  })

  it('converts provider floats to units by their decimal value', () => {
    expect(floatToUnits(0.1 + 0.2, 6)).toBe(300000)
    expect(floatToUnits(0.0123, 6)).toBe(12300)
    expect(floatToUnits(1.0000005, 6)).toBe(1000001)
    expect(floatToUnits(Number.NaN, 6)).toBeNull()
  })
})
