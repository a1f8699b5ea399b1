/**
 * npm run web [-- --port 5199 --data DIR --platform URL --no-demo]
 * Serves the built renderer (out/web) and the backend on 127.0.0.1 and prints the URL to open.
 * With no platform connection configured it starts the reference server as demo data.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { keyFileBox } from '../../src/backend/secrets'
import { createBackend } from '../../src/backend/service'
import type { StoreStatus } from '../../src/shared/types'
import { sourceSyncWorker, sourceWorker, startBridge } from './server'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    data: { type: 'string', default: path.join(os.homedir(), '.sms-desk-browser') },
    platform: { type: 'string' },
    'no-demo': { type: 'boolean', default: false }
  }
})

const staticDir = path.resolve('out/web')
if (!fs.existsSync(path.join(staticDir, 'index.html'))) {
  console.error('The renderer is not built: run "npm run build:web" (npm run web does it for you).')
  process.exit(1)
}
const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { version: string }
const dataDir = path.resolve(values.data)
const backend = createBackend({
  dataDir,
  box: keyFileBox(dataDir),
  mode: 'browser',
  version: pkg.version,
  // Syncs run in a worker thread; tsx loads its TypeScript source.
  syncWorker: sourceSyncWorker(),
  readerWorker: sourceWorker('src/backend/sync/readerWorker.ts'),
  workers: { export: sourceWorker('src/backend/export/worker.ts'), stats: sourceWorker('src/backend/stats/zoneWorker.ts') }
})

// A damaged (or unopenable) database is not written to: the app opens on a screen that says
// so and offers to restore a backup or start over; no demo, no sync until then.
const store = await backend.dispatch('store.status', {})
const storeError = store.ok ? (store.value as StoreStatus).error : store.error
if (storeError) {
  console.error(`The local database cannot be used: ${storeError.message}`)
  console.error('Open the app to restore a backup or start over (npm run cli -- restore --db FILE --latest also restores one).')
} else {
  if (values.platform) {
    const r = await backend.dispatch('settings.save', { connections: { platform: { url: values.platform } } })
    if (!r.ok) {
      console.error(r.error.message)
      process.exit(2)
    }
  }
  const settings = await backend.dispatch('settings.get', {})
  const configured = settings.ok && (settings.value as { connections: { platform: { url: string } } }).connections.platform.url
  if (!configured && !values['no-demo']) {
    const url = await backend.startDemo()
    console.log(`Demo data: the reference server runs on ${url}; syncing…`)
    void backend.dispatch('sync.start', {})
  }
}

const bridge = await startBridge({ backend, staticDir, port: Number(values.port) }).catch(async (e: unknown) => {
  console.error(`Cannot serve on 127.0.0.1:${values.port}: ${e instanceof Error ? e.message : String(e)}`)
  await backend.close()
  process.exit(2)
})
console.log(`SMS Desk (browser mode), data in ${dataDir}`)
console.log(`Open ${bridge.openUrl}`)
const stop = (): void => {
  void bridge.close().then(() => backend.close()).then(() => process.exit(0))
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
