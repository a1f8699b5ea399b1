/**
 * Days and instants in a time zone (src/shared/zone.ts), for zones east and west of UTC, with
 * summer time, with :30 and :45 offsets, with clocks jumping over midnight and changing at
 * :01 past: every result checked against Intl itself. Nothing here reads the machine's clock
 * or zone: every "now" is given.
 */
import { describe, expect, it } from 'vitest'
import { lastDays, pickerDay } from '../../src/renderer/src/lib/period'
import { formatDateTime } from '../../src/renderer/src/lib/format'
import {
  addDays,
  dayBounds,
  dayIn,
  dayRange,
  daysFromTo,
  effectiveTimeZone,
  formatOffset,
  isDay,
  isTimeZone,
  lastDaysIn,
  listTimeZones,
  offsetMinutes,
  startOfDay,
  todayIn,
  utcBound,
  wallClock,
  zoneLabel,
  zoneTransitions
} from '../../src/shared/zone'

const H = 3_600_000
const iso = (ms: number): string => new Date(ms).toISOString()

/** The wall clock of `zone` at an instant, straight from Intl: "YYYY-MM-DD HH:MM:SS". */
function intlWall(zone: string, ms: number): string {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(ms)
      .map((x) => [x.type, x.value])
  )
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`
}

describe('days of a time zone', () => {
  it('are 23, 24 or 25 hours long around the clock changes', () => {
    const hours = (zone: string, day: string): number => {
      const r = dayRange(zone, day, day)
      return (r.end - r.start) / H
    }
    expect(hours('Europe/Sofia', '2026-03-29')).toBe(23)
    expect(hours('Europe/Sofia', '2026-10-25')).toBe(25)
    expect(hours('Europe/Sofia', '2026-06-01')).toBe(24)
    expect(hours('America/New_York', '2026-03-08')).toBe(23)
    expect(hours('America/New_York', '2026-11-01')).toBe(25)
    expect(hours('Europe/Moscow', '2026-03-29')).toBe(24)
    expect(hours('Australia/Lord_Howe', '2026-04-05')).toBe(24.5)
    expect(hours('UTC', '2026-03-29')).toBe(24)
  })

  it('start at 00:00 there, east and west of UTC and at :30 and :45 offsets', () => {
    expect(iso(startOfDay('Europe/Moscow', '2026-11-11'))).toBe('2026-11-10T21:00:00.000Z')
    expect(iso(startOfDay('Asia/Almaty', '2026-11-11'))).toBe('2026-11-10T19:00:00.000Z')
    expect(iso(startOfDay('Asia/Kolkata', '2026-11-11'))).toBe('2026-11-10T18:30:00.000Z')
    expect(iso(startOfDay('Asia/Kathmandu', '2026-11-11'))).toBe('2026-11-10T18:15:00.000Z')
    expect(iso(startOfDay('America/New_York', '2026-11-11'))).toBe('2026-11-11T05:00:00.000Z')
    expect(iso(startOfDay('America/New_York', '2026-07-01'))).toBe('2026-07-01T04:00:00.000Z')
    expect(iso(startOfDay('Europe/Sofia', '2026-10-25'))).toBe('2026-10-24T21:00:00.000Z')
    expect(iso(startOfDay('Europe/Sofia', '2026-10-26'))).toBe('2026-10-25T22:00:00.000Z')
    expect(iso(startOfDay('UTC', '2026-11-11'))).toBe('2026-11-11T00:00:00.000Z')
  })

  it('start at their first instant where the clocks jump over midnight', () => {
    // Santiago, 6 September 2026: 00:00 becomes 01:00 (-04:00 to -03:00).
    const s = startOfDay('America/Santiago', '2026-09-06')
    expect(intlWall('America/Santiago', s)).toBe('2026-09-06 01:00:00')
    expect(intlWall('America/Santiago', s - 1)).toBe('2026-09-05 23:59:59')
    expect(dayIn('America/Santiago', s)).toBe('2026-09-06')
    expect(dayIn('America/Santiago', s - 1)).toBe('2026-09-05')
    expect((startOfDay('America/Santiago', '2026-09-07') - s) / H).toBe(23)
  })

  it('agree with Intl around every clock change of many zones (2025-2027)', () => {
    const zones = listTimeZones().filter((_, i) => i % 6 === 0)
    zones.push('Europe/Sofia', 'America/New_York', 'America/St_Johns', 'America/Santiago', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/Havana', 'Pacific/Chatham')
    let checked = 0
    for (const zone of zones) {
      const changes = zoneTransitions(zone, Date.UTC(2025, 0, 1), Date.UTC(2027, 11, 31))
      for (const c of changes) {
        // The change itself: the offset before and after it, as Intl reads the wall clock.
        for (const t of [c.start - 1000, c.start, c.start + 1000]) {
          const wall = new Date(wallClock(zone, t)).toISOString().slice(0, 19).replace('T', ' ')
          expect(wall, `${zone} ${iso(t)}`).toBe(intlWall(zone, t))
        }
        // The days around it start where Intl says the day changes.
        const day = dayIn(zone, c.start)
        for (const d of [addDays(day, -1), day, addDays(day, 1)]) {
          const s = startOfDay(zone, d)
          expect(intlWall(zone, s).slice(0, 10), `${zone} ${d}`).toBe(d)
          expect(intlWall(zone, s - 1).slice(0, 10) < d, `${zone} ${d}`).toBe(true)
          checked++
        }
      }
    }
    expect(checked).toBeGreaterThan(300)
  })

  it('have offsets that change at :01 past (St John’s until 2011) exactly, not by the quarter hour', () => {
    // Until 2011 St John's changed its clocks at 00:01 local: 03:31 UTC.
    const [, spring] = zoneTransitions('America/St_Johns', Date.UTC(2010, 0, 1), Date.UTC(2010, 6, 1))
    expect(iso(spring.start)).toBe('2010-03-14T03:31:00.000Z') // 00:01 -03:30 -> 01:01 -02:30
    expect(offsetMinutes('America/St_Johns', spring.start - 1)).toBe(-210)
    expect(offsetMinutes('America/St_Johns', spring.start)).toBe(-150)
    expect(offsetMinutes('America/St_Johns', spring.start - 60_001)).toBe(-210)
    expect(zoneTransitions('Asia/Kolkata', Date.UTC(1990, 0, 1), Date.UTC(2100, 0, 1))).toEqual([{ start: Date.UTC(1990, 0, 1), offset: 330 }])
    const sofia = zoneTransitions('Europe/Sofia', Date.UTC(2026, 0, 1), Date.UTC(2027, 0, 1))
    expect(sofia.map((t) => [iso(t.start), t.offset])).toEqual([
      ['2026-01-01T00:00:00.000Z', 120],
      ['2026-03-29T01:00:00.000Z', 180],
      ['2026-10-25T01:00:00.000Z', 120]
    ])
  })

  it('say which day an instant is, and today, from the given clock', () => {
    const now = Date.parse('2026-11-10T22:30:00Z')
    expect(todayIn('UTC', now)).toBe('2026-11-10')
    expect(todayIn('Europe/Moscow', now)).toBe('2026-11-11')
    expect(todayIn('America/Los_Angeles', now)).toBe('2026-11-10')
    expect(todayIn('Asia/Kathmandu', Date.parse('2026-11-10T18:14:59Z'))).toBe('2026-11-10')
    expect(todayIn('Asia/Kathmandu', Date.parse('2026-11-10T18:15:00Z'))).toBe('2026-11-11')
    expect(lastDaysIn('Europe/Moscow', 30, now)).toEqual({ from: '2026-10-13', to: '2026-11-11' })
    expect(lastDays(7, 'America/New_York', now)).toEqual({ from: '2026-11-04', to: '2026-11-10' })
    // The picker's value for a zone's day is this browser's midnight of that day, whatever its zone.
    const d = new Date(pickerDay('Europe/Moscow', -1, now))
    expect([d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes()]).toEqual([2026, 11, 10, 0, 0])
  })

  it('bound stored UTC times as text: from 00:00 inclusive to 00:00 of the next day exclusive', () => {
    const b = dayBounds('Europe/Moscow', '2026-11-11', '2026-11-12')
    expect(b).toEqual({ start: '2026-11-10T21:00:00', end: '2026-11-12T21:00:00' })
    const inside = (t: string): boolean => t >= b.start && t < b.end
    expect(inside('2026-11-10T21:00:00Z')).toBe(true)
    expect(inside('2026-11-10T21:00:00.000Z')).toBe(true)
    expect(inside('2026-11-10T20:59:59.999Z')).toBe(false)
    expect(inside('2026-11-12T20:59:59.999999Z')).toBe(true)
    expect(inside('2026-11-12T21:00:00Z')).toBe(false)
    expect(inside('2026-11-12T21:00:00.000Z')).toBe(false)
    expect(utcBound(Date.parse('2026-01-01T10:00:00.750Z'))).toBe('2026-01-01T10:00:00')
  })

  it('name zones with their offset and check them', () => {
    expect(formatOffset(180)).toBe('+03:00')
    expect(formatOffset(-210)).toBe('-03:30')
    expect(formatOffset(345)).toBe('+05:45')
    expect(formatOffset(0)).toBe('+00:00')
    expect(zoneLabel('Europe/Moscow', Date.parse('2026-01-01T00:00:00Z'))).toBe('Europe/Moscow (UTC+03:00)')
    expect(zoneLabel('America/New_York', Date.parse('2026-07-01T00:00:00Z'))).toBe('America/New_York (UTC-04:00)')
    expect(zoneLabel('Asia/Kathmandu', 0)).toBe('Asia/Kathmandu (UTC+05:30)') // before 1986: +05:30
    expect(isTimeZone('Europe/Moscow')).toBe(true)
    expect(isTimeZone('Asia/Kolkata')).toBe(true)
    expect(isTimeZone('UTC')).toBe(true)
    expect(isTimeZone('Mars/Olympus')).toBe(false)
    expect(isTimeZone('')).toBe(false)
    expect(isTimeZone('Europe/Moscow; DROP')).toBe(false)
    expect(effectiveTimeZone('', 'Asia/Almaty')).toBe('Asia/Almaty')
    expect(effectiveTimeZone('Europe/Sofia', 'Asia/Almaty')).toBe('Europe/Sofia')
    expect(effectiveTimeZone('Nowhere/Land', 'Asia/Almaty')).toBe('Asia/Almaty')
    expect(listTimeZones()[0]).toBe('UTC')
    expect(listTimeZones()).toContain('Europe/Moscow')
    expect(isDay('2026-02-29')).toBe(false)
    expect(isDay('2028-02-29')).toBe(true)
    expect(daysFromTo('2026-02-27', '2026-03-02')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02'])
  })

  it('show times in the chosen zone, not the machine’s', () => {
    const at = '2026-11-10T23:30:00Z'
    expect(formatDateTime(at, 'en-US', 'Europe/Moscow')).toBe('Nov 11, 2026, 2:30 AM')
    expect(formatDateTime(at, 'en-US', 'UTC')).toBe('Nov 10, 2026, 11:30 PM')
    expect(formatDateTime(at, 'en-US', 'America/New_York')).toBe('Nov 10, 2026, 6:30 PM')
  })
})
