/**
 * One sync at a time on a database file, across processes: the sync that runs holds the one
 * row of `sync_lock` (its run, pid, host and start), taken in a BEGIN IMMEDIATE transaction so
 * two processes never both get it. A second sync fails at once with `sync_running` and the
 * holder's pid; a lock whose process is dead (SIGKILL, a crash, a power cut) is taken over.
 *
 * The same transaction writes the run's row in sync_runs (running, pid); the run's end updates
 * it (ok / failed / cancelled) and frees the lock. A running row whose process is gone becomes
 * `interrupted` at the next open or the next sync.
 */
import fs from 'node:fs'
import os from 'node:os'
import { AppError } from '../../shared/errors'
import type { SyncRunStatus, SyncRunSummary } from '../../shared/types'
import type { Db } from './types'
import { SyncStateRepo } from './syncState'

/** A process that holds (or held) a lock or a run. */
export interface ProcessRef {
  pid: number
  host: string
  /** The process's start as the OS tells it (Linux), to tell a reused pid apart; null elsewhere. */
  pidStart: string | null
}

export interface LockHolder extends ProcessRef {
  runId: string
  startedAt: string
}

/** The start time of a process in clock ticks since boot (Linux /proc), or null. */
export function processStart(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (fields[0] === 'Z' || fields[0] === 'X') return 'dead' // a zombie has ended already
    return fields[19] ?? null
  } catch {
    return null
  }
}

/** This process. */
export function currentProcess(): ProcessRef {
  return { pid: process.pid, host: os.hostname(), pidStart: processStart(process.pid) }
}

/**
 * Whether the process is still running. A process on another host cannot be asked: it
 * counts as alive (its lock is never taken over from here).
 */
export function processAlive(p: ProcessRef): boolean {
  if (p.host !== os.hostname()) return true
  if (p.pid === process.pid) return true
  try {
    process.kill(p.pid, 0)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false // ESRCH: no such process
  }
  const start = processStart(p.pid)
  if (start === 'dead') return false
  // The pid is in use: by the same process only if it started at the same time.
  return !(p.pidStart && start && p.pidStart !== start)
}

function hasLockTable(db: Db): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sync_lock'").get() !== undefined
}

/** The lock's holder, dead or alive, or null when no sync holds it. */
export function lockHolder(db: Db): LockHolder | null {
  if (!hasLockTable(db)) return null
  const row = db.prepare('SELECT run_id, pid, host, pid_start, started_at FROM sync_lock WHERE id = 1').get() as
    | { run_id: string; pid: number; host: string; pid_start: string | null; started_at: string }
    | undefined
  return row ? { runId: row.run_id, pid: row.pid, host: row.host, pidStart: row.pid_start, startedAt: row.started_at } : null
}

export function syncRunningError(holder: LockHolder): AppError {
  return new AppError(
    'sync_running',
    `A sync is already running (pid ${holder.pid} on ${holder.host}, since ${holder.startedAt}). Wait for it to end, or stop it.`,
    { pid: holder.pid, host: holder.host, since: holder.startedAt }
  )
}

/** The live holder of the lock, if any: what a second sync (or a restore) must wait for. */
export function liveHolder(db: Db): LockHolder | null {
  const holder = lockHolder(db)
  return holder && processAlive(holder) ? holder : null
}

/**
 * Marks the running runs whose process is gone as interrupted and frees a lock a dead
 * process left. Returns how many runs it marked. Call inside a write transaction, or alone.
 */
export function recoverInterrupted(db: Db, alive: (p: ProcessRef) => boolean = processAlive): number {
  if (!hasLockTable(db)) return 0
  const state = new SyncStateRepo(db)
  const dead = state.runningRuns().filter((r) => !alive(r))
  for (const r of dead) state.markRun(r.runId, 'interrupted')
  const holder = lockHolder(db)
  if (holder && !alive(holder)) db.prepare('DELETE FROM sync_lock WHERE id = 1 AND run_id = ?').run(holder.runId)
  return dead.length
}

/** Whether recoverInterrupted has anything to do (a read only: most opens write nothing). */
export function needsRecovery(db: Db, alive: (p: ProcessRef) => boolean = processAlive): boolean {
  if (!hasLockTable(db)) return false
  const holder = lockHolder(db)
  return hasInterruptedRun(db, alive) || (holder !== null && !alive(holder))
}

/** Whether the file's last sync never finished (its process is gone): the probe's read-only question. */
export function hasInterruptedRun(db: Db, alive: (p: ProcessRef) => boolean = processAlive): boolean {
  if (!hasLockTable(db)) return false
  return new SyncStateRepo(db).runningRuns().some((r) => !alive(r))
}

/** A sync's hold on the database: its run row and the lock. */
export interface SyncRunRecord {
  runId: string
  startedAt: Date
  /** Saves the summary with its final status (ok / failed / cancelled) and frees the lock. */
  finish(summary: SyncRunSummary): void
  /** Frees the lock; a run that never finished is marked failed. Safe to call twice. */
  release(): void
}

/**
 * Takes the sync lock and writes the run row, or throws `sync_running` at once (with the
 * holder's pid) when another live process syncs this file.
 */
export function beginSyncRun(db: Db, runId: string, startedAt: Date): SyncRunRecord {
  const me = currentProcess()
  const state = new SyncStateRepo(db)
  // A plain read first: it never waits, so a second sync fails at once even while the first
  // one holds a write transaction.
  const busy = liveHolder(db)
  if (busy) throw syncRunningError(busy)
  db.transaction(() => {
    const again = liveHolder(db) // taken between the read and the write lock?
    if (again) throw syncRunningError(again)
    recoverInterrupted(db)
    db.prepare(
      `INSERT INTO sync_lock (id, run_id, pid, host, pid_start, started_at) VALUES (1, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET run_id = excluded.run_id, pid = excluded.pid, host = excluded.host,
         pid_start = excluded.pid_start, started_at = excluded.started_at`
    ).run(runId, me.pid, me.host, me.pidStart, startedAt.toISOString())
    state.startRun(
      { runId, startedAt: startedAt.toISOString(), finishedAt: '', seconds: 0, cancelled: false, streams: {} },
      me
    )
  }).immediate()

  let open = true
  const free = (): void => {
    db.prepare('DELETE FROM sync_lock WHERE id = 1 AND run_id = ?').run(runId)
  }
  return {
    runId,
    startedAt,
    finish(summary) {
      if (!open) return
      summary.status = runStatus(summary)
      summary.pid = me.pid
      db.transaction(() => {
        state.saveRun(summary, summary.status as ReturnType<typeof runStatus>)
        free()
      }).immediate()
      open = false
    },
    release() {
      if (!open) return
      open = false
      try {
        db.transaction(() => {
          state.markRun(runId, 'failed')
          free()
        }).immediate()
      } catch {
        // the database went away (closed, full): the next open sees a dead process's run
      }
    }
  }
}

/** A finished run's status from its summary. */
export function runStatus(summary: SyncRunSummary): Exclude<SyncRunStatus, 'running' | 'interrupted'> {
  if (summary.cancelled) return 'cancelled'
  return Object.values(summary.streams).some((s) => s.error && s.error.code !== 'sync_cancelled') ? 'failed' : 'ok'
}
