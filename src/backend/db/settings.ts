/** Settings (JSON values by key) and encrypted secrets. */
import type { SecretBox } from '../secrets'
import type { Db } from './connection'

export class SettingsRepo {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox
  ) {}

  get<T>(key: string, fallback: T): T {
    const v = this.db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(key) as string | undefined
    if (v === undefined) return fallback
    try {
      return JSON.parse(v) as T
    } catch {
      return fallback
    }
  }

  set(key: string, value: unknown): void {
    this.db
      .prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
      .run(key, JSON.stringify(value))
  }

  secret(key: string): string | undefined {
    const c = this.db.prepare('SELECT ciphertext FROM secrets WHERE key = ?').pluck().get(key) as Buffer | undefined
    if (!c) return undefined
    try {
      return this.box.decrypt(c)
    } catch {
      return undefined // a key that can no longer decrypt (another machine, a reset keychain)
    }
  }

  hasSecret(key: string): boolean {
    return this.db.prepare('SELECT 1 FROM secrets WHERE key = ?').get(key) !== undefined
  }

  setSecret(key: string, plain: string): void {
    if (plain === '') {
      this.db.prepare('DELETE FROM secrets WHERE key = ?').run(key)
      return
    }
    this.db
      .prepare('INSERT INTO secrets (key, ciphertext) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET ciphertext = excluded.ciphertext')
      .run(key, this.box.encrypt(plain))
  }
}
