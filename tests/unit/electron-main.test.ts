/**
 * The Electron main process (src/main/index.ts) run against a mocked Electron: the window's
 * security settings, the app:// renderer instead of file://, the scheme registered before
 * ready, the exact-origin IPC and navigation guards, no permission granted or reported, every
 * refusal logged, and which secret storage the backend is given.
 */
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest'
import { CHANNEL_NAMES } from '../../src/shared/contract'

type Fn = (...args: never[]) => unknown
type Listeners = Map<string, Fn[]>

const h = vi.hoisted(() => {
  const on = (listeners: Map<string, ((...a: never[]) => unknown)[]>) => (name: string, fn: (...a: never[]) => unknown) => {
    listeners.set(name, [...(listeners.get(name) ?? []), fn])
  }
  const fresh = () => ({
    order: [] as string[],
    isPackaged: true,
    encryptionAvailable: true,
    storageBackend: 'gnome_libsecret',
    app: new Map() as Listeners,
    resolveReady: (): void => undefined,
    windows: [] as {
      options: { webPreferences: Record<string, unknown> }
      webContents: { listeners: Listeners; windowOpen: ((d: { url: string }) => { action: string }) | null }
      loadURL: ReturnType<typeof vi.fn>
      loadFile: ReturnType<typeof vi.fn>
    }[],
    ipc: new Map<string, Fn>(),
    schemes: [] as unknown[],
    protocolHandlers: new Map<string, Fn>(),
    permissionRequest: null as Fn | null,
    permissionCheck: null as Fn | null,
    openExternal: [] as string[],
    backendOptions: null as Record<string, unknown> | null,
    dispatched: [] as string[]
  })
  return { state: fresh(), fresh, on }
})

vi.mock('electron', () => {
  const s = () => h.state
  class BrowserWindow {
    static getAllWindows = () => s().windows
    webContents: { listeners: Listeners; windowOpen: unknown; on: Fn; setWindowOpenHandler: Fn; isDestroyed: () => boolean; send: Fn }
    loadURL = vi.fn(async () => undefined)
    loadFile = vi.fn(async () => undefined)
    options: unknown
    constructor(options: unknown) {
      s().order.push('window')
      this.options = options
      const listeners: Listeners = new Map()
      this.webContents = {
        listeners,
        windowOpen: null,
        on: h.on(listeners) as Fn,
        setWindowOpenHandler: ((fn: unknown) => {
          this.webContents.windowOpen = fn
        }) as Fn,
        isDestroyed: () => false,
        send: vi.fn() as Fn
      }
      s().windows.push(this as never)
      // Electron emits web-contents-created for a window's contents too.
      for (const fn of s().app.get('web-contents-created') ?? []) (fn as (e: unknown, c: unknown) => void)({}, this.webContents)
    }
    once = vi.fn()
    on = vi.fn()
    show = vi.fn()
  }
  return {
    app: {
      get isPackaged() {
        return s().isPackaged
      },
      enableSandbox: () => s().order.push('enableSandbox'),
      on: (name: string, fn: Fn) => h.on(s().app)(name, fn),
      whenReady: () => new Promise<void>((resolve) => (s().resolveReady = resolve)),
      getPath: (name: string) => `/nonexistent/${name}`,
      getVersion: () => '0.0.0-test',
      quit: vi.fn()
    },
    BrowserWindow,
    dialog: { showErrorBox: vi.fn(), showSaveDialog: vi.fn(), showOpenDialog: vi.fn() },
    Menu: { setApplicationMenu: vi.fn() },
    safeStorage: {
      isEncryptionAvailable: () => s().encryptionAvailable,
      getSelectedStorageBackend: () => s().storageBackend,
      encryptString: (plain: string) => Buffer.from(`safe:${plain}`),
      decryptString: (data: Buffer) => data.toString().slice(5)
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (fn: Fn) => (s().permissionRequest = fn),
        setPermissionCheckHandler: (fn: Fn) => (s().permissionCheck = fn)
      }
    },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => {
        s().order.push('registerSchemes')
        s().schemes.push(...schemes)
      },
      handle: (scheme: string, fn: Fn) => {
        s().order.push('protocol.handle')
        s().protocolHandlers.set(scheme, fn)
      }
    },
    shell: { openExternal: async (url: string) => void s().openExternal.push(url) },
    ipcMain: { handle: (channel: string, fn: Fn) => s().ipc.set(channel, fn) }
  }
})

