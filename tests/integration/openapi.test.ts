/**
 * The platform contract (openapi/platform.yaml) checked on both sides: the reference server's
 * answers validate against it, and the sync client's schemas accept exactly its records.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spec, validator } from '../openapi'
import { clientWireSchema } from '../../src/backend/sync/sources/platformSchemas'
import { startReferenceServer, type ReferenceServer } from '../../src/refserver/server'


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
