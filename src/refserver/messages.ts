/**
 * Messages of the platform (openapi/platform.yaml Message), held in compact columns so a
 * million of them fit in well under 100 MB, and rebuilt into records on demand.
 *
 * What is stored per message: client, channel, sub-user, campaign, creation time, the status
 * profile (the sequence of raw provider statuses it goes through) with the delays between them,
 * the stage reached so far, parts and updated_at. What is derived on demand from (seed, id):
 * text, sender, recipient (country and operator follow from its prefix) and idx — the same
 * draws give the same values every time.
 *
 * Delivery reports land later: a message is created ACCEPTED / QUEUED / SCHEDULED and moves
 * through its stages as the server's clock passes their times (advanceTo). Each change stamps
 * updated_at and moves the message to the end of the (updated_at, id) keyset order, which is
 * kept as an append-only log with tombstones (and a Fenwick tree to count live rows).
 */
import { formatUnits, PRICE_SCALE } from '../shared/money'
import { CHANNELS, type Channel } from '../shared/types'
import type { ClientProfile } from './generate'
import { DAY_MS, isoTime } from './isotime'
import { JsonSink, bytes, jsonString } from './jsonsink'
import type { KeysetCursor, KeysetSource } from './keyset'
import { HashRng, Rng, type RandomSource } from './random'
import { channelParts } from './sms'
import { LANGS_BY_COUNTRY, renderText, type Lang, type TextKind } from './texts'
import { COUNTRIES, HOURLY_WEIGHTS } from './world'

export const MESSAGE_STATUSES = [
  'ACCEPTED', 'ENROUTE', 'QUEUED', 'SCHEDULED', 'SENT', 'DELIVERED_TO_OPERATOR', 'DELIVRD', 'READ',
  'UNDELIV', 'EXPIRED', 'REJECTD', 'FAILED', 'DELETED', 'UNKNOWN'
] as const
export type MessageStatus = (typeof MESSAGE_STATUSES)[number]

/** Statuses after which nothing but READ follows: the message is finished. */
export const FINAL_STATUSES: ReadonlySet<MessageStatus> = new Set([
  'DELIVRD', 'READ', 'UNDELIV', 'EXPIRED', 'REJECTD', 'FAILED', 'DELETED', 'UNKNOWN'
])
/** Statuses that mean the message has left the platform towards the operator. */
const SENT_STATUSES: ReadonlySet<MessageStatus> = new Set(['ENROUTE', 'SENT', 'DELIVERED_TO_OPERATOR'])

export interface MessageRecord {
  id: number
  client_id: number
  user: string
  source: 'api' | 'portal'
  channel: Channel
  sender: string
  recipient: string
  country: string
  operator: string
  status: MessageStatus
  parts: number
  cost: string
  text: string
  created_at: string
  sent_at: string | null
  finished_at: string | null
  campaign_id: number | null
  idx: string | null
  updated_at: string
}

const SEC = 1000
const MIN = 60 * SEC
const HOUR = 60 * MIN

interface StatusProfile {
  statuses: MessageStatus[]
  /** Delay range [min, max] ms before each stage after the first, from the previous stage. */
  delays: [number, number][]
  weight: number
  scheduled: boolean
  /** Stage index at which sent_at / finished_at are set, or -1. */
  sentStage: number
  finalStage: number
}

function profile(weight: number, statuses: MessageStatus[], delays: [number, number][]): StatusProfile {
  return {
    statuses,
    delays,
    weight,
    scheduled: statuses[0] === 'SCHEDULED',
    sentStage: statuses.findIndex((s) => SENT_STATUSES.has(s)),
    finalStage: statuses.findIndex((s) => FINAL_STATUSES.has(s))
  }
}

const SUBMIT: [number, number] = [150, 3 * SEC]
const DLR: [number, number] = [2 * SEC, 90 * SEC]
const SLOW_DLR: [number, number] = [2 * MIN, 6 * HOUR]
const EXPIRY: [number, number] = [24 * HOUR, 72 * HOUR]
const SCHEDULE: [number, number] = [10 * MIN, 36 * HOUR]

