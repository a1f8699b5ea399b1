/**
 * npm run reference-api -- --port 8787 --seed 1 --clients 500 [--faults 5xx,429 --fault-rate 0.1] [--token T]
 * Serves the reference implementation of the platform, SIM provider and dispatch APIs on 127.0.0.1.
 */
import { parseArgs } from 'node:util'
import { parseFaults } from '../../src/refserver/faults'
import { startReferenceServer } from '../../src/refserver/server'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8787' },
    seed: { type: 'string', default: '1' },
    clients: { type: 'string', default: '500' },
    faults: { type: 'string' },
    'fault-rate': { type: 'string', default: '0.1' },
    token: { type: 'string' }
  }
})

function int(name: string, text: string | undefined): number {
  const n = Number(text)
  if (!Number.isSafeInteger(n) || n < 0) {
    console.error(`--${name}: expected a non-negative integer, got "${text}"`)
    process.exit(2)
  }
  return n
}

const server = await startReferenceServer({
  port: int('port', values.port),
  seed: int('seed', values.seed),
  clients: int('clients', values.clients),
  faults: parseFaults(values.faults, Number(values['fault-rate'])),
  token: values.token
})
console.log(`SMS Desk reference API on ${server.url} (seed ${values.seed}, ${server.data.clients.size} clients)`)
const stop = (): void => void server.close().then(() => process.exit(0))
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
