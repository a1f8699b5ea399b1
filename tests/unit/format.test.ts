import { describe, expect, it } from 'vitest'
import {
  formatDuration,
  formatMoney,
  isValidConnectionUrl,
  isValidToken,
  pageRange
} from '../../src/renderer/src/lib/format'

describe('renderer formatting', () => {
  it('formats money from exact decimal strings, never through a float', () => {
    expect(formatMoney('12345678901234567.89', 'EUR', 'en-US')).toBe('€12,345,678,901,234,567.89')
    expect(formatMoney('-1234.5', 'USD', 'en-US')).toBe('-$1,234.50')
    expect(formatMoney('0.0450', 'EUR', 'en-US', { maxFractionDigits: 4 })).toBe('€0.045')
    expect(formatMoney('1234.56', 'RUB', 'ru-RU').replace(/\s/g, ' ')).toBe('1 234,56 ₽')
    expect(formatMoney('not money', 'EUR', 'en-US')).toBe('not money')
  })

  it('pages, durations and the shared validation rules', () => {
    expect(pageRange(2, 10, 15)).toEqual({ from: 11, to: 15 })
    expect(pageRange(1, 10, 0)).toEqual({ from: 0, to: 0 })
    expect(formatDuration(3725)).toBe('1:02:05')
    expect(formatDuration(-3)).toBe('0:00')
    expect(isValidConnectionUrl('https://x.example')).toBe(true)
    expect(isValidConnectionUrl('javascript:alert(1)')).toBe(false)
    expect(isValidToken('abc DEF')).toBe(false)
    expect(isValidToken('abc-DEF_123')).toBe(true)
  })
})
