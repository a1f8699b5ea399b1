/**
 * Electron hardening kept in one place: the sender check every IPC call passes, the
 * allow-list for external links, and the navigation / new-window guards.
 */
import { shell, type WebContents, type WebFrameMain } from 'electron'

/** Hosts the app may open in the user's browser (documentation, the platform's site). */
const EXTERNAL_ALLOW = new Set(['smsdesk.app', 'docs.smsdesk.app'])

export function isAllowedExternal(raw: string): boolean {
  try {
    const u = new URL(raw)
    return u.protocol === 'https:' && EXTERNAL_ALLOW.has(u.hostname)
  } catch {
    return false
  }
}

export function openExternal(raw: string): void {
  if (isAllowedExternal(raw)) void shell.openExternal(raw)
}

/** The renderer's own origin: file:// in production, the dev server in development. */
export function isTrustedFrame(frame: WebFrameMain | null, devUrl: string | undefined): boolean {
  if (!frame || frame.parent !== null) return false // main frame only
  const url = frame.url
  if (devUrl) return url.startsWith(new URL(devUrl).origin + '/')
  return url.startsWith('file://')
}

export function guardNavigation(contents: WebContents, devUrl: string | undefined): void {
  contents.on('will-navigate', (event, url) => {
    if (!(devUrl && url.startsWith(devUrl))) event.preventDefault()
  })
  contents.on('will-redirect', (event) => event.preventDefault())
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.setWindowOpenHandler(({ url }) => {
    openExternal(url)
    return { action: 'deny' }
  })
}
