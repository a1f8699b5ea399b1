/**
 * The Clients slice end to end, in real Chromium against the browser bridge: an empty first
 * run, connecting the platform in Settings, sync, search, sort, paging and the language switch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startE2E, type E2E } from './browser'

let e: E2E

beforeAll(async () => {
  e = await startE2E({ clients: 137 })
})
afterAll(async () => {
  await e?.close()
})

const rowIds = async (): Promise<number[]> =>
  (await e.page.locator('[data-testid=client-row]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-id')))))

const total = async (): Promise<number> => Number(await e.page.getAttribute('[data-testid=clients-total]', 'data-total'))

async function waitRows(predicate: (ids: number[]) => boolean): Promise<number[]> {
  let ids: number[] = []
  for (let i = 0; i < 100; i++) {
    ids = await rowIds()
    if (predicate(ids)) return ids
    await e.page.waitForTimeout(50)
  }
  throw new Error(`rows never matched; last ${JSON.stringify(ids)}`)
}

describe('Clients screen in Chromium', () => {
  it('starts empty and says how to connect', async () => {
    const empty = e.page.getByTestId('empty-state')
    await empty.waitFor()
    await expect(e.page.getByTestId('demo-button').isVisible()).resolves.toBe(true)
    await e.shot('01-clients-empty-en')
  })

  it('connects the platform in Settings and syncs', async () => {
    await e.page.getByTestId('nav-settings').click()
    const url = e.page.locator('[data-testid=settings-platform-url] input')
    await url.fill('ftp://nope')
    await e.page.getByTestId('settings-platform-save').click()
    await expect(e.page.getByTestId('settings-platform-url').textContent()).resolves.not.toBeNull()
    await url.fill(e.server.url)
    await e.page.getByTestId('settings-platform-save').click()
    await e.page.waitForFunction(() => true)
    await e.shot('02-settings-en')
    await e.page.getByTestId('nav-clients').click()
    await e.page.getByTestId('sync-button').click()
    await waitRows((ids) => ids.length === 10)
    expect(await total()).toBe(137)
    expect(await rowIds()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    await expect(e.page.getByTestId('last-synced').textContent()).resolves.toBeTruthy()
    await e.shot('03-clients-synced-en')
  })

  it('searches by company, name, login or ID as plain text', async () => {
    const target = e.server.data.clients.get(42)!
    const search = e.page.locator('[data-testid=clients-search] input')
    await search.fill(target.login)
    await search.press('Enter')
    const ids = await waitRows((ids) => ids.includes(42) && ids.length <= 3)
    for (const id of ids) expect(e.server.data.clients.get(id)!.login).toContain(target.login)
    await search.fill("%' OR 1=1 --")
    await e.page.getByTestId('clients-search-button').click()
    await e.page.getByTestId('clients-no-match').waitFor()
    await search.fill('')
    await search.press('Enter')
    await waitRows((ids) => ids.length === 10 && ids[0] === 1)
  })

  it('sorts by ID both ways and by balance', async () => {
    await e.page.locator('th[data-col-key=id]').click()
    let ids = await waitRows((ids) => ids[0] !== 1)
    if (ids[0] !== 137) {
      await e.page.locator('th[data-col-key=id]').click()
      ids = await waitRows((ids) => ids[0] === 137)
    }
    expect(ids).toEqual([137, 136, 135, 134, 133, 132, 131, 130, 129, 128])
    await e.page.locator('th[data-col-key=balance]').click()
    const byBalance = await waitRows((ids) => ids[0] !== 137)
    const balances = byBalance.map((id) => Number(e.server.data.clients.get(id)!.balance))
    const asc = [...balances].sort((a, b) => a - b)
    const desc = [...balances].sort((a, b) => b - a)
    expect([asc, desc]).toContainEqual(balances)
    const all = [...e.server.data.clients.all()].map((c) => Number(c.balance)).sort((a, b) => a - b)
    expect([all[0], all[all.length - 1]]).toContain(balances[0])
  })

  it('pages 10 and 20 rows and jumps to a page', async () => {
    await e.page.locator('th[data-col-key=id]').click()
    await waitRows((ids) => ids.length === 10)
    // Back to ID ascending whatever state the sorter cycled into.
    for (let i = 0; i < 3 && (await rowIds())[0] !== 1; i++) {
      await e.page.locator('th[data-col-key=id]').click()
      await e.page.waitForTimeout(200)
    }
    await waitRows((ids) => ids[0] === 1)
    await e.page.locator('.n-pagination .n-base-selection').click()
    await e.page.locator('.n-base-select-option', { hasText: '20' }).first().click()
    await waitRows((ids) => ids.length === 20 && ids[0] === 1)
    await e.page.locator('.n-pagination-item', { hasText: /^2$/ }).click()
    const page2 = await waitRows((ids) => ids[0] === 21)
    expect(page2).toHaveLength(20)
    await e.page.locator('.n-pagination-quick-jumper input').fill('7')
    await e.page.locator('.n-pagination-quick-jumper input').press('Enter')
    const last = await waitRows((ids) => ids[0] === 121)
    expect(last).toEqual(Array.from({ length: 17 }, (_, i) => 121 + i))
  })

  it('switches to Russian and back', async () => {
    await e.page.getByTestId('lang-ru').click()
    await e.page.getByTestId('nav-clients').filter({ hasText: 'Клиенты' }).waitFor()
    await expect(e.page.locator('th[data-col-key=balance]').textContent()).resolves.toContain('Баланс')
    await e.shot('04-clients-ru')
    await e.page.getByTestId('nav-settings').click()
    await e.shot('05-settings-ru')
    await e.page.getByTestId('theme-dark').click()
    await e.page.getByTestId('nav-clients').click()
    await waitRows((ids) => ids.length > 0)
    await e.shot('06-clients-ru-dark')
    await e.page.getByTestId('theme-light').click()
    await e.page.getByTestId('lang-en').click()
    await e.page.getByTestId('nav-clients').filter({ hasText: 'Clients' }).waitFor()
    // The choice is stored by the backend, so it survives a reload.
    await e.page.getByTestId('lang-ru').click()
    await e.page.reload()
    await e.page.getByTestId('nav-clients').filter({ hasText: 'Клиенты' }).waitFor()
  })

  it('shows the offline state when the platform goes away, keeping the data', async () => {
    await e.server.close()
    await e.page.getByTestId('sync-button').click()
    await e.page.getByTestId('offline-badge').waitFor({ timeout: 30_000 })
    expect((await rowIds()).length).toBeGreaterThan(0)
    await e.shot('07-offline-ru')
  })
})
