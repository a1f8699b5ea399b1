/** End-to-end fixture: the reference server, the real backend and the bridge, and Debian Chromium. */
import fs from 'node:fs'
import path from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { keyFileBox } from '../../src/backend/secrets'
import { createBackend, type Backend } from '../../src/backend/service'
import { startReferenceServer, type ReferenceServer, type ReferenceServerOptions } from '../../src/refserver/server'
import { startBridge, type Bridge } from '../../tools/bridge/server'
import { tempDir } from '../helpers'

export const ARTIFACTS = path.resolve('test-artifacts')

export interface E2E {
  server: ReferenceServer
  backend: Backend
  bridge: Bridge
  browser: Browser
  page: Page
  /** A folder for this run's exports. */
  exportDir: string
  shot(name: string): Promise<string>
  close(): Promise<void>
}

export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean) as string[]
  const found = candidates.find((p) => fs.existsSync(p))
  if (!found) throw new Error('Chromium not found: run "npm run setup" (installs Debian chromium) or set CHROMIUM_PATH')
  return found
}

export async function startE2E(serverOptions: ReferenceServerOptions = {}): Promise<E2E> {
  const staticDir = path.resolve('out/web')
  if (!fs.existsSync(path.join(staticDir, 'index.html'))) throw new Error('Run "npm run build:web" first')
  fs.mkdirSync(ARTIFACTS, { recursive: true })
  const tmp = tempDir('smsdesk-e2e-')
  // The data folder and a home folder beside it: exports go to the home, never into the data.
  const dataDir = path.join(tmp.dir, 'data')
  const home = path.join(tmp.dir, 'home')
  const server = await startReferenceServer({ seed: 5, clients: 137, ...serverOptions })
  const backend = createBackend({
    dataDir,
    box: keyFileBox(dataDir),
    mode: 'browser',
    version: 'e2e',
    homeDir: home,
    defaultExportDir: path.join(home, 'SMS Desk exports'),
    sync: { timeoutMs: 3000, retry: { retries: 3, baseDelayMs: 10, maxDelayMs: 100 }, pageSize: 50 },
    demo: { seed: 3, clients: 150 }
  })
  const bridge = await startBridge({ backend, staticDir })
  const exportDir = path.join(home, 'exports')
  fs.mkdirSync(exportDir, { recursive: true })
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
  })
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(String(e)))
  await page.goto(bridge.openUrl)
  return {
    server,
    backend,
    bridge,
    browser,
    page,
    exportDir,
    async shot(name) {
      const file = path.join(ARTIFACTS, `${name}.png`)
      await page.screenshot({ path: file, fullPage: false })
      return file
    },
    async close() {
      await browser.close()
      await bridge.close()
      await backend.close()
      await server.close()
      tmp.cleanup()
      if (errors.length) throw new Error(`Errors in the page: ${errors.join('; ')}`)
    }
  }
}
