/**
 * The client page end to end in Chromium: open a client from the list, every tab, a top-up
 * through the outbox (pending, then applied on the server exactly once), the statistics
 * reports, and an export of the transactions that lands as a real xlsx file.
 */
import fs from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startE2E, type E2E } from './browser'

let e: E2E
const CLIENT = 7

beforeAll(async () => {
  e = await startE2E({ clients: 40, messages: 4000, days: 30, sims: 2, dispatches: 3 })
  await e.backend.dispatch('settings.save', {
    connections: { platform: { url: e.server.url }, sim: { url: e.server.url }, dispatch: { url: e.server.url } },
    exportDir: e.exportDir
  })
  await e.backend.dispatch('sync.start', {})
  await e.page.reload()
})
afterAll(async () => {
  await e?.close()
})

describe('client page in Chromium', () => {
  it('opens from the Clients table with all fourteen General info fields', async () => {
    await e.page.locator(`[data-testid=client-row][data-id="${CLIENT}"]`).click()
    await e.page.getByTestId('client-page').waitFor()
    const c = e.server.data.clients.get(CLIENT)!
    const fields = ['site', 'email', 'region', 'company', 'activityType', 'propertyType', 'postalAddress', 'accountingEmail',
      'registeredAt', 'lastLoginAt', 'smsPrice', 'loginAttempts', 'activationRequired', 'referer']
    for (const f of fields) await expect(e.page.getByTestId(`client-field-${f}`).count(), f).resolves.toBe(1)
    await expect(e.page.getByTestId('client-field-email').textContent()).resolves.toContain(c.email)
    await e.shot('20-client-general-en')
  })

  it('tops up through the outbox: pending at once, applied once on the server', async () => {
    const before = e.server.data.clients.get(CLIENT)!.balance
    const topUps = () => e.server.data.transactions.all().filter((t) => t.client_id === CLIENT && t.debit !== '0.00').length
    const count = topUps()
    await e.page.getByTestId('client-tab-finance').click()
    await e.page.locator('[data-testid=topup-amount] input').fill('12.3')
    await e.page.locator('[data-testid=topup-comment] input, [data-testid=topup-comment] textarea').first().fill('Bank transfer #42')
    await e.page.getByTestId('topup-save').click()
    await e.page.getByTestId('confirm-ok').click()
    await expect.poll(() => topUps(), { timeout: 15_000 }).toBe(count + 1)
    const want = (Math.round(Number(before) * 100) + 1230) / 100
    expect(Number(e.server.data.clients.get(CLIENT)!.balance)).toBeCloseTo(want, 2)
    await expect.poll(async () => (await e.page.getByTestId('finance-balance').textContent()) ?? '', { timeout: 15_000 }).toContain(
      want.toLocaleString('en-US', { minimumFractionDigits: 2 }).split('.')[0]
    )
    await e.page.getByTestId('transactions-table').waitFor()
    await e.shot('21-client-finance-en')
  })

  it('refuses a bad amount with a clear message and sends nothing', async () => {
    const count = e.server.data.transactions.size
    await e.page.locator('[data-testid=topup-amount] input').fill('-5')
    await e.page.getByTestId('topup-save').click()
    await e.page.waitForTimeout(500)
    expect(e.server.data.transactions.size).toBe(count)
    await expect(e.page.getByTestId('client-page').textContent()).resolves.toMatch(/positive|greater|more than/i)
  })

  it('shows the five statistics reports with a chart and a table', async () => {
    await e.page.getByTestId('client-tab-statistics').click()
    for (const group of ['day', 'operator', 'sender', 'viber-sender', 'country']) {
      await e.page.getByTestId(`stats-report-${group}`).click()
      await e.page.getByTestId('stats-search').click()
      await e.page.getByTestId('stats-table').waitFor()
      await e.page.getByTestId('stats-chart').waitFor()
      if (group === 'day') await e.shot('22-client-stats-day-en')
    }
    await e.shot('23-client-stats-country-en')
  })

  it('exports the transactions to a real xlsx file', async () => {
    await e.page.getByTestId('client-tab-finance').click()
    await e.page.getByTestId('export-button').first().click()
    await e.page.getByTestId('export-dialog').waitFor()
    await e.page.getByTestId('export-confirm').click()
    const done = e.page.getByTestId('export-done')
    await done.waitFor({ timeout: 30_000 })
    const file = await done.getAttribute('data-file')
    expect(file).toMatch(/\.xlsx$/)
    const bytes = fs.readFileSync(file!)
    expect(bytes.subarray(0, 2).toString()).toBe('PK') // a zip container, as xlsx is
    await e.shot('24-client-export-en')
  })

  it('uses the time zone chosen in Settings: a transaction at 23:30 UTC is under the next day in Moscow', async () => {
    // A transaction of this client at 23:30 UTC on 10 March: 02:30 on 11 March in Moscow.
    const ID = 99_000_001
    e.backend.db
      .prepare(`INSERT INTO transactions (id, client_id, date, credit, debit, purpose, balance_after, currency, updated_at)
                VALUES (?, ?, '2026-03-10T23:30:00Z', 1234, 0, 'Late mailing', 0, 'EUR', '2026-03-10T23:30:00Z')`)
      .run(ID, CLIENT)
    const url = e.page.url()

    // Settings: the searchable list of zones, default this computer's.
    await e.page.getByTestId('nav-settings').click()
    const select = e.page.getByTestId('settings-time-zone')
    await select.waitFor()
    await expect(select.textContent()).resolves.toContain('This computer’s')
    await select.click()
    await e.page.locator('.n-base-select-option', { hasText: 'This computer’s' }).first().waitFor()
    await e.shot('28-settings-time-zone-list-en')
    await e.page.keyboard.type('Moscow')
    await e.page.locator('.n-base-select-option', { hasText: 'Europe/Moscow (UTC+03:00)' }).first().click()
    await expect.poll(async () => (await e.backend.dispatch('settings.get', {})) as { ok: boolean; value?: { timeZone: string; statsZone: { zone: string; regrouping: string | null } } }, { timeout: 30_000 })
      .toMatchObject({ ok: true, value: { timeZone: 'Europe/Moscow', statsZone: { zone: 'Europe/Moscow', regrouping: null } } })
    await expect.poll(async () => (await select.textContent()) ?? '').toContain('Europe/Moscow')
    await e.page.getByTestId('settings-time-zone-card').scrollIntoViewIfNeeded()
    await e.shot('29-settings-time-zone-moscow-en')
    // The list itself, searched.
    await select.click()
    // By offset too (Chromium's ICU may call Kathmandu by its older name, Katmandu).
    await e.page.keyboard.type('+05:45')
    await e.page.locator('.n-base-select-option', { hasText: /Asia\/Kath?mandu \(UTC\+05:45\)/ }).first().waitFor()
    await e.shot('30-settings-time-zone-search-en')
    await e.page.keyboard.press('Escape')

    // Finance: the period is Moscow's days, and the caption says so.
    await e.page.goto(url)
    await e.page.getByTestId('client-tab-finance').click()
    const caption = e.page.getByTestId('zone-caption').first()
    await expect.poll(async () => (await caption.textContent()) ?? '').toContain('Days in Europe/Moscow (UTC+03:00)')
    const setPeriod = async (from: string, to: string): Promise<void> => {
      for (const [end, value] of [['from', from], ['to', to]] as const) {
        const input = e.page.locator(`[data-testid=period-${end}] input`)
        await input.fill(value)
        await input.press('Enter')
        await e.page.keyboard.press('Escape')
      }
      await expect.poll(() => e.page.locator('.n-date-panel').count()).toBe(0)
    }
    const row = e.page.locator(`[data-testid=transaction-row][data-id="${ID}"]`)
    await setPeriod('2026-03-11', '2026-03-11')
    await row.waitFor({ timeout: 15_000 })
    await expect(row.textContent()).resolves.toContain('Mar 11, 2026, 2:30 AM')
    await e.page.mouse.move(0, 0)
    await e.page.getByTestId('transactions-table').scrollIntoViewIfNeeded()
    await e.shot('31-client-finance-zone-en')
    await setPeriod('2026-03-10', '2026-03-10')
    await expect.poll(async () => e.page.getByTestId('transactions-table').getAttribute('data-total'), { timeout: 15_000 }).not.toBe(null)
    await expect.poll(async () => row.count(), { timeout: 15_000 }).toBe(0)

    // Statistics: the chart says whose days it counts.
    await e.page.getByTestId('client-tab-statistics').click()
    const zone = e.page.getByTestId('stats-zone')
    await zone.waitFor()
    await expect.poll(async () => zone.getAttribute('data-zone')).toBe('Europe/Moscow')
    await expect(zone.textContent()).resolves.toContain('Days in Europe/Moscow (UTC+03:00)')
    await expect(e.page.getByTestId('zone-caption').first().textContent()).resolves.toContain('Europe/Moscow')
    await expect.poll(() => e.page.locator('[data-testid=stats-chart] .n-spin-body').count()).toBe(0)
    await e.shot('32-client-stats-zone-en')
  })

  it('shows the Names tab and the whole page in Russian', async () => {
    await e.page.getByTestId('client-tab-names').click()
    await e.page.getByTestId('names-table').waitFor()
    const names = e.server.data.senderNames.all().filter((n) => n.client_id === CLIENT).length
    await expect(e.page.getByTestId('name-row').count()).resolves.toBe(names)
    await e.page.getByTestId('lang-ru').click()
    await e.page.getByTestId('client-tab-names').filter({ hasText: 'Имена' }).waitFor()
    await e.shot('25-client-names-ru')
    await e.page.getByTestId('client-tab-finance').click()
    await e.shot('26-client-finance-ru')
    await e.page.getByTestId('client-tab-statistics').click()
    await e.page.getByTestId('stats-table').waitFor()
    await e.shot('27-client-stats-ru')
  })
})