vi.mock('../../src/backend/service', () => ({
  createBackend: (options: Record<string, unknown>) => {
    h.state.backendOptions = options
    return {
      dispatch: async (channel: string) => {
        h.state.dispatched.push(channel)
        return { ok: true, value: channel }
      },
      subscribe: () => () => undefined,
      close: async () => undefined
    }
  }
}))
vi.mock('../../src/backend/secrets', () => ({
  keyFileBox: (dir: string) => ({ keyFileDir: dir, encrypt: () => Buffer.alloc(0), decrypt: () => '' })
}))

let warn: MockInstance<typeof console.warn>
const realPlatform = process.platform

/** Imports a fresh main process and lets it reach ready. */
async function start(setup: Partial<typeof h.state> = {}): Promise<typeof h.state> {
  h.state = { ...h.fresh(), ...setup }
  vi.resetModules()
  await import('../../src/main/index')
  h.state.order.push('ready')
  h.state.resolveReady()
  await vi.waitFor(() => expect(h.state.windows.length).toBe(1))
  return h.state
}
const warnings = () => warn.mock.calls.map(([line]) => String(line))
const frame = (url: string, parent: unknown = null) => ({ url, parent })

beforeEach(() => {
  warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
  Object.defineProperty(process, 'platform', { value: 'linux' })
})
afterEach(() => {
  warn.mockRestore()
  vi.unstubAllEnvs()
  Object.defineProperty(process, 'platform', { value: realPlatform })
})

describe('the packaged app window', () => {
  it('keeps every security setting of the window and of the app', async () => {
    const s = await start()
    const prefs = s.windows[0].options.webPreferences
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      disableBlinkFeatures: 'Auxclick'
    })
    expect(String(prefs.preload)).toMatch(/[/\\]preload[/\\]index\.cjs$/)
    for (const risky of ['nodeIntegrationInWorker', 'experimentalFeatures', 'enableBlinkFeatures', 'enableRemoteModule']) {
      expect(prefs[risky], risky).toBeUndefined()
    }
    expect(s.order.indexOf('enableSandbox')).toBeGreaterThanOrEqual(0)
    expect(s.order.indexOf('enableSandbox')).toBeLessThan(s.order.indexOf('ready'))
  })

  it('loads app://smsdesk/index.html, never a file, with the scheme registered before ready', async () => {
    const s = await start()
    expect(s.windows[0].loadURL).toHaveBeenCalledWith('app://smsdesk/index.html')
    expect(s.windows[0].loadFile).not.toHaveBeenCalled()
    expect(s.schemes).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }])
    expect(s.order.indexOf('registerSchemes')).toBeLessThan(s.order.indexOf('ready'))
    expect(s.order.indexOf('protocol.handle')).toBeGreaterThan(s.order.indexOf('ready'))
    expect(s.order.indexOf('protocol.handle')).toBeLessThan(s.order.indexOf('window'))
    // The handler serves the renderer folder beside out/main (here: src/renderer).
    const serve = s.protocolHandlers.get('app') as (r: Request) => Promise<Response>
    const res = await serve(new Request('app://smsdesk/index.html'))
    expect(res.status).toBe(200)
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'")
  })

  it('answers IPC from the main frame of app://smsdesk only, and logs each refusal', async () => {
    const s = await start()
    expect([...s.ipc.keys()].sort()).toEqual([...CHANNEL_NAMES].sort())
    const call = (senderFrame: unknown) => (s.ipc.get('app.info') as (e: unknown, i: unknown) => Promise<unknown>)({ senderFrame }, {})
    expect(await call(frame('app://smsdesk/index.html#/settings'))).toEqual({ ok: true, value: 'app.info' })
    for (const sender of [
      frame('file:///C:/Users/x/evil.html'),
      frame('http://localhost:5173/'),
      frame('app://other-host/index.html'),
      frame('data:text/html,x'),
      frame('about:blank'),
      frame('app://smsdesk/index.html', frame('app://smsdesk/index.html')),
      null
    ]) {
      expect(await call(sender)).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    }
    expect(s.dispatched).toEqual(['app.info'])
    const lines = warnings().filter((l) => l.startsWith('[security] refused ipc '))
    expect(lines).toHaveLength(7)
    expect(lines[0]).toBe('[security] refused ipc "app.info from file:///C:/Users/x/evil.html": no trusted origin')
    expect(lines[5]).toMatch(/: not the main frame$/)
    expect(lines[6]).toMatch(/^\[security\] refused ipc "app\.info": no sender frame/)
  })

  it('keeps navigation within app://smsdesk, denies redirects, webviews and new windows', async () => {
    const s = await start()
    const contents = s.windows[0].webContents
    const fire = (name: string, ...args: unknown[]) => {
      const event = { preventDefault: vi.fn() }
      for (const fn of contents.listeners.get(name) ?? []) (fn as (...a: unknown[]) => void)(event, ...args)
      return event.preventDefault.mock.calls.length > 0
    }
    expect(fire('will-navigate', 'app://smsdesk/index.html')).toBe(false)
    expect(fire('will-navigate', 'https://evil.example/')).toBe(true)
    expect(fire('will-navigate', 'file:///etc/passwd')).toBe(true)
    expect(fire('will-navigate', 'app://other-host/')).toBe(true)
    expect(fire('will-redirect', 'app://smsdesk/index.html')).toBe(true)
    expect(fire('will-attach-webview', {}, { src: 'https://evil.example/' })).toBe(true)
    expect(contents.listeners.get('will-navigate')).toHaveLength(1) // wired once per contents

    expect(contents.windowOpen!({ url: 'https://docs.smsdesk.app/guide' })).toEqual({ action: 'deny' })
    expect(contents.windowOpen!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' })
    expect(contents.windowOpen!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' })
    expect(s.openExternal).toEqual(['https://docs.smsdesk.app/guide'])

    const lines = warnings()
    expect(lines.filter((l) => l.startsWith('[security] refused navigation '))).toHaveLength(3)
    expect(lines.filter((l) => l.startsWith('[security] refused redirect '))).toHaveLength(1)
    expect(lines.filter((l) => l.startsWith('[security] refused webview "https://evil.example/"'))).toHaveLength(1)
    expect(lines.filter((l) => l.startsWith('[security] refused window-open '))).toHaveLength(3)
  })

  it('grants no permission, requested or checked, and logs each', async () => {
    const s = await start()
    const callback = vi.fn()
    ;(s.permissionRequest as unknown as (wc: unknown, p: string, cb: (v: boolean) => void) => void)(
      { getURL: () => 'app://smsdesk/index.html' },
      'media',
      callback
    )
    expect(callback).toHaveBeenCalledWith(false)
    const check = s.permissionCheck as unknown as (wc: unknown, p: string, origin: string) => boolean
    expect(check(null, 'clipboard-read', 'app://smsdesk')).toBe(false)
    expect(check(null, 'notifications', 'https://evil.example')).toBe(false)
    expect(warnings()).toEqual([
      '[security] refused permission-request "media": no permission is granted (from app://smsdesk/index.html)',
      '[security] refused permission-check "clipboard-read": no permission is granted (from app://smsdesk)',
      '[security] refused permission-check "notifications": no permission is granted (from https://evil.example)'
    ])
  })
})

