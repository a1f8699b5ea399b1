/**
 * Electron bootstrap: one hardened window around the Electron-free backend. The renderer is
 * served from app://smsdesk/ (appProtocol.ts); tokens are encrypted with safeStorage when the
 * OS has a keychain, else with a key file (secretStorage.ts); the database lives in the
 * user-data folder.
 */
import { app, BrowserWindow, dialog, Menu, safeStorage, session } from 'electron'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { keyFileBox, type SecretBox } from '../backend/secrets'
import { createBackend, type Backend } from '../backend/service'
import type { SecretStorage } from '../shared/types'
import { handleAppProtocol, registerAppScheme } from './appProtocol'
import { guardContents, guardSession } from './guards'
import { forwardEvents, registerIpc } from './ipc'
import { chooseSecretStorage } from './secretStorage'
import { APP_ENTRY, trustedOrigin } from './security'

const here = path.dirname(fileURLToPath(import.meta.url))
const devUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined
/** The only origin IPC calls and navigations are accepted from. */
const origin = trustedOrigin(devUrl)

function secretBox(dataDir: string): { box: SecretBox; secretStorage: SecretStorage } {
  if (chooseSecretStorage(safeStorage, process.platform) === 'keychain') {
    return {
      secretStorage: 'keychain',
      box: { encrypt: (plain) => safeStorage.encryptString(plain), decrypt: (data) => safeStorage.decryptString(data) }
    }
  }
  return { secretStorage: 'keyFile', box: keyFileBox(dataDir) }
}

let win: BrowserWindow | null = null
let backend: Backend | null = null

function createWindow(): void {
  win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 960,
    minHeight: 600,
    title: 'SMS Desk',
    show: false,
    autoHideMenuBar: true,
    icon: path.join(here, '../../resources/icon.png'),
    webPreferences: {
      preload: path.join(here, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      // Middle-click (auxclick) on a link would ask for a new window: the window-open guard
      // denies it anyway; without the event the renderer cannot even script it.
      disableBlinkFeatures: 'Auxclick',
      spellcheck: false
    }
  })
  win.once('ready-to-show', () => win?.show())
  void win.loadURL(devUrl ?? APP_ENTRY)
  win.on('closed', () => {
    win = null
  })
}

// Privileged schemes can only be registered before the app is ready.
registerAppScheme()
app.enableSandbox()
// Every web contents, the app window's included, gets the navigation and window guards.
app.on('web-contents-created', (_e, contents) => guardContents(contents, origin))

void app.whenReady().then(() => {
  // No permission (camera, notifications, geolocation...) is ever granted or reported granted.
  guardSession(session.defaultSession)
  handleAppProtocol(path.join(here, '../renderer'))
  Menu.setApplicationMenu(null)
  const dataDir = app.getPath('userData')
  // A damaged or unopenable database does not stop the backend: the window opens on the
  // screen that says so (store.* channels). Only a data folder that cannot even be created does.
  try {
    backend = createLiveOrStoreBackend(dataDir)
  } catch (e) {
    dialog.showErrorBox('SMS Desk', `SMS Desk cannot start: ${(e as Error).message}`)
    app.quit()
    return
  }
  registerIpc(backend, origin)
  forwardEvents(backend, () => win?.webContents ?? null)
  createWindow()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow()
  })
})

function createLiveOrStoreBackend(dataDir: string): Backend {
  return createBackend({
    dataDir,
    ...secretBox(dataDir),
    mode: 'electron',
    version: app.getVersion(),
    syncWorker: { path: path.join(here, 'syncWorker.js') },
    readerWorker: { path: path.join(here, 'syncReader.js') },
    workers: { export: { path: path.join(here, 'exportWorker.js') }, stats: { path: path.join(here, 'statsZoneWorker.js') } },
    chooseSaveFile: async (suggestedName, format, folder) => {
      const options = {
        defaultPath: path.join(folder, suggestedName),
        filters: [format === 'xlsx' ? { name: 'Excel', extensions: ['xlsx'] } : { name: 'CSV', extensions: ['csv'] }]
      }
      const r = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options)
      return r.canceled || !r.filePath ? null : r.filePath
    },
    // The export folder is chosen here only (Settings): the renderer never names a path.
    chooseFolder: async (current) => {
      const options: Electron.OpenDialogOptions = { defaultPath: current, properties: ['openDirectory', 'createDirectory'] }
      const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options)
      return r.canceled || !r.filePaths[0] ? null : r.filePaths[0]
    },
    defaultExportDir: path.join(app.getPath('documents'), 'SMS Desk')
  })
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})

let closing = false
app.on('before-quit', (event) => {
  if (closing || !backend) return
  closing = true
  event.preventDefault()
  void backend.close().finally(() => app.quit())
})
