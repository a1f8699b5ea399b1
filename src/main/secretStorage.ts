/**
 * Where tokens are encrypted: with Electron's safeStorage when it is backed by a real keychain,
 * else with the key file in the user-data folder (backend/secrets.ts). On Linux safeStorage
 * falls back to "basic_text" when no keyring (libsecret, KWallet) answers: a password fixed in
 * Chromium's source, no better than plain text, so that counts as no keychain.
 */
import type { SecretStorage } from '../shared/types'

/** The part of Electron's safeStorage the choice reads. */
export interface SafeStorageProbe {
  isEncryptionAvailable(): boolean
  getSelectedStorageBackend(): string
}

/** Linux backends that are a real keyring (the others: basic_text, unknown). */
const LINUX_KEYRINGS = new Set(['gnome_libsecret', 'kwallet', 'kwallet5', 'kwallet6'])

export function chooseSecretStorage(safe: SafeStorageProbe, platform: NodeJS.Platform): SecretStorage {
  if (!safe.isEncryptionAvailable()) return 'keyFile'
  // getSelectedStorageBackend exists on Linux only.
  if (platform === 'linux' && !LINUX_KEYRINGS.has(safe.getSelectedStorageBackend())) return 'keyFile'
  return 'keychain'
}
