/**
 * The renderer's one door to the backend. In Electron the preload script provides
 * `window.smsdesk`; in the browser mode the same calls go over HTTP to the bridge, with the
 * per-run token the bridge printed in the URL fragment.
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

const TOKEN_KEY = 'smsdesk.bridge.token'

function bridgeToken(): string {
  const m = /token=([A-Za-z0-9_-]+)/.exec(location.hash)
  if (m) {
    sessionStorage.setItem(TOKEN_KEY, m[1])
    history.replaceState(null, '', location.pathname + location.search)
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? ''
}

function httpBridge(): DeskBridge {
  const token = bridgeToken()
  let source: EventSource | null = null
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  const connect = (): void => {
    if (source) return
    source = new EventSource(`/api/events?token=${encodeURIComponent(token)}`)
    source.onmessage = (m) => {
      const { event, payload } = JSON.parse(m.data as string) as { event: string; payload: unknown }
      listeners.get(event)?.forEach((l) => l(payload))
    }
  }
  return {
    async invoke(channel, input) {
      let res: Response
      try {
        res = await fetch(`/api/invoke/${encodeURIComponent(channel)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(input ?? {})
        })
      } catch {
        return { ok: false, error: { code: 'server_unreachable', message: 'The SMS Desk backend is not running' } }
      }
      if (res.status === 401 || res.status === 403) {
        return { ok: false, error: { code: 'forbidden', message: 'Open the address the bridge printed, with its token' } }
      }
      return (await res.json()) as Envelope<unknown>
    },
    on(event, listener) {
      connect()
      if (!listeners.has(event)) listeners.set(event, new Set())
      listeners.get(event)!.add(listener)
      return () => listeners.get(event)?.delete(listener)
    }
  }
}

const bridge: DeskBridge = window.smsdesk ?? httpBridge()

export async function call<C extends ChannelName>(channel: C, input: InputOf<C>): Promise<OutputOf<C>> {
  const r = await bridge.invoke(channel, input)
  if (!r.ok) throw new ApiError(r.error.code, r.error.message, r.error.params)
  return r.value as OutputOf<C>
}

export function onEvent<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void {
  return bridge.on(event, listener as (payload: unknown) => void)
}
