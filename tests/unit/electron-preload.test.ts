/**
 * What the preload (src/preload/index.ts) exposes, as reviewed for Electronegativity's
 * PRELOAD_JS_CHECK: one object, window.smsdesk, with invoke() for the contract's channels only
 * and on() for backend events; no Electron or Node API. Electron is mocked.
 */
import { describe, expect, it, vi } from 'vitest'
import { CHANNEL_NAMES } from '../../src/shared/contract'

const h = vi.hoisted(() => ({
  exposed: new Map<string, unknown>(),
  invoked: [] as [string, unknown][],
  ipcListeners: new Map<string, (e: unknown, message: unknown) => void>()
}))
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => h.exposed.set(key, api) },
  ipcRenderer: {
    invoke: async (channel: string, input: unknown) => {
      h.invoked.push([channel, input])
      return { ok: true, value: null }
    },
    on: (channel: string, fn: (e: unknown, message: unknown) => void) => h.ipcListeners.set(channel, fn)
  }
}))

await import('../../src/preload/index')

type Bridge = {
  invoke(channel: unknown, input: unknown): Promise<unknown>
  on(event: string, listener: unknown): () => void
}

describe('the preload', () => {
  it('exposes window.smsdesk only, with invoke and on only', () => {
    expect([...h.exposed.keys()]).toEqual(['smsdesk'])
    expect(Object.keys(h.exposed.get('smsdesk') as object).sort()).toEqual(['invoke', 'on'])
    expect([...h.ipcListeners.keys()]).toEqual(['smsdesk:event'])
  })

  it("forwards the contract's channels and refuses any other without sending it", async () => {
    const bridge = h.exposed.get('smsdesk') as Bridge
    expect(CHANNEL_NAMES).toContain('app.info')
    await bridge.invoke('app.info', {})
    for (const channel of ['smsdesk:event', 'ELECTRON_BROWSER_REQUIRE', 'app.info ', 42, undefined]) {
      expect(await bridge.invoke(channel, {})).toMatchObject({ ok: false, error: { code: 'unknown_channel' } })
    }
    expect(h.invoked).toEqual([['app.info', {}]])
  })

  it('delivers backend events to their listeners until they unsubscribe', () => {
    const bridge = h.exposed.get('smsdesk') as Bridge
    const got: unknown[] = []
    const off = bridge.on('sync.status', (p: unknown) => got.push(p))
    expect(bridge.on('sync.status', 'not a function')()).toBeUndefined()
    const emit = (event: string, payload: unknown) => h.ipcListeners.get('smsdesk:event')!({}, { event, payload })
    emit('sync.status', 1)
    emit('data.changed', 2)
    off()
    emit('sync.status', 3)
    expect(got).toEqual([1])
  })
})
