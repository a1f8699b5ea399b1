/**
 * The backend: owns the database, the sync engine and the demo server, and implements every
 * channel of the shared contract. Electron-free, so Electron's IPC, the browser bridge and the
 * tests all drive the very same object.
 */
import os from 'node:os'
import path from 'node:path'
import { isChannel, type Handlers, type SettingsPatch } from '../shared/contract'
import { AppError, type Envelope } from '../shared/errors'
import type { SettingsView, SourceKind, SyncRunSummary, SyncStatus } from '../shared/types'
import { SOURCE_KINDS } from '../shared/types'
import { ClientsRepo } from './db/clients'
import type { Db } from './db/connection'
import { wireError } from './db/integrity'
import { validateInput } from './channelInput'
import type { Backend, BackendOptions, Listener } from './backend'
import { createStoreBackend, type StoreHandlers } from './storeService'
import { ConnectionSettings, SettingsRepo, type Connection } from './db/settings'
import { joinUrl } from './url'
import type { BackendDeps } from './deps'
import { clientPageHandlers, flushOutbox, stopOutbox } from './outbox/handlers'
import { exportHandlers, exportService } from './export/handlers'
import { checkExportDir, insideDataDir } from './export/destinations'
import { statsHandlers } from './stats/handlers'
import { StatsZoneService } from './stats/zoneService'
import { isSimSelector, parseProviderDate } from '../shared/sim'
import { effectiveTimeZone, systemTimeZone } from '../shared/zone'
import { SyncHost } from './sync/host'
import { requestJson } from './sync/http'
import type { SimOptions } from './sync/types'
import { ALL_STREAMS, DEFAULT_SIM_OPTIONS } from './sync/streams'
import { liveHolder } from './db/syncLock'
import { startReferenceServer, type ReferenceServer } from '../refserver/server'

export type { Backend, BackendOptions } from './backend'

const TEST_PATHS: Record<SourceKind, { method: 'GET' | 'POST'; path: string; body?: unknown }> = {
  platform: { method: 'GET', path: 'api/v1/clients/?page_size=1' },
  sim: { method: 'POST', path: 'api/report/call_sms', body: { select: ['all'], page: 0, size: 1 } },
  dispatch: { method: 'GET', path: 'api/v1/dispatch-reports/' }
}

/**
 * Maps any thrown value to a wire error; internal details are not leaked beyond a message.
 * SQLite's damage codes become db_damaged (the store then closes), a full disk disk_full.
 */
export function toEnvelopeError(e: unknown): Envelope<never> {
  return { ok: false, error: wireError(e) }
}

/**
 * The backend: opens the local store (refusing a damaged file without writing to it) and
 * builds everything on it; when the store cannot be opened it still answers the store
 * channels, so the app can offer to restore a backup or start over (storeService.ts).
 */
export function createBackend(options: BackendOptions): Backend {
  return createStoreBackend(options, (db, dbFile, store) => createLiveBackend(options, db, dbFile, store))
}

