/**
 * SMS Desk headless: npm run cli -- <command> [flags]
 *   sync [--platform URL] [--sim URL] [--dispatch URL] [--token-platform|--token-sim|--token-dispatch T]
 *        [--sim-select all|s_1|g_2[,...]] [--sim-trailing-days 3] [--from DD-MM-YYYY] --db FILE
 *        pull every given source into FILE (tokens also from SMS_DESK_TOKEN_PLATFORM etc.)
 *   export clients|transactions|statistics|names --db FILE [--out FILE] [--format xlsx|csv] [--columns a,b]
 *        [--lang en|ru] [--search S --sort COL --order asc|desc] [--client ID] [--from YYYY-MM-DD --to YYYY-MM-DD]
 *        [--group day|operator|sender|viber-sender|country] [--utc]
 *        export a table as the app does, with the same filters (see tools/cli-export.ts)
 * Prints one JSON line as its result; exits non-zero with a JSON error line on failure.
 */
import path from 'node:path'
import { parseArgs } from 'node:util'
import { openDatabase } from '../src/backend/db/connection'
import { SyncEngine, type Connection } from '../src/backend/sync/engine'
import { createStreams } from '../src/backend/sync/streams'
import { parseProviderDate, SIM_SELECT } from '../src/backend/sync/sources/simProvider'
import { AppError } from '../src/shared/errors'
import type { SourceKind } from '../src/shared/types'
import { urlSchema } from '../src/shared/contract'
import { runExport } from './cli-export'

function fail(code: string, message: string, exit = 1): never {
  console.log(JSON.stringify({ ok: false, error: { code, message } }))
  process.exit(exit)
}

async function sync(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      platform: { type: 'string' },
      sim: { type: 'string' },
      dispatch: { type: 'string' },
      'token-platform': { type: 'string' },
      'token-sim': { type: 'string' },
      'token-dispatch': { type: 'string' },
      db: { type: 'string' },
      'page-size': { type: 'string', default: '500' },
      timeout: { type: 'string', default: '20' },
      'sim-select': { type: 'string', default: 'all' },
      'sim-trailing-days': { type: 'string', default: '3' },
      from: { type: 'string' }
    }
  })
  if (!values.db) fail('invalid_input', '--db FILE is required', 2)
  const connections: Partial<Record<SourceKind, Connection>> = {}
  for (const kind of ['platform', 'sim', 'dispatch'] as const) {
    const url = values[kind]
    if (!url) continue
    if (!urlSchema.safeParse(url).success) fail('invalid_input', `--${kind}: not an http(s) URL: ${url}`, 2)
    connections[kind] = { url, token: values[`token-${kind}`] ?? process.env[`SMS_DESK_TOKEN_${kind.toUpperCase()}`] }
  }
  if (!Object.keys(connections).length) fail('invalid_input', 'Give at least one of --platform, --sim, --dispatch', 2)
  const select = values['sim-select'].split(',').map((x) => x.trim())
  if (!select.every((x) => SIM_SELECT.test(x))) fail('invalid_input', `--sim-select: expected all, s_<id> or g_<id>, got ${values['sim-select']}`, 2)
  const from = values.from ? parseProviderDate(values.from) : null
  if (values.from && from === null) fail('invalid_input', `--from: expected a date as DD-MM-YYYY, got ${values.from}`, 2)
  const trailingDays = Number(values['sim-trailing-days'])
  if (!Number.isInteger(trailingDays) || trailingDays < 0 || trailingDays > 60) fail('invalid_input', '--sim-trailing-days: 0 to 60', 2)
  const db = openDatabase(path.resolve(values.db))
  const engine = new SyncEngine({
    db,
    streams: createStreams(() => ({ select, trailingDays, from })),
    connections: () => connections,
    pageSize: Number(values['page-size']),
    timeoutMs: Number(values.timeout) * 1000
  })
  process.on('SIGINT', () => engine.cancel())
  const summary = await engine.run()
  db.close()
  const totals = { fetched: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0, retries: 0 }
  for (const s of Object.values(summary.streams)) {
    for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += s[k]
  }
  const errors = Object.entries(summary.streams).filter(([, s]) => s.error)
  console.log(
    JSON.stringify({
      ok: errors.length === 0 && !summary.cancelled,
      ...totals,
      seconds: summary.seconds,
      cancelled: summary.cancelled,
      streams: summary.streams
    })
  )
  if (errors.length) process.exitCode = 1
}

const [command, ...rest] = process.argv.slice(2)
try {
  if (command === 'sync') await sync(rest)
  else if (command === 'export') await runExport(rest)
  else fail('invalid_input', `Unknown command "${command ?? ''}". Commands: sync, export`, 2)
} catch (e) {
  if (e instanceof AppError) fail(e.code, e.message)
  fail('internal', (e as Error).message)
}
