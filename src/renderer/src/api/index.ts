/**
 * The renderer's one door to the backend. In Electron the preload script provides
 * `window.smsdesk`; in the browser mode the same calls go over HTTP to the bridge, with the
 * per-run token the bridge printed in the URL fragment, sent only in the Authorization header:
 * the calls and the event stream are fetch() requests; a download, a navigation that carries no
 * header, goes to a single-use link the bridge issues for that one export.
 */
import type { ChannelName, InputOf, OutputOf } from '@shared/contract'
import type { Envelope, ErrorCode, ErrorParams } from '@shared/errors'
import type { EventMap, EventName } from '@shared/types'

export interface DeskBridge {
  invoke(channel: string, input: unknown): Promise<Envelope<unknown>>
  on(event: string, listener: (payload: unknown) => void): () => void
}

declare global {
  interface Window {
    smsdesk?: DeskBridge
  }
}

/** An error from the backend, with a code the UI translates as `errors.<code>`. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly params: ErrorParams = {}
  ) {
    super(message)
  }
}

interface HttpBridge extends DeskBridge {
  downloadLink(exportId: string): Promise<string>
}

const TOKEN_KEY = 'smsdesk.bridge.token'
/** The event stream reconnects after this, doubling up to the maximum while it keeps failing. */
const RECONNECT_MIN_MS = 500
const RECONNECT_MAX_MS = 15_000

const UNREACHABLE = { code: 'server_unreachable', message: 'The SMS Desk backend is not running' } as const
const FORBIDDEN = { code: 'forbidden', message: 'Open the address the bridge printed, with its token' } as const

function bridgeToken(): string {
  const m = /token=([A-Za-z0-9_-]+)/.exec(location.hash)
  if (m) {
    sessionStorage.setItem(TOKEN_KEY, m[1])
    history.replaceState(null, '', location.pathname + location.search)
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? ''
}

/**
 * Reads a text/event-stream body and hands over the data of each event (its `data:` lines
 * joined by newlines). Comments and the other fields are not used by the bridge.
 */
async function readEvents(body: ReadableStream<Uint8Array>, onData: (data: string) => void): Promise<void> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  let data: string[] = []
  for (;;) {
    const { value, done } = await reader.read()
    if (done) return
    // A chunk ending in CR keeps it: it may be the first half of CRLF.
    const lines = (buffer + decoder.decode(value, { stream: true })).split(/\r\n|\n|\r(?!$)/)
    buffer = lines.pop() ?? ''
    for (const line of lines) {
      if (line === '') {
        if (data.length) onData(data.join('\n'))
        data = []
      } else if (line.startsWith('data:')) {
        data.push(line.slice(line.startsWith('data: ') ? 6 : 5))
      }
    }
  }
}

function httpBridge(): HttpBridge {
  const token = bridgeToken()
  const authorization = `Bearer ${token}`
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  let streaming = false

  const deliver = (data: string): void => {
    let message: { event: string; payload: unknown }
    try {
      message = JSON.parse(data) as { event: string; payload: unknown }
    } catch {
      return
    }
    for (const l of listeners.get(message.event) ?? []) {
      try {
        l(message.payload)
      } catch (e) {
        reportError(e)
      }
    }
  }

  /** The bridge's events, for the page's lifetime: reconnects with backoff when the stream drops. */
  const stream = async (): Promise<void> => {
    let delay = RECONNECT_MIN_MS
    for (;;) {
      try {
        const res = await fetch('/api/events', { headers: { authorization, accept: 'text/event-stream' }, cache: 'no-store' })
        if (res.status === 401 || res.status === 403) return // this token will never be accepted
        if (res.ok && res.body) {
          delay = RECONNECT_MIN_MS
          await readEvents(res.body, deliver)
        }
      } catch {
        // the bridge stopped or the connection dropped: try again below
      }
      await new Promise((resolve) => setTimeout(resolve, delay))
      delay = Math.min(delay * 2, RECONNECT_MAX_MS)
    }
  }

  const post = (url: string, body: unknown): Promise<Response> =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify(body) })

  return {
    async invoke(channel, input) {
      let res: Response
      try {
        res = await post(`/api/invoke/${encodeURIComponent(channel)}`, input ?? {})
      } catch {
        return { ok: false, error: UNREACHABLE }
      }
      if (res.status === 401 || res.status === 403) return { ok: false, error: FORBIDDEN }
      if (!res.ok) return { ok: false, error: { code: 'internal', message: `The bridge answered ${res.status}` } }
      return (await res.json()) as Envelope<unknown>
    },
    on(event, listener) {
      if (!streaming) {
        streaming = true
        void stream()
      }
      if (!listeners.has(event)) listeners.set(event, new Set())
      listeners.get(event)!.add(listener)
      return () => listeners.get(event)?.delete(listener)
    },
    async downloadLink(exportId) {
      let res: Response
      try {
        res = await post('/api/ticket', { download: exportId })
      } catch {
        throw new ApiError(UNREACHABLE.code, UNREACHABLE.message)
      }
      if (res.status === 401 || res.status === 403) throw new ApiError(FORBIDDEN.code, FORBIDDEN.message)
      if (!res.ok) throw new ApiError(res.status === 404 ? 'not_found' : 'internal', `The bridge answered ${res.status}`)
      return ((await res.json()) as { url: string }).url
    }
  }
}

const web: HttpBridge | null = window.smsdesk ? null : httpBridge()
const bridge: DeskBridge = window.smsdesk ?? web!

export async function call<C extends ChannelName>(channel: C, input: InputOf<C>): Promise<OutputOf<C>> {
  const r = await bridge.invoke(channel, input)
  if (!r.ok) throw new ApiError(r.error.code, r.error.message, r.error.params)
  return r.value as OutputOf<C>
}

export function onEvent<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void {
  return bridge.on(event, listener as (payload: unknown) => void)
}

/**
 * The browser mode's link that downloads a finished export once, within 30 s: get it right
 * before navigating to it. Null in Electron, where the export is already a file of the user's.
 */
export async function downloadLink(exportId: string): Promise<string | null> {
  return web ? web.downloadLink(exportId) : null
}
