/**
 * A worker thread's entry as the backend starts it: the script and its workerData. The host
 * gives one per kind (sync, keyset reader, export writer, statistics regrouping); the browser
 * bridge and the tests run them from TypeScript source (tools/ts-worker.mjs).
 */
export interface WorkerScript {
  path: string
  workerData?: unknown
}
