/**
 * Demo data and the sync panel end to end: the first-run demo fills every source, the panel
 * shows each stream with its rows and last success, and a source that goes down shows its
 * translated error while the others go on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startE2E, type E2E } from './browser'

let e: E2E

beforeAll(async () => {
  e = await startE2E({ clients: 60, messages: 3000, sims: 4, simActions: 200, dispatches: 6 })
})
afterAll(async () => {
  await e?.close()
})

describe('sync panel in Chromium', () => {
  it('loads demo data for all three sources from the empty first run', async () => {
    await e.page.getByTestId('demo-button').click()
    await e.page.locator('[data-testid=client-row]').first().waitFor({ timeout: 30_000 })
    await e.page.getByTestId('sync-panel-open').click()
    const panel = e.page.getByTestId('sync-panel')
    await panel.waitFor()
    const rows = async (stream: string): Promise<number> =>
      Number(await panel.locator(`[data-testid=sync-stream][data-stream="${stream}"] [data-testid=sync-stream-rows]`).getAttribute('data-rows'))
    for (const stream of ['platform.clients', 'platform.messages', 'sim.call_sms', 'dispatch.reports']) {
      await expect.poll(() => rows(stream), { timeout: 20_000 }).toBeGreaterThan(0)
    }
    await expect(panel.locator('[data-testid=sync-stream-error]').count()).resolves.toBe(0)
    await expect(panel.locator('[data-testid=sync-stream-not-configured]').count()).resolves.toBe(0)
    await e.page.waitForTimeout(600) // the drawer's slide-in
    await e.shot('10-sync-panel-en')
  })

  it('shows a source that is down with its error, in Russian', async () => {
    // Point the SIM provider at a closed port; the platform and dispatch streams still sync.
    await e.backend.dispatch('settings.save', { connections: { sim: { url: 'http://127.0.0.1:9' } } })
    await e.page.keyboard.press('Escape')
    await e.page.getByTestId('sync-panel').waitFor({ state: 'hidden' })
    await e.page.getByTestId('lang-ru').click()
    await e.page.getByTestId('sync-panel-open').click()
    await e.page.getByTestId('sync-panel-start').click()
    const failed = e.page.locator('[data-testid=sync-stream][data-stream="sim.call_sms"] [data-testid=sync-stream-error]')
    await failed.waitFor({ timeout: 60_000 })
    await expect(failed.getAttribute('data-code')).resolves.toBe('server_unreachable')
    await expect(e.page.getByTestId('sync-panel').textContent()).resolves.toContain('Клиенты')
    await e.shot('11-sync-panel-error-ru')
  })
})
