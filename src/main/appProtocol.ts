/**
 * The packaged renderer is served from app://smsdesk/ rather than file://: a standard, secure
 * scheme with its own origin, which the IPC sender check and the navigation guard compare
 * exactly, and whose responses carry the CSP header. Only files inside the built renderer
 * folder are served (security.ts decides which).
 */
import { protocol } from 'electron'
import fs from 'node:fs/promises'
import path from 'node:path'
import { APP_SCHEME, logRefusal, RENDERER_CSP, resolveAppFile } from './security'

/**
 * Must run before the app is ready. standard: an origin and relative URLs like https; secure:
 * a secure context; supportFetchAPI: the renderer's own module and fetch requests. corsEnabled
 * stays off, so no other origin can read app:// responses.
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }
  ])
}

/** Must run once the app is ready (protocol.handle uses the default session). */
export function handleAppProtocol(root: string): void {
  protocol.handle(APP_SCHEME, serveAppFiles(root))
}

/** The types the built renderer holds; anything else is served as opaque bytes. */
const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8'
}

export function contentType(file: string): string {
  return MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream'
}

const BASE_HEADERS = {
  'Content-Security-Policy': RENDERER_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Opener-Policy': 'same-origin'
}

/** The app:// handler: a file of `root`, 404 when there is none, 403/405 for the refused. */
export function serveAppFiles(root: string): (request: Request) => Promise<Response> {
  return async (request) => {
    const decision = resolveAppFile(request.url, request.method, root)
    if (!decision.ok) {
      logRefusal('app-protocol', `${request.method} ${request.url}`, decision.reason)
      return plain(decision.status, decision.status === 405 ? 'Method not allowed' : 'Forbidden')
    }
    let body: Buffer
    try {
      body = await fs.readFile(decision.file)
    } catch {
      return plain(404, 'Not found')
    }
    const headers = { ...BASE_HEADERS, 'Content-Type': contentType(decision.file) }
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers })
  }
}

function plain(status: number, text: string): Response {
  return new Response(text, { status, headers: { ...BASE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' } })
}
