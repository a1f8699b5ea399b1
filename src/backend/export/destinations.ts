/**
 * Where exports may be written. Never into SMS Desk's data folder (the database and its
 * companions, the key file, the backups: everything in it, subfolders too), never over the
 * database or a file named secret.key wherever they are, never through a symlink that leads
 * there. The export folder typed in the browser mode must also be an existing folder inside the
 * user's home. Places are compared by their real location: symlinks are resolved for the part of
 * the path that exists.
 *
 * A file chosen in the save dialog reaches `export.start` only as an opaque handle
 * (ChosenTargets): the renderer never names a path.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { AppError } from '../../shared/errors'

/** The key file of the browser mode and the command line (secrets.ts). */
export const KEY_FILE_NAME = 'secret.key'

/** How long a file chosen in the save dialog stays usable. */
export const TARGET_TTL_MS = 10 * 60_000

/** Handles not used yet, at most (the oldest go first). */
const MAX_TARGETS = 50

/** What no export may write to. */
export interface ProtectedPlaces {
  /** The data folder, with everything in it; the command line has none. */
  dataDir?: string
  /** The database: it and its -wal, -shm and -journal companions. */
  dbFile?: string | null
  /** Further files never to be replaced. */
  files?: string[]
}

const caseInsensitive = process.platform === 'win32' || process.platform === 'darwin'
const fold = (p: string): string => (caseInsensitive ? p.toLowerCase() : p)

/**
 * The real location of a path: symlinks resolved for the part that exists (a dangling link
 * followed to where it points), the missing rest appended.
 */
export function realLocation(p: string, depth = 0): string {
  const missing: string[] = []
  let cur = path.resolve(p)
  for (;;) {
    try {
      return path.join(fs.realpathSync.native(cur), ...missing)
    } catch {
      const link = depth < 32 && fs.lstatSync(cur, { throwIfNoEntry: false })?.isSymbolicLink()
      if (link) return path.join(realLocation(path.resolve(path.dirname(cur), fs.readlinkSync(cur)), depth + 1), ...missing)
      const parent = path.dirname(cur)
      if (parent === cur) return path.resolve(p)
      missing.unshift(path.basename(cur))
      cur = parent
    }
  }
}

/** True when `child` is `parent` or inside it (both real locations). */
function within(child: string, parent: string): boolean {
  const rel = path.relative(fold(parent), fold(child))
  return rel === '' || (rel.split(path.sep)[0] !== '..' && !path.isAbsolute(rel))
}

function isKeyFile(file: string): boolean {
  return fold(path.basename(file)) === KEY_FILE_NAME
}

/** True when writing `file` would touch a protected place. */
function protectedFile(file: string, places: ProtectedPlaces): boolean {
  const real = realLocation(file)
  if (isKeyFile(file) || isKeyFile(real)) return true
  if (places.dataDir && within(real, realLocation(places.dataDir))) return true
  const db = places.dbFile
  const files = [...(places.files ?? []), ...(db ? [db, `${db}-wal`, `${db}-shm`, `${db}-journal`] : [])]
  return files.some((f) => fold(realLocation(f)) === fold(real))
}

/** True when `dir` is the data folder or inside it. */
export function insideDataDir(dir: string, places: ProtectedPlaces): boolean {
  return !!places.dataDir && within(realLocation(dir), realLocation(places.dataDir))
}

function refusedPlace(field: string, what: string): AppError {
  return new AppError('export_path_protected', `${field}: SMS Desk keeps its own data there, exports are not written to it: ${what}`, { field })
}

/**
 * A file an export may replace (the user chose it): an absolute path in an existing folder,
 * not a folder, not a protected place. Returns it resolved.
 */
export function checkExportFile(file: string, places: ProtectedPlaces, field = 'target'): string {
  if (!path.isAbsolute(file)) throw new AppError('invalid_input', `${field}: not an absolute path: ${file}`, { field })
  const target = path.resolve(file)
  const dir = path.dirname(target)
  if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new AppError('invalid_input', `${field}: the folder does not exist: ${dir}`, { field })
  }
  if (fs.statSync(target, { throwIfNoEntry: false })?.isDirectory()) {
    throw new AppError('invalid_input', `${field}: a folder has this name: ${target}`, { field })
  }
  if (protectedFile(target, places)) throw refusedPlace(field, target)
  return target
}

/**
 * A folder exports may go to: never the data folder or inside it. With `home` (the folder
 * typed in the browser mode) it must also exist and lie inside that home. Returns it resolved.
 */
export function checkExportDir(dir: string, places: ProtectedPlaces, home?: string): string {
  const field = 'exportDir'
  if (!path.isAbsolute(dir)) throw new AppError('export_dir_not_found', `${field}: not an absolute path: ${dir}`, { field, dir })
  const resolved = path.resolve(dir)
  if (insideDataDir(resolved, places)) throw refusedPlace(field, resolved)
  if (home === undefined) return resolved
  if (!fs.statSync(resolved, { throwIfNoEntry: false })?.isDirectory()) {
    throw new AppError('export_dir_not_found', `${field}: no such folder: ${resolved}`, { field, dir: resolved })
  }
  if (!within(realLocation(resolved), realLocation(home))) {
    throw new AppError('export_dir_outside_home', `${field}: not inside the home folder ${home}: ${resolved}`, { field, dir: resolved, home })
  }
  return resolved
}

/** Files chosen in the save dialog, by handle: each usable once, for TARGET_TTL_MS. */
export class ChosenTargets {
  private readonly byHandle = new Map<string, { file: string; expires: number }>()

  constructor(private readonly now: () => number = Date.now) {}

  /** A new handle for a file the user chose. */
  add(file: string): string {
    this.prune()
    while (this.byHandle.size >= MAX_TARGETS) this.byHandle.delete(this.byHandle.keys().next().value as string)
    const handle = crypto.randomBytes(24).toString('base64url')
    this.byHandle.set(handle, { file, expires: this.now() + TARGET_TTL_MS })
    return handle
  }

  /** The file behind a handle, which is used up by this; an unknown, expired or used one is refused. */
  take(handle: string): string {
    const entry = this.byHandle.get(handle)
    this.byHandle.delete(handle)
    if (!entry || entry.expires <= this.now()) {
      throw new AppError('export_target_invalid', 'target: unknown, expired or already used; choose where to save again', { field: 'target' })
    }
    return entry.file
  }

  private prune(): void {
    const now = this.now()
    for (const [handle, e] of this.byHandle) if (e.expires <= now) this.byHandle.delete(handle)
  }
}