const SMS_PROFILES = [
  profile(66, ['ACCEPTED', 'ENROUTE', 'DELIVRD'], [SUBMIT, DLR]),
  profile(8, ['ACCEPTED', 'ENROUTE', 'DELIVERED_TO_OPERATOR', 'DELIVRD'], [SUBMIT, [500, 5 * SEC], SLOW_DLR]),
  profile(3, ['QUEUED', 'ENROUTE', 'DELIVRD'], [[5 * SEC, 10 * MIN], DLR]),
  profile(7, ['ACCEPTED', 'ENROUTE', 'UNDELIV'], [SUBMIT, DLR]),
  profile(4, ['ACCEPTED', 'ENROUTE', 'EXPIRED'], [SUBMIT, EXPIRY]),
  profile(3, ['ACCEPTED', 'REJECTD'], [[100, 2 * SEC]]),
  profile(1, ['ACCEPTED', 'FAILED'], [[100, 5 * SEC]]),
  profile(1, ['ACCEPTED', 'ENROUTE', 'UNKNOWN'], [SUBMIT, [1 * HOUR, 48 * HOUR]]),
  profile(4, ['SCHEDULED', 'ENROUTE', 'DELIVRD'], [SCHEDULE, DLR]),
  profile(1, ['SCHEDULED', 'DELETED'], [[5 * MIN, 20 * HOUR]])
]
const VIBER_PROFILES = [
  profile(42, ['QUEUED', 'SENT', 'DELIVRD', 'READ'], [SUBMIT, DLR, [30 * SEC, 20 * HOUR]]),
  profile(30, ['QUEUED', 'SENT', 'DELIVRD'], [SUBMIT, DLR]),
  profile(8, ['QUEUED', 'SENT', 'EXPIRED'], [SUBMIT, EXPIRY]),
  profile(5, ['QUEUED', 'SENT', 'UNDELIV'], [SUBMIT, DLR]),
  profile(4, ['QUEUED', 'FAILED'], [[100, 5 * SEC]]),
  profile(2, ['QUEUED', 'REJECTD'], [[100, 2 * SEC]]),
  profile(4, ['SCHEDULED', 'SENT', 'DELIVRD', 'READ'], [SCHEDULE, DLR, [30 * SEC, 20 * HOUR]])
]
const VOICE_PROFILES = [
  profile(60, ['QUEUED', 'SENT', 'DELIVRD'], [[1 * SEC, 30 * SEC], [10 * SEC, 60 * SEC]]),
  profile(25, ['QUEUED', 'SENT', 'UNDELIV'], [[1 * SEC, 30 * SEC], [30 * SEC, 75 * SEC]]),
  profile(5, ['QUEUED', 'FAILED'], [[1 * SEC, 10 * SEC]]),
  profile(4, ['SCHEDULED', 'SENT', 'DELIVRD'], [SCHEDULE, [10 * SEC, 60 * SEC]])
]
const ALL_PROFILES: StatusProfile[] = [...SMS_PROFILES, ...VIBER_PROFILES, ...VOICE_PROFILES]
const PROFILE_BASE = { sms: 0, viber: SMS_PROFILES.length, voice: SMS_PROFILES.length + VIBER_PROFILES.length }
const STATUS_BYTES = MESSAGE_STATUSES.map((s) => bytes(JSON.stringify(s)))
const STATUS_CODE = new Map(MESSAGE_STATUSES.map((s, i) => [s, i]))
const PROFILE_STATUS: Uint8Array[] = ALL_PROFILES.map((p) => Uint8Array.from(p.statuses.map((s) => STATUS_CODE.get(s)!)))

function profilesFor(channel: Channel): { base: number; list: StatusProfile[] } {
  if (channel === 'sms') return { base: PROFILE_BASE.sms, list: SMS_PROFILES }
  if (channel === 'voice') return { base: PROFILE_BASE.voice, list: VOICE_PROFILES }
  return { base: PROFILE_BASE.viber, list: VIBER_PROFILES }
}

const BYTES_CACHE = new Map<string, Uint8Array>()
/** The JSON bytes of a string from a small set (senders, operators). */
function bytesCached(s: string): Uint8Array {
  let j = BYTES_CACHE.get(s)
  if (j === undefined) {
    j = bytes(jsonString(s))
    if (BYTES_CACHE.size < 100_000) BYTES_CACHE.set(s, j)
  }
  return j
}

