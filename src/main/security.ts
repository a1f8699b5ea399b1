/**
 * Electron hardening decisions, kept free of Electron so they are unit-tested as they are:
 * the renderer's one trusted origin, the sender check every IPC call passes, the navigation
 * rule, the allow-list for external links, which file of the built renderer an app:// URL may
 * read, the renderer's CSP, and the log line of every refusal.
 */
import path from 'node:path'

/** The custom scheme the packaged renderer is served from (appProtocol.ts). */
export const APP_SCHEME = 'app'
export const APP_HOST = 'smsdesk'
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`
export const APP_ENTRY = `${APP_ORIGIN}/index.html`

/**
 * The policy sent with every app:// response: the one of src/renderer/index.html (which the
 * browser bridge also serves) plus frame-ancestors, which only a header can carry. Styles stay
 * 'unsafe-inline' because naive-ui injects its component styles at run time.
 */
export const RENDERER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'"
].join('; ')

/** Hosts the app may open in the user's browser (documentation, the platform's site). */
const EXTERNAL_ALLOW = new Set(['smsdesk.app', 'docs.smsdesk.app'])

export function isAllowedExternal(raw: string): boolean {
  const u = parseUrl(raw)
  return u !== null && u.protocol === 'https:' && EXTERNAL_ALLOW.has(u.hostname)
}

/** The origin the renderer runs on: the dev server's in development, app://smsdesk otherwise. */
export function trustedOrigin(devUrl: string | undefined): string {
  if (!devUrl) return APP_ORIGIN
  const origin = originOf(devUrl)
  if (!origin) throw new Error(`The renderer dev server address ${devUrl} has no origin`)
  return origin
}

/**
 * The exact origin of a URL, or null when it has none that can be trusted (file:, data:,
 * about:blank, malformed). app: is not a special scheme to the WHATWG parser, so its origin is
 * spelled out from the host rather than taken from URL.origin (which is "null" for it).
 */
export function originOf(raw: string): string | null {
  const u = parseUrl(raw)
  if (!u) return null
  if (u.protocol === `${APP_SCHEME}:`) return u.host ? `${APP_SCHEME}://${u.host}` : null
  return u.origin === 'null' ? null : u.origin
}

/** Why a URL is not the renderer's own (null when it is). */
export function untrustedUrlReason(raw: string, origin: string): string | null {
  const actual = originOf(raw)
  if (actual === null) return 'no trusted origin'
  return actual === origin ? null : `origin ${actual} is not ${origin}`
}

/** The part of Electron's WebFrameMain the sender check reads. */
export interface FrameLike {
  readonly url: string
  readonly parent: unknown
}

/** Why an IPC sender frame is refused (null when it is the app window's main frame). */
export function frameRefusal(frame: FrameLike | null | undefined, origin: string): string | null {
  if (!frame) return 'no sender frame (destroyed or navigated away)'
  if (frame.parent !== null) return 'not the main frame'
  return untrustedUrlReason(frame.url, origin)
}

export function isTrustedFrame(frame: FrameLike | null | undefined, origin: string): boolean {
  return frameRefusal(frame, origin) === null
}

/** The file under `root` an app:// request may read, or why it may not. */
export type AppFileDecision = { ok: true; file: string } | { ok: false; status: 403 | 405; reason: string }

/**
 * Maps app://smsdesk/<path> to a file inside the built renderer folder. Anything else is
 * refused: another host, a method other than GET, a malformed or NUL-bearing path, a backslash
 * or drive colon (Windows separators), and any path that resolves outside `root`.
 */
export function resolveAppFile(raw: string, method: string, root: string): AppFileDecision {
  if (method !== 'GET' && method !== 'HEAD') return { ok: false, status: 405, reason: `method ${method}` }
  const u = parseUrl(raw)
  if (!u || u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) {
    return { ok: false, status: 403, reason: 'not the app origin' }
  }
  let rel: string
  try {
    rel = decodeURIComponent(u.pathname)
  } catch {
    return { ok: false, status: 403, reason: 'malformed path' }
  }
  if (/[\0\\:]/.test(rel)) return { ok: false, status: 403, reason: 'forbidden character in path' }
  if (!rel.startsWith('/')) rel = '/' + rel
  if (rel.endsWith('/')) rel += 'index.html'
  const base = path.resolve(root)
  const file = path.resolve(base, '.' + rel)
  const inside = path.relative(base, file)
  if (inside === '' || inside === '..' || inside.startsWith('..' + path.sep) || path.isAbsolute(inside)) {
    return { ok: false, status: 403, reason: 'outside the renderer folder' }
  }
  return { ok: true, file }
}

/** What was refused; each refusal is logged once with its reason. */
export type RefusalKind =
  | 'ipc'
  | 'navigation'
  | 'redirect'
  | 'window-open'
  | 'webview'
  | 'permission-request'
  | 'permission-check'
  | 'app-protocol'

export const SECURITY_LOG_PREFIX = '[security]'
const MAX_SUBJECT = 300

/** One warning line per refusal: `[security] refused <kind> <subject>: <reason>`. */
export function logRefusal(kind: RefusalKind, subject: string, reason: string): void {
  const shown = subject.length > MAX_SUBJECT ? subject.slice(0, MAX_SUBJECT) + '…' : subject
  console.warn(`${SECURITY_LOG_PREFIX} refused ${kind} ${JSON.stringify(shown)}: ${reason}`)
}

function parseUrl(raw: string): URL | null {
  try {
    return new URL(raw)
  } catch {
    return null
  }
}
