/**
 * Encryption of secrets at rest. Electron passes a box backed by safeStorage (the OS
 * keychain); the browser bridge and the CLI use AES-256-GCM with a key file readable only by
 * the user, kept apart from the database.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

export interface SecretBox {
  encrypt(plain: string): Buffer
  decrypt(data: Buffer): string
}

export function keyFileBox(dir: string): SecretBox {
  const file = path.join(dir, 'secret.key')
  let key: Buffer
  if (fs.existsSync(file)) {
    key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64')
  } else {
    key = crypto.randomBytes(32)
    fs.mkdirSync(dir, { recursive: true })
    fs.writeFileSync(file, key.toString('base64'), { mode: 0o600 })
  }
  if (key.length !== 32) throw new Error(`The key file ${file} is damaged`)
  return {
    encrypt(plain) {
      const iv = crypto.randomBytes(12)
      const cipher = crypto.createCipheriv('aes-256-gcm', key, iv)
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
      return Buffer.concat([iv, cipher.getAuthTag(), body])
    },
    decrypt(data) {
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, data.subarray(0, 12))
      decipher.setAuthTag(data.subarray(12, 28))
      return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8')
    }
  }
}
