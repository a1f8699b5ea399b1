/** Settings (JSON values by key), encrypted secrets, and the connections with their tokens. */
import { mayCarryToken, urlOrigin } from '../../shared/contract'
import { AppError } from '../../shared/errors'
import type { ConnectionView, SourceKind, TokenReset } from '../../shared/types'
import { isKeyError, type SecretBox } from '../secrets'
import type { Db } from './connection'

/** A source as the sync and the outbox reach it: its URL, and its token where it may go. */
export interface Connection {
  url: string
  token?: string
}

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

  delete(key: string): void {
    this.db.prepare('DELETE FROM settings WHERE key = ?').run(key)
  }

  /** A secret in clear; undefined when there is none or it no longer decrypts. A damaged key file throws (key_damaged). */
  secret(key: string): string | undefined {
    const c = this.db.prepare('SELECT ciphertext FROM secrets WHERE key = ?').pluck().get(key) as Buffer | undefined
    if (!c) return undefined
    try {
      return this.box.decrypt(c)
    } catch (e) {
      if (isKeyError(e)) throw e
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

/** A token refused for a URL it would cross in clear. */
export function insecureUrlError(field: string, url: string): AppError {
  return new AppError(
    'insecure_url',
    `A token is sent only over https (plain http only to this computer): ${url.slice(0, 200)} would carry it in clear. Use an https:// address, or clear the token first.`,
    { field }
  )
}

/**
 * The remote connections: a URL per source and its token, bound to the origin (scheme, host,
 * port) of the URL it was saved with (`connection.<kind>.tokenOrigin`). A token is sent only
 * to that origin, and only over https or to this computer:
 * - a new URL of another origin, saved without a new token, removes the stored token (and the
 *   view says it must be entered again); a new path on the same origin keeps it;
 * - a token is refused (insecure_url) for a plain-http address of another computer, and so is
 *   such an address while a token is in use (clear the token first); without a token it is
 *   saved, and the server is then asked without credentials;
 * - a token saved before origins were recorded is bound to the URL stored then (bindLegacy);
 *   one saved with a plain-http address of another computer is removed.
 */
export class ConnectionSettings {
  constructor(private readonly settings: SettingsRepo) {}

  url(kind: SourceKind): string {
    return this.settings.get<string>(`connection.${kind}.url`, '')
  }

  /** The origin the stored token is bound to; '' when there is no token. */
  private tokenOrigin(kind: SourceKind): string {
    if (!this.settings.hasSecret(tokenKey(kind))) return ''
    // Not recorded yet (bindLegacy could not write): the URL stored with it.
    return this.settings.get<string>(originKey(kind), urlOrigin(this.url(kind)))
  }

  /** Whether the stored token may be sent to `url`: saved for its origin, and https or this computer. */
  private tokenFits(kind: SourceKind, url: string): boolean {
    const origin = this.tokenOrigin(kind)
    return origin !== '' && urlOrigin(url) === origin && mayCarryToken(url)
  }

  /** What the sync and the outbox use: the URL, and the token only where it was saved for. */
  connection(kind: SourceKind): Connection {
    const url = this.url(kind)
    return { url, token: this.tokenFits(kind, url) ? this.settings.secret(tokenKey(kind)) : undefined }
  }

  view(kind: SourceKind): ConnectionView {
    const url = this.url(kind)
    const hasToken = this.tokenFits(kind, url)
    const reset =
      this.settings.get<TokenReset | null>(resetKey(kind), null) ??
      (!hasToken && this.settings.hasSecret(tokenKey(kind)) ? 'origin_changed' : null)
    return reset ? { url, hasToken, tokenReset: reset } : { url, hasToken }
  }

  /**
   * The token a connection test sends to `url`: the one given in the call (refused over plain
   * http to another computer), else the stored one when `url` is on its origin, else none.
   */
  testToken(kind: SourceKind, url: string, given: string | undefined): string | undefined {
    if (given !== undefined) {
      if (given !== '' && !mayCarryToken(url)) throw insecureUrlError(urlField(kind), url)
      return given || undefined
    }
    return this.tokenFits(kind, url) ? this.settings.secret(tokenKey(kind)) : undefined
  }

  /** Saves a connection (in the caller's transaction): undefined keeps, a token '' clears it. */
  save(kind: SourceKind, patch: { url?: string; token?: string }): void {
    const current = this.url(kind)
    const url = patch.url ?? current
    if (patch.token) {
      if (!url) throw new AppError('not_configured', 'Enter the server address first', { field: urlField(kind) })
      if (!mayCarryToken(url)) throw insecureUrlError(urlField(kind), url)
      this.settings.setSecret(tokenKey(kind), patch.token)
      this.settings.set(originKey(kind), urlOrigin(url))
      this.settings.delete(resetKey(kind))
    } else if (patch.token === '') {
      this.dropToken(kind, null)
    } else if (patch.url !== undefined && this.settings.hasSecret(tokenKey(kind))) {
      if (this.tokenFits(kind, url)) {
        this.settings.set(originKey(kind), urlOrigin(url)) // the same server: the token stays
      } else if (url !== '' && !mayCarryToken(url) && this.tokenFits(kind, current)) {
        throw insecureUrlError(urlField(kind), url)
      } else {
        this.dropToken(kind, 'origin_changed')
      }
    }
    if (patch.url !== undefined) this.settings.set(`connection.${kind}.url`, patch.url)
  }

  /**
   * Binds each token saved before origins were recorded to the origin of the URL stored with it;
   * one that travelled over plain http to another computer is removed (to be entered again
   * with an https address).
   */
  bindLegacy(kinds: readonly SourceKind[]): void {
    for (const kind of kinds) {
      if (!this.settings.hasSecret(tokenKey(kind))) continue
      if (this.settings.get<string | null>(originKey(kind), null) !== null) continue
      const url = this.url(kind)
      if (url !== '' && !mayCarryToken(url)) this.dropToken(kind, 'insecure_url')
      else this.settings.set(originKey(kind), urlOrigin(url))
    }
  }

  private dropToken(kind: SourceKind, reason: TokenReset | null): void {
    this.settings.setSecret(tokenKey(kind), '')
    this.settings.delete(originKey(kind))
    if (reason) this.settings.set(resetKey(kind), reason)
    else this.settings.delete(resetKey(kind))
  }
}

const tokenKey = (kind: SourceKind): string => `connection.${kind}.token`
const originKey = (kind: SourceKind): string => `connection.${kind}.tokenOrigin`
const resetKey = (kind: SourceKind): string => `connection.${kind}.tokenReset`
const urlField = (kind: SourceKind): string => `connections.${kind}.url`
