import { describe, expect, it } from 'vitest'
import { MESSAGE_COLUMNS, messageRowFromWire } from '../../src/backend/db/messages'
import { fastMessageValues } from '../../src/backend/sync/sources/fastMessage'
import { messageWireSchema } from '../../src/backend/sync/sources/platformSchemas'
import { CHANNELS } from '../../src/shared/types'

type Rec = Record<string, unknown>

/** What the sync stores through zod: the reference the fast path must match exactly. */
function viaZod(raw: unknown): (string | number | null)[] | null {
  const parsed = messageWireSchema.safeParse(raw)
  if (!parsed.success) return null
  const row = messageRowFromWire(parsed.data)
  return MESSAGE_COLUMNS.map((c) => row[c])
}

/** mulberry32: small, seeded, the same cases on every run. */
function prng(seed: number) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)],
    chance: (p: number) => next() < p
  }
}
type Rand = ReturnType<typeof prng>

const EMOJI = '😀' // two UTF-16 code units

const base: Rec = {
  id: 1,
  client_id: 12,
  user: 'главный',
  source: 'api',
  channel: 'sms',
  sender: 'МАГАЗИН',
  recipient: '79161234567',
  country: 'RU',
  operator: 'МТС',
  status: 'DELIVRD',
  parts: 1,
  cost: '1.2500',
  text: `Ваш код 1234 ${EMOJI}`,
  created_at: '2026-10-01T10:00:00Z',
  sent_at: '2026-10-01T10:00:01.5Z',
  finished_at: '2026-10-01T10:00:05.123456Z',
  campaign_id: 77,
  idx: 'ext-1',
  updated_at: '2026-10-01T10:00:05Z'
}

const VALID = {
  id: [1, 2, 999_999, 2 ** 31, Number.MAX_SAFE_INTEGER],
  user: ['', 'main', 'оператор', 'u'.repeat(100), EMOJI.repeat(50)],
  source: ['api', 'portal'],
  sender: ['', 'SHOP', 'Магазин', 's'.repeat(50), EMOJI.repeat(25)],
  recipient: ['12345', '79161234567', '1234567890123456', '00000'],
  country: ['RU', 'KZ', 'AA', 'ZZ'],
  operator: ['', 'MTS', 'Билайн', 'o'.repeat(100)],
  status: [
    'DELIVRD', 'delivered', ' Sent ', 'UNDELIV', 'queued', 'CANCELED', 'whatever', 'x', 'X'.repeat(40),
    ' ', 'Доставлено', EMOJI.repeat(20)
  ],
  parts: [1, 2, 7, 255],
  cost: ['0', '0.0000', '1.25', '12.3456', '0.0450', '007.5', '1.50000', '99999999999.9999', '3'],
  text: ['', 'Ваш код 1234', `Привет ${EMOJI}!`, 't'.repeat(10_000), EMOJI.repeat(5_000), 'line\nbreak\ttab'],
  timestamp: [
    '2026-10-01T10:00:00Z', '2024-02-29T23:59:59Z', '2000-02-29T00:00:00.1Z', '2026-12-31T00:00:00.123456Z',
    '0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '2026-04-30T12:30:45.000Z'
  ],
  idx: ['', 'ext-1', 'i'.repeat(100), 'идентификатор']
}

function validRecord(rnd: Rand, id: number): Rec {
  const ts = () => rnd.pick(VALID.timestamp)
  return {
    id: rnd.chance(0.8) ? id : rnd.pick(VALID.id),
    client_id: rnd.pick(VALID.id),
    user: rnd.pick(VALID.user),
    source: rnd.pick(VALID.source),
    channel: rnd.pick(CHANNELS),
    sender: rnd.pick(VALID.sender),
    recipient: rnd.pick(VALID.recipient),
    country: rnd.pick(VALID.country),
    operator: rnd.pick(VALID.operator),
    status: rnd.pick(VALID.status),
    parts: rnd.pick(VALID.parts),
    cost: rnd.pick(VALID.cost),
    text: rnd.pick(VALID.text),
    created_at: ts(),
    sent_at: rnd.chance(0.3) ? null : ts(),
    finished_at: rnd.chance(0.4) ? null : ts(),
    campaign_id: rnd.chance(0.5) ? null : rnd.pick(VALID.id),
    idx: rnd.chance(0.5) ? null : rnd.pick(VALID.idx),
    updated_at: ts()
  }
}

const MISSING = Symbol('missing')

/** Wrong in every field: other types, numeric oddities, boundary strings. */
const GENERIC_BAD: unknown[] = [
  MISSING, undefined, null, NaN, Infinity, -Infinity, -0, 0, -1, 1, 1.5, 2 ** 53, 2 ** 53 - 1, -(2 ** 53), 1e300,
  255, 256, '', ' ', '1', '0', 'null', true, false, {}, [], ['a'], 1n, new String('sms'), new Number(1),
  new Date(0), 'x'.repeat(41), 'x'.repeat(51), 'x'.repeat(101), 'x'.repeat(10_001), EMOJI.repeat(5_001)
]

