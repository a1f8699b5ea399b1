import { describe, expect, it } from 'vitest'
import { retryAfterMs } from '../../src/backend/sync/http'
import { pageUrl, parseCursor } from '../../src/backend/sync/sources/platform'

describe('sync http helpers', () => {
  it('reads Retry-After as seconds or as a date', () => {
    expect(retryAfterMs('3')).toBe(3000)
    expect(retryAfterMs('0')).toBe(0)
    expect(retryAfterMs(null)).toBeNull()
    expect(retryAfterMs('soon')).toBeNull()
    const now = Date.parse('2026-01-01T00:00:00Z')
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000)
  })

  it('builds keyset page URLs and reads cursors defensively', () => {
    const u = new URL(pageUrl('http://h:1/base', 'api/v1/clients/', { updatedAfter: '2026-01-01T00:00:00.000Z', afterId: 7 }, 50))
    expect(u.pathname).toBe('/base/api/v1/clients/')
    expect(u.searchParams.get('after_id')).toBe('7')
    expect(u.searchParams.get('page_size')).toBe('50')
    expect(parseCursor('{"updatedAfter":"x","afterId":3}')).toEqual({ updatedAfter: 'x', afterId: 3 })
    expect(parseCursor('garbage')).toBeNull()
    expect(parseCursor(null)).toBeNull()
  })
})