describe('development', () => {
  it('trusts the exact dev server origin, not a prefix of it nor app://', async () => {
    vi.stubEnv('ELECTRON_RENDERER_URL', 'http://localhost:5173')
    const s = await start({ isPackaged: false })
    expect(s.windows[0].loadURL).toHaveBeenCalledWith('http://localhost:5173')
    const call = (url: string) => (s.ipc.get('app.info') as (e: unknown, i: unknown) => Promise<unknown>)({ senderFrame: frame(url) }, {})
    expect(await call('http://localhost:5173/#/clients')).toMatchObject({ ok: true })
    for (const url of ['http://localhost:5173.evil.example/', 'http://localhost:5173@evil.example/', 'http://localhost:51730/', 'app://smsdesk/index.html', 'file:///x.html']) {
      expect(await call(url), url).toMatchObject({ ok: false })
    }
  })

  it('ignores the dev server address in a packaged app', async () => {
    vi.stubEnv('ELECTRON_RENDERER_URL', 'http://localhost:5173')
    const s = await start({ isPackaged: true })
    expect(s.windows[0].loadURL).toHaveBeenCalledWith('app://smsdesk/index.html')
  })
})

describe('secret storage', () => {
  it('uses safeStorage with a real keychain and says so', async () => {
    const s = await start({ encryptionAvailable: true, storageBackend: 'gnome_libsecret' })
    expect(s.backendOptions?.secretStorage).toBe('keychain')
    const box = s.backendOptions?.box as { encrypt(p: string): Buffer; keyFileDir?: string }
    expect(box.keyFileDir).toBeUndefined()
    expect(box.encrypt('t').toString()).toBe('safe:t')
  })

  it("falls back to the key file on Linux's basic_text backend and without encryption", async () => {
    for (const setup of [
      { encryptionAvailable: true, storageBackend: 'basic_text' },
      { encryptionAvailable: false, storageBackend: 'gnome_libsecret' }
    ]) {
      const s = await start(setup)
      expect(s.backendOptions?.secretStorage, JSON.stringify(setup)).toBe('keyFile')
      expect((s.backendOptions?.box as { keyFileDir?: string }).keyFileDir).toBe('/nonexistent/userData')
    }
  })
})
