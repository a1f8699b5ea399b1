/**
 * The statistics' time zone (migration 0006_time_zones): the transitions table the SQL reads,
 * the same local day computed in JS for the batch writer, and the regrouping of every aggregate
 * when the zone changes (one transaction).
 */
import { LOCAL_DAY, LOCAL_ROLLUPS } from '../db/migrations/0006_time_zones'
import { ROLLUPS, type Rollup } from '../db/migrations/0004_stats'
import { UTC_ZONE, dayText, isTimeZone, utcBound, zoneTransitions } from '../../shared/zone'
import { AppError } from '../../shared/errors'
import type { Db } from '../db/connection'

/** The span the transitions are computed for; before it the 1990 offset holds, after it the last one. */
export const TRANSITIONS_FROM = Date.UTC(1990, 0, 1)
export const TRANSITIONS_TO = Date.UTC(2100, 0, 1)
/** The first row's start: before every time. */
const EPOCH_ROW = '0000-01-01T00:00:00'

export interface OffsetRow {
  utc_start: string
  offset_minutes: number
}

/** The rows of stats_zone_offsets for a zone: its 1990 offset from year 0, then each change to 2100. */
export function offsetRows(zone: string): OffsetRow[] {
  if (!isTimeZone(zone)) throw new AppError('invalid_input', `Not a time zone: ${zone}`, { field: 'timeZone' })
  let rows = computedRows.get(zone)
  if (!rows) {
    const changes = zoneTransitions(zone, TRANSITIONS_FROM, TRANSITIONS_TO)
    rows = changes.map((c, i) => ({ utc_start: i === 0 ? EPOCH_ROW : utcBound(c.start), offset_minutes: c.offset }))
    if (computedRows.size > 20) computedRows.clear()
    computedRows.set(zone, rows)
  }
  return rows
}
/** Transitions computed in this thread, by zone (about half a second each). */
const computedRows = new Map<string, OffsetRow[]>()

export interface StoredZone {
  zone: string
  version: number
}

export function storedZone(db: Db): StoredZone {
  return db.prepare('SELECT zone, version FROM main.stats_zone WHERE id = 1').get() as StoredZone
}

export function storedOffsetRows(db: Db): OffsetRow[] {
  return db.prepare('SELECT utc_start, offset_minutes FROM main.stats_zone_offsets ORDER BY utc_start').all() as OffsetRow[]
}

/** True when the aggregates are grouped by exactly these transitions of this zone. */
export function isGroupedBy(db: Db, zone: string, rows: OffsetRow[] = offsetRows(zone)): boolean {
  if (storedZone(db).zone !== zone) return false
  const stored = storedOffsetRows(db)
  return stored.length === rows.length && stored.every((r, i) => r.utc_start === rows[i].utc_start && r.offset_minutes === rows[i].offset_minutes)
}

/* ---------------- the local day in JS ---------------- */

const STRICT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?Z$/
const SLOT = 900_000
const MINUTE = 60_000

