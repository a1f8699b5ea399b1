/**
 * The Electron hardening decisions (src/main/security.ts), without Electron: the exact-origin
 * sender and navigation checks, the external-link allow-list, which app:// path maps to which
 * file, the CSP header and the refusal log line.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  APP_ENTRY,
  APP_ORIGIN,
  frameRefusal,
  isAllowedExternal,
  isTrustedFrame,
  logRefusal,
  originOf,
  RENDERER_CSP,
  resolveAppFile,
  trustedOrigin,
  untrustedUrlReason
} from '../../src/main/security'

const DEV = 'http://localhost:5173'
const main = (url: string) => ({ url, parent: null })

describe('the trusted origin', () => {
  it('is app://smsdesk when packaged, the dev server origin in development', () => {
    expect(trustedOrigin(undefined)).toBe('app://smsdesk')
    expect(APP_ENTRY).toBe('app://smsdesk/index.html')
    expect(trustedOrigin('http://localhost:5173/')).toBe(DEV)
    expect(trustedOrigin('http://localhost:5173/some/page?x=1')).toBe(DEV)
  })

  it('gives app: URLs their host as origin and refuses the opaque ones', () => {
    expect(originOf('app://smsdesk/assets/x.js')).toBe(APP_ORIGIN)
    expect(originOf('app://other-host/index.html')).toBe('app://other-host')
    for (const url of ['file:///index.html', 'data:text/html,hi', 'about:blank', 'javascript:alert(1)', 'not a url', '']) {
      expect(originOf(url), url).toBeNull()
    }
  })
})

describe('IPC sender frames', () => {
  it('accepts the main frame of the exact origin only', () => {
    expect(isTrustedFrame(main('app://smsdesk/index.html'), APP_ORIGIN)).toBe(true)
    expect(isTrustedFrame(main('app://smsdesk/index.html#/clients/4'), APP_ORIGIN)).toBe(true)
    expect(isTrustedFrame(main('http://localhost:5173/#/settings'), DEV)).toBe(true)
  })

  it('refuses the dev origin as a prefix of another host, and other ports, schemes and hosts', () => {
    for (const url of [
      'http://localhost:5173.evil.example/',
      'http://localhost:51730/',
      'http://localhost:5174/',
      'https://localhost:5173/',
      'http://127.0.0.1:5173/',
      'http://localhost:5173@evil.example/'
    ]) {
      expect(frameRefusal(main(url), DEV), url).toMatch(/origin/)
    }
  })

  it('refuses file://, data:, about:blank, another app host and the dev server in production', () => {
    for (const url of ['file:///C:/app/index.html', 'file:///tmp/evil.html', 'data:text/html,<script>1</script>', 'about:blank', 'app://other-host/index.html', 'app://smsdesk.evil/index.html', DEV + '/']) {
      expect(isTrustedFrame(main(url), APP_ORIGIN), url).toBe(false)
    }
    // An opaque origin never equals another one ("null" === "null").
    expect(isTrustedFrame(main('data:text/html,x'), 'null')).toBe(false)
  })

  it('refuses a subframe of the right origin and a missing frame', () => {
    expect(frameRefusal({ url: 'app://smsdesk/index.html', parent: main('app://smsdesk/index.html') }, APP_ORIGIN)).toBe('not the main frame')
    expect(frameRefusal(null, APP_ORIGIN)).toMatch(/no sender frame/)
    expect(frameRefusal(undefined, DEV)).toMatch(/no sender frame/)
  })
})

describe('navigation', () => {
  it('stays within the exact origin', () => {
    expect(untrustedUrlReason('app://smsdesk/index.html', APP_ORIGIN)).toBeNull()
    expect(untrustedUrlReason('http://localhost:5173/index.html', DEV)).toBeNull()
    // Both passed the old prefix check (url.startsWith(devUrl)); the first is not even a valid URL.
    expect(untrustedUrlReason('http://localhost:5173.evil.example/', DEV)).toBe('no trusted origin')
    expect(untrustedUrlReason('http://localhost:5173@evil.example/', DEV)).toBe('origin http://evil.example is not http://localhost:5173')
    expect(untrustedUrlReason('http://localhost:51730/', DEV)).toBe('origin http://localhost:51730 is not http://localhost:5173')
    expect(untrustedUrlReason('https://smsdesk.app/', APP_ORIGIN)).toMatch(/is not app:\/\/smsdesk/)
    expect(untrustedUrlReason('file:///etc/passwd', APP_ORIGIN)).toBe('no trusted origin')
  })
})

describe('external links', () => {
  it('opens https links to the allow-listed hosts only', () => {
    expect(isAllowedExternal('https://docs.smsdesk.app/guide')).toBe(true)
    expect(isAllowedExternal('https://smsdesk.app/')).toBe(true)
    for (const url of ['http://smsdesk.app/', 'https://smsdesk.app.evil.example/', 'https://evil.example/?smsdesk.app', 'file:///etc/passwd', 'smb://host/share', 'javascript:alert(1)', 'x']) {
      expect(isAllowedExternal(url), url).toBe(false)
    }
  })
})

describe('app:// paths', () => {
  const root = path.resolve('/srv/out/renderer')
  const ok = (url: string) => {
    const d = resolveAppFile(url, 'GET', root)
    return d.ok ? d.file : d.reason
  }

  it('maps the app origin to files of the renderer folder, / to index.html', () => {
    expect(ok('app://smsdesk/')).toBe(path.join(root, 'index.html'))
    expect(ok('app://smsdesk')).toBe(path.join(root, 'index.html'))
    expect(ok('app://smsdesk/index.html?x=1#/clients')).toBe(path.join(root, 'index.html'))
    expect(ok('app://smsdesk/assets/index-7FJ.js')).toBe(path.join(root, 'assets', 'index-7FJ.js'))
    expect(ok('app://smsdesk/assets/a%20b.css')).toBe(path.join(root, 'assets', 'a b.css'))
    // Dot segments are resolved by the URL parser, within the origin's root.
    expect(ok('app://smsdesk/assets/../index.html')).toBe(path.join(root, 'index.html'))
  })

  it('refuses traversal, NUL, backslashes, drive colons and malformed escapes', () => {
    for (const url of [
      'app://smsdesk/..%2f..%2fetc%2fpasswd',
      'app://smsdesk/..%2frenderer-evil%2fx.js',
      'app://smsdesk/assets%2f..%2f..%2fmain%2findex.js',
      'app://smsdesk/%2e%2e%2fsecret',
      'app://smsdesk/index.html%00.png',
      'app://smsdesk/..%5c..%5csecret',
      'app://smsdesk/C:%2fWindows%2fwin.ini',
      'app://smsdesk/%E0%A4%A'
    ]) {
      const d = resolveAppFile(url, 'GET', root)
      expect(d.ok, url).toBe(false)
      if (!d.ok) expect(d.status).toBe(403)
    }
  })

  it('refuses other hosts, other schemes and methods other than GET and HEAD', () => {
    expect(ok('app://other-host/index.html')).toBe('not the app origin')
    expect(ok('file:///srv/out/renderer/index.html')).toBe('not the app origin')
    expect(resolveAppFile('app://smsdesk/index.html', 'HEAD', root).ok).toBe(true)
    expect(resolveAppFile('app://smsdesk/index.html', 'POST', root)).toEqual({ ok: false, status: 405, reason: 'method POST' })
  })
})

describe('the renderer CSP', () => {
  it('sends every directive of index.html as a header, plus frame-ancestors', () => {
    const html = fs.readFileSync(path.resolve('src/renderer/index.html'), 'utf8')
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1]
    expect(meta).toBeTruthy()
    const directives = (csp: string) => new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v.join(' ')]))
    const header = directives(RENDERER_CSP)
    for (const [name, value] of directives(meta!)) expect(header.get(name), name).toBe(value)
    expect(header.get('frame-ancestors')).toBe("'none'")
    expect(header.get('script-src')).toBe("'self'")
  })
})

describe('the refusal log', () => {
  afterEach(() => vi.restoreAllMocks())

  it('writes one [security] line with what, subject and reason, the subject shortened', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    logRefusal('ipc', 'app.info from http://localhost:5173.evil.example/', 'origin http://localhost:5173.evil.example is not app://smsdesk')
    expect(warn).toHaveBeenCalledWith(
      '[security] refused ipc "app.info from http://localhost:5173.evil.example/": origin http://localhost:5173.evil.example is not app://smsdesk'
    )
    logRefusal('navigation', 'https://x/' + 'a'.repeat(1000), 'no')
    const line = warn.mock.calls[1][0] as string
    expect(line.length).toBeLessThan(400)
    expect(line).toMatch(/^\[security\] refused navigation "https:\/\/x\/a+…": no$/)
  })
})
