/**
 * The backend as the transports see it, around the local store: it opens the database and
 * builds the full backend on it, or, when the file is damaged or cannot be opened, stays up
 * with the store channels only (status, restore a backup, start over, check, open again), so
 * the app can say what happened and offer the way out instead of dying with SQLITE_CORRUPT.
 * A damaged file is never written to: it is kept aside, renamed, and never deleted.
 *
 * It also makes the rotating backups (see db/backup.ts) while the store is open.
 */
import Database from 'better-sqlite3'
import fs from 'node:fs'
import path from 'node:path'
import { isChannel, type ChannelName, type Handlers } from '../shared/contract'
import { AppError, type WireError } from '../shared/errors'
import type { BackupInfo, StoreCheck, StoreState, StoreStatus } from '../shared/types'
import {
  backupDir,
  backupDue,
  createBackup,
  DEFAULT_BACKUP_POLICY,
  findBackup,
  listAside,
  listBackups,
  moveAside,
  restoreBackup,
  rotate,
  verifyBackup,
  type BackupPolicy
} from './db/backup'
import { validateInput as validate } from './channelInput'
import { openStore, type Db } from './db/connection'
import { checkFile, damagedError, openError, wireError } from './db/integrity'
import { SettingsRepo } from './db/settings'
import { liveHolder, syncRunningError } from './db/syncLock'
import { privateDir } from './secrets'
import type { Backend, BackendOptions, Listener } from './backend'

export const STORE_CHANNELS = [
  'store.status',
  'store.check',
  'store.backup',
  'store.restore',
  'store.startOver',
  'store.reopen',
  'store.configure'
] as const satisfies readonly ChannelName[]
export type StoreChannel = (typeof STORE_CHANNELS)[number]
export type StoreHandlers = Pick<Handlers, StoreChannel>

/** Builds the full backend on an open database (service.ts); the store handlers go along. */
export type LiveFactory = (db: Db, dbFile: string, store: StoreHandlers) => Backend

interface Salvage {
  settings: { key: string; value: string }[]
  secrets: { key: string; ciphertext: Buffer }[]
}

/** The settings and encrypted tokens of a file that will be set aside, where they can be read. */
function salvage(file: string): Salvage {
  const out: Salvage = { settings: [], secrets: [] }
  if (!fs.existsSync(file)) return out
  let db: Db | null = null
  try {
    db = new Database(file, { readonly: true, fileMustExist: true })
    try {
      out.settings = db.prepare('SELECT key, value FROM settings').all() as Salvage['settings']
    } catch {
      // that part is damaged too
    }
    try {
      out.secrets = db.prepare('SELECT key, ciphertext FROM secrets').all() as Salvage['secrets']
    } catch {
      // idem
    }
  } catch {
    // not readable at all (not a database): start with no settings
  } finally {
    db?.close()
  }
  return out
}

