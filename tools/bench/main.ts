/**
 * npm run bench -- <name> [--flags]   Benchmarks print their figures; the last line is JSON.
 *   clients [--clients 100000] [--runs 15]   first page of the Clients list
 *   sync [--messages 1000000] [--sim-actions 200000]   sync over loopback against the raw insert limit
 *   export [--rows 1048575]   transactions to xlsx in the export worker, against a plain exceljs stream
 *   stats [--messages 5000000] [--clients 2000] [--runs 7]   the five statistics groupings, one client / all clients, over a year
 *   faults [--seeds 3] [--messages 2500]   the fault matrix: records lost and differences after faulty syncs
 */
import { parseArgs } from 'node:util'
import { benchClients } from './clients'
import { benchExport } from './export'
import { benchFaults } from './faults'
import { benchStats } from './stats'
import { benchSync } from './sync'

const [name, ...rest] = process.argv.slice(2)
const { values } = parseArgs({
  args: rest,
  options: {
    clients: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '15' },
    messages: { type: 'string', default: '1000000' },
    'sim-actions': { type: 'string', default: '200000' },
    rows: { type: 'string', default: '1048575' },
    'in-thread': { type: 'boolean', default: false },
    seeds: { type: 'string', default: '3' }
  }
})

let result: Record<string, unknown>
switch (name) {
  case 'clients':
    result = await benchClients({ clients: Number(values.clients), runs: Number(values.runs) })
    break
  case 'sync':
    result = await benchSync({
      messages: Number(values.messages),
      simActions: Number(values['sim-actions']),
      inThread: values['in-thread']
    })
    break
  case 'export':
    result = await benchExport({ rows: Number(values.rows) })
    break
  case 'stats': {
    const given = (flag: string) => rest.some((a) => a === `--${flag}` || a.startsWith(`--${flag}=`))
    result = await benchStats({
      messages: given('messages') ? Number(values.messages) : 5_000_000,
      clients: given('clients') ? Number(values.clients) : 2000,
      runs: given('runs') ? Number(values.runs) : 7
    })
    break
  }
  case 'faults': {
    const given = (flag: string) => rest.some((a) => a === `--${flag}` || a.startsWith(`--${flag}=`))
    result = await benchFaults({ seeds: Number(values.seeds), messages: given('messages') ? Number(values.messages) : 2500 })
    break
  }
  default:
    console.error(`Unknown benchmark "${name ?? ''}". Benchmarks: clients, sync, export, stats, faults`)
    process.exit(2)
}
console.log(JSON.stringify(result))