const BAD_TIMESTAMPS = [
  '2026-02-30T00:00:00Z', '2026-10-01T10:00:00', '2026-10-01T10:00:00+00:00', '2026-10-01 10:00:00Z',
  '2026-10-01t10:00:00z', ' 2026-10-01T10:00:00Z', '2026-10-01T10:00:00Z ', '2026-10-01T10:00:00Z\n',
  '2026-13-01T10:00:00Z', '2026-00-01T10:00:00Z', '2026-10-00T10:00:00Z', '2026-10-32T10:00:00Z',
  '2026-04-31T10:00:00Z', '2026-10-01T24:00:00Z', '2026-10-01T10:60:00Z', '2026-10-01T10:00:60Z',
  '2026-10-01T10:00:00.Z', '2026-10-01T10:00:00.1234567Z', '2026-10-01T10:00Z', '26-10-01T10:00:00Z',
  '+02026-10-01T10:00:00Z', '2100-02-29T00:00:00Z', '1900-02-29T00:00:00Z', '2025-02-29T00:00:00Z',
  '2026-1a-01T10:00:00Z', '２０２６-10-01T10:00:00Z', '2026-10-01T10:00:00.12a4Z', '2026-10-01T1:00:00Z',
  // and some valid ones, so mutations also land on accepted records
  '2024-02-29T00:00:00Z', '2000-02-29T00:00:00Z', '2026-10-01T10:00:00.999999Z'
]

const BAD_COSTS = [
  '1.', '.5', '-0.0001', '-1', '-0', '-0.0000', '+1', '+0.5', '1e3', '1E3', ' 1', '1 ', '\u00a01', '\ufeff1',
  '\n1', '1.00000', '1.00001', '1.23456', '0.00001', '1,5', '0x10', 'NaN', 'Infinity', '١', '１', '--1', '1..2',
  '1.2.3', '999999999999', '99999999999.99999', '9007199254740991', '9007199254740993', '00000000000001.5',
  '000000000000000000001', '0.' + '0'.repeat(40), '1' + '0'.repeat(30), '', ' ', '.', '0', '12.3456'
]

const BAD_BY_FIELD: Record<string, unknown[]> = {
  id: [0, -5, 3.0000001, '1', Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2],
  client_id: [0, -5, 3.0000001, '12'],
  campaign_id: [0, -5, 3.0000001, '12', null, 12],
  source: ['API', 'web', 'toString', 'constructor', '__proto__', 'api ', 'portal'],
  channel: ['SMS', 'sms ', 'constructor', 'toString', '__proto__', 'telegram', ...CHANNELS],
  recipient: [
    '1234', '12345', '1234567890123456', '12345678901234567', '+79161234567', '7916123456a', '79161234567\n',
    ' 79161234567', '٧٩١٦١٢٣٤٥٦٧', '７９１６１２３４５６７', '7916 123 45 67'
  ],
  country: ['ru', 'RUS', 'R', 'ÀB', 'Ru', 'R1', 'RU\n', 'ＲＵ', 'AZ', '@[', 'Z['],
  status: ['', ' ', '\t', 'x'.repeat(40), 'x'.repeat(41), EMOJI.repeat(20), EMOJI.repeat(20) + 'x', 'ÿ', 'DELIVRD'],
  parts: [0, 1, 255, 256, 1.5, '1', 2 ** 53, -0, 254.9999],
  cost: BAD_COSTS,
  created_at: BAD_TIMESTAMPS,
  sent_at: BAD_TIMESTAMPS,
  finished_at: BAD_TIMESTAMPS,
  updated_at: BAD_TIMESTAMPS,
  user: ['u'.repeat(100), 'u'.repeat(101), EMOJI.repeat(50), EMOJI.repeat(50) + 'u'],
  sender: ['s'.repeat(50), 's'.repeat(51), EMOJI.repeat(25), EMOJI.repeat(25) + 's'],
  operator: ['o'.repeat(100), 'o'.repeat(101)],
  text: ['t'.repeat(10_000), 't'.repeat(10_001), EMOJI.repeat(5_000), EMOJI.repeat(5_000) + 't'],
  idx: ['i'.repeat(100), 'i'.repeat(101), null]
}

const FIELDS = Object.keys(base)

function mutateField(rnd: Rand, rec: Rec): void {
  const field = rnd.pick(FIELDS)
  const value = rnd.chance(0.5) && BAD_BY_FIELD[field] ? rnd.pick(BAD_BY_FIELD[field]) : rnd.pick(GENERIC_BAD)
  if (value === MISSING) delete rec[field]
  else rec[field] = value
}

