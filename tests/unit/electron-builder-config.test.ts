/**
 * The packaging configuration (build/electron-builder.yml): electron-builder's own schema
 * accepts it, and every Electron fuse the app relies on is set.
 */
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'

const require = createRequire(import.meta.url)
const load = () => parse(fs.readFileSync(path.resolve('build/electron-builder.yml'), 'utf8')) as Record<string, unknown>

/** electron-builder's own check of a configuration (the one `electron-builder --win` runs first). */
async function validate(config: Record<string, unknown>): Promise<void> {
  const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
    validateConfiguration(c: unknown, logger: unknown): Promise<void>
  }
  const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown }
  await validateConfiguration(config, new DebugLogger(false))
}

describe('electron-builder.yml', () => {
  it('flips every fuse the app relies on', () => {
    const config = load()
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false
    })
    // onlyLoadAppFromAsar and the integrity check need the app in an asar.
    expect(config.asar).toBe(true)
  })

  it("passes electron-builder 26's schema, which refuses an unknown fuse", { timeout: 60_000 }, async () => {
    await expect(validate(load())).resolves.toBeUndefined()
    const wrong = load()
    wrong.electronFuses = { ...(wrong.electronFuses as object), runAsNodeX: false }
    await expect(validate(wrong)).rejects.toThrow(/electronFuses/)
  })

  it('packages against the installed Electron 45', () => {
    const electron = require('electron/package.json') as { version: string }
    expect(electron.version).toBe('45.5.0')
    expect(load().electronVersion).toBeUndefined() // taken from node_modules/electron
  })
})
