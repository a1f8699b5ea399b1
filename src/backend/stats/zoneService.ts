/**
 * Keeps the statistics grouped by the days of the zone in force (Settings, or this computer's):
 * at start and whenever the zone changes, the aggregates are regrouped (./zone.ts) if they are
 * grouped by another zone, or by other transitions of it (a newer time zone database). In a
 * worker thread when one is given (the app, the browser mode), in this thread otherwise (tests,
 * the CLI); never beside a sync (the sync waits for it, it waits for the sync), since both
 * write the aggregates. Until the regrouping commits, the statistics answer in the old zone
 * and say so (StatsResult.timeZone); its progress goes out as 'stats.zone' events.
 */
import { setImmediate as nextTurn } from 'node:timers/promises'
import { Worker } from 'node:worker_threads'
import type { StatsZoneStatus } from '../../shared/types'
import type { Db } from '../db/connection'
import type { WorkerScript } from '../workers'
import { ensureStatsZone, storedZone } from './zone'

export type ZoneWorkerRequest = { type: 'run'; dbFile: string; zone: string }
export type ZoneWorkerMessage =
  | { type: 'progress'; fraction: number }
  | { type: 'done'; regrouped: boolean; ms: number }
  | { type: 'failed'; message: string }

export interface StatsZoneServiceOptions {
  db: Db
  dbFile: string
  worker?: WorkerScript
  /** Resolves once no sync is running. */
  syncIdle: () => Promise<void>
  onStatus: (status: StatsZoneStatus) => void
  /** The aggregates were regrouped (the screens reload their statistics). */
  onRegrouped: (zone: string, ms: number) => void
}

export class StatsZoneService {
  /** The zone asked for last; the loop regroups until the aggregates follow it. */
  private wanted: string | null = null
  private loop: Promise<void> | null = null
  private regrouping: string | null = null
  private progress = 0
  private error: StatsZoneStatus['error'] = null
  private worker: Worker | null = null
  private closed = false

  constructor(private readonly o: StatsZoneServiceOptions) {}

  status(): StatsZoneStatus {
    let zone = 'UTC'
    try {
      zone = storedZone(this.o.db).zone
    } catch {
      // a closed database: the last known state is gone with it
    }
    return { zone, regrouping: this.regrouping, progress: this.progress, error: this.error }
  }

  /** True while a regrouping runs or waits to: a sync must wait for idle(). */
  get busy(): boolean {
    return this.loop !== null
  }

  idle(): Promise<void> {
    return this.loop ?? Promise.resolve()
  }

  /** Regroups the aggregates for `zone` if they are not grouped by it (in the background). */
  ensure(zone: string): Promise<void> {
    this.wanted = zone
    this.loop ??= this.run().finally(() => {
      this.loop = null
    })
    return this.loop
  }

  /** Stops a regrouping in its worker (its transaction rolls back) and takes no more. */
  close(): Promise<void> {
    this.closed = true
    void this.worker?.terminate()
    return this.idle()
  }

  private emit(): void {
    this.o.onStatus(this.status())
  }

  private async run(): Promise<void> {
    await nextTurn() // the caller gets on first (createBackend returns, a save answers)
    let done: string | null = null
    while (!this.closed && this.wanted !== null && this.wanted !== done) {
      const zone: string = this.wanted
      await this.o.syncIdle()
      if (this.closed) break
      this.regrouping = zone
      this.progress = 0
      this.error = null
      this.emit()
      try {
        const r = this.o.worker ? await this.inWorker(this.o.worker, zone) : this.inProcess(zone)
        if (r.regrouped) this.o.onRegrouped(zone, r.ms)
      } catch (e) {
        if (!this.closed) this.error = { code: 'stats_regroup_failed', message: (e as Error).message ?? String(e) }
      }
      done = zone
      this.regrouping = null
      this.progress = 0
      if (!this.closed) this.emit()
    }
  }

  private inProcess(zone: string): { regrouped: boolean; ms: number } {
    const started = performance.now()
    const regrouped = ensureStatsZone(this.o.db, zone)
    return { regrouped, ms: performance.now() - started }
  }

  private inWorker(script: WorkerScript, zone: string): Promise<{ regrouped: boolean; ms: number }> {
    const worker = new Worker(script.path, { workerData: script.workerData })
    this.worker = worker
    let lastEmit = 0
    return new Promise<{ regrouped: boolean; ms: number }>((resolve, reject) => {
      worker.on('message', (m: ZoneWorkerMessage) => {
        if (m.type === 'progress') {
          this.progress = m.fraction
          const now = Date.now()
          if (now - lastEmit >= 200) {
            lastEmit = now
            this.emit()
          }
        } else if (m.type === 'done') resolve(m)
        else reject(new Error(m.message))
      })
      worker.on('error', (e) => reject(new Error(`The statistics zone worker failed: ${e.message}`)))
      worker.on('exit', (code) => reject(new Error(`The statistics zone worker stopped (exit code ${code})`)))
      worker.postMessage({ type: 'run', dbFile: this.o.dbFile, zone } satisfies ZoneWorkerRequest)
    }).finally(() => {
      this.worker = null
      void worker.terminate()
    })
  }
}
