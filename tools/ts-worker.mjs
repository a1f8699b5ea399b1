// Starts a TypeScript worker-thread entry from source (browser bridge, tests): registers tsx's
// loader in this thread, then imports the entry named in workerData.entry.
import { register } from 'tsx/esm/api'
import { workerData } from 'node:worker_threads'
import { pathToFileURL } from 'node:url'

register()
await import(pathToFileURL(workerData.entry).href)
