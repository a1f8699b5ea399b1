/** Test helpers: damage a real SQLite file the ways a disk, a copy or a crash does; hash files. */
import Database from 'better-sqlite3'
import { createHash } from 'node:crypto'
import fs from 'node:fs'

export function sha(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex')
}

/**
 * page: a leaf page of the clients table (found through dbstat) overwritten; random: the whole
 * file; truncated: cut in half; zero-header: the 100-byte header zeroed; index: one value of
 * the `probe` table changed in its table page only (quick_check passes, integrity_check does not).
 */
export function damage(file: string, how: 'page' | 'random' | 'truncated' | 'zero-header' | 'index'): void {
  const size = fs.statSync(file).size
  const fd = fs.openSync(file, 'r+')
  try {
    if (how === 'random') {
      const bytes = Buffer.alloc(size)
      for (let i = 0; i < size; i++) bytes[i] = (i * 2654435761) >>> 24
      fs.writeSync(fd, bytes, 0, size, 0)
    } else if (how === 'truncated') {
      fs.ftruncateSync(fd, Math.floor(size / 2))
    } else if (how === 'zero-header') {
      fs.writeSync(fd, Buffer.alloc(100), 0, 100, 0)
    } else {
      const db = new Database(file, { readonly: true })
      const pageSize = db.pragma('page_size', { simple: true }) as number
      if (how === 'page') {
        // A leaf page of the clients table, found through dbstat: its cells overwritten.
        const page = db
          .prepare("SELECT pageno FROM dbstat WHERE name = 'clients' AND pagetype = 'leaf' ORDER BY pageno LIMIT 1 OFFSET 1")
          .pluck()
          .get() as number
        db.close()
        fs.writeSync(fd, Buffer.alloc(pageSize - 8, 0xab), 0, pageSize - 8, (page - 1) * pageSize + 8)
      } else {
        // One value changed in the probe table's page only: its index no longer matches. Every
        // page still reads fine (quick_check passes); integrity_check sees the mismatch.
        const pages = db.prepare("SELECT pageno FROM dbstat WHERE name = 'probe' AND pagetype = 'leaf'").pluck().all() as number[]
        db.close()
        const needle = Buffer.from('probe-value-000042')
        let done = false
        for (const p of pages) {
          const buf = Buffer.alloc(pageSize)
          fs.readSync(fd, buf, 0, pageSize, (p - 1) * pageSize)
          const at = buf.indexOf(needle)
          if (at < 0) continue
          fs.writeSync(fd, Buffer.from('X'), 0, 1, (p - 1) * pageSize + at + 6)
          done = true
          break
        }
        if (!done) throw new Error('probe value not found')
      }
    }
  } finally {
    fs.closeSync(fd)
  }
}

