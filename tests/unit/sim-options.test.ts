import { describe, expect, it } from 'vitest'
import { settingsPatchSchema } from '../../src/shared/contract'
import { isProviderDate, isSimSelector, parseProviderDate, providerDate } from '../../src/shared/sim'

const sim = (patch: Record<string, unknown>) => settingsPatchSchema.safeParse({ sim: { select: ['all'], trailingDays: 3, from: '', ...patch } })

describe('SIM sync options: one set of rules for the contract, the form and the provider source', () => {
  it('the contract takes only real DD-MM-YYYY days, or none', () => {
    expect(sim({ from: '' }).success).toBe(true)
    expect(sim({ from: '29-02-2028' }).success).toBe(true)
    for (const from of ['31-02-2026', '29-02-2027', '00-01-2026', '2026-01-01', '1-1-2026', '01-13-2026']) {
      const r = sim({ from })
      expect(r.success, from).toBe(false)
      expect(r.error?.issues[0]).toMatchObject({ path: ['sim', 'from'], message: 'date' })
    }
  })

  it('a selector is all, s_<id> or g_<id> with an id of 1 to 12 digits, everywhere', () => {
    for (const v of ['all', 's_1', 'g_2', `s_${'9'.repeat(12)}`]) {
      expect(isSimSelector(v), v).toBe(true)
      expect(sim({ select: [v] }).success, v).toBe(true)
    }
    for (const v of ['ALL', 's_', 'x_1', 's_1 ', `s_${'9'.repeat(13)}`]) {
      expect(isSimSelector(v), v).toBe(false)
      expect(sim({ select: [v] }).success, v).toBe(false)
    }
  })

  it('the provider date and its parse are each other\'s inverse on UTC days', () => {
    const ms = Date.UTC(2026, 0, 5)
    expect(providerDate(ms)).toBe('05-01-2026')
    expect(parseProviderDate('05-01-2026')).toBe(ms)
    expect(parseProviderDate('31-04-2026')).toBeNull()
    expect(isProviderDate('31-04-2026')).toBe(false)
    expect(isProviderDate('30-04-2026')).toBe(true)
  })
})
