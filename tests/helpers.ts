/** Shared test fixtures: temporary folders, a database, an engine against a reference server. */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { openDatabase, type Db } from '../src/backend/db/connection'
import type { Connection } from '../src/backend/db/settings'
import { SyncEngine } from '../src/backend/sync/engine'
import { ALL_STREAMS } from '../src/backend/sync/streams'
import type { WorkerScript } from '../src/backend/workers'
import type { SourceKind } from '../src/shared/types'

export function tempDir(prefix = 'smsdesk-'): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) }
}

export function testEngine(
  db: Db,
  connections: Partial<Record<SourceKind, Connection>>,
  extra: { pageSize?: number; timeoutMs?: number; retries?: number; readerWorker?: WorkerScript; clock?: () => number } = {}
): SyncEngine {
  return new SyncEngine({
    db,
    streams: ALL_STREAMS,
    connections: () => connections,
    pageSize: extra.pageSize ?? 100,
    timeoutMs: extra.timeoutMs ?? 2000,
    retry: { retries: extra.retries ?? 8, baseDelayMs: 5, maxDelayMs: 50 },
    readerWorker: extra.readerWorker,
    clock: extra.clock
  })
}

export function openTestDb(dir: string, name = 'test.sqlite'): Db {
  return openDatabase(path.join(dir, name))
}
