/**
 * A finished export downloaded through the browser bridge in Chromium: Download asks the bridge
 * for a single-use ticket and the browser saves exactly the file the export wrote. The token
 * travels only in the Authorization header (the calls and the event stream), never in a URL.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { Request } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startE2E, type E2E } from './browser'

let e: E2E
const requests: Request[] = []
const written: string[] = []

beforeAll(async () => {
  e = await startE2E({ clients: 30 })
  e.page.on('request', (r) => requests.push(r))
  await e.backend.dispatch('settings.save', { connections: { platform: { url: e.server.url } } })
  await e.backend.dispatch('sync.start', {})
  await e.page.reload()
})
afterAll(async () => {
  for (const file of written) fs.rmSync(file, { force: true })
  await e?.close()
})

describe('export download in Chromium', () => {
  it('downloads the finished export, byte for byte, once per click', async () => {
    await e.page.locator('[data-testid=client-row]').first().waitFor({ timeout: 30_000 })
    await e.page.getByTestId('export-button').first().click()
    await e.page.getByTestId('export-dialog').waitFor()
    await e.page.getByTestId('export-format-csv').click()
    await e.page.getByTestId('export-confirm').click()
    const done = e.page.getByTestId('export-done')
    await done.waitFor({ timeout: 30_000 })
    const file = (await done.getAttribute('data-file'))!
    expect(file).toMatch(/\.csv$/)
    written.push(file)
    const bytes = fs.readFileSync(file)
    expect(bytes.toString('utf8')).toContain('\n') // a header and 30 clients

    const links: string[] = []
    for (let i = 0; i < 2; i++) {
      const [download] = await Promise.all([e.page.waitForEvent('download'), e.page.getByTestId('export-download').click()])
      links.push(download.url())
      expect(download.suggestedFilename()).toBe(path.basename(file))
      expect(await download.failure()).toBeNull()
      const saved = fs.readFileSync((await download.path())!)
      expect(saved.equals(bytes)).toBe(true)
    }

    for (const link of links) expect(link).toMatch(/\/api\/download\/[0-9a-f-]{36}\?ticket=[A-Za-z0-9_-]{43}$/)
    expect(new Set(links).size).toBe(2) // a new ticket for each click
    // Each ticket is spent: the link downloads nothing a second time.
    for (const link of links) expect((await fetch(link)).status).toBe(401)
    await e.shot('30-export-download-en')
  })

  it('reads the event stream with the token in the Authorization header, and never puts the token in a URL', async () => {
    const events = requests.filter((r) => new URL(r.url()).pathname === '/api/events')
    expect(events.length).toBeGreaterThan(0)
    for (const r of events) expect(r.headers().authorization).toBe(`Bearer ${e.bridge.token}`)
    expect(requests.map((r) => r.url()).filter((u) => u.includes(e.bridge.token) || /[?&]token=/.test(u))).toEqual([])
    expect(requests.filter((r) => new URL(r.url()).pathname === '/api/ticket').length).toBe(2)
  })
})