function monthDays(y: number, m: number): number {
  return m === 2 ? (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31
}

/** Milliseconds (whole seconds) of a plainly valid ISO-8601 UTC time, else null. */
function strictMs(text: string): number | null {
  const m = STRICT.exec(text)
  if (!m) return null
  const y = Number(m[1])
  const mo = Number(m[2])
  const d = Number(m[3])
  const h = Number(m[4])
  const mi = Number(m[5])
  const s = Number(m[6])
  if (y < 1000 || mo < 1 || mo > 12 || d < 1 || d > monthDays(y, mo) || h > 23 || mi > 59 || s > 59) return null
  return Date.UTC(y, mo - 1, d, h, mi, s)
}

/**
 * The local day of a stored created_at, exactly as LOCAL_DAY computes it in SQL from the same
 * table: the offset of the last transition at or before the time, added to it. Plainly valid
 * times are computed here (cached per quarter hour of UTC when no transition falls inside it);
 * anything else is asked of SQLite itself, so odd text gets the very day the triggers give it.
 */
export class LocalDays {
  private starts: number[] = []
  private offsets: number[] = []
  private version = -1
  private readonly slots = new Map<number, string | null>()
  private readonly versionOf
  private readonly rowsOf
  private readonly bySql

  constructor(db: Db) {
    this.versionOf = db.prepare('SELECT version FROM main.stats_zone WHERE id = 1').pluck()
    this.rowsOf = db.prepare('SELECT utc_start, offset_minutes FROM main.stats_zone_offsets ORDER BY utc_start')
    this.bySql = db.prepare(`SELECT ${LOCAL_DAY.replaceAll('M.created_at', '$t').replaceAll('stats_zone_offsets', 'main.stats_zone_offsets')}`).pluck()
  }

  /** Reloads the transitions if the zone was regrouped since (call inside the writer's transaction). */
  refresh(): void {
    const version = this.versionOf.get() as number
    if (version === this.version) return
    const rows = this.rowsOf.all() as OffsetRow[]
    this.starts = rows.map((r) => (r.utc_start === EPOCH_ROW ? -Infinity : Date.parse(`${r.utc_start}Z`)))
    this.offsets = rows.map((r) => r.offset_minutes)
    this.slots.clear()
    this.version = version
  }

  /** Index of the transition in force at `ms` (-1: none, before the first row). */
  private at(ms: number): number {
    let lo = 0
    let hi = this.starts.length - 1
    if (hi < 0 || this.starts[0] > ms) return -1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (this.starts[mid] <= ms) lo = mid
      else hi = mid - 1
    }
    return lo
  }

  private dayAt(ms: number): string | null {
    const i = this.at(ms)
    return i < 0 ? null : dayText(ms + this.offsets[i] * MINUTE)
  }

  day(createdAt: string): string {
    const ms = strictMs(createdAt)
    if (ms === null) return this.bySql.get({ t: createdAt }) as string
    const slot = Math.floor(ms / SLOT)
    let day = this.slots.get(slot)
    if (day === undefined) {
      const start = slot * SLOT
      const end = start + SLOT - 1
      const i = this.at(start)
      const constant = i >= 0 && this.at(end) === i
      const a = constant ? this.dayAt(start) : null
      day = a !== null && a === this.dayAt(end) ? a : null
      if (this.slots.size > 200_000) this.slots.clear()
      this.slots.set(slot, day)
    }
    if (day !== null) return day
    return this.dayAt(ms) ?? (this.bySql.get({ t: createdAt }) as string)
  }
}

/* ---------------- regrouping ---------------- */

const SENT = "(CASE WHEN M.bucket IN ('pending', 'deleted') THEN 0 ELSE M.parts END)"
const DELIVERED = "(CASE WHEN M.bucket = 'delivered' THEN M.parts ELSE 0 END)"
const TABLES = ROLLUPS.map((r) => r.table)

/**
 * stats_client_day from the messages with ids in [$lo, $hi), added to what is there: one
 * upsert per message into the table's own primary key (a fifth faster than a GROUP BY, whose
 * sorter costs more than the b-tree; ids follow time, so the upserts stay on recent pages).
 */
function clientDaySql(): string {
  const r = LOCAL_ROLLUPS.find((x) => x.table === 'stats_client_day')!
  const names = r.keys.map(([k]) => k).join(', ')
  const exprs = r.keys.map(([, , e]) => e).join(', ')
  return `INSERT INTO stats_client_day (${names}, messages, sent_parts, delivered_parts, cost)
SELECT ${exprs}, 1, ${SENT}, ${DELIVERED}, M.cost
FROM messages AS M WHERE M.id >= $lo AND M.id < $hi
ON CONFLICT DO UPDATE SET messages = messages + excluded.messages, sent_parts = sent_parts + excluded.sent_parts,
  delivered_parts = delivered_parts + excluded.delivered_parts, cost = cost + excluded.cost`
}

