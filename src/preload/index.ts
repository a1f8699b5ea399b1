/**
 * Exposes exactly one object, window.smsdesk, built from the shared contract: invoke() for
 * the contract's channels and on() for backend events. Nothing else crosses the boundary.
 */
import { contextBridge, ipcRenderer } from 'electron'
import { CHANNEL_NAMES } from '../shared/contract'

const channels = new Set<string>(CHANNEL_NAMES)
type Listener = (payload: unknown) => void
const listeners = new Map<string, Set<Listener>>()

ipcRenderer.on('smsdesk:event', (_e, message: { event: string; payload: unknown }) => {
  listeners.get(message.event)?.forEach((l) => l(message.payload))
})

contextBridge.exposeInMainWorld('smsdesk', {
  invoke(channel: string, input: unknown) {
    if (!channels.has(channel)) {
      return Promise.resolve({ ok: false, error: { code: 'unknown_channel', message: `Unknown channel ${channel}` } })
    }
    return ipcRenderer.invoke(channel, input)
  },
  on(event: string, listener: Listener) {
    if (typeof listener !== 'function') return () => undefined
    if (!listeners.has(event)) listeners.set(event, new Set())
    listeners.get(event)!.add(listener)
    return () => listeners.get(event)?.delete(listener)
  }
})
