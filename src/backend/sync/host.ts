/**
 * Runs syncs for the backend: in a worker thread when a worker script is given (the app and
 * the browser bridge), in-process otherwise (tests, the CLI). Same surface either way.
 */
import { Worker } from 'node:worker_threads'
import { AppError } from '../../shared/errors'
import type { SourceKind, SyncProgress, SyncRunSummary } from '../../shared/types'
import type { Db } from '../db/connection'
import type { Connection } from '../db/settings'
import { SyncStateRepo } from '../db/syncState'
import type { WorkerScript } from '../workers'
import { SyncEngine } from './engine'
import type { SyncTuning, WorkerMessage, WorkerRequest } from './protocol'
import { createStreams } from './streams'
import type { SimOptions } from './types'

export interface SyncHostOptions {
  db: Db
  dbFile: string
  connections: () => Partial<Record<SourceKind, Connection>>
  sim: () => SimOptions
  tuning: SyncTuning
  worker?: WorkerScript
  /** The keyset reader thread's script, run from the sync worker. */
  reader?: WorkerScript
  onProgress: (p: SyncProgress) => void
}

export class SyncHost {
  readonly state: SyncStateRepo
  private current: SyncProgress | null = null
  private active: { cancel(): void; done: Promise<SyncRunSummary> } | null = null

  constructor(private readonly options: SyncHostOptions) {
    this.state = new SyncStateRepo(options.db)
  }

  get running(): boolean {
    return this.active !== null
  }

  get progress(): SyncProgress | null {
    return this.current
  }

  cancel(): boolean {
    if (!this.active) return false
    this.active.cancel()
    return true
  }

  async idle(): Promise<void> {
    await this.active?.done.catch(() => undefined)
  }

  run(): Promise<SyncRunSummary> {
    if (this.active) return Promise.reject(new AppError('sync_running', 'A sync is already running'))
    const onProgress = (p: SyncProgress): void => {
      this.current = p
      this.options.onProgress(p)
    }
    const active = this.options.worker ? this.inWorker(this.options.worker, onProgress) : this.inProcess(onProgress)
    this.active = active
    return active.done.finally(() => {
      this.active = null
      this.current = null
    })
  }

  private inProcess(onProgress: (p: SyncProgress) => void): { cancel(): void; done: Promise<SyncRunSummary> } {
    const engine = new SyncEngine({
      db: this.options.db,
      streams: createStreams(this.options.sim),
      connections: this.options.connections,
      ...this.options.tuning,
      onProgress
    })
    return { cancel: () => engine.cancel(), done: engine.run() }
  }

  private inWorker(script: WorkerScript, onProgress: (p: SyncProgress) => void): { cancel(): void; done: Promise<SyncRunSummary> } {
    // Read first (the tokens may fail to decrypt): no worker is left waiting for a run that never comes.
    const request: WorkerRequest = {
      type: 'run',
      dbFile: this.options.dbFile,
      connections: this.options.connections(),
      sim: this.options.sim(),
      tuning: this.options.tuning,
      reader: this.options.reader
    }
    const worker = new Worker(script.path, { workerData: script.workerData })
    const done = new Promise<SyncRunSummary>((resolve, reject) => {
      worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'progress') onProgress(m.progress)
        else if (m.type === 'done') resolve(m.summary)
        else reject(m.error ? new AppError(m.error.code, m.error.message, m.error.params) : new AppError('internal', m.message))
      })
      worker.on('error', (e) => reject(new AppError('internal', `The sync worker failed: ${e.message}`)))
      worker.on('exit', (code) => {
        if (code !== 0) reject(new AppError('internal', `The sync worker stopped (exit code ${code})`))
      })
    }).finally(() => void worker.terminate())
    worker.postMessage(request)
    return { cancel: () => worker.postMessage({ type: 'cancel' } satisfies WorkerRequest), done }
  }
}
