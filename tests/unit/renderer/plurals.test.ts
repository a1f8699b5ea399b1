/**
 * Counts in the screens' words take the plural form of their number, in English ("1 row",
 * "2 rows") and in Russian ("1 строка", "3 строки", "5 строк", "из 21 строки"): the renderer's
 * real vue-i18n instance and messages, with the count as t's third argument as the screens pass it.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { i18n, russianPlural } from '@renderer/i18n'

const g = i18n.global
afterEach(() => {
  g.locale.value = 'en'
})

function say(lang: 'en' | 'ru', key: string, named: Record<string, unknown>, count: number): string {
  g.locale.value = lang
  return g.t(key, named, count)
}

describe('plural forms', () => {
  it('says "1 row", never "1 rows", in English', () => {
    expect(say('en', 'stats.summary', { rows: '1', ms: '3' }, 1)).toBe('1 row · 3 ms')
    expect(say('en', 'stats.summary', { rows: '2', ms: '3' }, 2)).toBe('2 rows · 3 ms')
    expect(say('en', 'stats.summary', { rows: '0', ms: '3' }, 0)).toBe('0 rows · 3 ms')
    expect(say('en', 'names.count', { count: '1' }, 1)).toBe('1 name')
    expect(say('en', 'names.count', { count: '12' }, 12)).toBe('12 names')
    expect(say('en', 'sync.rowsNoTotal', { rows: '1' }, 1)).toBe('1 row')
    expect(say('en', 'exports.done', { rows: '1' }, 1)).toBe('Exported: 1 row')
    expect(say('en', 'exports.rows', { rows: '0', total: '1' }, 1)).toBe('0 of 1 row')
    expect(say('en', 'exports.rows', { rows: '1,000', total: '1,001' }, 1001)).toBe('1,000 of 1,001 rows')
  })

  it('takes the one, few and many forms in Russian', () => {
    const rows = (n: number) => say('ru', 'sync.rowsNoTotal', { rows: String(n) }, n)
    expect([1, 21, 101].map(rows)).toEqual(['1 строка', '21 строка', '101 строка'])
    expect([2, 3, 4, 22, 104].map(rows)).toEqual(['2 строки', '3 строки', '4 строки', '22 строки', '104 строки'])
    expect([0, 5, 11, 12, 14, 20, 111, 112].map(rows)).toEqual(
      ['0 строк', '5 строк', '11 строк', '12 строк', '14 строк', '20 строк', '111 строк', '112 строк']
    )
    // "of N" takes the genitive: of one -> строки, of several -> строк.
    expect(say('ru', 'syncPanel.rowsOfTotal', { rows: '0', total: '1' }, 1)).toBe('0 из 1 строки')
    expect(say('ru', 'syncPanel.rowsOfTotal', { rows: '3', total: '21' }, 21)).toBe('3 из 21 строки')
    expect(say('ru', 'exports.rows', { rows: '3', total: '5' }, 5)).toBe('3 из 5 строк')
    // The forms "строк: N" need no plural and read the same for every count.
    expect(say('ru', 'stats.summary', { rows: '1', ms: '3' }, 1)).toBe('строк: 1 · 3 мс')
  })

  it('chooses the Russian form from the number alone', () => {
    expect([1, 2, 5, 11, 21, 22, 25, 111, 1001, 1002].map((n) => russianPlural(n, 3))).toEqual([0, 1, 2, 2, 0, 1, 2, 2, 0, 1])
    expect([1, 2, 5].map((n) => russianPlural(n, 2))).toEqual([0, 1, 1])
  })
})
