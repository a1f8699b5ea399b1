/**
 * The reader thread of a keyset stream: fetches, parses and validates pages while the sync
 * thread writes the previous ones, at most a few pages ahead.
 */
import { parentPort } from 'node:worker_threads'
import { AppError } from '../../shared/errors'
import { wireError } from '../db/integrity'
import { requestJson } from './http'
import type { ReaderMessage, ReaderRequest } from './protocol'
import { KEYSET_DEFS, keysetPages } from './sources/platform'
import './streams' // registers every keyset stream in KEYSET_DEFS

const port = parentPort
if (!port) throw new Error('reader started outside a worker thread')

const AHEAD = 2
let credits = AHEAD
let wake: (() => void) | null = null
const controller = new AbortController()

port.on('message', (m: ReaderRequest) => {
  if (m.type === 'ack') {
    credits++
    wake?.()
  } else if (m.type === 'cancel') {
    controller.abort()
    wake?.()
  } else void run(m)
})

async function run(m: Extract<ReaderRequest, { type: 'start' }>): Promise<void> {
  const send = (msg: ReaderMessage): void => port!.postMessage(msg)
  try {
    const def = KEYSET_DEFS.get(m.stream)
    if (!def) throw new AppError('internal', `No keyset stream ${m.stream}`)
    const fetchBody = async (url: string): Promise<unknown> =>
      (
        await requestJson(url, {
          token: m.token,
          signal: controller.signal,
          timeoutMs: m.timeoutMs,
          deadlineMs: m.deadlineMs,
          maxBytes: m.maxBytes,
          maxDepth: m.maxDepth,
          retry: m.retry,
          onRetry: () => send({ type: 'retry' })
        })
      ).body
    for await (const page of keysetPages(def, m.base, m.start, m.pageSize, fetchBody, m.quarantined)) {
      while (credits === 0 && !controller.signal.aborted) await new Promise<void>((r) => (wake = r))
      if (controller.signal.aborted) throw new AppError('sync_cancelled', 'Cancelled')
      credits--
      send({ type: 'page', page })
    }
    send({ type: 'end' })
  } catch (e) {
    const err = wireError(e)
    send({ type: 'error', error: err })
  }
}
