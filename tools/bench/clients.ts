/**
 * Clients list speed: 100,000 clients in a real SQLite file, the first page of the list with
 * and without a search and a sort, timed in the backend (ClientsRepo.list).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { ClientsRepo, clientRowFromWire, clientsUpserter } from '../../src/backend/db/clients'
import { openDatabase } from '../../src/backend/db/connection'
import { clientWireSchema } from '../../src/backend/sync/sources/platformSchemas'
import type { ClientsQuery } from '../../src/shared/contract'
import { CLIENT_SORT_COLUMNS } from '../../src/shared/types'
import { generateClients } from '../../src/refserver/generate'

export async function benchClients(args: { clients: number; runs: number }): Promise<Record<string, unknown>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsdesk-bench-clients-'))
  const db = openDatabase(path.join(dir, 'bench.sqlite'))
  try {
    const t0 = performance.now()
    const records = generateClients({ seed: 1, clients: args.clients, now: Date.parse('2026-11-01T00:00:00Z') })
    const upsert = clientsUpserter(db)
    db.transaction(() => upsert.write(records.map((r) => clientRowFromWire(clientWireSchema.parse(r)))))()
    db.pragma('optimize')
    const loadSeconds = (performance.now() - t0) / 1000
    const repo = new ClientsRepo(db)
    const sample = records[Math.floor(records.length / 2)]
    const cases: [string, Partial<ClientsQuery>][] = [
      ['first page', {}],
      ['first page, 20 rows', { pageSize: 20 }],
      ...CLIENT_SORT_COLUMNS.flatMap((c) =>
        (['asc', 'desc'] as const).map((o) => [`sort ${c} ${o}`, { sort: c, order: o }] as [string, Partial<ClientsQuery>])
      ),
      ['search company word', { search: 'ромашка' }],
      ['search login digits', { search: sample.login.slice(0, 6) }],
      ['search exact id', { search: String(sample.id) }],
      ['search rare + sort balance desc', { search: sample.name.split(' ')[1], sort: 'balance', order: 'desc' }],
      ['search common + sort company asc', { search: 'ов', sort: 'company', order: 'asc' }],
      ['search no match + sort name', { search: 'zzzz-no-such-client', sort: 'name' }],
      ['search 2 chars rare + sort name', { search: 'ü', sort: 'name' }],
      ['search 1 char + sort balance desc', { search: '7', sort: 'balance', order: 'desc' }],
      ['search 2 chars none + sort login', { search: 'qj', sort: 'login' }],
      ['last page, sort credit', { sort: 'credit', page: Math.ceil(args.clients / 10) }]
    ]
    const results: Record<string, { medianMs: number; maxMs: number; total: number }> = {}
    for (const [name, q] of cases) {
      const query: ClientsQuery = { search: '', sort: 'id', order: 'asc', page: 1, pageSize: 10, ...q }
      const times: number[] = []
      let total = 0
      for (let i = 0; i < args.runs; i++) {
        const s = performance.now()
        total = repo.list(query).total
        times.push(performance.now() - s)
      }
      times.sort((a, b) => a - b)
      results[name] = { medianMs: round(times[times.length >> 1]), maxMs: round(times[times.length - 1]), total }
      console.log(`${name.padEnd(36)} median ${results[name].medianMs.toFixed(2)} ms  max ${results[name].maxMs.toFixed(2)} ms  (${total} rows match)`)
    }
    const worst = Math.max(...Object.values(results).map((r) => r.medianMs))
    const worstMax = Math.max(...Object.values(results).map((r) => r.maxMs))
    return { bench: 'clients', clients: args.clients, load_seconds: round(loadSeconds), worst_median_ms: worst, worst_max_ms: worstMax, target_ms: 50 }
  } finally {
    db.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100
}
