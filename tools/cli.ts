/**
 * SMS Desk headless: npm run cli -- <command> [flags]
 *   sync --platform URL [--token-platform T] --db FILE   pull every configured source into FILE
 * Prints one JSON line as its result; exits non-zero with a JSON error line on failure.
 */
import path from 'node:path'
import { parseArgs } from 'node:util'
import { openDatabase } from '../src/backend/db/connection'
import { SyncEngine, type Connection } from '../src/backend/sync/engine'
import { ALL_STREAMS } from '../src/backend/sync/streams'
import { AppError } from '../src/shared/errors'
import type { SourceKind } from '../src/shared/types'
import { urlSchema } from '../src/shared/contract'

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
      timeout: { type: 'string', default: '20' }
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
  const db = openDatabase(path.resolve(values.db))
  const engine = new SyncEngine({
    db,
    streams: ALL_STREAMS,
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
  else fail('invalid_input', `Unknown command "${command ?? ''}". Commands: sync`, 2)
} catch (e) {
  if (e instanceof AppError) fail(e.code, e.message)
  fail('internal', (e as Error).message)
}
