import { describe, expect, it } from 'vitest'
import { createStreams } from '../../src/backend/sync/streams'
import { KNOWN_STREAMS, streamInfo } from '../../src/shared/streams'

describe('sync streams', () => {
  it('the backend runs exactly the shared list of streams, in its order, with its sources and tables', () => {
    const streams = createStreams().map((s) => ({ stream: s.name, source: s.source, table: s.table }))
    expect(streams).toEqual(KNOWN_STREAMS.map((s) => ({ ...s })))
    expect(new Set(streams.map((s) => s.stream)).size).toBe(streams.length)
  })

  it('streamInfo gives a stream its source and table', () => {
    expect(streamInfo('sim.call_sms')).toEqual({ name: 'sim.call_sms', source: 'sim', table: 'sim_actions' })
    expect(streamInfo('platform.sender_names')).toEqual({ name: 'platform.sender_names', source: 'platform', table: 'sender_names' })
  })
})
