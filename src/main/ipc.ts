/**
 * IPC registered from the shared contract: one handler per channel, each call checked for its
 * sender frame (the main frame of the renderer's exact origin) before the backend validates
 * the payload and runs the handler. Refused calls are logged with their reason.
 */
import { ipcMain, type WebContents } from 'electron'
import { CHANNEL_NAMES } from '../shared/contract'
import type { Backend } from '../backend/service'
import { frameRefusal, logRefusal } from './security'

export function registerIpc(backend: Backend, origin: string): void {
  for (const channel of CHANNEL_NAMES) {
    ipcMain.handle(channel, (event, input: unknown) => {
      const frame = event.senderFrame
      const reason = frameRefusal(frame, origin)
      if (reason !== null) {
        logRefusal('ipc', frame ? `${channel} from ${frame.url}` : channel, reason)
        return { ok: false, error: { code: 'forbidden', message: 'Calls are accepted from the app window only' } }
      }
      return backend.dispatch(channel, input)
    })
  }
}

export function forwardEvents(backend: Backend, target: () => WebContents | null): () => void {
  return backend.subscribe((event, payload) => {
    const contents = target()
    if (contents && !contents.isDestroyed()) contents.send('smsdesk:event', { event, payload })
  })
}
