/**
 * Electron bootstrap: one hardened window around the Electron-free backend. Tokens are
 * encrypted with safeStorage (the OS keychain); the database lives in the user-data folder.
 */
import { app, BrowserWindow, dialog, Menu, safeStorage, session } from 'electron'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { keyFileBox, type SecretBox } from '../backend/secrets'
import { createBackend, type Backend } from '../backend/service'
import { forwardEvents, registerIpc } from './ipc'
import { guardNavigation } from './security'

const here = path.dirname(fileURLToPath(import.meta.url))
const devUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined

function secretBox(dataDir: string): SecretBox {
  if (safeStorage.isEncryptionAvailable()) {
    return {
      encrypt: (plain) => safeStorage.encryptString(plain),
      decrypt: (data) => safeStorage.decryptString(data)
    }
  }
  return keyFileBox(dataDir) // e.g. Linux without a keyring
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
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false
    }
  })
  guardNavigation(win.webContents, devUrl)
  win.once('ready-to-show', () => win?.show())
  if (devUrl) void win.loadURL(devUrl)
  else void win.loadFile(path.join(here, '../renderer/index.html'))
  win.on('closed', () => {
    win = null
  })
}

app.enableSandbox()
app.on('web-contents-created', (_e, contents) => guardNavigation(contents, devUrl))

void app.whenReady().then(() => {
  // No permission (camera, notifications, geolocation...) is ever granted to web content.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
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
  registerIpc(backend, devUrl)
  forwardEvents(backend, () => win?.webContents ?? null)
  createWindow()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow()
  })
})

function createLiveOrStoreBackend(dataDir: string): Backend {
  return createBackend({
    dataDir,
    box: secretBox(dataDir),
    mode: 'electron',
    version: app.getVersion(),
    syncWorker: { path: path.join(here, 'syncWorker.js') },
    readerWorker: { path: path.join(here, 'syncReader.js') },
    workers: { export: { path: path.join(here, 'exportWorker.js') }, stats: { path: path.join(here, 'statsZoneWorker.js') } },
    chooseSaveFile: async (suggestedName, format) => {
      const options = {
        defaultPath: path.join(app.getPath('documents'), suggestedName),
        filters: [format === 'xlsx' ? { name: 'Excel', extensions: ['xlsx'] } : { name: 'CSV', extensions: ['csv'] }]
      }
      const r = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options)
      return r.canceled || !r.filePath ? null : r.filePath
    }
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