/** A hostile variant of a valid record; sometimes not an object at all. */
function mutate(rnd: Rand, rec: Rec): unknown {
  const roll = rnd.int(0, 19)
  if (roll === 0) {
    return rnd.pick<unknown>([null, undefined, [], [rec], 'record', 42, true, Object.values(rec), JSON.stringify(rec)])
  }
  if (roll === 1) {
    rec[rnd.pick(['extra', 'bucket', 'cost_units', '__proto__x', 'ID'])] = rnd.pick(GENERIC_BAD)
    if (rnd.chance(0.5)) mutateField(rnd, rec)
    return rec
  }
  if (roll === 2) {
    // other shapes of object zod takes in: prototype-less, frozen, inherited fields
    const kind = rnd.int(0, 2)
    if (kind === 0) return Object.assign(Object.create(null), rec)
    if (kind === 1) return Object.freeze(rec)
    return Object.create(rec)
  }
  mutateField(rnd, rec)
  if (rnd.chance(0.3)) mutateField(rnd, rec)
  return rec
}

/** A short readable form of a hostile record for failure messages. */
function show(raw: unknown): string {
  const text = JSON.stringify(raw, (_k, v: unknown) =>
    typeof v === 'bigint' ? `${v}n` : typeof v === 'number' && !Number.isFinite(v) ? String(v) : v
  )
  return String(text).slice(0, 400)
}

describe('fastMessageValues', () => {
  it('gives exactly the zod row for valid records, in MESSAGE_COLUMNS order', () => {
    const expected = viaZod(base)
    expect(expected).not.toBeNull()
    expect(fastMessageValues(base)).toStrictEqual(expected)
    expect(expected![MESSAGE_COLUMNS.indexOf('cost')]).toBe(12_500)
    expect(expected![MESSAGE_COLUMNS.indexOf('bucket')]).toBe('delivered')

    for (const channel of CHANNELS) {
      for (const nulls of [true, false]) {
        const rec = {
          ...base,
          channel,
          sent_at: nulls ? null : base.sent_at,
          finished_at: nulls ? null : base.finished_at,
          campaign_id: nulls ? null : base.campaign_id,
          idx: nulls ? null : base.idx,
          extra: { nested: [1, 2] }
        }
        const want = viaZod(rec)
        expect(want, channel).not.toBeNull()
        expect(fastMessageValues(rec), channel).toStrictEqual(want)
      }
    }
  })

  it('refuses what is not an object', () => {
    for (const raw of [null, undefined, 0, 'x', true, [], [base], new Date(0), () => base]) {
      expect(fastMessageValues(raw)).toBeNull()
      expect(messageWireSchema.safeParse(raw).success).toBe(false)
    }
  })

  it('leaves to zod the odd costs it accepts (sign, surrounding spaces)', () => {
    for (const cost of [' 1', '1 ', '+1', '-0', '-0.0000', '\u00a01', '000000000000000000001']) {
      const rec = { ...base, cost }
      expect(messageWireSchema.safeParse(rec).success, cost).toBe(true)
      expect(fastMessageValues(rec), cost).toBeNull()
    }
  })

  it('leaves to zod the strings that fit their limit only in code points', () => {
    // zod measures min/max in code points; the fast path in UTF-16 units, never fewer
    for (const [field, value] of [
      ['user', EMOJI.repeat(51)],
      ['sender', EMOJI.repeat(25) + 's'],
      ['status', EMOJI.repeat(21)],
      ['text', EMOJI.repeat(5_000) + 't'],
      ['idx', EMOJI.repeat(100)]
    ] as const) {
      const rec = { ...base, [field]: value }
      expect(messageWireSchema.safeParse(rec).success, field).toBe(true)
      expect(fastMessageValues(rec), field).toBeNull()
    }
  })

  it('never accepts what zod rejects, and matches it wherever it accepts (seeded fuzz)', () => {
    const rnd = prng(20261001)
    let validCount = 0
    let fastAccepted = 0
    let zodOnly = 0
    let bothRejected = 0
    for (let i = 0; i < 20_000; i++) {
      const rec = validRecord(rnd, i + 1)
      const unmutated = rnd.chance(0.15)
      const raw = unmutated ? rec : mutate(rnd, rec)
      const want = viaZod(raw)
      const got = fastMessageValues(raw)
      if (unmutated) {
        validCount++
        expect(want, `case ${i}`).not.toBeNull()
        expect(got, `case ${i}`).not.toBeNull()
      }
      if (want === null) {
        if (got !== null) expect.fail(`case ${i}: fast accepted what zod rejects: ${show(raw)}`)
        bothRejected++
      } else if (got === null) {
        zodOnly++
      } else {
        expect(got, `case ${i}`).toStrictEqual(want)
        // toStrictEqual already tells -0 from 0; say so explicitly for cost
        const c = MESSAGE_COLUMNS.indexOf('cost')
        expect(Object.is(got[c], want[c]), `case ${i}`).toBe(true)
        fastAccepted++
      }
    }
    // the fuzz must have exercised every outcome, with most rejections coming from zod rules
    expect(validCount).toBeGreaterThan(2_000)
    expect(fastAccepted).toBeGreaterThan(validCount)
    expect(bothRejected).toBeGreaterThan(10_000)
    expect(zodOnly).toBeGreaterThan(0)
  })
})