/** The constant pieces of a message's JSON, pre-encoded. */
const K = {
  id: bytes('{"id":'),
  client: bytes(',"client_id":'),
  user: bytes(',"user":'),
  source: bytes(',"source":'),
  channel: bytes(',"channel":'),
  sender: bytes(',"sender":'),
  recipient: bytes(',"recipient":"'),
  country: bytes('","country":"'),
  operator: bytes('","operator":'),
  status: bytes(',"status":'),
  parts: bytes(',"parts":'),
  cost: bytes(',"cost":"'),
  text: bytes('","text":'),
  created: bytes(',"created_at":"'),
  sent: bytes(',"sent_at":"'),
  sentNull: bytes(',"sent_at":null'),
  finished: bytes(',"finished_at":"'),
  finishedNull: bytes(',"finished_at":null'),
  campaign: bytes(',"campaign_id":'),
  idx: bytes(',"idx":'),
  updated: bytes(',"updated_at":"'),
  end: bytes('"}')
}
const NULL = bytes('null')
const QUOTE = 0x22

function logUniform(rng: RandomSource, [min, max]: [number, number]): number {
  return Math.round(min * Math.pow(max / min, rng.next()))
}

/** A day's mailing cost of one client on one channel, in price units (PRICE_SCALE). */
export interface DailyCost {
  clientIndex: number
  /** UTC midnight of the day. */
  day: number
  channel: Channel
  units: number
  messages: number
}

export interface MessageGenOptions {
  seed: number
  now: number
  days: number
  count: number
  clients: readonly ClientProfile[]
}

const CHANNEL_INDEX = new Map(CHANNELS.map((c, i) => [c, i]))
const CHANNEL_BYTES = CHANNELS.map((c) => bytes(JSON.stringify(c)))
const OTHER_CHANNELS: [Channel, number][] = [['sms', 6], ['viber', 2], ['voice', 1], ['viber_pr', 1], ['viber_tx', 1]]

interface ClientJson {
  id: number
  idBytes: Uint8Array
  users: Uint8Array[]
  sources: Uint8Array[]
  costs: string[]
}

export class MessageStore implements KeysetSource<number> {
  readonly count: number
  private readonly seed: number
  private readonly clients: readonly ClientProfile[]
  private readonly clientJson: ClientJson[]
  // Columns (index = id - 1).
  private readonly client: Int32Array
  private readonly channel: Uint8Array
  private readonly user: Uint8Array
  private readonly campaign: Int32Array
  private readonly created: Float64Array
  private readonly prof: Uint8Array
  /** Delay of stages 1..3 from creation (ms). */
  private readonly d1: Uint32Array
  private readonly d2: Uint32Array
  private readonly d3: Uint32Array
  private readonly stage: Uint8Array
  private readonly partsCol: Uint8Array
  private readonly updated: Float64Array
  // Keyset order: an append-only log of (updated_at, id) with tombstones.
  private ordMsg: Int32Array
  private ordKey: Float64Array
  private ordLen = 0
  private readonly pos: Int32Array
  private fen: Int32Array
  private dead = 0
  // Status changes still to come, by time.
  private pendTime: Float64Array
  private pendMsg: Int32Array
  private pendStage: Uint8Array
  private pendNext = 0
  private changes = 0
  private readonly textRng = new HashRng()
  private readonly recRng = new HashRng()

  constructor(options: MessageGenOptions, onCost: (cost: DailyCost) => void) {
    const n = options.count
    this.count = n
    this.seed = options.seed
    this.clients = options.clients
    this.clientJson = options.clients.map((c) => ({
      id: c.id,
      idBytes: bytes(String(c.id)),
      users: c.users.map((u) => bytes(jsonString(u.login))),
      sources: c.users.map((u) => bytes(`"${u.source}"`)),
      costs: []
    }))
    this.client = new Int32Array(n)
    this.channel = new Uint8Array(n)
    this.user = new Uint8Array(n)
    this.campaign = new Int32Array(n)
    this.created = new Float64Array(n)
    this.prof = new Uint8Array(n)
    this.d1 = new Uint32Array(n)
    this.d2 = new Uint32Array(n)
    this.d3 = new Uint32Array(n)
    this.stage = new Uint8Array(n)
    this.partsCol = new Uint8Array(n)
    this.updated = new Float64Array(n)
    this.pos = new Int32Array(n)
    const capacity = n + Math.max(1024, n >> 2)
    this.ordMsg = new Int32Array(capacity)
    this.ordKey = new Float64Array(capacity)
    this.fen = new Int32Array(capacity + 1)
    this.pendTime = new Float64Array(0)
    this.pendMsg = new Int32Array(0)
    this.pendStage = new Uint8Array(0)
    if (n > 0 && options.clients.length > 0) this.generate(options, onCost)
  }