function createLiveBackend(options: BackendOptions, db: Db, dbFile: string, store: StoreHandlers): Backend {
  const settings = new SettingsRepo(db, options.box)
  const connections = new ConnectionSettings(settings)
  try {
    connections.bindLegacy(SOURCE_KINDS) // tokens saved before they were bound to their server's origin
  } catch {
    // the file is busy: the tokens stay bound to the URL stored with them until the next start
  }
  const clients = new ClientsRepo(db)
  const listeners = new Set<Listener>()
  const emit: Listener = (event, payload) => {
    for (const l of listeners) l(event, payload)
  }
  let online = true
  let demoServer: ReferenceServer | null = null
  let timer: NodeJS.Timeout | null = null

  /** A token goes only to the origin it was saved for (db/settings.ts). */
  const connection = (kind: SourceKind): Connection => connections.connection(kind)

  const simOptions = (): SimOptions => {
    const select = settings.get<string[]>('sim.select', DEFAULT_SIM_OPTIONS.select).filter(isSimSelector)
    const from = settings.get<string>('sim.from', '')
    return {
      select: select.length ? select : ['all'],
      trailingDays: settings.get('sim.trailingDays', DEFAULT_SIM_OPTIONS.trailingDays),
      from: from ? parseProviderDate(from) : null,
      deepEveryDays: settings.get('sim.deepEveryDays', DEFAULT_SIM_OPTIONS.deepEveryDays),
      deepDays: settings.get('sim.deepDays', DEFAULT_SIM_OPTIONS.deepDays)
    }
  }

  const engine = new SyncHost({
    db,
    dbFile,
    connections: () => Object.fromEntries(SOURCE_KINDS.map((k) => [k, connection(k)])),
    sim: simOptions,
    tuning: options.sync ?? {},
    worker: options.syncWorker,
    reader: options.readerWorker,
    onProgress: (p) => emit('sync.progress', p)
  })

  /** The zone whose days everything uses: the one chosen in Settings, else this computer's. */
  const timeZone = (): string => effectiveTimeZone(settings.get<string>('timeZone', ''), systemTimeZone())
  const statsZone = new StatsZoneService({
    db,
    dbFile,
    worker: options.workers?.stats,
    syncIdle: () => engine.idle(),
    onStatus: (s) => emit('stats.zone', s),
    onRegrouped: () => emit('data.changed', { tables: ['stats'] })
  })

  const tableCounts = (): Record<string, number> => {
    const out: Record<string, number> = {}
    for (const s of ALL_STREAMS) out[s.name] = db.prepare(`SELECT count(*) FROM ${s.table}`).pluck().get() as number
    return out
  }

  const status = (): SyncStatus => {
    const streams = engine.state.states(ALL_STREAMS, tableCounts())
    const successes = streams.map((s) => s.lastSuccessAt).filter((s): s is string => !!s).sort()
    return {
      running: engine.running,
      progress: engine.progress,
      online,
      lastSuccessAt: successes.length ? successes[successes.length - 1] : null,
      streams,
      lastRun: engine.state.lastRun()
    }
  }

  /* The export folder: never in the data folder. Electron changes it only through its folder
     dialog; the browser mode takes a typed one that exists inside the home folder. */
  const exportPlaces = { dataDir: options.dataDir, dbFile }
  const homeDir = options.homeDir ?? os.homedir()
  const defaultExportDir = options.defaultExportDir ?? path.join(homeDir, 'SMS Desk exports')
  const folderDialog = options.mode === 'electron' || options.chooseFolder !== undefined
  /** The folder chosen in Settings, unless it lies in the data folder (as the old default did). */
  const exportDir = (): string => {
    const chosen = settings.get<string>('exportDir', '')
    return chosen && !insideDataDir(chosen, exportPlaces) ? chosen : defaultExportDir
  }
  /** A typed export folder, checked ('' = back to the default). */
  const typedExportDir = (dir: string): string => {
    if (folderDialog) {
      throw new AppError('export_dir_dialog_only', 'exportDir: choose the export folder with the folder dialog', { field: 'exportDir' })
    }
    return dir === '' ? '' : checkExportDir(dir, exportPlaces, homeDir)
  }
  const chooseExportDir = async (): Promise<SettingsView> => {
    if (!options.chooseFolder) throw new AppError('dialog_unavailable', 'There is no folder dialog here: type the export folder')
    const dir = await options.chooseFolder(exportDir())
    if (dir !== null) settings.set('exportDir', checkExportDir(dir, exportPlaces))
    return settingsView()
  }

  const settingsView = (): SettingsView => ({
    connections: Object.fromEntries(SOURCE_KINDS.map((k) => [k, connections.view(k)])) as SettingsView['connections'],
    sim: {
      select: settings.get('sim.select', DEFAULT_SIM_OPTIONS.select),
      trailingDays: settings.get('sim.trailingDays', DEFAULT_SIM_OPTIONS.trailingDays),
      from: settings.get('sim.from', ''),
      deepEveryDays: settings.get('sim.deepEveryDays', DEFAULT_SIM_OPTIONS.deepEveryDays),
      deepDays: settings.get('sim.deepDays', DEFAULT_SIM_OPTIONS.deepDays)
    },
    language: settings.get('language', 'en'),
    theme: settings.get('theme', 'system'),
    syncIntervalMinutes: settings.get('syncIntervalMinutes', 0),
    exportDir: exportDir(),
    timeZone: settings.get('timeZone', ''),
    systemTimeZone: systemTimeZone(),
    statsZone: statsZone.status()
  })

  const schedule = (): void => {
    if (timer) clearInterval(timer)
    timer = null
    const minutes = settingsView().syncIntervalMinutes
    if (minutes > 0) {
      timer = setInterval(() => {
        if (!engine.running) void runSync().catch(() => undefined)
      }, minutes * 60_000)
      timer.unref()
    }
  }

  const runSync = async (): Promise<SyncRunSummary> => {
    // The statistics are being regrouped for a new zone: the sync writes them too, so it waits.
    if (statsZone.busy && !engine.running) await statsZone.idle()
    const pending = engine.run()
    emit('sync.status', status())
    const summary = await pending
    const errors = Object.values(summary.streams).map((s) => s.error)
    online = !(errors.length > 0 && errors.every((e) => e && ['server_unreachable', 'server_timeout'].includes(e.code)))
    emit('sync.status', status())
    emit('data.changed', { tables: ALL_STREAMS.map((s) => s.table) })
    void flushOutbox(deps) // the platform was just reachable: send pending writes
    return summary
  }

  const saveSettings = (patch: SettingsPatch): SettingsView => {
    const typedDir = patch.exportDir === undefined ? undefined : typedExportDir(patch.exportDir)
    db.transaction(() => {
      for (const kind of SOURCE_KINDS) {
        const c = patch.connections?.[kind]
        if (!c) continue
        connections.save(kind, c)
        if (c.url !== undefined && kind === 'platform') settings.set('demo.active', false)
      }
      if (patch.sim) {
        settings.set('sim.select', patch.sim.select)
        settings.set('sim.trailingDays', patch.sim.trailingDays)
        settings.set('sim.from', patch.sim.from)
        if (patch.sim.deepEveryDays !== undefined) settings.set('sim.deepEveryDays', patch.sim.deepEveryDays)
        if (patch.sim.deepDays !== undefined) settings.set('sim.deepDays', patch.sim.deepDays)
      }
      for (const key of ['language', 'theme', 'syncIntervalMinutes', 'timeZone'] as const) {
        if (patch[key] !== undefined) settings.set(key, patch[key])
      }
      if (typedDir !== undefined) settings.set('exportDir', typedDir)
    })()
    if (patch.syncIntervalMinutes !== undefined) schedule()
    if (patch.timeZone !== undefined) void statsZone.ensure(timeZone())
    return settingsView()
  }

  const startDemo = async (): Promise<string> => {
    if (!demoServer) {
      // Anchored to the start of the day, so restarting the demo serves the same records; its
      // clock then follows the wall clock, so delivery reports keep landing while it runs.
      const day = new Date()
      day.setUTCHours(0, 0, 0, 0)
      demoServer = await startReferenceServer({
        seed: options.demo?.seed ?? 1,
        clients: options.demo?.clients ?? 2000,
        now: day.getTime(),
        realtime: true
      })
    }
    for (const kind of SOURCE_KINDS) settings.set(`connection.${kind}.url`, demoServer.url)
    settings.set('demo.active', true)
    return demoServer.url
  }

  const deps: BackendDeps = {
    db,
    dbFile,
    dataDir: options.dataDir,
    settings,
    connection,
    emit,
    exportDir,
    workers: options.workers,
    chooseSaveFile: options.chooseSaveFile,
    timeZone
  }

  const stats = statsHandlers(deps)
  // A sync of this process or another holds the lock row while it writes (db/syncLock.ts).
  const exports = exportService(deps, stats['stats.query'], { timeZone, syncRunning: () => liveHolder(db) !== null, now: options.now })
  const handlers: Handlers = {
    ...clientPageHandlers(deps),
    ...stats,
    ...exportHandlers(exports),
    'app.info': () => ({
      version: options.version,
      mode: options.mode,
      dataDir: options.dataDir,
      demoAvailable: true,
      secretStorage: options.secretStorage ?? 'keyFile'
    }),
    'settings.get': () => settingsView(),
    'settings.save': (patch) => saveSettings(patch),
    'settings.chooseExportDir': () => chooseExportDir(),
    'connections.test': async ({ source, url, token }) => {
      if (!url) throw new AppError('not_configured', 'Enter the server address first')
      const t = TEST_PATHS[source]
      const started = Date.now()
      await requestJson(joinUrl(url, t.path), {
        method: t.method,
        body: t.body,
        token: connections.testToken(source, url, token),
        timeoutMs: 10_000,
        retry: { retries: 0 }
      })
      online = true
      return { ok: true as const, latencyMs: Date.now() - started }
    },
    'clients.list': (q) => clients.list(q),
    'clients.get': ({ id }) => clients.get(id),
    'sync.start': () => runSync(),
    'sync.cancel': () => ({ cancelled: engine.cancel() }),
    'sync.status': () => status(),
    'demo.start': async () => {
      const url = await startDemo()
      return { url }
    },
    ...store
  }

  schedule()
  // The statistics follow the zone in force (also after the computer's zone or the time zone database changed).
  void statsZone.ensure(timeZone())
  // A demo chosen on an earlier run comes back on its new loopback port.
  const demoReady = settings.get('demo.active', false) ? startDemo().catch(() => undefined) : Promise.resolve()

  return {
    db,
    engine,
    handlers,
    async dispatch(channel, input) {
      if (!isChannel(channel)) {
        return { ok: false, error: { code: 'unknown_channel', message: `Unknown channel ${String(channel).slice(0, 60)}` } }
      }
      const parsed = validateInput(channel, input)
      if (!parsed.ok) return parsed
      try {
        await demoReady
        const handler = handlers[channel] as (i: unknown) => unknown
        return { ok: true, value: await handler(parsed.value) }
      } catch (e) {
        return toEnvelopeError(e)
      }
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    startDemo,
    async close() {
      if (timer) clearInterval(timer)
      engine.cancel()
      await engine.idle()
      stopOutbox(deps)
      await exports.close()
      await statsZone.close()
      await demoServer?.close()
      demoServer = null
      db.close()
    }
  }
}
