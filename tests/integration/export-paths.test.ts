/**
 * Where an export may be written, through backend.dispatch with real files: a caller never
 * names a path (the save dialog's answer is kept behind a single-use, expiring handle), nothing
 * is ever written into the data folder, over the database, its companions or a key file — not
 * even when the dialog points there or a symlink leads there — generated names never
 * overwrite, and the export folder setting refuses the data folder, places outside the home
 * folder (browser mode) and any typed path in the desktop app (its folder dialog only).
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ExportService, fileStamp } from '../../src/backend/export/jobs'
import { SettingsRepo } from '../../src/backend/db/settings'
import { keyFileBox } from '../../src/backend/secrets'
import { createBackend, type Backend, type BackendOptions } from '../../src/backend/service'
import { exportRequestSchema } from '../../src/shared/contract'
import type { WireError } from '../../src/shared/errors'
import type { ExportJob, SettingsView } from '../../src/shared/types'
import { tempDir } from '../helpers'

let root: ReturnType<typeof tempDir>
/** The backend's data folder, the user's home, a folder outside the home. */
let dataDir: string
let home: string
let elsewhere: string
let defaultDir: string

beforeAll(() => {
  root = tempDir('smsdesk-export-paths-')
  dataDir = path.join(root.dir, 'data')
  home = path.join(root.dir, 'home')
  elsewhere = path.join(root.dir, 'elsewhere')
  defaultDir = path.join(home, 'SMS Desk exports')
  for (const d of [home, elsewhere]) fs.mkdirSync(d)
})
afterAll(() => root.cleanup())

interface Desk {
  backend: Backend
  /** The key file of the desk's secrets (made by saving a token), wherever the box keeps it. */
  keyFile(): Promise<string>
  /** The same data folder and key, opened again. */
  reopen(): Backend
  call<T>(channel: string, input: unknown): Promise<T>
  refused(channel: string, input: unknown): Promise<WireError>
  close(): Promise<void>
}

const open: Desk[] = []
afterEach(async () => {
  for (const d of open.splice(0)) await d.close()
})

let desks = 0

