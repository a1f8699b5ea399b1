import { describe, expect, it } from 'vitest'
import { joinUrl } from '../../src/backend/url'

describe('joinUrl (a source base URL + an API path)', () => {
  it('treats the base as a folder, with or without its trailing slash', () => {
    expect(joinUrl('http://127.0.0.1:8787', 'api/v1/clients/')).toBe('http://127.0.0.1:8787/api/v1/clients/')
    expect(joinUrl('http://127.0.0.1:8787/', 'api/v1/clients/')).toBe('http://127.0.0.1:8787/api/v1/clients/')
    expect(joinUrl('https://admin.example.com/desk', 'api/v1/clients/7/')).toBe('https://admin.example.com/desk/api/v1/clients/7/')
    expect(joinUrl('https://admin.example.com/desk/', 'api/v1/clients/7/')).toBe('https://admin.example.com/desk/api/v1/clients/7/')
  })

  it('keeps the query of the path', () => {
    expect(joinUrl('https://h.example/base', 'api/v1/clients/?page_size=1')).toBe('https://h.example/base/api/v1/clients/?page_size=1')
  })

  it('resolves a path with a leading slash from the server root, as a relative URL does', () => {
    expect(joinUrl('https://h.example/base/', '/api/report/call_sms')).toBe('https://h.example/api/report/call_sms')
  })

  it('normalizes the host as the URL parser does', () => {
    expect(joinUrl('HTTP://Example.COM:80', 'api/v1/dispatch-reports/')).toBe('http://example.com/api/v1/dispatch-reports/')
  })
})
