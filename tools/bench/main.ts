/**
 * npm run bench -- <name> [--flags]   Benchmarks print their figures; the last line is JSON.
 *   clients [--clients 100000] [--runs 15]   first page of the Clients list
 *   sync [--messages 1000000] [--sim-actions 200000]   sync over loopback against the raw insert limit
 */
import { parseArgs } from 'node:util'
import { benchClients } from './clients'
import { benchSync } from './sync'

const [name, ...rest] = process.argv.slice(2)
const { values } = parseArgs({
  args: rest,
  options: {
    clients: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '15' },
    messages: { type: 'string', default: '1000000' },
    'sim-actions': { type: 'string', default: '200000' },
    'in-thread': { type: 'boolean', default: false }
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
  default:
    console.error(`Unknown benchmark "${name ?? ''}". Benchmarks: clients, sync`)
    process.exit(2)
}
console.log(JSON.stringify(result))