/** A backend on a fresh data folder (no export worker: the writer runs in this thread). */
function desk(extra: Partial<BackendOptions> = {}): Desk {
  const n = desks++
  const folder = path.join(dataDir, String(n))
  const keyDir = path.join(root.dir, 'keys', String(n))
  const options = (): BackendOptions => ({
    dataDir: folder, box: keyFileBox(folder, keyDir), mode: 'browser', version: 'test', homeDir: home, defaultExportDir: defaultDir, ...extra
  })
  const backend = createBackend(options())
  backend.db
    .prepare(`INSERT INTO sender_names (id, client_id, name, channel, status, questionnaire, created_at, updated_at) VALUES (?, 1, ?, ?, 'approved', 'completed', ?, ?)`)
    .run(1, 'Beta', 'viber', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')
  backend.db
    .prepare(`INSERT INTO sender_names (id, client_id, name, channel, status, questionnaire, created_at, updated_at) VALUES (?, 1, ?, ?, 'approved', 'completed', ?, ?)`)
    .run(2, 'Acme', 'sms', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')
  const d: Desk = {
    backend,
    async keyFile() {
      await d.call('settings.save', { connections: { platform: { url: 'http://127.0.0.1:9', token: 'tok-123' } } })
      const keys = (fs.readdirSync(keyDir, { recursive: true }) as string[]).filter((f) => path.basename(f) === 'secret.key')
      expect(keys).toHaveLength(1)
      return path.join(keyDir, keys[0])
    },
    reopen: () => createBackend(options()),
    async call<T>(channel: string, input: unknown): Promise<T> {
      const r = await backend.dispatch(channel, input)
      if (!r.ok) throw Object.assign(new Error(r.error.message), r.error)
      return r.value as T
    },
    async refused(channel, input) {
      const r = await backend.dispatch(channel, input)
      expect(r.ok, `${channel} should be refused`).toBe(false)
      return r.ok ? { code: 'internal', message: '' } : r.error
    },
    close: () => backend.close()
  }
  open.push(d)
  return d
}

/** A desk with a simulated save dialog (what it answers: `saveAs.next`) and a movable clock. */
function electronDesk(extra: Partial<BackendOptions> = {}): Desk & { saveAs: { next: string | null; folder: string }; clock: { t: number } } {
  const saveAs = { next: null as string | null, folder: '' }
  const clock = { t: Date.parse('2026-03-01T10:00:00Z') }
  const d = desk({
    mode: 'electron',
    chooseSaveFile: async (_name, _format, folder) => {
      saveAs.folder = folder
      return saveAs.next
    },
    now: () => clock.t,
    ...extra
  })
  return Object.assign(d, { saveAs, clock })
}

const NAMES = { table: 'names', format: 'csv', columns: ['name', 'channel'], names: { clientId: 1 } }

async function finished(d: Desk, id: string): Promise<ExportJob> {
  const until = Date.now() + 30_000
  for (;;) {
    const job = await d.call<ExportJob>('export.status', { id })
    if (job.state !== 'running' || Date.now() > until) return job
    await new Promise((r) => setTimeout(r, 10))
  }
}

function csvRows(file: string): string[][] {
  const text = fs.readFileSync(file, 'utf8')
  expect(text.charCodeAt(0)).toBe(0xfeff)
  return text.slice(1).trim().split('\r\n').map((l) => l.split(','))
}

/** The names in a folder, subfolders included, and the bytes of its files other than the database's (SQLite changes those itself). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const p = path.join(dir, name)
    out[name] = !fs.lstatSync(p).isFile() || name.startsWith('sms-desk.sqlite') ? '' : fs.readFileSync(p).toString('base64')
  }
  return out
}

describe('export.start never takes a path', () => {
  it('refuses a foreign absolute path by the schema, and a path posing as a handle', async () => {
    const d = electronDesk()
    const victim = path.join(elsewhere, 'victim.txt')
    fs.writeFileSync(victim, 'keep me')
    const r = await d.refused('export.start', { ...NAMES, file: victim })
    expect(r).toMatchObject({ code: 'invalid_input' })
    expect(r.message).toMatch(/Unrecognized key/)
    expect(await d.refused('export.start', { ...NAMES, target: victim })).toMatchObject({ code: 'invalid_input', params: { field: 'target' } })
    expect(() => exportRequestSchema.parse({ ...NAMES, file: victim })).toThrow()
    expect(fs.readFileSync(victim, 'utf8')).toBe('keep me')
    expect(fs.readdirSync(elsewhere)).toEqual(['victim.txt'])
  })

  it('exports through a valid handle: the chosen file, replaced with the right rows, in the dialog opened at the export folder', async () => {
    const d = electronDesk()
    const file = path.join(elsewhere, 'Names.csv')
    fs.writeFileSync(file, 'an older file the user chose to replace')
    d.saveAs.next = file
    const chosen = await d.call<{ target: string; name: string }>('export.chooseFile', { suggestedName: '../names', format: 'csv' })
    expect(chosen.name).toBe('Names.csv')
    expect(chosen.target).toMatch(/^[A-Za-z0-9_-]{32}$/)
    expect(chosen.target).not.toContain('Names')
    expect(d.saveAs.folder).toBe(defaultDir)
    expect((fs.statSync(defaultDir).mode & 0o777).toString(8)).toBe('700')
    const job = await d.call<ExportJob>('export.start', { ...NAMES, target: chosen.target })
    expect(job.file).toBe(file)
    expect(await finished(d, job.id)).toMatchObject({ state: 'done', rows: 2 })
    expect(csvRows(file)).toEqual([['Name (Sender ID)', 'Channel'], ['Acme', 'SMS'], ['Beta', 'Viber']])
  })

  it('a cancelled dialog gives no handle', async () => {
    const d = electronDesk()
    d.saveAs.next = null
    expect(await d.call('export.chooseFile', { suggestedName: 'names', format: 'csv' })).toBeNull()
  })

  it('a handle serves one export: used, unknown or expired ones are refused', async () => {
    const d = electronDesk()
    d.saveAs.next = path.join(elsewhere, 'once.csv')
    const { target } = await d.call<{ target: string }>('export.chooseFile', { suggestedName: 'names', format: 'csv' })
    const first = await d.call<ExportJob>('export.start', { ...NAMES, target })
    expect((await finished(d, first.id)).state).toBe('done')
    fs.writeFileSync(first.file, 'the finished export')
    expect(await d.refused('export.start', { ...NAMES, target })).toMatchObject({ code: 'export_target_invalid', params: { field: 'target' } })
    expect(fs.readFileSync(first.file, 'utf8')).toBe('the finished export')
    expect(await d.refused('export.start', { ...NAMES, target: 'A'.repeat(32) })).toMatchObject({ code: 'export_target_invalid' })

    // Ten minutes after the choice the handle is gone; just before, it still works.
    d.saveAs.next = path.join(elsewhere, 'late.csv')
    const late = await d.call<{ target: string }>('export.chooseFile', { suggestedName: 'names', format: 'csv' })
    d.saveAs.next = path.join(elsewhere, 'in-time.csv')
    const inTime = await d.call<{ target: string }>('export.chooseFile', { suggestedName: 'names', format: 'csv' })
    d.clock.t += 10 * 60_000 - 1
    expect((await finished(d, (await d.call<ExportJob>('export.start', { ...NAMES, target: inTime.target })).id)).state).toBe('done')
    d.clock.t += 1
    expect(await d.refused('export.start', { ...NAMES, target: late.target })).toMatchObject({ code: 'export_target_invalid' })
    expect(fs.existsSync(path.join(elsewhere, 'late.csv'))).toBe(false)
  })
})

describe('nothing is written into the data folder', () => {
  it('refuses the key file, the database, its companions and any file in the data folder, even when the dialog returns them', async () => {
    const d = electronDesk()
    const dir = path.dirname(d.backend.db.name)
    const key = await d.keyFile()
    const keyBytes = fs.readFileSync(key)
    fs.mkdirSync(path.join(dir, 'backups'), { recursive: true })
    fs.writeFileSync(path.join(dir, 'backups', 'old.sqlite'), 'a backup')
    const before = snapshot(dir)
    expect(Object.keys(before)).toEqual(expect.arrayContaining(['sms-desk.sqlite', 'backups/old.sqlite']))
    fs.symlinkSync(key, path.join(elsewhere, 'innocent.csv'))
    fs.symlinkSync(dir, path.join(home, 'data-link'))
    fs.symlinkSync(path.join(dir, 'new-file.csv'), path.join(elsewhere, 'dangling.csv'))
    fs.writeFileSync(path.join(elsewhere, 'secret.key'), 'another key file')
    const db = d.backend.db.name
    for (const file of [
      key,
      path.join(dir, 'secret.key'), // where earlier versions kept it
      db,
      `${db}-wal`,
      `${db}-shm`,
      `${db}-journal`,
      path.join(dir, 'report.csv'),
      path.join(dir, 'backups', 'old.sqlite'),
      path.join(dir, 'backups', 'new.csv'),
      path.join(elsewhere, 'innocent.csv'), // a symlink to the key file
      path.join(elsewhere, 'dangling.csv'), // a symlink to a new file in the data folder
      path.join(home, 'data-link', 'report.csv'), // through a symlinked folder
      path.join(elsewhere, 'secret.key') // a key file anywhere
    ]) {
      d.saveAs.next = file
      expect(await d.refused('export.chooseFile', { suggestedName: 'names', format: 'csv' }), file).toMatchObject({
        code: 'export_path_protected',
        params: { field: 'target' }
      })
    }
    expect(snapshot(dir)).toEqual(before)
    expect(fs.readFileSync(key).equals(keyBytes)).toBe(true)
    expect(fs.readFileSync(path.join(elsewhere, 'secret.key'), 'utf8')).toBe('another key file')
    // The key still opens the stored token: the app starts as before.
    await d.close()
    open.length = 0
    const again = d.reopen()
    try {
      expect(await again.dispatch('settings.get', {})).toMatchObject({ ok: true, value: { connections: { platform: { hasToken: true } } } })
      expect(new SettingsRepo(again.db, keyFileBox(dir, path.dirname(path.dirname(key)))).secret('connection.platform.token')).toBe('tok-123')
    } finally {
      await again.close()
    }
  })

  it('checks the chosen file again when the export starts: a symlink swapped in is refused', async () => {
    const d = electronDesk()
    const key = await d.keyFile()
    const bytes = fs.readFileSync(key)
    const file = path.join(elsewhere, 'swapped.csv')
    d.saveAs.next = file
    const { target } = await d.call<{ target: string }>('export.chooseFile', { suggestedName: 'names', format: 'csv' })
    fs.symlinkSync(key, file)
    expect(await d.refused('export.start', { ...NAMES, target })).toMatchObject({ code: 'export_path_protected' })
    expect(fs.readFileSync(key).equals(bytes)).toBe(true)
  })

  it('the command line writes where --out says, but never over the database, its companions or a key file', async () => {
    const d = desk()
    const db = d.backend.db.name
    const key = await d.keyFile()
    const svc = new ExportService({ dbFile: db, exportDir: () => elsewhere })
    const req = exportRequestSchema.parse(NAMES)
    for (const file of [db, `${db}-wal`, `${db}-shm`, `${db}-journal`, path.join(elsewhere, 'secret.key')]) {
      await expect(svc.startToFile(req, file), file).rejects.toMatchObject({ code: 'export_path_protected' })
    }
    const ok = await svc.startToFile(req, path.join(dataDir, 'beside-the-db.csv'))
    expect((await svc.wait(ok.id)).state).toBe('done')
    await d.close()
    open.length = 0

    const bytes = fs.readFileSync(key)
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'tools/cli.ts', 'export', 'names', '--db', db, '--client', '1', '--out', key], { encoding: 'utf8', timeout: 60_000 })
    const line = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { ok: boolean; error?: { code: string } }
    expect(line).toMatchObject({ ok: false, error: { code: 'export_path_protected' } })
    expect(r.status).not.toBe(0)
    expect(fs.readFileSync(key).equals(bytes)).toBe(true)
  })
})

describe('generated names (the browser mode, or no file chosen)', () => {
  it('the browser mode has no dialog: exports go to generated names in the default folder, created for this user only', async () => {
    fs.rmSync(defaultDir, { recursive: true, force: true })
    const d = desk()
    expect(await d.refused('export.chooseFile', { suggestedName: 'names', format: 'csv' })).toMatchObject({ code: 'dialog_unavailable' })
    expect((await d.call<SettingsView>('settings.get', {})).exportDir).toBe(defaultDir)
    const job = await d.call<ExportJob>('export.start', NAMES)
    expect(path.dirname(job.file)).toBe(defaultDir)
    expect(path.basename(job.file)).toMatch(/^names-\d{8}-\d{6}(-\d+)?\.csv$/)
    expect((fs.statSync(defaultDir).mode & 0o777).toString(8)).toBe('700')
    expect(await finished(d, job.id)).toMatchObject({ state: 'done', rows: 2 })
    expect(csvRows(job.file)).toEqual([['Name (Sender ID)', 'Channel'], ['Acme', 'SMS'], ['Beta', 'Viber']])
  })

  it('never overwrites: taken names get -2, -3..., concurrent exports get their own, a cancelled one leaves nothing', async () => {
    const d = electronDesk()
    const dir = path.join(home, 'never-overwrite')
    fs.mkdirSync(dir)
    d.backend.db.prepare("INSERT INTO settings (key, value) VALUES ('exportDir', ?)").run(JSON.stringify(dir))
    const stem = `names-${fileStamp(new Date(d.clock.t))}`
    fs.writeFileSync(path.join(dir, `${stem}.csv`), 'first')
    fs.writeFileSync(path.join(dir, `${stem}-2.csv`), 'second')
    const jobs = await Promise.all([d.call<ExportJob>('export.start', NAMES), d.call<ExportJob>('export.start', NAMES)])
    expect(jobs.map((j) => path.basename(j.file)).sort()).toEqual([`${stem}-3.csv`, `${stem}-4.csv`])
    for (const j of jobs) expect(await finished(d, j.id)).toMatchObject({ state: 'done' })
    expect(fs.readFileSync(path.join(dir, `${stem}.csv`), 'utf8')).toBe('first')
    expect(fs.readFileSync(path.join(dir, `${stem}-2.csv`), 'utf8')).toBe('second')
    for (const j of jobs) expect(csvRows(j.file)).toHaveLength(3)

    const cancelled = await d.call<ExportJob>('export.start', NAMES)
    expect(path.basename(cancelled.file)).toBe(`${stem}-5.csv`)
    expect(await d.call('export.cancel', { id: cancelled.id })).toEqual({ cancelled: true })
    expect((await finished(d, cancelled.id)).state).toBe('cancelled')
    expect(fs.readdirSync(dir).sort()).toEqual([`${stem}-2.csv`, `${stem}-3.csv`, `${stem}-4.csv`, `${stem}.csv`])
  })

  it('a saved export folder that now leads into the data folder is not used, nor the old default <data>/exports', async () => {
    const d = desk()
    const data = path.dirname(d.backend.db.name)
    const folder = path.join(home, 'was-a-folder')
    fs.mkdirSync(folder)
    expect(await d.call<SettingsView>('settings.save', { exportDir: folder })).toMatchObject({ exportDir: folder })
    fs.rmdirSync(folder)
    fs.symlinkSync(data, folder)
    expect((await d.call<SettingsView>('settings.get', {})).exportDir).toBe(defaultDir)
    const job = await d.call<ExportJob>('export.start', NAMES)
    expect(path.dirname(job.file)).toBe(defaultDir)
    expect((await finished(d, job.id)).state).toBe('done')
    expect(fs.readdirSync(data).filter((f) => f.endsWith('.csv'))).toEqual([])

    // The default of earlier versions, stored in the settings.
    d.backend.db.prepare("UPDATE settings SET value = ? WHERE key = 'exportDir'").run(JSON.stringify(path.join(data, 'exports')))
    expect((await d.call<SettingsView>('settings.get', {})).exportDir).toBe(defaultDir)
    const next = await d.call<ExportJob>('export.start', NAMES)
    expect(path.dirname(next.file)).toBe(defaultDir)
    expect((await finished(d, next.id)).state).toBe('done')
    expect(fs.existsSync(path.join(data, 'exports'))).toBe(false)

    // The export service itself refuses a folder in the data folder, whoever names it.
    const svc = new ExportService({ dbFile: d.backend.db.name, dataDir: data, exportDir: () => path.join(data, 'exports') })
    await expect(svc.start(exportRequestSchema.parse(NAMES))).rejects.toMatchObject({ code: 'export_path_protected', params: { field: 'exportDir' } })
    expect(fs.existsSync(path.join(data, 'exports'))).toBe(false)
  })
})

describe('the export folder setting', () => {
  it('browser mode: an existing folder inside the home folder only, never in the data folder', async () => {
    const d = desk()
    const data = path.dirname(d.backend.db.name)
    fs.mkdirSync(path.join(data, 'backups'), { recursive: true })
    fs.symlinkSync(data, path.join(home, 'sneaky'))
    const refusal = (exportDir: string): Promise<WireError> => d.refused('settings.save', { theme: 'dark', exportDir })
    expect(await refusal(data)).toMatchObject({ code: 'export_path_protected', params: { field: 'exportDir' } })
    expect(await refusal(path.join(data, 'backups'))).toMatchObject({ code: 'export_path_protected', params: { field: 'exportDir' } })
    expect(await refusal(path.join(home, 'sneaky'))).toMatchObject({ code: 'export_path_protected', params: { field: 'exportDir' } })
    expect(await refusal(elsewhere)).toMatchObject({ code: 'export_dir_outside_home', params: { field: 'exportDir' } })
    expect(await refusal(path.join(home, 'missing'))).toMatchObject({ code: 'export_dir_not_found', params: { field: 'exportDir' } })
    expect(await refusal('relative/folder')).toMatchObject({ code: 'export_dir_not_found', params: { field: 'exportDir' } })
    // A refused folder saves nothing of the patch.
    expect(await d.call<SettingsView>('settings.get', {})).toMatchObject({ theme: 'system', exportDir: defaultDir })

    const mine = path.join(home, 'Reports')
    fs.mkdirSync(mine)
    expect(await d.call<SettingsView>('settings.save', { exportDir: mine })).toMatchObject({ exportDir: mine })
    const job = await d.call<ExportJob>('export.start', NAMES)
    expect(path.dirname(job.file)).toBe(mine)
    expect((await finished(d, job.id)).state).toBe('done')
    expect(await d.call<SettingsView>('settings.save', { exportDir: '' })).toMatchObject({ exportDir: defaultDir })
    expect(await d.refused('settings.chooseExportDir', {})).toMatchObject({ code: 'dialog_unavailable' })
  })

  it('desktop app: only the folder dialog changes it, and never to the data folder', async () => {
    const answers: (string | null)[] = []
    const asked: string[] = []
    const d = electronDesk({
      chooseFolder: async (current) => {
        asked.push(current)
        return answers.shift() ?? null
      }
    })
    const data = path.dirname(d.backend.db.name)
    const mine = path.join(elsewhere, 'Desk exports')
    fs.mkdirSync(mine)
    expect(await d.refused('settings.save', { exportDir: mine })).toMatchObject({ code: 'export_dir_dialog_only', params: { field: 'exportDir' } })

    answers.push(data, path.join(data, 'backups'))
    expect(await d.refused('settings.chooseExportDir', {})).toMatchObject({ code: 'export_path_protected', params: { field: 'exportDir' } })
    expect(await d.refused('settings.chooseExportDir', {})).toMatchObject({ code: 'export_path_protected' })
    answers.push(null)
    expect(await d.call<SettingsView>('settings.chooseExportDir', {})).toMatchObject({ exportDir: defaultDir })
    answers.push(mine) // outside the home folder: the user chose it in the dialog
    expect(await d.call<SettingsView>('settings.chooseExportDir', {})).toMatchObject({ exportDir: mine })
    expect(asked).toEqual([defaultDir, defaultDir, defaultDir, defaultDir])
    const job = await d.call<ExportJob>('export.start', NAMES)
    expect(path.dirname(job.file)).toBe(mine)
    expect((await finished(d, job.id)).state).toBe('done')
  })
})
