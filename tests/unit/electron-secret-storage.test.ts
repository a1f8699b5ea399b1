/**
 * Which secret storage the Electron app uses (src/main/secretStorage.ts), and app.info
 * reporting it from a real backend on a real SQLite file: the live one and the one that only
 * answers the store channels when the database cannot be opened.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createBackend, type Backend, type BackendOptions } from '../../src/backend/service'
import { chooseSecretStorage } from '../../src/main/secretStorage'
import type { AppInfo } from '../../src/shared/types'

const probe = (available: boolean, backend: string) => ({
  isEncryptionAvailable: () => available,
  getSelectedStorageBackend: () => {
    if (backend === 'throws') throw new Error('getSelectedStorageBackend is Linux only')
    return backend
  }
})

describe('the choice of secret storage', () => {
  it('takes the keychain when safeStorage has a real one', () => {
    for (const backend of ['gnome_libsecret', 'kwallet', 'kwallet5', 'kwallet6']) {
      expect(chooseSecretStorage(probe(true, backend), 'linux'), backend).toBe('keychain')
    }
    expect(chooseSecretStorage(probe(true, 'throws'), 'darwin')).toBe('keychain')
    expect(chooseSecretStorage(probe(true, 'throws'), 'win32')).toBe('keychain')
  })

  it("takes the key file on Linux's basic_text (a fixed password) or unknown backend", () => {
    expect(chooseSecretStorage(probe(true, 'basic_text'), 'linux')).toBe('keyFile')
    expect(chooseSecretStorage(probe(true, 'unknown'), 'linux')).toBe('keyFile')
  })

  it('takes the key file wherever encryption is unavailable', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      expect(chooseSecretStorage(probe(false, 'gnome_libsecret'), platform), platform).toBe('keyFile')
    }
  })
})

describe('app.info', () => {
  const box = { encrypt: (plain: string) => Buffer.from(plain), decrypt: (data: Buffer) => data.toString() }
  const open: Backend[] = []
  const dirs: string[] = []
  const backend = (extra: Partial<BackendOptions> = {}, damaged = false): Backend => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsdesk-secret-storage-'))
    dirs.push(dataDir)
    if (damaged) fs.writeFileSync(path.join(dataDir, 'sms-desk.sqlite'), 'this is not a SQLite database '.repeat(200))
    const b = createBackend({ dataDir, box, mode: 'electron', version: 't', ...extra })
    open.push(b)
    return b
  }
  const info = async (b: Backend): Promise<AppInfo> => {
    const r = await b.dispatch('app.info', {})
    if (!r.ok) throw new Error(JSON.stringify(r.error))
    return r.value as AppInfo
  }
  afterEach(async () => {
    for (const b of open.splice(0)) await b.close()
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
  })

  it('reports the storage the backend was given, keyFile by default', async () => {
    expect((await info(backend({ secretStorage: 'keychain' }))).secretStorage).toBe('keychain')
    expect((await info(backend({ secretStorage: 'keyFile' }))).secretStorage).toBe('keyFile')
    expect((await info(backend())).secretStorage).toBe('keyFile')
  })

  it('reports it also while the database cannot be opened', async () => {
    const i = await info(backend({ secretStorage: 'keychain' }, true))
    expect(i.demoAvailable).toBe(false) // the store-only backend answered
    expect(i.secretStorage).toBe('keychain')
    expect((await info(backend({}, true))).secretStorage).toBe('keyFile')
  })
})
