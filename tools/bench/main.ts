/**
 * npm run bench -- <name> [--flags]   Benchmarks print their figures; the last line is JSON.
 *   clients [--clients 100000] [--runs 15]   first page of the Clients list
 */
import { parseArgs } from 'node:util'
import { benchClients } from './clients'

const [name, ...rest] = process.argv.slice(2)
const { values } = parseArgs({
  args: rest,
  options: {
    clients: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '15' }
  }
})

let result: Record<string, unknown>
switch (name) {
  case 'clients':
    result = await benchClients({ clients: Number(values.clients), runs: Number(values.runs) })
    break
  default:
    console.error(`Unknown benchmark "${name ?? ''}". Benchmarks: clients`)
    process.exit(2)
}
console.log(JSON.stringify(result))
