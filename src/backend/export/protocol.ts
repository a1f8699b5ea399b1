/** Messages between the export host (jobs.ts) and the export worker thread (worker.ts). */
import type { WireError } from '../../shared/errors'
import type { ExportPlan } from './run'

export type ExportWorkerRequest =
  | { type: 'run'; dbFile: string | null; plan: ExportPlan; hostRows?: unknown[] }
  | { type: 'cancel' }

export type ExportWorkerMessage =
  | { type: 'progress'; rows: number; total: number }
  | { type: 'done'; rows: number; total: number; sheets: number }
  | { type: 'cancelled'; rows: number }
  | { type: 'failed'; error: WireError }
