import { describe, expect, it } from 'vitest'
import { clientsQuerySchema, contract, isChannel, settingsPatchSchema } from '../../src/shared/contract'

describe('contract validation', () => {
  it('fills defaults for the Clients query and keeps the search as plain text', () => {
    const q = clientsQuerySchema.parse({ search: "%' OR 1=1; --" })
    expect(q).toEqual({ search: "%' OR 1=1; --", sort: 'id', order: 'asc', page: 1, pageSize: 10 })
  })

  it('refuses unknown fields, bad sorts and absurd pages', () => {
    expect(clientsQuerySchema.safeParse({ sort: 'password' }).success).toBe(false)
    expect(clientsQuerySchema.safeParse({ pageSize: 100000 }).success).toBe(false)
    expect(clientsQuerySchema.safeParse({ page: 0 }).success).toBe(false)
    expect(clientsQuerySchema.safeParse({ page: 1.5 }).success).toBe(false)
    expect(clientsQuerySchema.safeParse({ extra: 1 }).success).toBe(false)
    expect(clientsQuerySchema.safeParse({ search: 'x'.repeat(201) }).success).toBe(false)
  })

  it('accepts only http(s) connection URLs without credentials', () => {
    const ok = (url: string) =>
      settingsPatchSchema.safeParse({ connections: { platform: { url } } }).success
    expect(ok('http://127.0.0.1:8787')).toBe(true)
    expect(ok('https://api.example.com/base/')).toBe(true)
    expect(ok('')).toBe(true)
    expect(ok('javascript:alert(1)')).toBe(false)
    expect(ok('file:///etc/passwd')).toBe(false)
    expect(ok('http://user:pass@host')).toBe(false)
    expect(ok('not a url')).toBe(false)
  })

  it('knows its channels', () => {
    expect(isChannel('clients.list')).toBe(true)
    expect(isChannel('__proto__')).toBe(false)
    expect(isChannel('toString')).toBe(false)
    expect(Object.keys(contract).length).toBeGreaterThan(5)
  })
})