/**
 * Another table from stats_client_day, read as messages whose created_at is the day (so 0004's
 * key expressions apply, currency and sender kind included, as the batch writer does).
 */
function fromClientDaySql(r: Rollup): string {
  const names = r.keys.map(([k]) => k).join(', ')
  const exprs = r.keys.map(([, , e]) => e).join(', ')
  return `INSERT INTO ${r.table} (${names}, messages, sent_parts, delivered_parts, cost)
SELECT ${exprs}, sum(M.messages), sum(M.sent_parts), sum(M.delivered_parts), sum(M.cost)
FROM (SELECT day AS created_at, client_id, channel, country, operator, sender, messages, sent_parts, delivered_parts, cost FROM stats_client_day) AS M
WHERE ${r.when ?? 'true'} GROUP BY ${r.keys.map((_, i) => i + 1).join(', ')}`
}

/** Messages per step of the regrouping (its progress is reported between steps). */
const CHUNK = 250_000

export interface RegroupProgress {
  /** 0..1 */
  fraction: number
}

/**
 * Regroups every aggregate by the days of `zone`: stores its transitions, empties the four
 * tables and counts every message again, in one transaction (readers see the old days until it
 * commits, never a mix). Returns the milliseconds it took.
 */
export function regroupStats(db: Db, zone: string, options: { rows?: OffsetRow[]; onProgress?: (p: RegroupProgress) => void } = {}): number {
  const started = performance.now()
  const rows = options.rows ?? offsetRows(zone)
  const addClientDay = db.prepare(clientDaySql())
  // geo_day and sender_month from client_day; geo_month from geo_day (a sixth of the rows).
  const others = [
    ...ROLLUPS.filter((r) => r.table === 'stats_geo_day' || r.table === 'stats_sender_month').map((r) => db.prepare(fromClientDaySql(r))),
    db.prepare(`INSERT INTO stats_geo_month (month, currency, country, operator, messages, sent_parts, delivered_parts, cost)
SELECT substr(day, 1, 7), currency, country, operator, sum(messages), sum(sent_parts), sum(delivered_parts), sum(cost)
FROM stats_geo_day GROUP BY 1, 2, 3, 4`)
  ]
  if (ROLLUPS.length !== 4) throw new Error('regroupStats knows four aggregate tables')
  db.transaction(() => {
    db.prepare('UPDATE stats_zone SET zone = ?, version = version + 1 WHERE id = 1').run(zone)
    db.prepare('DELETE FROM stats_zone_offsets').run()
    const put = db.prepare('INSERT INTO stats_zone_offsets (utc_start, offset_minutes) VALUES (?, ?)')
    for (const r of rows) put.run(r.utc_start, r.offset_minutes)
    for (const t of TABLES) db.prepare(`DELETE FROM ${t}`).run()
    const span = db.prepare('SELECT min(id) AS lo, max(id) AS hi FROM messages').get() as { lo: number | null; hi: number | null }
    if (span.lo !== null && span.hi !== null) {
      const total = span.hi - span.lo + 1
      for (let lo = span.lo; lo <= span.hi; lo += CHUNK) {
        addClientDay.run({ lo, hi: lo + CHUNK })
        options.onProgress?.({ fraction: Math.min(1, (lo + CHUNK - span.lo) / total) * 0.9 })
      }
    }
    for (const s of others) s.run()
    options.onProgress?.({ fraction: 1 })
  })()
  return performance.now() - started
}

/** The zone the aggregates are grouped by, regrouped first when it is not `zone` (tests, the CLI). */
export function ensureStatsZone(db: Db, zone: string): boolean {
  const rows = zone === UTC_ZONE ? [{ utc_start: EPOCH_ROW, offset_minutes: 0 }] : offsetRows(zone)
  if (isGroupedBy(db, zone, rows)) return false
  regroupStats(db, zone, { rows })
  return true
}