export function createStoreBackend(options: BackendOptions, live: LiveFactory): Backend {
  privateDir(options.dataDir) // 0700, also when it was made before (by an earlier version, or Electron)
  const dbFile = path.join(options.dataDir, 'sms-desk.sqlite')
  const now = options.now ?? Date.now
  const tuning = options.store ?? {}
  const defaults: BackupPolicy = {
    keep: tuning.keep ?? DEFAULT_BACKUP_POLICY.keep,
    intervalHours: tuning.intervalHours ?? DEFAULT_BACKUP_POLICY.intervalHours
  }
  const listeners = new Set<Listener>()
  const emit: Listener = (event, payload) => {
    for (const l of listeners) l(event, payload)
  }

  let current: Backend | null = null
  let stopForwarding: (() => void) | null = null
  let failure: WireError | null = null
  let failedState: StoreState = 'ok'
  let lastCheck: StoreCheck | null = null
  let backingUp: Promise<BackupInfo> | null = null
  let firstTimer: NodeJS.Timeout | null = null
  let timer: NodeJS.Timeout | null = null
  let queue: Promise<unknown> = Promise.resolve()
  let closed = false

  /** The failure as an error to throw, for the channels that need an open store. */
  const notOpen = (): AppError =>
    failure
      ? new AppError(failure.code, failure.message, failure.params)
      : new AppError('db_unavailable', 'The local database is not open', { file: dbFile, reason: 'closed' })

  const opened = (): Backend => {
    if (!current) throw notOpen()
    return current
  }

  const settingsOf = (b: Backend): SettingsRepo => new SettingsRepo(b.db, options.box)

  const policy = (): BackupPolicy => {
    if (!current) return defaults
    try {
      const s = settingsOf(current)
      return { keep: s.get('store.backupKeep', defaults.keep), intervalHours: s.get('store.backupIntervalHours', defaults.intervalHours) }
    } catch {
      return defaults
    }
  }

  const status = (): StoreStatus => ({
    state: current ? 'ok' : failedState,
    error: current ? null : failure,
    file: dbFile,
    backupDir: backupDir(dbFile),
    backups: listBackups(dbFile),
    ...policy(),
    lastCheck,
    asideFiles: listAside(dbFile)
  })

  const changed = (): void => emit('store.changed', status())

  const stopTimers = (): void => {
    if (firstTimer) clearTimeout(firstTimer)
    if (timer) clearInterval(timer)
    firstTimer = timer = null
  }

  const backupNow = (): Promise<BackupInfo> => {
    const b = opened()
    if (backingUp) return backingUp
    const made = createBackup(b.db, dbFile, { now, keep: policy().keep })
    backingUp = made.finally(() => {
      backingUp = null
    })
    return backingUp.then((info) => {
      changed()
      return info
    })
  }

  /** The scheduled backup: when due, and not while a sync writes (it would restart the copy). */
  const backupIfDue = async (): Promise<void> => {
    if (!current || backingUp || closed) return
    if (current.engine.running || liveHolder(current.db)) return
    if (!backupDue(dbFile, policy(), now)) return
    await backupNow().catch(() => undefined) // reported by the next manual backup, and in the list
  }

  const scheduleBackups = (): void => {
    stopTimers()
    firstTimer = setTimeout(() => void backupIfDue(), tuning.firstCheckMs ?? 60_000)
    firstTimer.unref()
    timer = setInterval(() => void backupIfDue(), tuning.checkEveryMs ?? 3_600_000)
    timer.unref()
  }

  /** Opens the file and builds the backend on it; on failure, remembers why. */
  const open = (prepare?: (db: Db) => void): void => {
    let db: Db | null = null
    try {
      const store = openStore(dbFile, { now })
      db = store.db
      if (store.check) lastCheck = store.check
      prepare?.(db)
      current = live(db, dbFile, handlers)
      db = null
      stopForwarding = current.subscribe((event, payload) => emit(event, payload))
      failure = null
      failedState = 'ok'
      scheduleBackups()
    } catch (e) {
      try {
        db?.close()
      } catch {
        // already closed
      }
      const err = openError(e, dbFile)
      current = null
      failure = err.toWire()
      failedState = err.code === 'db_damaged' ? 'damaged' : 'unavailable'
    }
  }

  /** Closes the open backend (cancelling its sync) and waits for it. */
  const shutdown = async (): Promise<void> => {
    stopTimers()
    const b = current
    if (!b) return
    current = null
    await backingUp?.catch(() => undefined)
    stopForwarding?.()
    stopForwarding = null
    await b.close()
  }

  /**
   * Damage met while open: stop writing at once, and say so. The app's connection turns
   * query-only, and a read-only connection holds a read transaction while the backend closes,
   * so the closing connection is not the last one and does not checkpoint the WAL into the
   * damaged file (the WAL stays beside it, and goes aside with it).
   */
  const goDamaged = async (error: AppError): Promise<void> => {
    let guard: Db | null = null
    try {
      current?.db.pragma('query_only = 1')
      guard = new Database(dbFile, { readonly: true, fileMustExist: true })
      guard.prepare('BEGIN').run()
      guard.prepare('SELECT count(*) FROM sqlite_master').pluck().get()
    } catch {
      // the file does not even read: nothing to hold
    }
    try {
      await shutdown()
    } finally {
      try {
        if (guard?.inTransaction) guard.prepare('ROLLBACK').run()
        guard?.close()
      } catch {
        // closed already
      }
    }
    failure = error.toWire()
    failedState = 'damaged'
    changed()
  }

  /** One store operation at a time (restore, start over, reopen). */
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn)
    queue = run.catch(() => undefined)
    return run
  }

  /** A sync of this file that runs in another process (a CLI): a restore must wait for it. */
  const refuseWhileOtherSync = (): void => {
    if (!current) return
    const holder = liveHolder(current.db)
    if (holder && holder.pid !== process.pid) throw syncRunningError(holder)
  }

  const reopened = (): StoreStatus => {
    const s = status()
    changed()
    if (!current) throw notOpen()
    return s
  }

  const handlers: StoreHandlers = {
    'store.status': () => status(),
    'store.check': async () => {
      if (current) {
        await backingUp?.catch(() => undefined)
        // Its own read-only connection: it reads the file as it is on disk, not the pages the
        // app's connection keeps in its cache.
        const result = checkFile(dbFile, 'full', now)
        lastCheck = result
        if (!result.ok) await goDamaged(damagedError(dbFile, result.problems))
        else changed()
        return result
      }
      if (!fs.existsSync(dbFile)) throw notOpen()
      const result = checkFile(dbFile, 'full', now)
      lastCheck = result
      changed()
      return result
    },
    'store.backup': () => backupNow(),
    'store.restore': ({ name }) =>
      exclusive(async () => {
        const chosen = findBackup(dbFile, name ?? null)
        verifyBackup(chosen.file, now) // before anything is closed or moved
        refuseWhileOtherSync()
        const label = current ? 'replaced' : failedState === 'damaged' ? 'damaged' : 'replaced'
        await shutdown()
        restoreBackup(dbFile, chosen.name, { now, label })
        open()
        return reopened()
      }),
    'store.startOver': () =>
      exclusive(async () => {
        refuseWhileOtherSync()
        const kept = salvage(dbFile)
        const label = current ? 'replaced' : failedState === 'damaged' ? 'damaged' : 'replaced'
        await shutdown()
        moveAside(dbFile, label, now)
        open((db) => {
          const setting = db.prepare('INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)')
          const secret = db.prepare('INSERT OR IGNORE INTO secrets (key, ciphertext) VALUES (?, ?)')
          db.transaction(() => {
            for (const s of kept.settings) setting.run(s.key, s.value)
            for (const s of kept.secrets) secret.run(s.key, s.ciphertext)
          }).immediate()
        })
        const s = reopened()
        // Fill the new file again from the servers the settings name.
        const b = current as Backend | null
        if (b && kept.settings.some((x) => /^connection\.[a-z]+\.url$/.test(x.key) && x.value !== '""')) {
          void b.dispatch('sync.start', {})
        }
        return s
      }),
    'store.reopen': () =>
      exclusive(async () => {
        if (!current) open()
        return reopened()
      }),
    'store.configure': ({ keep, intervalHours }) => {
      const s = settingsOf(opened())
      s.set('store.backupKeep', keep)
      s.set('store.backupIntervalHours', intervalHours)
      rotate(dbFile, keep)
      scheduleBackups()
      return reopened()
    }
  }

  open()

  return {
    get db() {
      return opened().db
    },
    get engine() {
      return opened().engine
    },
    get handlers() {
      return opened().handlers
    },
    async dispatch(channel, input) {
      const storeChannel = isChannel(channel) && (STORE_CHANNELS as readonly string[]).includes(channel)
      if (isChannel(channel) && (storeChannel || (channel === 'app.info' && !current))) {
        const parsed = validate(channel, input)
        if (!parsed.ok) return parsed
        try {
          if (channel === 'app.info') {
            const { version, mode, dataDir, secretStorage = 'keyFile' } = options
            return { ok: true, value: { version, mode, dataDir, demoAvailable: false, secretStorage } }
          }
          const handler = handlers[channel as StoreChannel] as (i: unknown) => unknown
          return { ok: true, value: await handler(parsed.value) }
        } catch (e) {
          return { ok: false, error: wireError(e) }
        }
      }
      const b = current
      if (!b) {
        if (!isChannel(channel)) {
          return { ok: false, error: { code: 'unknown_channel', message: `Unknown channel ${String(channel).slice(0, 60)}` } }
        }
        return { ok: false, error: notOpen().toWire() }
      }
      const result = await b.dispatch(channel, input)
      // SQLite found damage while reading or writing: never write to the file again.
      if (!result.ok && result.error.code === 'db_damaged' && current === b) {
        await goDamaged(new AppError('db_damaged', result.error.message, { ...result.error.params, file: dbFile }))
      }
      return result
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    startDemo: () => opened().startDemo(),
    async close() {
      closed = true
      await queue.catch(() => undefined)
      await shutdown()
    }
  }
}
