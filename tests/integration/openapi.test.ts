/**
 * The platform contract (openapi/platform.yaml) checked on both sides: the reference server's
 * answers validate against it, and the sync client's schemas accept exactly its records.
 */
import Ajv from 'ajv'
import addFormats from 'ajv-formats'
import fs from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { clientWireSchema } from '../../src/backend/sync/sources/platformSchemas'
import { startReferenceServer, type ReferenceServer } from '../../src/refserver/server'

type Spec = { components: { schemas: Record<string, unknown> }; paths: Record<string, unknown> }
const spec = parse(fs.readFileSync('openapi/platform.yaml', 'utf8')) as Spec

/** OpenAPI 3.0 schemas to JSON Schema: `nullable` becomes a union with null; refs stay local. */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema)
  if (!node || typeof node !== 'object') return node
  const obj = node as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'nullable' || k === 'example' || k === 'description') continue
    out[k] = k === '$ref' ? String(v).replace('#/components/schemas/', '#/$defs/') : toJsonSchema(v)
  }
  if (obj.nullable === true) return { anyOf: [out, { type: 'null' }] }
  return out
}

const ajv = new Ajv({ strict: false, allErrors: true })
addFormats(ajv)
const defs = toJsonSchema(spec.components.schemas) as Record<string, unknown>
const validator = (name: string) => ajv.compile({ $defs: defs, $ref: `#/$defs/${name}` })

let server: ReferenceServer
beforeAll(async () => {
  server = await startReferenceServer({ seed: 9, clients: 300 })
})
afterAll(() => server.close())

describe('platform OpenAPI contract', () => {
  it('every client page and record the reference server sends validates', async () => {
    const validClient = validator('Client')
    const validMeta = validator('PageMeta')
    let url: string | null = `${server.url}/api/v1/clients/?page_size=120`
    let seen = 0
    while (url) {
      const page = (await (await fetch(url)).json()) as { next: string | null; results: unknown[] }
      expect(validMeta(page), JSON.stringify(validMeta.errors)).toBe(true)
      for (const r of page.results) {
        expect(validClient(r), JSON.stringify(validClient.errors)).toBe(true)
        seen++
      }
      url = page.next
    }
    expect(seen).toBe(300)
  })

  it('the sync client accepts every record of the contract and requires every required field', () => {
    const client = server.data.clients.get(1)!
    expect(clientWireSchema.safeParse(client).success).toBe(true)
    const required = (spec.components.schemas.Client as { required: string[] }).required
    expect(new Set(Object.keys(client))).toEqual(new Set(required))
    for (const field of required) {
      const copy: Record<string, unknown> = { ...client }
      delete copy[field]
      expect(clientWireSchema.safeParse(copy).success, `missing ${field} must be rejected`).toBe(false)
      expect(validator('Client')(copy)).toBe(false)
    }
  })

  it('errors follow the contract', async () => {
    const res = await fetch(`${server.url}/api/v1/clients/999999/`)
    expect(res.status).toBe(404)
    expect(validator('Error')(await res.json())).toBe(true)
    const bad = await fetch(`${server.url}/api/v1/clients/?page_size=0`)
    expect(bad.status).toBe(400)
  })
})
