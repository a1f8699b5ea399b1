/**
 * The local store in Chromium: a damaged database opens on a screen that says so (English and
 * Russian) and offers to restore the latest backup or to start over; restoring brings the app
 * back with the backup's data. Settings › Local store lists the backups, makes one and checks
 * the file's integrity. Screenshots go to test-artifacts/.
 */
import fs from 'node:fs'
import path from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBackup } from '../../src/backend/db/backup'
import { keyFileBox } from '../../src/backend/secrets'
import { createBackend, type Backend } from '../../src/backend/service'
import { startReferenceServer, type ReferenceServer } from '../../src/refserver/server'
import { startBridge, type Bridge } from '../../tools/bridge/server'
import { tempDir } from '../helpers'
import { damage, sha } from '../storeDamage'
import { ARTIFACTS, chromiumPath } from './browser'

let tmp: ReturnType<typeof tempDir>
let server: ReferenceServer
let backend: Backend
let bridge: Bridge
let browser: Browser
let page: Page
let dbFile: string
let damagedHash: string
const errors: string[] = []

beforeAll(async () => {
  const staticDir = path.resolve('out/web')
  if (!fs.existsSync(path.join(staticDir, 'index.html'))) throw new Error('Run "npm run build:web" first')
  fs.mkdirSync(ARTIFACTS, { recursive: true })
  tmp = tempDir('smsdesk-e2e-store-')
  server = await startReferenceServer({ seed: 12, clients: 42, messages: 400, sims: 2, simActions: 2, dispatches: 3, days: 5 })
  // A synced database with one backup; then its clients pages are overwritten.
  const dataDir = tmp.dir
  dbFile = path.join(dataDir, 'sms-desk.sqlite')
  const seed = createBackend({ dataDir, box: keyFileBox(dataDir), mode: 'browser', version: 'e2e' })
  await seed.dispatch('settings.save', { connections: { platform: { url: server.url } } })
  expect((await seed.dispatch('sync.start', {})).ok).toBe(true)
  await createBackup(seed.db, dbFile, { now: () => Date.parse('2026-03-02T07:45:00Z') })
  seed.db.pragma('wal_checkpoint(TRUNCATE)')
  await seed.close()
  damage(dbFile, 'page')
  damagedHash = sha(dbFile)

  backend = createBackend({ dataDir, box: keyFileBox(dataDir), mode: 'browser', version: 'e2e' })
  bridge = await startBridge({ backend, staticDir })
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
  })
  page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'en-US' })
  page.on('pageerror', (e) => errors.push(String(e)))
  await page.goto(bridge.openUrl)
})

afterAll(async () => {
  await browser?.close()
  await bridge?.close()
  await backend?.close()
  await server?.close()
  tmp?.cleanup()
  if (errors.length) throw new Error(`Errors in the page: ${errors.join('; ')}`)
})

const shot = async (name: string): Promise<string> => {
  const file = path.join(ARTIFACTS, `${name}.png`)
  await page.screenshot({ path: file, fullPage: false })
  return file
}

describe('a damaged database in Chromium', () => {
  it('opens on the damaged-database screen, in English and in Russian', async () => {
    const screen = page.getByTestId('store-damaged')
    await screen.waitFor({ timeout: 20_000 })
    expect(await screen.getAttribute('data-state')).toBe('damaged')
    expect(await page.getByTestId('store-damaged-title').innerText()).toBe('The local database is damaged')
    expect(await page.getByTestId('store-damaged-error').innerText()).toMatch(/^The local database is damaged \(.+\)\. SMS Desk has not changed it/)
    expect(await page.getByTestId('store-damaged-restore').innerText()).toContain('Restore the latest backup')
    expect(await page.getByTestId('store-start-over').isVisible()).toBe(true)
    expect(await page.locator('[data-testid=client-row]').count()).toBe(0) // no app shell behind it
    await shot('40-store-damaged-en')

    await page.getByTestId('store-language-ru').click()
    await expect.poll(() => page.getByTestId('store-damaged-title').innerText()).toBe('Локальная база данных повреждена')
    expect(await page.getByTestId('store-damaged-error').innerText()).toMatch(/^Локальная база данных повреждена/)
    expect(await page.getByTestId('store-restore').innerText()).toBe('Восстановить копию')
    await shot('41-store-damaged-ru')
    expect(sha(dbFile)).toBe(damagedHash)
    await page.getByTestId('store-language-en').click()
  })

  it('restores the latest backup: the app comes back with its data, the damaged file kept aside', async () => {
    await page.getByTestId('store-restore').click()
    await page.locator('[data-testid=client-row]').first().waitFor({ timeout: 30_000 })
    const status = await backend.dispatch('store.status', {})
    expect(status).toMatchObject({ ok: true, value: { state: 'ok' } })
    const aside = (status as { ok: true; value: { asideFiles: string[] } }).value.asideFiles
    expect(aside).toHaveLength(1)
    expect(sha(aside[0])).toBe(damagedHash)
  })

  it('Settings › Local store: backups, Back up now, Check integrity', async () => {
    const card = page.getByTestId('store-card')
    // The restore of the previous test reopens the store and remounts the app: a click that
    // lands while it remounts is lost, so click until Settings shows.
    await expect
      .poll(
        async () => {
          await page.getByTestId('nav-settings').click()
          return card.isVisible()
        },
        { timeout: 20_000, interval: 500 }
      )
      .toBe(true)
    await card.scrollIntoViewIfNeeded()
    expect(await page.locator('[data-testid^=store-backup-sms-desk-]').count()).toBe(1)
    await page.getByTestId('store-backup-now').click()
    await expect.poll(() => page.locator('[data-testid^=store-backup-sms-desk-]').count(), { timeout: 10_000 }).toBe(2)
    await page.getByTestId('store-check').click()
    await expect.poll(() => page.getByTestId('store-check-result').getAttribute('data-ok'), { timeout: 10_000 }).toBe('true')
    expect(await page.getByTestId('store-check-result').innerText()).toMatch(/^No problems found: full check at /)
    expect(await page.getByTestId('store-aside').innerText()).toContain('sms-desk.sqlite.damaged-')
    await card.scrollIntoViewIfNeeded()
    await shot('42-store-card-en')
  })

  it('the sync panel shows a run whose process died as interrupted', async () => {
    const summary = { runId: 'killed', startedAt: '2999-01-01T00:00:00.000Z', finishedAt: '', seconds: 0, cancelled: false, streams: {} }
    backend.db
      .prepare("INSERT INTO sync_runs (id, started_at, summary, status, pid, host) VALUES ('killed', ?, ?, 'interrupted', 4242, 'here')")
      .run(summary.startedAt, JSON.stringify(summary))
    expect(await backend.dispatch('sync.status', {})).toMatchObject({ ok: true, value: { lastRun: { runId: 'killed', status: 'interrupted', pid: 4242 } } })
    await page.reload()
    await page.getByTestId('sync-panel-open').click()
    const run = page.getByTestId('sync-last-run')
    await expect.poll(() => run.getAttribute('data-state'), { timeout: 10_000 }).toBe('interrupted')
    expect(await page.getByTestId('sync-last-run-state').innerText()).toBe('Interrupted')
    expect(await page.getByTestId('sync-last-run-interrupted').innerText()).toContain('stopped before its end')
    await page.waitForTimeout(600) // the drawer's slide-in
    await run.scrollIntoViewIfNeeded()
    await shot('43-sync-run-interrupted-en')
  })
})
