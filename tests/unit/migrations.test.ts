import Database from 'better-sqlite3'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/backend/db/connection'
import { MIGRATIONS } from '../../src/backend/db/migrations'
import { AppError } from '../../src/shared/errors'

let dir: string
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsdesk-mig-'))
})
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

describe('migrations', () => {
  it('creates a fresh database in WAL mode with foreign keys and records every migration', () => {
    const db = openDatabase(path.join(dir, 'a.sqlite'))
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
    const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all()
    expect(versions).toEqual(MIGRATIONS.map((m) => m.version))
    db.close()
  })

  it('backs the file up before applying new migrations, in one transaction', () => {
    const file = path.join(dir, 'b.sqlite')
    openDatabase(file).close()
    const extra = [...MIGRATIONS, { version: 99, name: 'extra', sql: 'CREATE TABLE extra (x INTEGER);' }]
    const db = openDatabase(file, { migrations: extra })
    expect(fs.existsSync(`${file}.v${MIGRATIONS.length}.bak`)).toBe(true)
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'extra'").pluck().get()).toBe(1)
    db.close()

    // A failing migration leaves nothing half-applied.
    const broken = [...extra, { version: 100, name: 'broken', sql: 'CREATE TABLE ok1 (x); SELECT * FROM missing_table;' }]
    expect(() => openDatabase(file, { migrations: broken })).toThrow()
    const check = new Database(file, { readonly: true })
    expect(check.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'ok1'").pluck().get()).toBe(0)
    expect(check.prepare('SELECT max(version) FROM schema_migrations').pluck().get()).toBe(99)
    check.close()
  })

  it('refuses a database written by a newer version without modifying it', () => {
    const file = path.join(dir, 'c.sqlite')
    const extra = [...MIGRATIONS, { version: 99, name: 'future', sql: 'CREATE TABLE future (x INTEGER);' }]
    openDatabase(file, { migrations: extra }).close()
    const before = fs.readFileSync(file)
    let error: unknown
    try {
      openDatabase(file)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(AppError)
    expect((error as AppError).code).toBe('db_too_new')
    expect(fs.readFileSync(file).equals(before)).toBe(true)
    expect(fs.existsSync(`${file}-wal`) && fs.statSync(`${file}-wal`).size > 0).toBe(false)
  })

  it('refuses a database whose recorded migrations are out of order', () => {
    const file = path.join(dir, 'd.sqlite')
    openDatabase(file).close()
    const renamed = MIGRATIONS.map((m, i) => (i === 0 ? { ...m, name: 'something-else' } : m))
    expect(() => openDatabase(file, { migrations: renamed })).toThrow(/was expected/)
  })

  it('keeps the SQL of every released migration byte for byte', () => {
    // A released migration has run on users' files: changing its SQL would leave their schema
    // different from a new file's. Add a migration instead; append its hash here when released.
    const released: Record<number, string> = {
      1: 'f8ed5aee508765e5b0fbaaf1f3b430cb237b632a',
      2: '38a549ba8addc6191136b3aa28b24ed82f8a3da7',
      3: '4caf0b3d1a483663cd1dff12d2a4eff4f267f9ef',
      4: 'a68927f2eaa591463d74b473a9277dae9b01b699',
      5: '1684b31cd386c23120ef8eddae9891f66a39ae2e',
      6: 'f4f6237cda29c548df8ad9f7637bdbac753fc42b',
      7: '68948ed422e9a44ebbfaba6c7785c3a64d7bb69c',
      8: 'e01aac1d1eec75ce2e724af509fae4133ef78459'
    }
    for (const m of MIGRATIONS) {
      expect(createHash('sha1').update(m.sql).digest('hex'), `migration ${m.version} ${m.name}`).toBe(released[m.version])
    }
  })
})