  // ------------------------------------------------------------------------------- generation

  private generate(options: MessageGenOptions, onCost: (cost: DailyCost) => void): void {
    const { now, days, clients } = options
    const n = this.count
    const rng = new Rng(options.seed + 3000)
    // Who sends: clients by volume weight.
    const pickClient = rng.picker(clients.map((c) => c.weight))
    const pickChannel = (c: ClientProfile): Channel => {
      let ch = rng.chance(0.75) ? c.channel : rng.weighted(OTHER_CHANNELS)
      if (ch.startsWith('viber') && c.viberSenders.length === 0) ch = 'sms'
      return ch
    }
    // Events: a single message or a campaign (a burst of messages with one text).
    const meanCampaign = Math.min(1000, Math.max(5, Math.round(n / 500)))
    const campaignChance = Math.min(0.5, 0.67 / meanCampaign)
    const evStart: number[] = []
    let campaignId = 0
    let i = 0
    while (i < n) {
      evStart.push(i)
      const ci = pickClient()
      const c = clients[ci]
      const ch = pickChannel(c)
      const isCampaign = rng.chance(campaignChance)
      const size = isCampaign ? Math.min(n - i, rng.int(Math.ceil(meanCampaign / 2), Math.ceil((meanCampaign * 3) / 2))) : 1
      const camp = isCampaign ? ++campaignId : 0
      const portalUsers = c.users.length - 1
      const u = isCampaign ? (portalUsers > 0 ? rng.int(1, portalUsers) : 0) : portalUsers > 0 && rng.chance(0.2) ? rng.int(1, portalUsers) : 0
      for (let j = 0; j < size; j++, i++) {
        this.client[i] = ci
        this.channel[i] = CHANNEL_INDEX.get(ch)!
        this.user[i] = u
        this.campaign[i] = camp
      }
    }
    evStart.push(n)
    // When: events spread over the history window following the hourly curve (UTC).
    const windowStart = now - days * DAY_MS
    const hours = Math.max(1, Math.ceil((now - windowStart) / HOUR))
    const hourCum = new Float64Array(hours + 1)
    for (let h = 0; h < hours; h++) {
      const utcHour = Math.floor((windowStart + h * HOUR) / HOUR) % 24
      hourCum[h + 1] = hourCum[h] + HOURLY_WEIGHTS[utcHour]
    }
    const events = evStart.length - 1
    const last = now - 1000
    const dayUnits = new Map<number, number>()
    const dayCounts = new Map<number, number>()
    const campaignParts = new Map<number, number>()
    for (let e = 0; e < events; e++) {
      const x = ((e + rng.next()) / events) * hourCum[hours]
      let lo = 0
      let hi = hours - 1
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1
        if (hourCum[mid] <= x) lo = mid
        else hi = mid - 1
      }
      const frac = (x - hourCum[lo]) / (hourCum[lo + 1] - hourCum[lo] || 1)
      const t0 = Math.min(last, Math.floor(windowStart + (lo + frac) * HOUR))
      const first = evStart[e]
      const end = evStart[e + 1]
      const ch = CHANNELS[this.channel[first]]
      const { base, list } = profilesFor(ch)
      const campaign = this.campaign[first]
      const scheduled = rng.chance(list === VOICE_PROFILES ? 0.04 : 0.05)
      const scheduleDelay = logUniform(rng, SCHEDULE)
      for (let m = first; m < end; m++) {
        const j = m - first
        const created = Math.min(last, t0 + j * 3)
        this.created[m] = created
        // Status profile (a scheduled campaign has one schedule for all its messages).
        let p: number
        if (campaign) {
          do p = this.pickProfile(rng, list)
          while (list[p].scheduled !== scheduled)
        } else p = this.pickProfile(rng, list)
        this.prof[m] = base + p
        const sp = list[p]
        let t = 0
        const d = [0, 0, 0]
        for (let k = 0; k < sp.delays.length; k++) {
          let delay = logUniform(rng, sp.delays[k])
          if (k === 0 && sp.scheduled && campaign) delay = scheduleDelay
          if (k === 0 && campaign) delay += j * 10 // a campaign goes out at ~100 messages/s
          t += delay
          d[k] = t
        }
        this.d1[m] = d[0]
        this.d2[m] = d[1]
        this.d3[m] = d[2]
        let stage = 0
        for (let k = 1; k < sp.statuses.length && created + d[k - 1] <= now; k++) stage = k
        this.stage[m] = stage
        this.updated[m] = stage === 0 ? created : created + d[stage - 1]
        // Parts (one text per campaign) and the day's cost for billing.
        let parts: number
        if (campaign && campaignParts.has(campaign)) parts = campaignParts.get(campaign)!
        else {
          parts = channelParts(ch, this.staticPart(m).text)
          if (campaign) campaignParts.set(campaign, parts)
        }
        this.partsCol[m] = parts
        const ci = this.client[m]
        const key = (Math.floor(created / DAY_MS) * clients.length + ci) * 5 + this.channel[m]
        dayUnits.set(key, (dayUnits.get(key) ?? 0) + parts * clients[ci].priceUnits)
        dayCounts.set(key, (dayCounts.get(key) ?? 0) + 1)
      }
    }
    for (const [key, units] of dayUnits) {
      const ch = key % 5
      const rest = (key - ch) / 5
      const ci = rest % clients.length
      const day = ((rest - ci) / clients.length) * DAY_MS
      onCost({ clientIndex: ci, day, channel: CHANNELS[ch], units, messages: dayCounts.get(key)! })
    }
    this.buildOrder()
    this.buildPending(now)
  }

  private pickProfile(rng: RandomSource, list: StatusProfile[]): number {
    let totalWeight = 0
    for (const p of list) totalWeight += p.weight
    let x = rng.next() * totalWeight
    for (let k = 0; k < list.length; k++) {
      x -= list[k].weight
      if (x < 0) return k
    }
    return list.length - 1
  }

  /** Sorts all messages by (updated_at, id): a bucket sort, then each bucket in place. */
  private buildOrder(): void {
    const n = this.count
    let min = Infinity
    let max = -Infinity
    for (let m = 0; m < n; m++) {
      const u = this.updated[m]
      if (u < min) min = u
      if (u > max) max = u
    }
    const buckets = n + 1
    const width = Math.max(1, Math.ceil((max - min + 1) / buckets))
    const start = new Int32Array(buckets + 1)
    for (let m = 0; m < n; m++) start[Math.floor((this.updated[m] - min) / width) + 1]++
    for (let b = 0; b < buckets; b++) start[b + 1] += start[b]
    const fill = start.slice(0, buckets)
    const order = this.ordMsg
    for (let m = 0; m < n; m++) order[fill[Math.floor((this.updated[m] - min) / width)]++] = m
    const upd = this.updated
    for (let b = 0; b < buckets; b++) {
      const lo = start[b]
      const hi = start[b + 1]
      if (hi - lo < 2) continue
      if (hi - lo > 32) {
        order.subarray(lo, hi).sort((a, c) => upd[a] - upd[c] || a - c)
        continue
      }
      for (let x = lo + 1; x < hi; x++) {
        const v = order[x]
        const vu = upd[v]
        let y = x - 1
        while (y >= lo && (upd[order[y]] > vu || (upd[order[y]] === vu && order[y] > v))) {
          order[y + 1] = order[y]
          y--
        }
        order[y + 1] = v
      }
    }
    for (let p = 0; p < n; p++) {
      this.ordKey[p] = upd[order[p]]
      this.pos[order[p]] = p
    }
    this.ordLen = n
  }

  private buildPending(now: number): void {
    const times: number[] = []
    const msgs: number[] = []
    const stages: number[] = []
    for (let m = 0; m < this.count; m++) {
      const sp = ALL_PROFILES[this.prof[m]]
      for (let k = this.stage[m] + 1; k < sp.statuses.length; k++) {
        const t = this.created[m] + this.delay(m, k)
        if (t > now) {
          times.push(t)
          msgs.push(m)
          stages.push(k)
        }
      }
    }
    const idx = Int32Array.from(times.keys()).sort(
      (a, b) => times[a] - times[b] || msgs[a] - msgs[b] || stages[a] - stages[b]
    )
    this.pendTime = Float64Array.from(idx, (i) => times[i])
    this.pendMsg = Int32Array.from(idx, (i) => msgs[i])
    this.pendStage = Uint8Array.from(idx, (i) => stages[i])
  }

  private delay(m: number, stage: number): number {
    return stage === 0 ? 0 : stage === 1 ? this.d1[m] : stage === 2 ? this.d2[m] : this.d3[m]
  }

  // ------------------------------------------------------------------------------- derived data

  /** The parts of a message derived from (seed, id) and its campaign: same draws, same values. */
  private staticPart(m: number): { text: string; sender: string; recipient: string; country: string; operator: string; idx: string | null } {
    const c = this.clients[this.client[m]]
    const ch = CHANNELS[this.channel[m]]
    const campaign = this.campaign[m]
    const tr = this.textRng.reset(this.seed ^ 0x51ed270b, campaign ? -campaign : m + 1)
    let kind: TextKind
    if (ch === 'voice') kind = 'voice'
    else if (campaign || ch === 'viber_pr') kind = 'promo'
    else if (ch === 'viber_tx') kind = tr.chance(0.5) ? 'otp' : 'notify'
    else kind = tr.weighted<TextKind>([['otp', 5], ['notify', 4], ['promo', 1]])
    const lang = tr.weighted<Lang>(LANGS_BY_COUNTRY[c.country.iso] ?? [['en', 1]])
    const sender =
      ch === 'sms' ? (c.smsSenders.length ? tr.pick(c.smsSenders) : c.login)
      : ch === 'voice' ? c.login
      : c.viberSenders.length ? tr.pick(c.viberSenders) : c.login
    const text = renderText(tr, lang, kind, c.brand)
    const rr = this.recRng.reset(this.seed ^ 0x2c1b3c6d, m + 1)
    const country = rr.chance(0.85) ? c.country : COUNTRIES[Math.floor(rr.next() * COUNTRIES.length)]
    const op = country.operators[Math.floor(rr.next() * country.operators.length)]
    const code = op.codes[Math.floor(rr.next() * op.codes.length)]
    const recipient = country.dial + code + rr.digits(country.subscriberDigits)
    const idx = campaign || !rr.chance(0.5) ? null : rr.chance(0.5) ? `ord-${rr.int(100000, 9999999)}` : `${c.id}-${m + 1}`
    return { text, sender, recipient, country: country.iso, operator: op.name, idx }
  }

  private statusCode(m: number): number {
    return PROFILE_STATUS[this.prof[m]][this.stage[m]]
  }

  private sentAt(m: number): number | null {
    const sp = ALL_PROFILES[this.prof[m]]
    return sp.sentStage >= 0 && this.stage[m] >= sp.sentStage ? this.created[m] + this.delay(m, sp.sentStage) : null
  }

  private finishedAt(m: number): number | null {
    const sp = ALL_PROFILES[this.prof[m]]
    return sp.finalStage >= 0 && this.stage[m] >= sp.finalStage ? this.created[m] + this.delay(m, sp.finalStage) : null
  }

  private cost(m: number): string {
    const cj = this.clientJson[this.client[m]]
    const parts = this.partsCol[m]
    return (cj.costs[parts] ??= formatUnits(parts * this.clients[this.client[m]].priceUnits, PRICE_SCALE))
  }

  /** The record of message index `m` (0-based). */
  record(m: number): MessageRecord {
    const c = this.clients[this.client[m]]
    const s = this.staticPart(m)
    const u = c.users[this.user[m]] ?? c.users[0]
    const sent = this.sentAt(m)
    const fin = this.finishedAt(m)
    return {
      id: m + 1,
      client_id: c.id,
      user: u.login,
      source: u.source,
      channel: CHANNELS[this.channel[m]],
      sender: s.sender,
      recipient: s.recipient,
      country: s.country,
      operator: s.operator,
      status: MESSAGE_STATUSES[this.statusCode(m)],
      parts: this.partsCol[m],
      cost: this.cost(m),
      text: s.text,
      created_at: isoTime(this.created[m]),
      sent_at: sent === null ? null : isoTime(sent),
      finished_at: fin === null ? null : isoTime(fin),
      campaign_id: this.campaign[m] || null,
      idx: s.idx,
      updated_at: isoTime(this.updated[m])
    }
  }

  /** The JSON of message index `m` (the same text JSON.stringify(record(m)) gives). */
  json(m: number): string {
    const sink = new JsonSink()
    this.writeJson(m, sink)
    return sink.toString()
  }

  /** Writes the JSON of message index `m` into a page being built: bytes, no strings. */
  writeJson(m: number, sink: JsonSink): void {
    const cj = this.clientJson[this.client[m]]
    const s = this.staticPart(m)
    const u = this.user[m] < cj.users.length ? this.user[m] : 0
    const sent = this.sentAt(m)
    const fin = this.finishedAt(m)
    const camp = this.campaign[m]
    const sender = bytesCached(s.sender)
    const operator = bytesCached(s.operator)
    sink.reserve(512 + sender.length + operator.length + cj.users[u].length)
    sink.bytes(K.id).int(m + 1)
    sink.bytes(K.client).bytes(cj.idBytes)
    sink.bytes(K.user).bytes(cj.users[u])
    sink.bytes(K.source).bytes(cj.sources[u])
    sink.bytes(K.channel).bytes(CHANNEL_BYTES[this.channel[m]])
    sink.bytes(K.sender).bytes(sender)
    sink.bytes(K.recipient).ascii(s.recipient)
    sink.bytes(K.country).ascii(s.country)
    sink.bytes(K.operator).bytes(operator)
    sink.bytes(K.status).bytes(STATUS_BYTES[this.statusCode(m)])
    sink.bytes(K.parts).int(this.partsCol[m])
    sink.bytes(K.cost).ascii(this.cost(m))
    sink.bytes(K.text).raw(jsonString(s.text))
    sink.reserve(256 + (s.idx === null ? 0 : s.idx.length * 6))
    sink.bytes(K.created).iso(this.created[m]).byte(QUOTE)
    if (sent === null) sink.bytes(K.sentNull)
    else sink.bytes(K.sent).iso(sent).byte(QUOTE)
    if (fin === null) sink.bytes(K.finishedNull)
    else sink.bytes(K.finished).iso(fin).byte(QUOTE)
    sink.bytes(K.campaign)
    if (camp) sink.int(camp)
    else sink.bytes(NULL)
    sink.bytes(K.idx)
    if (s.idx === null) sink.bytes(NULL)
    else sink.raw(jsonString(s.idx))
    sink.bytes(K.updated).iso(this.updated[m]).bytes(K.end)
  }

  // ------------------------------------------------------------------------------- reading

  get size(): number {
    return this.count
  }

  /** Changes with every status change or restamp. */
  get version(): number {
    return this.changes
  }

  get(id: number): MessageRecord | undefined {
    return Number.isSafeInteger(id) && id >= 1 && id <= this.count ? this.record(id - 1) : undefined
  }

  /** Every message in (updated_at, id) order: the true data, for tests. */
  all(): MessageRecord[] {
    const out: MessageRecord[] = []
    for (const m of this.indices()) out.push(this.record(m))
    return out
  }

  /** Message indices in (updated_at, id) order. */
  *indices(): Generator<number> {
    for (let p = 0; p < this.ordLen; p++) {
      const m = this.ordMsg[p]
      if (this.pos[m] === p) yield m
    }
  }

  /** Messages still waiting for a status change (their last stage not reached). */
  pendingCount(): number {
    let n = 0
    for (let p = this.pendNext; p < this.pendTime.length; p++) if (this.stage[this.pendMsg[p]] < this.pendStage[p]) n++
    return n
  }

  /** Cost in price units (PRICE_SCALE) of message index m. */
  costUnits(m: number): number {
    return this.partsCol[m] * this.clients[this.client[m]].priceUnits
  }

  clientIndexOf(m: number): number {
    return this.client[m]
  }

  createdAt(m: number): number {
    return this.created[m]
  }

  channelOf(m: number): Channel {
    return CHANNELS[this.channel[m]]
  }

  // ------------------------------------------------------------------------------- keyset pages

  /** First log position whose (key, id) is after (ms, afterId). */
  private lowerBound(ms: number, afterId: number): number {
    let lo = 0
    let hi = this.ordLen
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const k = this.ordKey[mid]
      if (k < ms || (k === ms && this.ordMsg[mid] + 1 <= afterId)) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  private deadBefore(p: number): number {
    let s = 0
    for (let i = p; i > 0; i -= i & -i) s += this.fen[i]
    return s
  }

  private live(p: number): boolean {
    return this.pos[this.ordMsg[p]] === p
  }

  pageRows(updatedAfterMs: number | null, afterId: number, size: number): { rows: number[]; count: number; next: KeysetCursor | null } {
    const start = updatedAfterMs === null ? 0 : this.lowerBound(updatedAfterMs, afterId)
    const rows: number[] = []
    let p = start
    for (; p < this.ordLen && rows.length < size; p++) if (this.live(p)) rows.push(this.ordMsg[p])
    const count = this.ordLen - start - (this.dead - this.deadBefore(start))
    const remaining = this.ordLen - p - (this.dead - this.deadBefore(p))
    const lastRow = rows[rows.length - 1]
    return {
      rows,
      count,
      next: remaining > 0 && lastRow !== undefined ? { updatedAfter: isoTime(this.updated[lastRow]), afterId: lastRow + 1 } : null
    }
  }

  rowsBefore(updatedAfterMs: number, afterId: number, n: number): number[] {
    const out: number[] = []
    for (let p = this.lowerBound(updatedAfterMs, afterId) - 1; p >= 0 && out.length < n; p--) {
      if (this.live(p)) out.unshift(this.ordMsg[p])
    }
    return out
  }

  rowJson(m: number): string {
    return this.json(m)
  }

  writeRowJson(m: number, sink: JsonSink): void {
    this.writeJson(m, sink)
  }

  rowObject(m: number): object {
    return this.record(m)
  }

  // ------------------------------------------------------------------------------- changes

  /** Moves message m to the end of the keyset order with updated_at = `at` (or just after the last). */
  private restamp(m: number, at: number): number {
    if (this.ordLen === this.ordMsg.length) this.compact()
    const lastP = this.ordLen - 1
    let t = at
    if (lastP >= 0) {
      const lk = this.ordKey[lastP]
      if (t < lk || (t === lk && m + 1 <= this.ordMsg[lastP] + 1)) t = lk + 1
    }
    this.changes++
    const old = this.pos[m]
    for (let i = old + 1; i < this.fen.length; i += i & -i) this.fen[i]++
    this.dead++
    const p = this.ordLen++
    this.ordMsg[p] = m
    this.ordKey[p] = t
    this.pos[m] = p
    this.updated[m] = t
    return t
  }

  /** Drops tombstones from the order log (and grows it when it is mostly live). */
  private compact(): void {
    const live = this.ordLen - this.dead
    const capacity = Math.max(this.ordMsg.length, live + Math.max(1024, live >> 2))
    const msg = new Int32Array(capacity)
    const key = new Float64Array(capacity)
    let q = 0
    for (let p = 0; p < this.ordLen; p++) {
      if (!this.live(p)) continue
      msg[q] = this.ordMsg[p]
      key[q] = this.ordKey[p]
      this.pos[msg[q]] = q
      q++
    }
    this.ordMsg = msg
    this.ordKey = key
    this.ordLen = q
    this.fen = new Int32Array(capacity + 1)
    this.dead = 0
  }

  private setStage(m: number, k: number, at: number): void {
    this.stage[m] = k
    this.restamp(m, at)
  }

  /** Applies every status change due by `clock`; returns how many messages changed. */
  advanceTo(clock: number): number {
    let changed = 0
    while (this.pendNext < this.pendTime.length && this.pendTime[this.pendNext] <= clock) {
      const p = this.pendNext++
      const m = this.pendMsg[p]
      const k = this.pendStage[p]
      if (this.stage[m] >= k) continue
      this.setStage(m, k, this.pendTime[p])
      changed++
    }
    return changed
  }

  /**
   * A change mid-sync (the 'shift' fault): a message waiting for a delivery report gets it now,
   * or, when none waits, a delivery report is received again. Either way it moves to the end.
   */
  touch(clock: number, rng: RandomSource): number | null {
    if (this.count === 0) return null
    for (let tries = 0; tries < 8 && this.pendNext < this.pendTime.length; tries++) {
      const p = rng.int(this.pendNext, this.pendTime.length - 1)
      const m = this.pendMsg[p]
      const k = this.pendStage[p]
      if (this.stage[m] + 1 !== k) continue
      const at = Math.max(clock, this.updated[m] + 1)
      // The report came early: its time is now; later stages keep their times (never earlier).
      const stages = ALL_PROFILES[this.prof[m]].statuses.length
      const d = [this.d1[m], this.d2[m], this.d3[m]]
      d[k - 1] = Math.max(at - this.created[m], k >= 2 ? d[k - 2] : 0)
      for (let j = k; j < stages - 1; j++) if (d[j] < d[j - 1]) d[j] = d[j - 1]
      this.d1[m] = d[0]
      this.d2[m] = d[1]
      this.d3[m] = d[2]
      this.setStage(m, k, this.created[m] + this.delay(m, k))
      return m
    }
    const m = rng.int(0, this.count - 1)
    this.restamp(m, Math.max(clock, this.updated[m] + 1))
    return m
  }
}
