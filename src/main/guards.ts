/**
 * The guards wired on every web contents and on the session: navigation only within the
 * renderer's origin, no redirects, no webviews, no new windows (allow-listed https links go to
 * the user's browser), no permission ever granted. Each refusal is logged (security.ts).
 */
import { shell, type Session, type WebContents } from 'electron'
import { isAllowedExternal, logRefusal, untrustedUrlReason } from './security'

export function guardContents(contents: WebContents, origin: string): void {
  contents.on('will-navigate', (event, url) => {
    const reason = untrustedUrlReason(url, origin)
    if (reason === null) return
    event.preventDefault()
    logRefusal('navigation', url, reason)
  })
  contents.on('will-redirect', (event, url) => {
    event.preventDefault()
    logRefusal('redirect', url, 'the renderer is never redirected')
  })
  contents.on('will-attach-webview', (event, _prefs, params) => {
    event.preventDefault()
    logRefusal('webview', params.src ?? '', 'webviews are not allowed')
  })
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternal(url)) {
      void shell.openExternal(url)
      logRefusal('window-open', url, 'no new windows; opened in the default browser instead')
    } else {
      logRefusal('window-open', url, 'no new windows; not an allow-listed https link')
    }
    return { action: 'deny' }
  })
}

export function guardSession(session: Session): void {
  session.setPermissionRequestHandler((wc, permission, callback) => {
    logRefusal('permission-request', permission, `no permission is granted (from ${wc.getURL()})`)
    callback(false)
  })
  session.setPermissionCheckHandler((_wc, permission, requestingOrigin) => {
    logRefusal('permission-check', permission, `no permission is granted (from ${requestingOrigin})`)
    return false
  })
}
