/**
 * Details of the screens as staff use them, in Chromium: money that never wraps, the search
 * reached with "/", sort headers and client tabs worked with the keyboard (with aria-sort), the
 * Russian search placeholder shown whole, and an invalid period that leaves no rows of the
 * previous one on screen.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startE2E, type E2E } from './browser'

let e: E2E
/** A client with a seven-digit balance (negative, so its cell is the marked span). */
const RICH = 3

beforeAll(async () => {
  e = await startE2E({ clients: 30, messages: 600, days: 30 })
  const c = e.server.data.clients.get(RICH)!
  e.server.data.clients.put({ ...c, balance: '-1234567.89' })
  await e.backend.dispatch('settings.save', { connections: { platform: { url: e.server.url } }, exportDir: e.exportDir })
  await e.backend.dispatch('sync.start', {})
  await e.page.reload()
  await e.page.locator('[data-testid=client-row]').first().waitFor()
})
afterAll(async () => {
  await e?.close()
})

const header = (table: string, key: string) => e.page.locator(`[data-testid=${table}] th[data-col-key=${key}]`)

describe('screens with the keyboard, in Chromium', () => {
  it('keeps a balance of a million or more on one line', async () => {
    const cell = e.page.locator(`[data-testid=client-row][data-id="${RICH}"] [data-negative]`)
    await cell.waitFor()
    await expect(cell.textContent()).resolves.toContain('1,234,567.89')
    await expect(cell.evaluate((el) => el.getClientRects().length)).resolves.toBe(1)
    await e.shot('60-clients-million-balance-en')
  })

  it('focuses the search with "/" and leaves the slash out of it', async () => {
    await e.page.locator('h1').first().click()
    await e.page.keyboard.press('/')
    const input = e.page.locator('[data-testid=clients-search] input')
    await expect.poll(() => input.evaluate((el) => el.matches(':focus'))).toBe(true)
    await expect(input.inputValue()).resolves.toBe('')
    // Typed in a field, "/" is just a character.
    await e.page.keyboard.type('a/b')
    await expect(input.inputValue()).resolves.toBe('a/b')
    await input.fill('')
  })

  it('sorts from the keyboard and says the order with aria-sort', async () => {
    const id = header('clients-table', 'id')
    const login = header('clients-table', 'login')
    await expect(login.getAttribute('tabindex')).resolves.toBe('0')
    await expect(id.getAttribute('aria-sort')).resolves.toBe('ascending')
    await expect(login.getAttribute('aria-sort')).resolves.toBe('none')
    await login.focus()
    await e.page.keyboard.press('Enter')
    await expect.poll(() => login.getAttribute('aria-sort')).toBe('ascending')
    await expect(id.getAttribute('aria-sort')).resolves.toBe('none')
    // The backend sorts logins without regard to case: the first page starts with the least of them.
    const least = [...e.server.data.clients.all()].map((c) => c.login.toLowerCase()).sort()[0]
    const firstLogin = e.page.locator('[data-testid=client-row] td[data-col-key=login]').first()
    await expect.poll(async () => ((await firstLogin.textContent()) ?? '').toLowerCase()).toBe(least)
    await e.page.keyboard.press(' ')
    await expect.poll(() => login.getAttribute('aria-sort')).toBe('descending')
    await id.focus()
    await e.page.keyboard.press('Enter')
    await expect.poll(() => id.getAttribute('aria-sort')).toBe('ascending')
  })

  it('moves through the client tabs with the keyboard', async () => {
    await e.page.locator(`[data-testid=client-row][data-id="${RICH}"]`).click()
    const general = e.page.getByTestId('client-tab-general')
    await general.waitFor()
    await expect(general.getAttribute('tabindex')).resolves.toBe('0')
    await expect(general.getAttribute('aria-current')).resolves.toBe('true')
    await general.focus()
    await e.page.keyboard.press('ArrowRight')
    await expect.poll(() => e.page.url()).toContain('tab=finance')
    const finance = e.page.getByTestId('client-tab-finance')
    await expect.poll(() => finance.evaluate((el) => el.matches(':focus'))).toBe(true)
    await expect(finance.getAttribute('aria-current')).resolves.toBe('true')
    await expect(general.getAttribute('aria-current')).resolves.toBe(null)
    await e.page.keyboard.press('ArrowLeft')
    await expect.poll(() => e.page.url()).toContain('tab=general')
    await e.page.getByTestId('client-tab-names').focus()
    await e.page.keyboard.press('Enter')
    await expect.poll(() => e.page.url()).toContain('tab=names')
    await e.page.getByTestId('names-table').waitFor()
  })

  it('shows no rows of the previous period while the period is invalid', async () => {
    await e.page.getByTestId('client-tab-finance').click()
    const setEnd = async (end: 'from' | 'to', value: string): Promise<void> => {
      const input = e.page.locator(`[data-testid=period-${end}] input`)
      await input.fill(value)
      await input.press('Enter')
      await e.page.keyboard.press('Escape')
      await expect.poll(() => e.page.locator('.n-date-panel').count()).toBe(0)
    }
    const rows = e.page.locator('[data-testid=transaction-row]')
    await setEnd('from', '2000-01-01')
    await setEnd('to', '2099-12-31')
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBeGreaterThan(0)
    await setEnd('from', '2100-01-01')
    await expect.poll(() => rows.count()).toBe(0)
    await e.page.getByTestId('transactions-invalid-period').waitFor()
    await e.shot('61-client-finance-invalid-period-en')
    await setEnd('from', '2000-01-01')
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBeGreaterThan(0)
    await expect(e.page.getByTestId('transactions-invalid-period').count()).resolves.toBe(0)
  })

  it('shows the whole Russian search placeholder', async () => {
    await e.page.getByTestId('lang-ru').click()
    await e.page.getByTestId('nav-clients').click()
    const placeholder = e.page.locator('[data-testid=clients-search] .n-input__placeholder')
    await expect.poll(async () => (await placeholder.textContent()) ?? '').toContain('Поиск по ID')
    const fits = await placeholder.evaluate((el) => {
      const text = el.firstElementChild ?? el
      return text.scrollWidth <= el.clientWidth
    })
    expect(fits).toBe(true)
    await e.shot('62-clients-search-placeholder-ru')
  })
})
