/**
 * Encryption of secrets at rest, and the modes of the files that hold them. Electron passes a
 * box backed by safeStorage (the OS keychain); the browser bridge and the CLI use AES-256-GCM
 * with a key file kept apart from the database: in the OS config folder (Linux
 * $XDG_CONFIG_HOME or ~/.config, macOS ~/Library/Application Support, Windows %APPDATA%),
 * `sms-desk-keys/<hash of the data folder's real path>/secret.key`, one key per data folder,
 * folders 0700, file 0600. SMS_DESK_KEY_DIR (or the keyDir parameter) names another folder
 * in place of `sms-desk-keys`. A key left beside the database by an earlier version
 * (`<dataDir>/secret.key`) is moved there on first use, so the tokens it encrypted still
 * decrypt. The key is read on first use: a damaged or unreadable key file is an AppError
 * (key_damaged) that names the file, never a crash at start.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { AppError, isAppError } from '../shared/errors'

export interface SecretBox {
  encrypt(plain: string): Buffer
  decrypt(data: Buffer): string
}

/** Names the folder that holds the key files (in place of `<config>/sms-desk-keys`). */
export const KEY_DIR_ENV = 'SMS_DESK_KEY_DIR'

/** The name of a key file, and of the one an earlier version kept in the data folder. */
const KEY_FILE = 'secret.key'

/** The OS folder for per-user configuration. */
export function configRoot(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = os.homedir()
): string {
  if (platform === 'win32') return env.APPDATA || path.join(home, 'AppData', 'Roaming')
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support')
  const xdg = env.XDG_CONFIG_HOME
  return xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.config')
}

/** The folder of the key files: SMS_DESK_KEY_DIR, else `<config>/sms-desk-keys`. */
export function defaultKeyDir(env: NodeJS.ProcessEnv = process.env): string {
  const named = env[KEY_DIR_ENV]
  return named ? path.resolve(named) : path.join(configRoot(env), 'sms-desk-keys')
}

/** Where the key of a data folder lives (the data folder must exist). */
export function keyFilePath(dataDir: string, keyDir: string = defaultKeyDir()): string {
  const real = fs.realpathSync.native(path.resolve(dataDir))
  const name = crypto.createHash('sha256').update(real).digest('hex').slice(0, 32)
  return path.join(keyDir, name, KEY_FILE)
}

/**
 * A box whose key belongs to `dataDir` and lives in `keyDir` (see the top of this file). Nothing
 * is read or written before the first encrypt or decrypt.
 */
export function keyFileBox(dataDir: string, keyDir: string = defaultKeyDir()): SecretBox {
  let key: Buffer | null = null
  const load = (): Buffer => (key ??= loadKey(path.resolve(dataDir), path.resolve(keyDir)))
  return {
    encrypt(plain) {
      const k = load()
      const iv = crypto.randomBytes(12)
      const cipher = crypto.createCipheriv('aes-256-gcm', k, iv)
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
      return Buffer.concat([iv, cipher.getAuthTag(), body])
    },
    decrypt(data) {
      const decipher = crypto.createDecipheriv('aes-256-gcm', load(), data.subarray(0, 12))
      decipher.setAuthTag(data.subarray(12, 28))
      return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8')
    }
  }
}

/** True for the errors of the key file itself (as opposed to a ciphertext it cannot open). */
export function isKeyError(e: unknown): e is AppError {
  return isAppError(e) && e.code === 'key_damaged'
}

function keyError(file: string, problem: string): AppError {
  return new AppError(
    'key_damaged',
    `The key file ${file} ${problem}. The saved tokens cannot be decrypted: delete the file and enter the tokens again in Settings.`,
    { file }
  )
}

/** The key in a file; null when there is no file. */
function readKey(file: string): Buffer | null {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw keyError(file, `cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`)
  }
  const s = text.trim()
  const key = /^[A-Za-z0-9+/]{43}=$/.test(s) ? Buffer.from(s, 'base64') : Buffer.alloc(0)
  if (key.length !== 32) throw keyError(file, 'is damaged (it does not hold a 256-bit key)')
  return key
}

/**
 * Writes a new key file, 0600. Through a private temporary name and a hard link, so another
 * process that starts at the same moment either finds the whole file or writes its own, and
 * both end up with the one that was linked first.
 */
function writeKey(file: string, key: Buffer): Buffer {
  const partial = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.partial`
  fs.writeFileSync(partial, key.toString('base64'), { mode: 0o600, flag: 'wx' })
  try {
    privateFile(partial)
    try {
      fs.linkSync(partial, file)
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      if (code === 'EEXIST') return readKey(file) ?? key
      fs.renameSync(partial, file) // a file system without hard links
    }
  } finally {
    fs.rmSync(partial, { force: true })
  }
  return key
}

function loadKey(dataDir: string, keyDir: string): Buffer {
  const legacy = path.join(dataDir, KEY_FILE)
  try {
    privateDir(dataDir)
    privateDir(keyDir)
    const file = keyFilePath(dataDir, keyDir)
    privateDir(path.dirname(file))
    let key = readKey(file)
    if (!key) {
      // A key an earlier version kept in the data folder: it moves (a damaged one stays, and is reported).
      const moved = readKey(legacy)
      key = writeKey(file, moved ?? crypto.randomBytes(32))
    }
    privateFile(file)
    fs.rmSync(legacy, { force: true }) // the key that counts is the one in the key folder
    return key
  } catch (e) {
    if (isAppError(e)) throw e
    const err = e as NodeJS.ErrnoException
    throw new AppError(
      'key_damaged',
      `The key file of ${dataDir} cannot be read or created in ${keyDir} (${err.code ?? 'error'}: ${err.message}).`,
      { file: keyDir }
    )
  }
}

/** True when the current user owns this file or folder (always on Windows, where modes do not apply). */
function ownedByMe(st: fs.Stats): boolean {
  return typeof process.getuid !== 'function' || st.uid === process.getuid()
}

function restrict(p: string, mode: number): void {
  if (process.platform === 'win32') return
  try {
    const st = fs.statSync(p)
    if (ownedByMe(st) && (st.mode & 0o777) !== mode) fs.chmodSync(p, mode)
  } catch {
    // gone, or not ours to change (a shared folder)
  }
}

/** A folder readable by its owner only: created 0700; an existing one of ours set to 0700. */
export function privateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
  restrict(dir, 0o700)
}

/** A file readable by its owner only (0600), when it exists and is ours. */
export function privateFile(file: string): void {
  restrict(file, 0o600)
}

/** Creates an empty file 0600 (whatever the umask) unless it exists: for SQLite to fill. */
export function createPrivateFile(file: string): void {
  try {
    fs.closeSync(fs.openSync(file, 'wx', 0o600))
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
  }
  privateFile(file)
}
