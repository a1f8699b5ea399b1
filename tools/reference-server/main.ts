/**
 * npm run reference-api -- --port 8787 --seed 1 --clients 500 [--messages 10000] [--days 30]
 *   [--sims 20 --sim-groups 3 --sim-actions N] [--dispatches 25] [--names-per-client 3]
 *   [--transactions N] [--now 2026-11-01T12:00:00Z] [--realtime]
 *   [--faults 5xx,429|all --fault-rate 0.1 --fault-cap 100] [--token T]
 * Serves the reference implementation of the platform, SIM provider and dispatch APIs on 127.0.0.1.
 */
import { parseArgs } from 'node:util'
import { parseFaults } from '../../src/refserver/faults'
import { startReferenceServer } from '../../src/refserver/server'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8787' },
    host: { type: 'string', default: '127.0.0.1' },
    seed: { type: 'string', default: '1' },
    clients: { type: 'string', default: '500' },
    messages: { type: 'string' },
    days: { type: 'string', default: '30' },
    sims: { type: 'string', default: '20' },
    'sim-groups': { type: 'string', default: '3' },
    'sim-actions': { type: 'string' },
    dispatches: { type: 'string', default: '25' },
    'names-per-client': { type: 'string', default: '3' },
    transactions: { type: 'string' },
    now: { type: 'string' },
    realtime: { type: 'boolean', default: false },
    faults: { type: 'string' },
    'fault-rate': { type: 'string', default: '0.1' },
    'fault-cap': { type: 'string' },
    token: { type: 'string' }
  }
})

function fail(message: string): never {
  console.error(message)
  process.exit(2)
}

function int(name: string, text: string | undefined): number {
  const n = Number(text)
  if (!Number.isSafeInteger(n) || n < 0) fail(`--${name}: expected a non-negative integer, got "${text}"`)
  return n
}

const optionalInt = (name: string, text: string | undefined): number | undefined =>
  text === undefined ? undefined : int(name, text)

const rate = Number(values['fault-rate'])
if (!(rate >= 0 && rate <= 1)) fail(`--fault-rate: expected a number from 0 to 1, got "${values['fault-rate']}"`)
const now = values.now === undefined ? undefined : Date.parse(values.now)
if (now !== undefined && Number.isNaN(now)) fail(`--now: expected an ISO-8601 time, got "${values.now}"`)

let faults
try {
  faults = parseFaults(values.faults, rate, optionalInt('fault-cap', values['fault-cap']))
} catch (e) {
  fail(`--faults: ${(e as Error).message}`)
}

const started = performance.now()
const server = await startReferenceServer({
  port: int('port', values.port),
  host: values.host,
  seed: int('seed', values.seed),
  clients: int('clients', values.clients),
  messages: optionalInt('messages', values.messages),
  days: int('days', values.days),
  sims: int('sims', values.sims),
  simGroups: int('sim-groups', values['sim-groups']),
  simActions: optionalInt('sim-actions', values['sim-actions']),
  dispatches: int('dispatches', values.dispatches),
  namesPerClient: int('names-per-client', values['names-per-client']),
  transactions: optionalInt('transactions', values.transactions),
  now,
  realtime: values.realtime,
  faults,
  token: values.token
})
const d = server.data
const seconds = ((performance.now() - started) / 1000).toFixed(1)
const mb = Math.round(process.memoryUsage().rss / 1e6)
console.log(
  `SMS Desk reference API on ${server.url} (seed ${values.seed}, as of ${new Date(server.now).toISOString()}` +
    `${values.realtime ? ', realtime' : ''}): ${d.clients.size} clients, ${d.senderNames.size} sender names, ` +
    `${d.transactions.size} transactions, ${d.messages.size} messages, ${d.sim.sims.length} SIMs in ` +
    `${d.sim.groups.length} groups with ${d.simActions.visible().length} visible actions, ${d.dispatches.size} dispatches; ` +
    `faults ${faults.kinds.length ? `${faults.kinds.join(',')} at ${faults.rate}` : 'off'}; ` +
    `generated in ${seconds} s, ${mb} MB`
)
const stop = (): void => void server.close().then(() => process.exit(0))
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
