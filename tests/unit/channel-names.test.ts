import { describe, expect, it } from 'vitest'
import { CHANNEL_NAME_MAX, isChannelName } from '../../src/shared/channelName'
import { CHANNEL_NAMES } from '../../src/shared/contract'

describe('channel names', () => {
  it('every channel of the contract has the form the browser bridge routes', () => {
    expect(CHANNEL_NAMES.length).toBeGreaterThan(10)
    const off = CHANNEL_NAMES.filter((name) => !isChannelName(name))
    expect(off).toEqual([])
  })

  it('takes dotted lower-camel-case names of two or more segments, up to the length limit', () => {
    for (const name of ['app.info', 'store.startOver', 'reports.schedules.list', 'apiReports.list2', `a.${'b'.repeat(CHANNEL_NAME_MAX - 2)}`]) {
      expect(isChannelName(name), name).toBe(true)
    }
    for (const name of ['app', 'App.info', 'app.Info', 'app.', '.info', 'app..info', 'app.in-fo', 'app.in_fo', '2fa.check', 'app.info/x', 'app.info\n', `a.${'b'.repeat(CHANNEL_NAME_MAX - 1)}`, '']) {
      expect(isChannelName(name), JSON.stringify(name)).toBe(false)
    }
  })
})
